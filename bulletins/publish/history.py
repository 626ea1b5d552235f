"""History: every published episode, kept in SQLite in the output folder.

The feeds are written from this history, not from the content folder, so an
edition built last month stays in the feed after its articles are archived, and a
rebuilt edition replaces its episodes in place, under the same guids.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import astuple, dataclass, fields, replace
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


def guid_for(kind: str, edition: str, article: str, language: str) -> str:
    """The stable guid of an episode: from what it is, never from when it was built."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{edition}/{article}/{language}"))


_COLUMNS = [f.name for f in fields(Record)]
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS episodes (
    {", ".join(f"{name} {'INTEGER' if name in ('bytes', 'duration_ms') else 'TEXT'} NOT NULL" for name in _COLUMNS)},
    PRIMARY KEY (guid)
)
"""


@contextmanager
def _connect(out_dir: Path) -> Iterator[sqlite3.Connection]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(out_dir / DATABASE, timeout=30)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
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
    record = Record(*row)  # type: ignore[arg-type]
    return replace(record, kind=EpisodeKind(record.kind))


def episodes(out_dir: Path, kind: str | None = None, language: str | None = None) -> list[Record]:
    """Recorded episodes, newest first (by publication date, then edition)."""
    if not (out_dir / DATABASE).is_file():
        return []
    query = f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR language = ?)"
    with _connect(out_dir) as connection:
        rows = connection.execute(
            query + " ORDER BY published DESC, edition DESC, article",
            (kind, kind, language, language),
        )
        return [_record(row) for row in rows]


def remove(out_dir: Path, edition: str, language: str | None = None) -> list[Record]:
    """Forget an edition's episodes (in one language, or all); return what was removed."""
    gone = [r for r in episodes(out_dir) if r.edition == edition and language in (None, r.language)]
    with _connect(out_dir) as connection, connection:
        connection.executemany("DELETE FROM episodes WHERE guid = ?", [(r.guid,) for r in gone])
    return gone


def complete(out_dir: Path, record: Record) -> bool:
    """Whether an episode's files exist whole (the size recorded at build time), so feeds and pages may list it."""
    audio = out_dir / record.audio
    sidecars = [out_dir / p for p in (record.vtt, record.srt, record.chapters) if p]
    return (
        audio.is_file()
        and audio.stat().st_size == record.bytes
        and all(p.is_file() for p in sidecars)
    )
