"""Output paths: where each file of the output folder goes, and the lock that keeps one build at a time in it."""

from __future__ import annotations

import contextlib
import os
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
            for leftover in _leftovers(os.fspath(out_dir)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _leftovers(top: str) -> list[str]:
    """The ``.*.part`` files under a folder (what ``atomic`` writes before renaming).

    One ``scandir`` a folder, on plain strings: a long history's output folder holds
    some 15,000 files, and ``Path.rglob`` took three times as long to match them.
    """
    folders, found = [top], []
    while folders:
        try:
            with os.scandir(folders.pop()) as listing:
                for entry in listing:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.startswith(".") and entry.name.endswith(".part"):
                        found.append(entry.path)
        except (FileNotFoundError, NotADirectoryError):
            continue
    return found


def sidecars(audio: Path) -> dict[str, Path]:
    """The files published beside a bulletin: transcripts and chapters."""
    stem = audio.with_suffix("")
    return {
        "vtt": stem.with_suffix(stem.suffix + ".vtt"),
        "srt": stem.with_suffix(stem.suffix + ".srt"),
        "chapters": stem.with_suffix(stem.suffix + ".chapters.json"),
    }
