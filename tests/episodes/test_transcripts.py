"""Transcripts: a cue per sentence, lines within 65 characters, valid WebVTT, SRT and chapters JSON."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import srt as srt_parser
import webvtt
from conftest import read_as_apps

from bulletins.episodes.transcripts import (
    MAX_CHAPTER_TITLE,
    MAX_LINE,
    chapter_title,
    chapters_json,
    cues,
    lines,
    srt,
)
from bulletins.episodes.transcripts import webvtt as to_webvtt
from bulletins.model import Chapter, Segment, SegmentKind


def seg(text: str, sentence: int, kind: SegmentKind = SegmentKind.SENTENCE) -> Segment:
    return Segment(
        text=text,
        spoken=text,
        kind=kind,
        article=0,
        paragraph=0,
        sentence=sentence,
        pause_after_ms=400,
    )


SEGMENTS = [
    seg("Titolo & <notizia>", 0, SegmentKind.HEADLINE),
    seg("Una frase lunga,", 1, SegmentKind.CLAUSE),
    seg("divisa in due parti.", 1),
    seg("Un'altra frase " + "molto " * 20 + "lunga.", 2),
]
SPEECH = [(0, 1200), (2200, 3000), (3250, 4100), (4500, 9000)]


def test_clauses_of_a_sentence_make_one_cue() -> None:
    """A sentence split for the engine is one cue, from its first clause to its last."""
    timed = cues(SEGMENTS, SPEECH)
    assert [(c.start_ms, c.end_ms) for c in timed] == [(0, 1200), (2200, 4100), (4500, 9000)]
    assert timed[1].text == "Una frase lunga, divisa in due parti."


def test_lines_never_exceed_the_limit() -> None:
    """Every line of a cue is at most 65 characters, and no word is broken."""
    text = SEGMENTS[3].text
    wrapped = lines(text)
    assert all(len(line) <= MAX_LINE for line in wrapped)
    assert " ".join(wrapped) == text


def test_webvtt_round_trips_through_a_parser() -> None:
    """webvtt-py reads back the cues' times and text; markup in the text is escaped, not read as tags."""
    text = to_webvtt(cues(SEGMENTS, SPEECH))
    assert text.startswith("WEBVTT\n\n1\n")
    parsed = webvtt.from_buffer(io.StringIO(text))
    assert [(c.start, c.end) for c in parsed] == [
        ("00:00:00.000", "00:00:01.200"),
        ("00:00:02.200", "00:00:04.100"),
        ("00:00:04.500", "00:00:09.000"),
    ]
    # Escaped as WebVTT requires, so players show the characters rather than read tags.
    assert parsed[0].text == "Titolo &amp; &lt;notizia&gt;"
    assert html.unescape(parsed[0].text) == "Titolo & <notizia>"
    assert all(len(line) <= MAX_LINE for c in parsed for line in c.raw_text.splitlines())


def test_srt_round_trips_through_a_parser() -> None:
    """The srt library reads back the same cues."""
    parsed = list(srt_parser.parse(srt(cues(SEGMENTS, SPEECH))))
    assert [
        (int(c.start.total_seconds() * 1000), int(c.end.total_seconds() * 1000)) for c in parsed
    ] == [
        (0, 1200),
        (2200, 4100),
        (4500, 9000),
    ]
    assert parsed[1].content == "Una frase lunga, divisa in due parti."


def test_chapters_json() -> None:
    """Chapters follow the Podcasting 2.0 JSON chapters format 1.2.0."""
    document = json.loads(chapters_json([Chapter("Uno", 0, 1500), Chapter("الثاني", 1500, 3250)]))
    assert document == {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0.0, "endTime": 1.5, "title": "Uno"},
            {"startTime": 1.5, "endTime": 3.25, "title": "الثاني"},
        ],
    }


def test_lines_wrap_between_characters_in_scripts_without_spaces() -> None:
    """A Chinese cue wraps within the width, between characters, and never starts a line with "，"."""
    from bulletins.episodes.transcripts import lines

    text = "沃金市议会今天宣布，从下周一起，图书馆将延长开放时间，周一至周五每天开放到晚上八点，周六和周日开放到下午五点。"
    wrapped = lines(text, 20)
    assert len(wrapped) > 1
    assert all(len(line) <= 20 for line in wrapped)
    assert "".join(wrapped) == text
    assert not any(line[0] in "，。" for line in wrapped)


def test_a_strict_webvtt_parser_finds_no_error(tmp_path: Path) -> None:
    """webvtt-parser, as strict as the format's specification: no error, and the same cues."""
    path = tmp_path / "bulletin.it.vtt"
    made = cues(SEGMENTS, SPEECH)
    path.write_text(to_webvtt(made), encoding="utf-8")
    [read] = read_as_apps(path).values()
    assert read["errors"] == []
    assert [(round(c["start"] * 1000), round(c["end"] * 1000)) for c in read["cues"]] == [
        (c.start_ms, c.end_ms) for c in made
    ]


def test_a_long_headline_is_cut_at_a_word_for_its_chapter_title() -> None:
    headline = "I servizi si impegnano a rispondere insieme alla prima Assemblea per la sicurezza"
    title = chapter_title(headline)
    assert len(title) <= MAX_CHAPTER_TITLE and title.endswith("…")
    assert headline.startswith(title[:-1]) and headline[len(title) - 1] == " "
    assert chapter_title("Un titolo breve") == "Un titolo breve"
    arabic = "تلتزم الخدمات بالاستجابة المشتركة في أول جمعية أمان مجتمعية في ساري اليوم"
    assert len(chapter_title(arabic)) <= MAX_CHAPTER_TITLE
