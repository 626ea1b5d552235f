"""The exceptions bulletins raises: one base class, one subclass per stage."""

from __future__ import annotations


class BulletinsError(Exception):
    """Base class of every error bulletins raises on purpose."""


class ContentError(BulletinsError, ValueError):
    """An article file cannot be read as an article (encoding, binary, empty...)."""


class LanguageError(BulletinsError, ValueError):
    """An article's language cannot be told, or no voice can speak it."""


class VoiceError(BulletinsError, ValueError):
    """A voice profile is malformed or names something that does not exist."""


class EngineUnavailable(BulletinsError, RuntimeError):
    """A speech engine cannot be used here (missing library, unreachable service)."""


class SynthesisError(BulletinsError, RuntimeError):
    """A speech engine failed to speak a piece of text."""


class AudioError(BulletinsError, RuntimeError):
    """Decoding, mixing or encoding audio failed."""


class ConfigError(BulletinsError, ValueError):
    """A setting (command-line option, environment variable or config file) is invalid."""


class TransientError(SynthesisError):
    """A refusal worth retrying: rate limiting, a server error, a timeout, a dropped connection."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        """Seconds the server asked us to wait, when it said."""


class WriteError(BulletinsError, OSError):
    """Output or the cache cannot be written (a full disk); nothing half-written is left."""


class BookError(BulletinsError, RuntimeError):
    """A talking book cannot be made (its audio is missing); no part of it is written."""


class CheckError(BulletinsError, RuntimeError):
    """Proof-listening cannot run (no recogniser or model) or cannot hear a file."""


class SourceError(BulletinsError, ValueError):
    """A web page or feed cannot be fetched or read as news (refused address, bad answer...)."""


def cannot_write(path: object, exc: OSError) -> str:
    """One line for a file that could not be written (a full disk, a read-only folder)."""
    import errno

    cause = exc.strerror or type(exc).__name__
    hint = {
        errno.ENOSPC: "the disk is full; free some space and build again",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the folder is on a read-only file system",
        errno.EACCES: "this user may not write there",
        errno.EFBIG: "the file is larger than this system lets a process write",
    }.get(exc.errno or 0)
    return f"{path}: cannot be written: {cause}" + (f". Probable cause: {hint}" if hint else "")
