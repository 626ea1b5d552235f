"""What each page of the listening site and each feed item was written from, so an
unchanged one is not made again.

A page's digest covers everything that shapes it: bulletins' version, the publishing
code, its templates and static files, the series' names, the episode's record, the size
and time of its files, and the language's profile. The digests live in
``.bulletins-pages.json`` in the output folder; a page whose digest is unchanged and
whose file is still there is left as it is, so a build that adds one edition writes
that edition's pages, the language's front page and the index, not every page of the
history. A feed's entry holds the digest of each item it lists, in order, and of the
whole file, so the items of an unchanged episode are taken from the feed as written.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from bulletins import __version__
from bulletins.atomic import KeptEntries

NAME = ".bulletins-pages.json"


@cache
def site_stamp() -> str:
    """A digest of bulletins' version and of the code, templates and static files that
    write the pages and feeds: a change rewrites every page and feed item."""
    folder = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    made_by = [
        *folder.glob("*.py"),
        *(folder / "templates").glob("*"),
        *(folder / "static").glob("*"),
    ]
    for path in sorted(made_by):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def digest(*material: object) -> str:
    """A digest of a page's material (anything ``repr`` renders the same when it is the same)."""
    return hashlib.sha256(repr((site_stamp(), material)).encode()).hexdigest()


class Manifest:
    """What each page and feed was last written from, read once and written back once."""

    def __init__(self, out_dir: Path) -> None:
        self._folder = os.fspath(out_dir)
        self._digests = KeptEntries(out_dir / NAME)

    def unchanged(self, name: str, key: str) -> bool:
        """Whether the page ``name`` (relative to the output folder) exists and was written
        from ``key``."""
        # A plain string, not a Path: this is asked of every episode's page.
        return self._digests.get(name) == key and os.path.isfile(os.path.join(self._folder, name))

    def wrote(self, name: str, key: object) -> None:
        """Note what the file ``name`` was written from (or found up to date with)."""
        self._digests.put(name, key)

    def entry(self, name: str) -> object | None:
        """What the file ``name`` was last written from, as ``wrote`` noted it."""
        return self._digests.get(name)

    def save(self) -> None:
        """Keep the digests of the pages this build wrote or found up to date."""
        self._digests.save()
