"""Mixing: the pauses heard in the encoded bulletin are the profile's, and chapters match the audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import read_audio, silent_runs

from bulletins.engines.tone import PADDING_MS, ToneEngine
from bulletins.mixing import chapters, export, mix, to_segment, trim
from bulletins.model import Clip, Segment, SegmentKind
from bulletins.voices import Pauses, default_profile

PAUSES = Pauses(clause=200, sentence=400, paragraph=800, headline=1000, article=1500)
# Two articles: headline, two sentences in two paragraphs, then the next article.
PLAN = [
    ("Headline of the first story", SegmentKind.HEADLINE, 0, PAUSES.headline),
    ("The first sentence is here and it is fine", SegmentKind.SENTENCE, 0, PAUSES.sentence),
    ("A second sentence closes the first paragraph", SegmentKind.SENTENCE, 0, PAUSES.paragraph),
    ("A new paragraph ends the first story now", SegmentKind.SENTENCE, 0, PAUSES.article),
    ("Headline of the second story", SegmentKind.HEADLINE, 1, PAUSES.headline),
    ("Its only sentence is this one", SegmentKind.SENTENCE, 1, PAUSES.article),
]


def tone_clips() -> list[Clip]:
    engine, profile = ToneEngine(), default_profile("en")
    return [
        Clip(
            segment=Segment(
                text=text,
                spoken=text,
                kind=kind,
                article=article,
                paragraph=0,
                sentence=n,
                pause_after_ms=pause,
            ),
            audio=engine.synthesize(text, profile),
            engine="tone",
        )
        for n, (text, kind, article, pause) in enumerate(PLAN)
    ]


def test_trim_removes_engine_padding() -> None:
    """Leading and trailing silence is trimmed down to a short margin."""
    audio = ToneEngine().synthesize("one two three", default_profile("en"))
    trimmed = trim(to_segment(audio))
    assert len(trimmed) < audio.duration_ms - 2 * PADDING_MS + 2 * 25
    assert len(trimmed) > audio.duration_ms - 2 * PADDING_MS


def test_pauses_measured_in_the_encoded_mp3(tmp_path: Path) -> None:
    """Decoding the MP3 finds exactly the planned pauses, each within 30 ms, none at the ends."""
    clips = tone_clips()
    path = tmp_path / "mix.mp3"
    result = mix(clips)
    export(result, path, "96k", 44100)
    gaps = silent_runs(read_audio(path), min_ms=100)
    assert len(gaps) == len(PLAN) - 1
    for (start, end), (_text, _kind, _article, pause) in zip(gaps, PLAN, strict=False):
        # The mixer keeps 20 ms of each clip's own silence on both sides of a pause.
        assert end - start == pytest.approx(pause + 40, abs=30)


def test_chapters_start_at_each_article(tmp_path: Path) -> None:
    """The second chapter starts where the second article's first tone starts in the audio."""
    clips = tone_clips()
    result = mix(clips)
    named = chapters(result, ["First", "Second"])
    assert [c.title for c in named] == ["First", "Second"]
    assert named[0].start_ms == 0 and named[-1].end_ms == result.duration_ms
    assert named[0].end_ms == named[1].start_ms
    path = tmp_path / "mix.mp3"
    export(result, path, "96k", 44100)
    decoded = read_audio(path)
    gaps = silent_runs(decoded, min_ms=100)
    article_gap = gaps[3]  # after the fourth clip, the pause between articles
    assert named[1].start_ms == pytest.approx(article_gap[1], abs=30)
    assert decoded.duration_ms == pytest.approx(result.duration_ms, abs=60)
