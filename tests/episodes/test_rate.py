"""The rate a listener hears, pauses and announcements included, measured from the audio
a fresh install makes offline (SVOX Pico where pico2wave is installed, eSpeak NG
otherwise): within each language's target, and as the build summary reports it."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO, build_settings, closed_port, write
from mutagen.mp3 import MP3

from bulletins.build import Report, build
from bulletins.episodes.transcripts import read_webvtt
from bulletins.profiles.profile import builtin_voices_dir, load_profiles

PROFILES = load_profiles([builtin_voices_dir()])
ENGLISH = """Library hours extended over the winter

The county council will keep its six largest libraries open until eight in the evening from the first of December, two hours later than now. The change follows a survey in which more than a thousand residents said they could not reach a library before it closed on weekdays.

The extra hours will be staffed by the existing teams, with volunteers helping at the busiest branches. Study rooms can be booked online or by telephone, and the mobile library will add a Thursday evening stop at the community centre.

The council's cabinet member for communities said the libraries were warm, safe places where anyone could read, work or ask for help. The arrangement will be reviewed in March, when the council will publish how many people used the later hours.
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The sample edition (Italian, Arabic) and an English article, built offline."""
    folder = tmp_path_factory.mktemp("rate")
    content = folder / "content"
    shutil.copytree(REPO / "content", content)
    write(content / "2026-06-02-library-hours" / "library-hours.en.txt", ENGLISH)
    settings = build_settings(
        content, folder, engine="auto", gtts_endpoint=closed_port(), talking_books=False
    )
    built = build(settings)
    assert built.ok, built.errors
    return built


@pytest.mark.parametrize("language", ["it", "ar", "en"])
def test_each_language_is_heard_within_its_target_rate(report: Report, language: str) -> None:
    low, high = PROFILES[language].heard_rate
    episodes = [e for e in report.episodes if e.language == language]
    assert episodes
    for episode in episodes:
        # The words of its transcript, announcements included, over the file's length.
        cues = read_webvtt(episode.path.with_suffix(".vtt").read_text(encoding="utf-8"))
        words = sum(len(cue.text.split()) for cue in cues)
        minutes = MP3(episode.path).info.length / 60
        heard = words / minutes
        assert low <= heard <= high, (episode.path.name, episode.engine, round(heard))
        # The summary's figure, from the words spoken, tells the same story.
        assert low <= episode.words_per_minute <= high and not episode.rate_verdict
