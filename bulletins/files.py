"""Files: where outputs go, and writing them so that no reader ever sees half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: builds into one folder are not serialised there
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def atomic_output(target: Path, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` at once.

    The one way bulletins writes a file. The temporary file lives in the same folder,
    so the final rename is atomic: a player, a web server or a killed build sees
    either the old file or the new one. On failure the temporary file is removed and
    ``target`` is left as it was.

    Args:
        durable: flush the file to the disk before the rename, so that it survives a
            power cut. Cache entries skip it: one cut short fails its check and is
            made again.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        try:
            yield temporary
        except OSError as exc:
            # Name the file being made, not its temporary name, in the error.
            if exc.filename in (None, str(temporary)) and type(exc).__module__ == "builtins":
                raise type(exc)(exc.errno, exc.strerror, str(target)) from exc
            raise
        if durable:
            with temporary.open("rb+") as written:
                os.fsync(written.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def bulletin_path(out_dir: Path, edition_slug: str, language: str) -> Path:
    """``audio/<edition>/<edition>.<language>.mp3``: ASCII, unique per edition and language."""
    return out_dir / edition_slug / f"{edition_slug}.{language}.mp3"


def article_path(out_dir: Path, edition_slug: str, article_slug: str, language: str) -> Path:
    """``audio/<edition>/articles/<article>.<language>.mp3``."""
    return out_dir / edition_slug / "articles" / f"{article_slug}.{language}.mp3"


@contextlib.contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for one build at a time, then tidy what killed builds left.

    Two builds writing one folder would race on the same files; the second waits here
    for the first. Holding the lock also makes it safe to delete ``.part`` files: any
    left now belong to a build that was killed before it could rename them.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / ".bulletins.lock").open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            for leftover in out_dir.rglob(".*.part"):
                leftover.unlink(missing_ok=True)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def sidecars(audio: Path) -> dict[str, Path]:
    """The files published beside a bulletin: transcripts and chapters."""
    stem = audio.with_suffix("")
    return {
        "vtt": stem.with_suffix(stem.suffix + ".vtt"),
        "srt": stem.with_suffix(stem.suffix + ".srt"),
        "chapters": stem.with_suffix(stem.suffix + ".chapters.json"),
    }


def write_text_atomic(path: Path, text: str) -> None:
    """Write a UTF-8 text file under a temporary name, then rename it into place."""
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
