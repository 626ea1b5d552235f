"""The history: the records a build looks up, and which episodes' files are whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletins.model import EpisodeKind
from bulletins.publish import history


def make_record(number: int) -> history.Record:
    edition = f"2026-01-{number:04d}"
    return history.Record(
        guid=history.guid_for(EpisodeKind.BULLETIN, edition, "", "it"),
        kind=EpisodeKind.BULLETIN,
        edition=edition,
        article="",
        language="it",
        title=f"Notiziario {number}",
        description="",
        published="2026-01-01",
        audio=f"{edition}/{edition}.it.mp3",
        bytes=4,
        duration_ms=1000,
        vtt=f"{edition}/{edition}.it.vtt",
        srt=f"{edition}/{edition}.it.srt",
        chapters=f"{edition}/{edition}.it.chapters.json",
        updated="2026-01-01T09:00:00+00:00",
    )


def test_find_gives_the_records_asked_for_however_many(tmp_path: Path) -> None:
    """More guids than one SQLite statement takes are looked up, and only those asked for."""
    records = [make_record(n) for n in range(1200)]
    history.record(tmp_path, records)
    asked = [r.guid for r in records[:1100]] + ["not-a-guid"]
    found = history.find(tmp_path, asked)
    assert found == {r.guid: r for r in records[:1100]}
    assert found[records[0].guid].kind is EpisodeKind.BULLETIN
    assert history.find(tmp_path / "elsewhere", asked) == {}


@pytest.mark.parametrize(
    ("damage", "whole"),
    [("none", True), ("short audio", False), ("no srt", False), ("no audio", False)],
)
def test_an_episode_is_whole_only_with_all_its_files(
    tmp_path: Path, damage: str, whole: bool
) -> None:
    record = make_record(1)
    for relative, data in [
        (record.audio, b"ID3x"),
        (record.vtt, b"WEBVTT\n"),
        (record.srt, b""),
        (record.chapters, b"{}"),
    ]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(data)
    if damage == "short audio":
        (tmp_path / record.audio).write_bytes(b"ID3")
    elif damage == "no srt":
        (tmp_path / record.srt).unlink()
    elif damage == "no audio":
        (tmp_path / record.audio).unlink()
    stamps = history.whole_files(tmp_path, record)
    assert (stamps is not None) == whole
    if stamps is not None:
        assert [size for size, _ in stamps] == [4, 7, 0, 2]


def test_a_history_from_before_publication_times_were_kept_gains_them(tmp_path: Path) -> None:
    """A database written without the newer columns is read, and written to, as it is."""
    import sqlite3
    from dataclasses import astuple

    old = make_record(1)
    with sqlite3.connect(tmp_path / history.DATABASE) as connection:
        columns = [f for f in history._COLUMNS if f not in history._ADDED]
        connection.execute(f"CREATE TABLE episodes ({', '.join(columns)}, PRIMARY KEY (guid))")
        connection.execute(
            f"INSERT INTO episodes VALUES ({', '.join('?' for _ in columns)})",
            astuple(old)[: len(columns)],
        )
    [read] = history.episodes(tmp_path)
    assert read == old and read.published_at == "" and read.narrator == ""
    newer = make_record(2)
    history.record(tmp_path, [newer])
    assert history.find(tmp_path, [newer.guid]) == {newer.guid: newer}
