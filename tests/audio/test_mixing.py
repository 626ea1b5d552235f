"""Mixing: the pauses heard are the profile's, chapters match the audio, tempo changes keep the pitch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import read_audio, silent_runs

from bulletins.audio.mixing import (
    Loader,
    Rendered,
    fit_rate,
    joined,
    render_piece,
    to_segment,
    trim,
)
from bulletins.model import Audio, Segment, SegmentKind
from bulletins.options import encoding
from bulletins.profiles.profile import Pauses, default_profile
from bulletins.settings import Settings
from bulletins.speech.engines.tone import PADDING_MS, ToneEngine

PAUSES = Pauses(clause=200, sentence=400, paragraph=800, headline=1000, article=1500)
# Two articles: headline, sentences over two paragraphs, then the next article.
PLAN = [
    ("Headline of the first story", SegmentKind.HEADLINE, 0, PAUSES.headline),
    ("The first sentence is here and it is fine", SegmentKind.SENTENCE, 0, PAUSES.sentence),
    ("A second sentence closes the first paragraph", SegmentKind.SENTENCE, 0, PAUSES.paragraph),
    ("A new paragraph ends the first story now", SegmentKind.SENTENCE, 0, PAUSES.article),
    ("Headline of the second story", SegmentKind.HEADLINE, 1, PAUSES.headline),
    ("Its only sentence is this one", SegmentKind.SENTENCE, 1, PAUSES.article),
]
SEGMENTS = [
    Segment(text=t, spoken=t, kind=k, article=a, paragraph=0, sentence=n, pause_after_ms=p)
    for n, (t, k, a, p) in enumerate(PLAN)
]


def render(segments: list[Segment], load: Loader, path: Path) -> Rendered:
    """An episode of one piece."""
    return joined([render_piece(segments, load, path, encoding(Settings()))], segments)


def load(index: int) -> Audio:
    return ToneEngine().synthesize(SEGMENTS[index].spoken, default_profile("en"))


def test_trim_removes_engine_padding() -> None:
    """Leading and trailing silence is trimmed down to a short margin."""
    audio = ToneEngine().synthesize("one two three", default_profile("en"))
    trimmed = trim(to_segment(audio))
    assert (
        audio.duration_ms - 2 * PADDING_MS
        < len(trimmed)
        < audio.duration_ms - 2 * PADDING_MS + 2 * 25
    )


def test_pauses_measured_in_the_encoded_mp3(tmp_path: Path) -> None:
    """Decoding the MP3 finds exactly the planned pauses, each within 30 ms, none at the ends."""
    path = tmp_path / "mix.mp3"
    render(SEGMENTS, load, path)
    gaps = silent_runs(read_audio(path), min_ms=100)
    assert len(gaps) == len(PLAN) - 1
    for (start, end), (_text, _kind, _article, pause) in zip(gaps, PLAN, strict=False):
        # The mixer keeps 20 ms of each clip's own silence on both sides of a pause.
        assert end - start == pytest.approx(pause + 40, abs=30)


def test_chapters_start_at_each_article(tmp_path: Path) -> None:
    """The second chapter starts where the second article's first tone starts in the audio."""
    path = tmp_path / "mix.mp3"
    rendered = render(SEGMENTS, load, path)
    (first_start, first_end), (second_start, second_end) = rendered.chapters_ms
    assert first_start == 0 and second_end == rendered.duration_ms and first_end == second_start
    decoded = read_audio(path)
    article_gap = silent_runs(decoded, min_ms=100)[3]  # the pause after the fourth clip
    assert second_start == pytest.approx(article_gap[1], abs=30)
    assert decoded.duration_ms == pytest.approx(rendered.duration_ms, abs=60)


def test_clips_at_other_rates_are_resampled(tmp_path: Path) -> None:
    """A 24 kHz clip among 22.05 kHz ones keeps its duration in the mix."""
    odd = Audio(pcm=load(1).pcm, sample_rate=24000)
    path = tmp_path / "mixed-rates.mp3"
    rendered = render(SEGMENTS[:3], lambda i: odd if i == 1 else load(i), path)
    trimmed = [len(trim(to_segment(a))) for a in (load(0), odd, load(2))]
    expected = sum(trimmed) + PAUSES.headline + PAUSES.sentence
    first_word, last_word = rendered.speech_ms[0][0], rendered.speech_ms[-1][1]
    assert last_word - first_word == pytest.approx(expected, abs=5)
    assert rendered.speech_ms[1][1] - rendered.speech_ms[1][0] == pytest.approx(trimmed[1], abs=2)


def _dominant_hz(audio: Audio) -> float:
    samples = np.frombuffer(audio.pcm, dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * audio.sample_rate / len(samples))


@pytest.mark.parametrize("rate", [120, 215, 260])
def test_fit_rate_changes_tempo_not_pitch(rate: int) -> None:
    """A voice without a rate setting is brought to the rate asked for, and keeps its pitch."""
    text = "one two three four five six seven eight nine ten eleven twelve"
    audio = ToneEngine().synthesize(text, default_profile("en"))  # spoken at the profile's 172
    fitted = fit_rate(audio, len(text.split()), rate)
    measured = 12 / (len(trim(to_segment(fitted))) / 60_000)
    assert measured == pytest.approx(rate, rel=0.04)
    assert _dominant_hz(fitted) == pytest.approx(_dominant_hz(audio), rel=0.02)


def test_fit_rate_leaves_short_clips_alone() -> None:
    """A clip of a word or two is too short to measure a rate from, and is left as it is."""
    audio = ToneEngine().synthesize("Hello there", default_profile("en"))
    assert fit_rate(audio, 2, 300) == audio


def test_an_offline_build_never_loads_pyav(tmp_path: Path) -> None:
    """PyAV decodes the online voice's clips; an offline build leaves it unloaded, as each
    process that loads it and decodes holds some 50 MB more (the memory figure)."""
    import subprocess
    import sys

    edition = tmp_path / "content" / "2026-05-01-notice"
    edition.mkdir(parents=True)
    (edition / "notice.en.txt").write_text(
        "Library hours\n\nThe library opens at nine. It closes at five on Sundays.\n",
        encoding="utf-8",
    )
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bulletins.build import build\n"
        "from bulletins.settings import Settings\n"
        f"root = Path({str(tmp_path)!r})\n"
        "report = build(Settings(content_dir=root / 'content', out_dir=root / 'audio',"
        " cache_dir=root / 'cache', engine='tone', workers=1))\n"
        "print(report.ok, 'av' in sys.modules)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert finished.stdout.split() == ["True", "False"]
    assert list((tmp_path / "audio").glob("*/*.mp3"))
