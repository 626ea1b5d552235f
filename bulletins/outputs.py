"""Output paths: where each file of the output folder goes, and the lock that keeps one build at a time in it."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: builds into one folder are not serialised there
    fcntl = None  # type: ignore[assignment]


CHECK_RECORD = ".bulletins-check.json"
"""Proof-listening's record in the output folder: each episode's hearing, by its file and
build digest. Not a build's output: ``bulletins check`` writes it after a build."""


def bulletin_path(out_dir: Path, edition_slug: str, language: str) -> Path:
    """``audio/<edition>/<edition>.<language>.mp3``: ASCII, unique per edition and language."""
    return out_dir / edition_slug / f"{edition_slug}.{language}.mp3"


def article_path(out_dir: Path, edition_slug: str, article_slug: str, language: str) -> Path:
    """``audio/<edition>/articles/<article>.<language>.mp3``."""
    return out_dir / edition_slug / "articles" / f"{article_slug}.{language}.mp3"


def free_bytes(out_dir: Path) -> int | None:
    """Space free on the file system that holds (or will hold) ``out_dir``; None when unknown."""
    folder = out_dir.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


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
