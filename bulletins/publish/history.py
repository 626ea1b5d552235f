"""History: every published episode, kept in SQLite in the output folder.

The feeds are written from this history, not from the content folder, so an
edition built last month stays in the feed after its articles are archived, and a
rebuilt edition replaces its episodes in place, under the same guids.
"""

from __future__ import annotations

import operator
import os
import posixpath
import sqlite3
import stat
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from bulletins.model import EpisodeKind

DATABASE = "episodes.sqlite"
# Guids are UUIDv5 names under this project namespace, so the same episode gets the
# same guid on any machine, in any build, forever.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/bulletins/")


@dataclass(frozen=True)
class Record:
    """One published episode, as the feeds need it. Paths are relative to the output folder."""

    guid: str
    kind: EpisodeKind
    edition: str
    article: str
    """The article's stem for an article episode; empty for a bulletin."""
    language: str
    title: str
    description: str
    published: str
    """ISO 8601 date of publication."""
    audio: str
    bytes: int
    duration_ms: int
    vtt: str
    srt: str
    chapters: str
    updated: str
    published_at: str = ""
    """When it was first published, ISO 8601 to the second in UTC: never later than that
    moment, and distinct from every other episode's in its feed. Empty in a history
    written before bulletins kept it (the feeds then take 09:00 UTC of its date)."""
    narrator: str = ""
    """The synthetic voices that read it, as the feeds name them (``eSpeak NG 1.51 (it)``)."""


def guid_for(kind: str, edition: str, article: str, language: str) -> str:
    """The stable guid of an episode: from what it is, never from when it was built."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{edition}/{article}/{language}"))


_COLUMNS = [f.name for f in fields(Record)]
_SHOWN = operator.attrgetter(*(name for name in _COLUMNS if name != "updated"))


def shown(record: Record) -> tuple[object, ...]:
    """What the feeds and pages show of a record: all but its 'updated' time, which every
    build that finds the episode up to date records anew."""
    guid, kind, *rest = _SHOWN(record)
    # The kind as its text: an enum's repr is slow, and a long history's digests take thousands.
    return (guid, str(kind), *rest)


Stamps = tuple[tuple[int, int], ...]
"""The size and modification time of each of an episode's files."""

# Columns added since the first history: an older database gains them, empty.
_ADDED = ("published_at", "narrator")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS episodes (
    {", ".join(f"{name} {'INTEGER' if name in ('bytes', 'duration_ms') else 'TEXT'} NOT NULL" + (" DEFAULT ''" if name in _ADDED else "") for name in _COLUMNS)},
    PRIMARY KEY (guid)
);
CREATE TABLE IF NOT EXISTS feeds (
    path TEXT NOT NULL PRIMARY KEY,
    podcast_guid TEXT NOT NULL
);
"""


@contextmanager
def _connect(out_dir: Path) -> Iterator[sqlite3.Connection]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(out_dir / DATABASE, timeout=30)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        present = {row[1] for row in connection.execute("PRAGMA table_info(episodes)")}
        for name in _ADDED:
            if name not in present:
                connection.execute(
                    f"ALTER TABLE episodes ADD COLUMN {name} TEXT NOT NULL DEFAULT ''"
                )
        yield connection


def record(out_dir: Path, records: Iterable[Record]) -> None:
    """Add or replace episodes, all in one transaction: a killed build changes nothing."""
    rows = [astuple(r) for r in records]
    marks = ", ".join("?" for _ in _COLUMNS)
    with _connect(out_dir) as connection, connection:
        connection.executemany(
            f"INSERT OR REPLACE INTO episodes ({', '.join(_COLUMNS)}) VALUES ({marks})", rows
        )


def _record(row: tuple[object, ...]) -> Record:
    """A row of the history as a record, its kind as the enum (SQLite keeps the text)."""
    guid, kind, *rest = row
    return Record(guid, EpisodeKind(kind), *rest)  # type: ignore[arg-type]


def episodes(out_dir: Path, kind: str | None = None, language: str | None = None) -> list[Record]:
    """Recorded episodes, newest first (by publication date, then edition)."""
    if not (out_dir / DATABASE).is_file():
        return []
    query = f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR language = ?)"
    with _connect(out_dir) as connection:
        rows = connection.execute(
            query + " ORDER BY published DESC, published_at DESC, edition DESC, article",
            (kind, kind, language, language),
        )
        return [_record(row) for row in rows]


def find(out_dir: Path, guids: Collection[str]) -> dict[str, Record]:
    """The recorded episodes among ``guids``, by guid (what a build republishes)."""
    if not guids or not (out_dir / DATABASE).is_file():
        return {}
    wanted = list(guids)
    found = {}
    with _connect(out_dir) as connection:
        # SQLite before 3.32 takes at most 999 parameters in one statement.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            query = f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE guid IN ({marks})"
            found.update({row[0]: _record(row) for row in connection.execute(query, chunk)})
    return found


def feed_guids(out_dir: Path, first: Mapping[str, str]) -> dict[str, str]:
    """The podcast:guid of each feed (by its path in the output folder): the one recorded
    when the feed was first written, or, for a feed new to the history, ``first[path]``,
    now recorded. A feed keeps its guid for life, wherever it moves."""
    with _connect(out_dir) as connection, connection:
        connection.executemany(
            "INSERT OR IGNORE INTO feeds (path, podcast_guid) VALUES (?, ?)", first.items()
        )
        return dict(connection.execute("SELECT path, podcast_guid FROM feeds"))


def publication_times(out_dir: Path) -> set[tuple[str, str, str]]:
    """(language, kind, published_at) of every recorded episode: the times taken."""
    if not (out_dir / DATABASE).is_file():
        return set()
    with _connect(out_dir) as connection:
        return set(connection.execute("SELECT language, kind, published_at FROM episodes"))


def page_path(record: Record) -> str:
    """An episode's page, beside its MP3 (relative to the output folder)."""
    return posixpath.splitext(record.audio)[0] + ".html"


def remove(out_dir: Path, edition: str, language: str | None = None) -> list[Record]:
    """Forget an edition's episodes (in one language, or all); return what was removed."""
    chosen = [
        r for r in episodes(out_dir) if r.edition == edition and language in (None, r.language)
    ]
    return forget(out_dir, [r.guid for r in chosen])


def forget(out_dir: Path, guids: Collection[str]) -> list[Record]:
    """Forget these episodes; return those that were recorded, in the order given."""
    recorded = find(out_dir, guids)
    gone = [recorded[guid] for guid in guids if guid in recorded]
    if gone:
        with _connect(out_dir) as connection, connection:
            connection.executemany("DELETE FROM episodes WHERE guid = ?", [(r.guid,) for r in gone])
    return gone


def whole_files(out_dir: Path, record: Record) -> Stamps | None:
    """The stamps of an episode's files (audio, WebVTT, SRT, chapters), when they exist
    whole (the audio the size recorded at build time), so feeds and pages may list it;
    None otherwise.

    One ``stat`` a file, on plain strings: a publish asks this of every episode in the
    history, and the stamps tell the pages whether what they were written from changed.
    """
    folder = os.fspath(out_dir)
    stamps = []
    for relative in (record.audio, record.vtt, record.srt, record.chapters):
        if not relative:
            continue
        try:
            status = os.stat(os.path.join(folder, relative))
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        stamps.append((status.st_size, status.st_mtime_ns))
    return tuple(stamps) if stamps[0][0] == record.bytes else None
