"""Episodes: the announced structure of a bulletin, heard in its transcript and chapters."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import webvtt
from conftest import SAMPLE_EDITION, build_settings, cue_seconds, write
from mutagen.mp3 import MP3

from bulletins.build import build
from bulletins.episodes.plans import BulletinPlan, frame_for, plan_article
from bulletins.model import Article, Edition, Stage
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.speech.engines.tone import ToneEngine
from bulletins.testing import FakeGoogle, Reply

EDITION = SAMPLE_EDITION.name
PROFILES = load_profiles([builtin_voices_dir()])


def test_bulletin_announces_its_structure_in_its_language(content: Path, tmp_path: Path) -> None:
    """Opening with the date, the count, "Articolo N di M" before each headline, and a closing, in order."""
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
    assert texts[-1] == "Fine del notiziario."
    arabic = [c.text for c in webvtt.read(str(folder / f"{EDITION}.ar.vtt"))]
    assert arabic[:3] == [
        "Notizie di Surrey، مايو 2026.",
        "عدد المقالات في هذه النشرة: 1.",
        "المقال 1 من 1.",
    ]
    assert arabic[-1] == "نهاية النشرة."


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
    """An article's own episode starts with its headline."""
    build(build_settings(content, tmp_path))
    cues = webvtt.read(
        str(tmp_path / "audio" / EDITION / "articles" / "community-safety-assembly.it.vtt")
    )
    assert cues[0].text.replace("\n", " ").startswith("I servizi si impegnano")
    assert not any(c.text.startswith("Articolo") for c in cues)


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
    frame = frame_for(plan, "Notizie")
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
