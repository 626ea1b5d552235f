"""What each page of the listening site was written from, so an unchanged page is not written again.

A page's digest covers everything that shapes it: bulletins' version and its templates
and static files, the series' names, the episode's record, the size and time of the
files it reads (its chapters and transcript), and the language's profile. The digests
live in ``.bulletins-pages.json`` in the output folder; a page whose digest is
unchanged and whose file is still there is left as it is, so a build that adds one
edition writes that edition's pages and the listings, not every page of the history.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from bulletins import __version__
from bulletins.atomic import KeptEntries

NAME = ".bulletins-pages.json"


@cache
def site_stamp() -> str:
    """A digest of bulletins' version, templates and static files: a change rewrites every page."""
    folder = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*(folder / "templates").glob("*"), *(folder / "static").glob("*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def digest(*material: object) -> str:
    """A digest of a page's material (anything ``repr`` renders the same when it is the same)."""
    return hashlib.sha256(repr((site_stamp(), material)).encode()).hexdigest()


def file_stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time, or None when there is none."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


class Manifest:
    """The digest each page was last written from, read once and written back once."""

    def __init__(self, out_dir: Path) -> None:
        self._digests = KeptEntries(out_dir / NAME)

    def unchanged(self, page: Path, key: str, name: str) -> bool:
        """Whether ``page`` (named ``name`` here) exists and was written from ``key``."""
        return self._digests.get(name) == key and page.is_file()

    def wrote(self, name: str, key: str) -> None:
        self._digests.put(name, key)

    def save(self) -> None:
        """Keep the digests of the pages this build wrote or found up to date."""
        self._digests.save()
