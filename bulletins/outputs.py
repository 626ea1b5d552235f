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


Listing = tuple[str, "os.DirEntry[str] | None", list["os.DirEntry[str]"]]
"""A folder's path relative to the top (``"a/b/"``, ``""`` for the top), its entry in
the folder above (None for the top), and what it holds."""


def folders_under(top: str) -> Iterator[Listing]:
    """Every folder under ``top`` (none when it does not exist), ``top`` first, each
    with what it holds; ``__pycache__`` folders are passed over.

    One ``scandir`` a folder, on plain strings: a long history's output folder holds
    some 15,000 files, and ``Path`` objects and ``Path.rglob`` cost several times the
    listing itself.
    """
    folders: list[tuple[str, os.DirEntry[str] | None, str]] = [("", None, top)]
    while folders:
        prefix, folder, name = folders.pop()
        try:
            with os.scandir(name) as listing:
                entries = list(listing)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                folders.append((f"{prefix}{entry.name}/", entry, entry.path))
        yield prefix, folder, entries


def _leftovers(top: str) -> list[str]:
    """The ``.*.part`` files under a folder (what ``atomic`` writes before renaming)."""
    return [
        entry.path
        for _, _, entries in folders_under(top)
        for entry in entries
        if entry.name.startswith(".")
        and entry.name.endswith(".part")
        and not entry.is_dir(follow_symlinks=False)
    ]


def sidecars(audio: Path) -> dict[str, Path]:
    """The files published beside a bulletin: transcripts and chapters."""
    stem = audio.with_suffix("")
    return {
        "vtt": stem.with_suffix(stem.suffix + ".vtt"),
        "srt": stem.with_suffix(stem.suffix + ".srt"),
        "chapters": stem.with_suffix(stem.suffix + ".chapters.json"),
    }
