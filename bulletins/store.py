"""Where the cache keeps its entries: a folder, or an S3 bucket (``s3://bucket/prefix``).

A folder is this machine's, or one every machine of a cluster mounts at the same path.
A bucket (through fsspec's s3fs, the ``s3`` extra) serves a cluster whose machines share
no folder. Either way an entry is written whole or not at all (a rename into place; one
PUT of the whole object), and the cache checks every entry's header as it reads it, so a
truncated entry is never served: it is made again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeGuard

from bulletins.atomic import atomic_output
from bulletins.errors import ConfigError

CacheRoot = Path | str
"""A cache folder, or an ``s3://bucket/prefix`` URL."""


def is_bucket(root: CacheRoot) -> TypeGuard[str]:
    """Whether the cache is an S3 bucket rather than a folder."""
    return isinstance(root, str) and root.startswith("s3://")


def task_key(root: CacheRoot, keys: Sequence[str]) -> str:
    """The content address of work that makes these entries in this cache (the same text
    for the same cache, wherever the build runs from): a cluster's task name."""
    cache = root if isinstance(root, str) else str(Path(root).absolute())
    return hashlib.sha256("\0".join([cache, *keys]).encode()).hexdigest()


class Folder:
    """Entries as files under a folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str, length: int | None = None) -> bytes | None:
        """The entry's bytes (its first ``length`` only, when given), or None."""
        try:
            with self.path(name).open("rb") as file:
                return file.read() if length is None else file.read(length)
        except OSError:
            return None

    def size(self, name: str) -> int | None:
        try:
            return self.path(name).stat().st_size
        except OSError:
            return None

    def write(self, name: str, data: bytes) -> None:
        """Write under a temporary name and rename into place."""
        # Not durable: a killed process loses nothing already written; after a power
        # cut a truncated entry fails its check and is made again.
        with atomic_output(self.path(name), durable=False) as temporary:
            temporary.write_bytes(data)

    def names(self, folder: str, suffix: str) -> list[tuple[str, int]]:
        """Every entry under ``folder`` ending with ``suffix``, with its size."""
        base = self.root / folder
        if not base.is_dir():
            return []
        return [(str(p.relative_to(self.root)), p.stat().st_size) for p in base.rglob(f"*{suffix}")]

    def remove(self, folder: str) -> None:
        shutil.rmtree(self.root / folder, ignore_errors=True)

    def check(self) -> None:
        """A folder is made as entries are written; an unwritable one fails its writes."""

    def scratch(self, name: str) -> Path | None:
        """A folder on this machine for an entry's parts while it is made: beside it."""
        folder = self.path(name).parent
        folder.mkdir(parents=True, exist_ok=True)
        return folder


@functools.cache
def _s3() -> Any:
    """One S3 connection per process (s3fs reads AWS's usual settings: credentials, region,
    ``AWS_ENDPOINT_URL`` for an S3-compatible server)."""
    try:
        import s3fs
    except ImportError as exc:
        raise ConfigError("an s3:// cache needs s3fs: pip install 'bulletins[s3]'") from exc
    return s3fs.S3FileSystem(use_listings_cache=False)


def _failures() -> tuple[type[Exception], ...]:
    """What S3 raises when it cannot be reached or refuses (s3fs turns most into OSError;
    botocore's own errors, such as missing credentials, come through as they are)."""
    try:
        from botocore.exceptions import BotoCoreError
    except ImportError:
        return (OSError,)
    return (OSError, BotoCoreError)


class Bucket:
    """Entries as objects under an S3 prefix."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._base = self.url.removeprefix("s3://")

    def _key(self, name: str) -> str:
        return f"{self._base}/{name}"

    def _refused(self, exc: Exception) -> ConfigError:
        return ConfigError(
            f"the cache at {self.url}: {type(exc).__name__}: {exc}; check the bucket, the "
            "credentials and AWS_ENDPOINT_URL"
        )

    def check(self) -> None:
        """Raise ConfigError unless the bucket can be reached, before any work."""
        try:
            _s3().ls(self._base.split("/", 1)[0])
        except _failures() as exc:
            raise self._refused(exc) from exc

    def read(self, name: str, length: int | None = None) -> bytes | None:
        try:
            data: bytes = _s3().cat_file(self._key(name), start=0, end=length)
        except FileNotFoundError:
            return None
        except _failures() as exc:
            raise self._refused(exc) from exc
        return data

    def size(self, name: str) -> int | None:
        try:
            return int(_s3().size(self._key(name)))
        except FileNotFoundError:
            return None
        except _failures() as exc:
            raise self._refused(exc) from exc

    def write(self, name: str, data: bytes) -> None:
        """One PUT of the whole object: S3 shows it whole or not at all."""
        try:
            _s3().pipe_file(self._key(name), data)
        except _failures() as exc:
            raise self._refused(exc) from exc

    def names(self, folder: str, suffix: str) -> list[tuple[str, int]]:
        try:
            found = _s3().find(self._key(folder), detail=True)
        except OSError:
            return []
        return [
            (key.removeprefix(self._base + "/"), int(info.get("size", 0)))
            for key, info in found.items()
            if key.endswith(suffix)
        ]

    def remove(self, folder: str) -> None:
        with contextlib.suppress(OSError):
            _s3().rm(self._key(folder), recursive=True)

    def scratch(self, name: str) -> Path | None:
        """None: the system's temporary folder, as the object is uploaded whole."""
        return None


def location(root: CacheRoot) -> Folder | Bucket:
    """The store behind a cache root."""
    return Bucket(root) if is_bucket(root) else Folder(Path(root))
