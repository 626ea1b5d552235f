"""Episodes: the announced structure of a bulletin, heard in its transcript and chapters."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import webvtt
from conftest import SAMPLE_EDITION, build_settings, cue_seconds, measure_loudness, write
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.build import build
from bulletins.cli.app import app
from bulletins.episodes.plans import Announcing, BulletinPlan, frame_for, plan_article
from bulletins.model import Article, Edition, Stage
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.settings import Settings
from bulletins.speech.engines.tone import ToneEngine
from bulletins.testing import FakeGoogle, Reply

EDITION = SAMPLE_EDITION.name
PROFILES = load_profiles([builtin_voices_dir()])


def test_bulletin_announces_its_structure_in_its_language(content: Path, tmp_path: Path) -> None:
    """Opening with the date, the count, "Articolo N di M" before each headline, a closing and the disclosure, in order."""
    write(
        content / EDITION / "second.it.txt",
        "Seconda notizia\n\nIl consiglio si è riunito. Ha deciso.\n",
    )
    report = build(build_settings(content, tmp_path, bulletin="Notizie di Surrey"))
    assert report.ok
    folder = tmp_path / "audio" / EDITION
    texts = [c.text.replace("\n", " ") for c in webvtt.read(str(folder / f"{EDITION}.it.vtt"))]
    assert texts[:4] == [
        "Notizie di Surrey, maggio 2026.",
        "Articoli in questo notiziario: 2.",
        "Articolo 1 di 2.",
        texts[3],
    ]
    assert texts[3].startswith("I servizi si impegnano")
    second = texts.index("Articolo 2 di 2.")
    assert texts[second + 1] == "Seconda notizia"
    assert texts[-2:] == [
        "Fine del notiziario.",
        "Queste notizie sono state lette da una voce sintetica.",
    ]
    arabic = [c.text for c in webvtt.read(str(folder / f"{EDITION}.ar.vtt"))]
    assert arabic[:3] == [
        "Notizie di Surrey، مايو 2026.",
        "عدد المقالات في هذه النشرة: 1.",
        "المقال 1 من 1.",
    ]
    assert arabic[-2:] == ["نهاية النشرة.", "قُرئت هذه الأخبار بصوت اصطناعي."]


def test_second_chapter_starts_at_its_announcement(content: Path, tmp_path: Path) -> None:
    """A listener who skips to chapter 2 hears "Articolo 2 di 2" first."""
    write(content / EDITION / "second.it.txt", "Seconda notizia\n\nIl consiglio si è riunito.\n")
    build(build_settings(content, tmp_path))
    folder = tmp_path / "audio" / EDITION
    cue = next(
        c for c in webvtt.read(str(folder / f"{EDITION}.it.vtt")) if c.text == "Articolo 2 di 2."
    )
    chapters = sorted(
        MP3(folder / f"{EDITION}.it.mp3").tags.getall("CHAP"), key=lambda c: c.start_time
    )  # type: ignore[union-attr]
    assert abs(chapters[1].start_time / 1000 - cue_seconds(cue.start)) <= 0.05
    assert chapters[1].sub_frames["TIT2"].text == ["Seconda notizia"]


def test_article_episodes_have_no_announcements(content: Path, tmp_path: Path) -> None:
    """An article's own episode starts with its headline and ends with the disclosure alone."""
    build(build_settings(content, tmp_path))
    cues = webvtt.read(
        str(tmp_path / "audio" / EDITION / "articles" / "community-safety-assembly.it.vtt")
    )
    assert cues[0].text.replace("\n", " ").startswith("I servizi si impegnano")
    assert not any(c.text.startswith(("Articol", "Fine del")) for c in cues)
    assert cues[-1].text.replace("\n", " ") == PROFILES["it"].phrases["disclosure"]


def test_a_profile_can_switch_announcements_off() -> None:
    """An empty phrase is not said; the others still are."""
    profile = dataclasses.replace(
        PROFILES["it"], phrases={**PROFILES["it"].phrases, "before_article": "", "contents": ""}
    )
    article = Article(
        path=Path("a.it.txt"), stem="a", headline="Titolo", paragraphs=("Testo.",), language="it"
    )
    plan = BulletinPlan(
        Edition("e", "E", "2026-05-14", Path(".")),
        profile,
        Path("x.mp3"),
        [plan_article(article, 0, profile, ToneEngine())],
    )
    frame = frame_for(plan, Announcing("Notizie"))
    assert [s.text for s, _ in frame.opening] == ["Notizie, 14 maggio 2026."]
    assert frame.before == [[]]
    assert [s.text for s, _ in frame.closing] == ["Fine del notiziario."]


def test_bulletin_without_announcements_when_they_fail(content: Path, tmp_path: Path) -> None:
    """If an announcement cannot be spoken, the bulletin is still built, without them, and says so."""
    with FakeGoogle() as fake:
        fake.when("Articoli in questo notiziario", Reply(audio=False))
        report = build(build_settings(content, tmp_path, engine="gtts", gtts_endpoint=fake.url))
    assert report.ok
    assert any(
        "built without its announcements" in w.message
        and w.stage == Stage.ANNOUNCE
        and w.path is not None
        and w.path.name.endswith(".it.mp3")
        for w in report.warnings
    )
    folder = tmp_path / "audio" / EDITION
    assert (
        webvtt.read(str(folder / f"{EDITION}.it.vtt"))[0]
        .text.replace("\n", " ")
        .startswith("I servizi")
    )
    assert webvtt.read(str(folder / f"{EDITION}.ar.vtt"))[0].text.endswith("مايو 2026.")


def test_id3_chapters_and_chapters_json_agree_exactly(content: Path, tmp_path: Path) -> None:
    """What Apple reads (ID3) and what AntennaPod also reads (JSON): the same chapters,
    titles and start times to the millisecond, each title within Apple's 51 characters."""
    edition = content / "2026-05-community-safety-assembly"
    second = (edition / "community-safety-assembly.it.txt").read_text(encoding="utf-8")
    write(edition / "a-second-article.it.txt", "Un titolo breve\n\n" + second.split("\n\n", 1)[1])
    report = build(build_settings(content, tmp_path))
    assert report.ok
    for episode in report.episodes:
        tags = MP3(episode.path).tags
        assert tags is not None
        [toc] = tags.getall("CTOC")
        assert str(toc.sub_frames["TIT2"]), "the table of contents has a title"
        id3 = [
            (str(tags[f"CHAP:{element}"].sub_frames["TIT2"]), tags[f"CHAP:{element}"].start_time)
            for element in toc.child_element_ids
        ]
        chapters = json.loads(
            episode.path.with_suffix(".chapters.json").read_text(encoding="utf-8")
        )["chapters"]
        assert id3 == [(c["title"], round(c["startTime"] * 1000)) for c in chapters]
        assert all(len(title) <= 51 for title, _ in id3)
    italian = next(e for e in report.episodes if e.kind == "bulletin" and e.language == "it")
    titles = [c.title for c in italian.chapters]
    assert len(titles) == 2 and "Un titolo breve" in titles
    assert any(t.endswith("…") and t.startswith("I servizi si impegnano") for t in titles)


def _last_cues(vtt: Path, count: int) -> list[tuple[float, float, str]]:
    """The last ``count`` cues of a WebVTT file: start and end in seconds, and text on one line."""
    return [
        (cue_seconds(c.start), cue_seconds(c.end), c.text.replace("\n", " "))
        for c in webvtt.read(str(vtt))[-count:]
    ]


def test_every_episode_ends_by_saying_a_synthetic_voice_read_it(
    content: Path, tmp_path: Path
) -> None:
    """Spoken by eSpeak NG, every episode ends with its profile's disclosure, heard after the
    closing, in its transcripts and its last chapter; switched off, it is not said, the
    episodes are shorter, and switching it on rebuilds them."""
    settings = build_settings(content, tmp_path, engine="espeak", disclose_voice=False)
    silent = build(settings)
    assert silent.ok and len(silent.episodes) == 4
    without = {e.path: MP3(e.path).info.length for e in silent.episodes}
    for episode in silent.episodes:
        disclosure = PROFILES[episode.language].phrases["disclosure"]
        vtt = episode.path.with_suffix(".vtt").read_text(encoding="utf-8")
        assert disclosure not in " ".join(vtt.split()), episode.path.name

    report = build(dataclasses.replace(settings, disclose_voice=True))
    assert report.ok and len(report.episodes) == 4
    assert all(e.rebuilt for e in report.episodes)
    for episode in report.episodes:
        phrases = PROFILES[episode.language].phrases
        start, end, text = _last_cues(episode.path.with_suffix(".vtt"), 1)[0]
        assert text == phrases["disclosure"], episode.path.name
        if episode.kind == "bulletin":
            assert _last_cues(episode.path.with_suffix(".vtt"), 2)[0][2] == phrases["closing"]
        srt = episode.path.with_suffix(".srt").read_text(encoding="utf-8")
        assert " ".join(srt.split()).endswith(phrases["disclosure"])
        # Heard, not only written: the cue's stretch of the file is speech at the target.
        level, _peak = measure_loudness(episode.path, start, end)
        assert abs(level - Settings.loudness) <= 3, (episode.path.name, level)
        last = json.loads(episode.path.with_suffix(".chapters.json").read_text("utf-8"))
        assert last["chapters"][-1]["startTime"] <= start, episode.path.name
        assert len(episode.chapters) == len(episode.articles)
        # Longer by at least the sentence and a pause before it.
        assert MP3(episode.path).info.length >= without[episode.path] + (end - start) + 0.4


@pytest.mark.parametrize(
    ("arguments", "environment"),
    [(["--no-disclosure"], {}), ([], {"BULLETINS_DISCLOSE_VOICE": "false"})],
    ids=["option", "environment"],
)
def test_the_disclosure_is_switched_off_from_the_command_line_or_the_environment(
    runner: CliRunner,
    content: Path,
    tmp_path: Path,
    arguments: list[str],
    environment: dict[str, str],
) -> None:
    """--no-disclosure, or BULLETINS_DISCLOSE_VOICE=false, builds bulletins that end with their closing."""
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["build", str(content), "--out", str(out), "--engine", "tone", "--quiet", *arguments],
        env=environment,
    )
    assert result.exit_code == 0, result.output
    italian = _last_cues(out / EDITION / f"{EDITION}.it.vtt", 1)[0][2]
    assert italian == PROFILES["it"].phrases["closing"]
    article = _last_cues(out / EDITION / "articles" / "community-safety-assembly.it.vtt", 1)
    assert article[0][2] != PROFILES["it"].phrases["disclosure"]
