"""Builds as a whole: re-runs from the cache, one edited sentence, fallbacks, JSON, killed builds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLE_EDITION, build_settings, write
from lxml import etree
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.build import ARTICLES_PROGRESS, build
from bulletins.cli import app
from bulletins.tags import VOICE_TAG
from bulletins.testing import FakeGoogle, Reply

EDITION = SAMPLE_EDITION.name


settings = build_settings


def test_rerun_speaks_nothing_and_rewrites_nothing(content: Path, tmp_path: Path) -> None:
    """A second build with nothing changed is served from the cache and leaves the files alone."""
    first = build(settings(content, tmp_path))
    assert first.ok and first.synthesis.cached == 0 and first.synthesis.spoken > 0
    files = {e.path: (e.path.stat().st_mtime_ns, e.path.read_bytes()) for e in first.episodes}
    second = build(settings(content, tmp_path))
    assert second.ok
    assert (second.synthesis.spoken, second.synthesis.cached) == (0, first.synthesis.spoken)
    assert len(second.episodes) == 4 and not any(e.rebuilt for e in second.episodes)
    assert {
        e.path: (e.path.stat().st_mtime_ns, e.path.read_bytes()) for e in second.episodes
    } == files
    assert [e.chapters for e in second.episodes] == [e.chapters for e in first.episodes]


def test_one_edited_sentence_is_the_only_one_spoken(content: Path, tmp_path: Path) -> None:
    """Changing one sentence re-speaks that sentence alone and rebuilds only its bulletin."""
    build(settings(content, tmp_path))
    article = content / EDITION / "community-safety-assembly.it.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Dorking Halls", "Dorking Halls di Dorking"), encoding="utf-8")
    report = build(settings(content, tmp_path))
    assert report.synthesis.spoken == 1
    assert {(e.kind, e.language): e.rebuilt for e in report.episodes} == {
        ("bulletin", "it"): True,
        ("article", "it"): True,
        ("bulletin", "ar"): False,
        ("article", "ar"): False,
    }
    italian = next(e for e in report.episodes if (e.kind, e.language) == ("bulletin", "it"))
    assert "Dorking Halls di Dorking" in MP3(italian.path).tags.getall("USLT")[0].text  # type: ignore[union-attr]


def test_offline_fallback_respeaks_a_failed_article(content: Path, tmp_path: Path) -> None:
    """With --fallback offline, an article Google keeps refusing is spoken by eSpeak NG, and the tags say so."""
    with FakeGoogle() as fake:
        fake.when("Surrey", Reply(status=503))  # every Italian and Arabic article mentions Surrey
        options = {"engine": "gtts", "gtts_endpoint": fake.url, "retries": 1}
        failed = build(settings(content, tmp_path, **options))
        assert not failed.ok and not failed.episodes
        assert all("answered 503" in e and "gave up after 1 retries" in e for e in failed.errors)
        rescued = build(settings(content, tmp_path, fallback="offline", **options))
    assert rescued.ok and len(rescued.episodes) == 4
    assert len([w for w in rescued.warnings if "spoken offline by eSpeak NG" in w]) == 2
    for episode in rescued.episodes:
        voice = MP3(episode.path).tags[f"TXXX:{VOICE_TAG}"].text[0]  # type: ignore[index]
        assert "spoken offline by eSpeak NG" in voice and "after gtts failed" in voice


def test_one_failing_article_leaves_the_others(content: Path, tmp_path: Path) -> None:
    """A text Google answers without audio fails its article only; the other language builds."""
    with FakeGoogle() as fake:
        fake.when(
            "Dorking", Reply(audio=False)
        )  # only in the Italian article (Arabic spells it دوركينغ)
        report = build(settings(content, tmp_path, engine="gtts", gtts_endpoint=fake.url))
    assert {e.language for e in report.episodes} == {"ar"}
    assert len(report.errors) == 1 and "community-safety-assembly.it.txt" in report.errors[0]


def test_json_summary(runner: CliRunner, content: Path, tmp_path: Path) -> None:
    """--json prints a machine-readable summary with bulletins, durations and segment counts."""
    result = runner.invoke(
        app, ["build", str(content), "-o", str(tmp_path / "audio"), "-e", "tone", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] is True and summary["errors"] == []
    assert {b["language"] for b in summary["bulletins"]} == {"it", "ar"}
    for bulletin in summary["bulletins"]:
        assert abs(bulletin["duration_s"] - MP3(bulletin["path"]).info.length) < 0.1
    assert summary["segments"]["spoken"] > 0


def test_cache_commands(runner: CliRunner, content: Path, tmp_path: Path) -> None:
    """cache info counts the clips a build left; cache clear removes them."""
    cache = tmp_path / "cache"
    runner.invoke(
        app,
        [
            "build",
            str(content),
            "-o",
            str(tmp_path / "audio"),
            "-e",
            "tone",
            "--cache-dir",
            str(cache),
            "-q",
        ],
    )
    clips = len(list(cache.rglob("*.clip")))
    info = runner.invoke(app, ["cache", "info", "--cache-dir", str(cache)])
    assert f"{clips} clip(s)" in info.stdout and clips > 0
    cleared = runner.invoke(app, ["cache", "clear", "--cache-dir", str(cache)])
    assert f"deleted {clips} clip(s)" in cleared.stdout
    assert not list(cache.rglob("*.clip"))


def test_no_cache_leaves_no_clips(content: Path, tmp_path: Path) -> None:
    """--no-cache speaks into a temporary cache that is gone afterwards."""
    report = build(settings(content, tmp_path, cache=False))
    assert report.ok and not (tmp_path / "cache").exists()


@pytest.mark.parametrize("delay", [0.4, 1.0, 1.8, 2.6])
def test_killed_build_then_rerun_gives_complete_outputs(
    content: Path, tmp_path: Path, delay: float
) -> None:
    """SIGKILL at any point, then a rerun: every bulletin is complete, valid and fully tagged."""
    for n in range(6):
        write(
            content / EDITION / f"extra-{n}.it.txt",
            "Notizia\n\n" + "Una frase di prova per la notizia. " * 40,
        )
    command = [
        sys.executable,
        "-m",
        "bulletins",
        "build",
        str(content),
        "-o",
        str(tmp_path / "audio"),
        "-e",
        "espeak",
        "-q",
    ]
    env = {**os.environ, "BULLETINS_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(command, env=env, start_new_session=True)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)  # the build and its workers, at once
    process.wait()
    assert subprocess.run(command, env=env, check=False).returncode == 0
    out = tmp_path / "audio" / EDITION
    assert not list(out.rglob("*.part"))
    for language, articles in (("it", 7), ("ar", 1)):
        audio = MP3(out / f"{EDITION}.{language}.mp3")
        assert audio.tags is not None and len(audio.tags.getall("CHAP")) == articles
        chapters = sorted(audio.tags.getall("CHAP"), key=lambda c: c.start_time)
        assert abs(chapters[-1].end_time / 1000 - audio.info.length) < 0.1
    # The sample's bulletins.toml sets a base_url, so the feeds were written too: every
    # item they list is a whole file.
    feed = etree.parse(str(tmp_path / "audio" / "feeds" / "it" / "articles.xml"))
    enclosures = feed.xpath("/rss/channel/item/enclosure")
    assert len(enclosures) == 7
    prefix = "https://example.org/surrey-bulletins/"
    for enclosure in enclosures:
        path = tmp_path / "audio" / enclosure.get("url").removeprefix(prefix)
        assert path.stat().st_size == int(enclosure.get("length"))


def test_progress_reaches_every_bulletin_and_article(content: Path, tmp_path: Path) -> None:
    """Progress is reported per bulletin, in segments, and overall, in articles, up to their totals."""
    write(
        content / EDITION / "repeat.it.txt", "Avviso\n\nAvviso.\n\nAvviso.\n"
    )  # a sentence said thrice
    calls: list[tuple[str, int, int]] = []
    report = build(settings(content, tmp_path, workers=1), lambda *call: calls.append(call))
    assert report.ok
    last = {label: (done, total) for label, done, total in calls}
    assert last.pop(ARTICLES_PROGRESS) == (3, 3)
    assert sorted(last) == [f"{EDITION} [ar]", f"{EDITION} [it]"]
    assert all(done == total > 0 for done, total in last.values())


def test_two_builds_share_one_cache(content: Path, tmp_path: Path) -> None:
    """Two builds at once, one cache, two output folders: both succeed and agree byte for byte."""
    env = {**os.environ, "BULLETINS_CACHE_DIR": str(tmp_path / "shared-cache")}
    commands = [
        [
            sys.executable,
            "-m",
            "bulletins",
            "build",
            str(content),
            "-o",
            str(tmp_path / name),
            "-e",
            "tone",
            "-q",
        ]
        for name in ("one", "two")
    ]
    processes = [subprocess.Popen(command, env=env) for command in commands]
    assert [process.wait() for process in processes] == [0, 0]
    for language in ("it", "ar"):
        name = f"{EDITION}/{EDITION}.{language}.mp3"
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    clips = list((tmp_path / "shared-cache").rglob("*.clip"))
    assert clips and not list((tmp_path / "shared-cache").rglob("*.part"))


def test_summary_reports_words_per_minute_measured_from_the_files(
    runner: CliRunner, content: Path, tmp_path: Path
) -> None:
    """Each episode's words per minute in the JSON summary agree with its words and the MP3's length."""
    result = runner.invoke(
        app, ["build", str(content), "-o", str(tmp_path / "audio"), "-e", "tone", "--json"]
    )
    summary = json.loads(result.stdout)
    for episode in summary["bulletins"]:
        minutes = MP3(episode["path"]).info.length / 60
        assert episode["words"] > 100
        assert (
            abs(episode["words_per_minute"] - episode["words"] / minutes)
            < 0.02 * episode["words_per_minute"]
        )
    # The tone engine speaks at the profile's rate; pauses bring the heard rate below it.
    assert all(60 < e["words_per_minute"] < 160 for e in summary["bulletins"])
