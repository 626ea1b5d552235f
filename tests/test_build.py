"""Builds as a whole: re-runs from the cache, one edited sentence, fallbacks, JSON, killed builds."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import webvtt
from conftest import (
    REPO,
    SAMPLE_EDITION,
    SEEDS,
    TEST_FIXTURES,
    build_settings,
    cue_seconds,
    read_audio,
    speech_wpm,
    write,
)
from lxml import etree
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.build import ARTICLES_PROGRESS, build
from bulletins.build.record import RECORD
from bulletins.cache import ClipCache
from bulletins.cli.app import app
from bulletins.episodes.plans import Speaker
from bulletins.episodes.tags import VOICE_TAG
from bulletins.model import Audio, Stage
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.publish.history import episodes
from bulletins.speech.engines.espeak import EspeakEngine
from bulletins.speech.engines.tone import SAMPLE_RATE as TONE_RATE
from bulletins.speech.engines.tone import tone_period
from bulletins.testing import FakeGoogle, Reply
from bulletins.text.identifiers import IDENTIFIERS

EDITION = SAMPLE_EDITION.name


settings = build_settings


def test_rerun_speaks_nothing_and_rewrites_nothing(content: Path, tmp_path: Path) -> None:
    """A second build with nothing changed is served from the cache and leaves the files alone.

    The build record would answer it without running the pipeline (tests/test_record.py);
    it is removed here so that the pipeline's own checks are what is tested."""
    first = build(settings(content, tmp_path))
    assert first.ok and first.synthesis.cached == 0 and first.synthesis.spoken > 0
    files = {e.path: (e.path.stat().st_mtime_ns, e.path.read_bytes()) for e in first.episodes}
    (tmp_path / "audio" / RECORD).unlink()
    second = build(settings(content, tmp_path))
    assert second.ok and not second.unchanged
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
        assert all(
            "answered 503" in e.message and "gave up after 1 retries" in e.message
            for e in failed.errors
        )
        assert {e.stage for e in failed.errors} == {Stage.SPEAK}
        rescued = build(settings(content, tmp_path, fallback="offline", **options))
    assert rescued.ok and len(rescued.episodes) == 4
    assert len([w for w in rescued.warnings if "spoken offline by eSpeak NG" in w.message]) == 2
    for episode in rescued.episodes:
        voice = MP3(episode.path).tags[f"TXXX:{VOICE_TAG}"].text[0]  # type: ignore[index]
        assert "spoken offline by eSpeak NG" in voice and "after gtts failed" in voice


def test_pieces_are_encoded_while_the_online_voice_still_speaks_the_others(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each piece starts encoding once its own clips are in, not after all speech.

    The pieces handed to the worker processes are watched from here: the announcements
    are spoken first, and every piece but the last article's is started while requests
    are still to come.
    """
    import bulletins.episodes.assembly as assembly

    started_at: list[int] = []
    start = assembly.Pieces.start

    def watched(self: assembly.Pieces, pieces: object) -> None:
        before = len(self.futures)
        start(self, pieces)  # type: ignore[arg-type]
        started_at.extend([len(fake.requests)] * (len(self.futures) - before))

    monkeypatch.setattr(assembly.Pieces, "start", watched)
    with FakeGoogle(latency_s=0.02) as fake:
        report = build(
            settings(content, tmp_path, engine="gtts", gtts_endpoint=fake.url, workers=2)
        )
        total = len(fake.requests)
    assert report.ok and len(report.episodes) == 4
    early = [n for n in started_at if n < total]
    assert len(started_at) >= 6 and len(early) >= len(started_at) - 1, (started_at, total)
    # Each article is encoded once, for its bulletin and its own episode alike.
    assert report.encoded == len(started_at)


def test_one_failing_article_leaves_the_others(content: Path, tmp_path: Path) -> None:
    """A text Google answers without audio fails its article only; the other language builds."""
    with FakeGoogle() as fake:
        fake.when(
            "Dorking", Reply(audio=False)
        )  # only in the Italian article (Arabic spells it دوركينغ)
        report = build(settings(content, tmp_path, engine="gtts", gtts_endpoint=fake.url))
    assert {e.language for e in report.episodes} == {"ar"}
    [error] = report.errors
    assert "community-safety-assembly.it.txt" in error.message
    assert error.stage == Stage.SPEAK and error.path is not None
    assert error.path.name == "community-safety-assembly.it.txt"


def test_json_lists_each_problem_with_its_file_and_stage(
    runner: CliRunner, content: Path, tmp_path: Path
) -> None:
    """--json gives each error as its file, its stage and the line the summary prints."""
    broken = write(content / "2026-05-community-safety-assembly" / "empty.it.txt", "")
    result = runner.invoke(
        app, ["build", str(content), "-o", str(tmp_path / "audio"), "-e", "tone", "--json"]
    )
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    [error] = summary["errors"]
    assert set(error) == {"path", "stage", "message"}
    assert error["path"] == str(broken) and error["stage"] == "read"
    assert error["message"].startswith(f"{broken}: ")
    assert {b["language"] for b in summary["bulletins"]} == {"it", "ar"}


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
    """Each episode's words per minute in the JSON summary agree with its words and the
    MP3's length, and are judged against the language's target, where it has one
    (Swahili has no measured read-aloud rate, so none)."""
    swahili = content / "2026-06-02-habari" / "habari.sw.txt"
    swahili.parent.mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "languages" / "sw.txt", swahili)
    result = runner.invoke(
        app, ["build", str(content), "-o", str(tmp_path / "audio"), "-e", "tone", "--json"]
    )
    summary = json.loads(result.stdout)
    profiles = load_profiles([builtin_voices_dir()])
    for episode in summary["bulletins"]:
        minutes = MP3(episode["path"]).info.length / 60
        assert episode["words"] > 100
        assert (
            abs(episode["words_per_minute"] - episode["words"] / minutes)
            < 0.02 * episode["words_per_minute"]
        )
        if episode["language"] == "sw":
            assert episode["words_per_minute_target"] is None and episode["rate"] is None
            continue
        low, high = profiles[episode["language"]].heard_rate
        assert episode["words_per_minute_target"] == [low, high]
        heard = round(episode["words_per_minute"])
        expected = "slow" if heard < low else "fast" if heard > high else "within target"
        assert episode["rate"] == expected
    # The tone engine speaks at the profile's rate; pauses bring the heard rate below it.
    assert all(60 < e["words_per_minute"] < 160 for e in summary["bulletins"])


@pytest.mark.parametrize("rate", [130, 190])
def test_rate_is_heard_in_the_audio(content: Path, tmp_path: Path, rate: int) -> None:
    """--rate sets how fast eSpeak NG speaks: measured from the Italian bulletin, within 10 %."""
    report = build(settings(content, tmp_path, engine="espeak", rate=rate))
    italian = next(e for e in report.episodes if (e.kind, e.language) == ("bulletin", "it"))
    assert speech_wpm(italian.path, italian.words) == pytest.approx(rate, rel=0.10)


def test_google_voice_is_brought_to_the_rate(content: Path, tmp_path: Path) -> None:
    """Google's voice has no rate setting: its clips are re-timed to --rate, measured from the bulletin."""
    with FakeGoogle() as fake:
        report = build(settings(content, tmp_path, engine="gtts", gtts_endpoint=fake.url, rate=220))
    assert report.ok
    for episode in (e for e in report.episodes if e.kind == "bulletin"):
        assert speech_wpm(episode.path, episode.words) == pytest.approx(220, rel=0.08)


def _tone_seconds(
    audio: Audio, language: str, start_s: float = 0, end_s: float | None = None
) -> float:
    """Seconds of ``audio`` (between the times given) pitched at ``language``'s test tone."""
    samples = np.frombuffer(audio.pcm, dtype="<i2").astype(np.float64)
    rate, window = audio.sample_rate, audio.sample_rate // 20
    target = TONE_RATE / tone_period(language)
    stop = len(samples) if end_s is None else int(end_s * rate)
    found = 0
    for offset in range(int(start_s * rate), stop - window, window):
        chunk = samples[offset : offset + window]
        if np.abs(chunk).max() < 1000:
            continue
        peak = np.argmax(np.abs(np.fft.rfft(chunk))) * rate / window
        found += abs(peak - target) < 25
    return found * window / rate


def _cues(path: Path) -> list[tuple[float, float, str]]:
    return [
        (cue_seconds(c.start), cue_seconds(c.end), c.text)
        for c in webvtt.read(str(path.with_suffix(".vtt")))
    ]


def test_latin_name_in_arabic_is_spoken_by_the_latin_voice(content: Path, tmp_path: Path) -> None:
    """Every Arabic sentence with Latin words ("Surrey") has the English voice in it; the rest of the Arabic bulletin has none."""
    report = build(settings(content, tmp_path))
    arabic = next(e for e in report.episodes if (e.kind, e.language) == ("bulletin", "ar"))
    audio = read_audio(arabic.path)
    cues = _cues(arabic.path)
    latin = re.compile("[A-Za-z]")
    naming = [(s, e) for s, e, text in cues if latin.search(text)]
    assert len(naming) == 2  # the series name in the opening, and the sentence naming Surrey twice
    for start, end in naming:
        assert _tone_seconds(audio, "en", start, end) > 0.2
        assert _tone_seconds(audio, "ar", start, end) > 0.2
    others = [(s, e) for s, e, text in cues if not latin.search(text)]
    assert sum(_tone_seconds(audio, "en", s, e) for s, e in others) == 0
    voices = MP3(arabic.path).tags.getall(f"TXXX:{VOICE_TAG}")[0].text[0]  # type: ignore[union-attr]
    assert f"period {tone_period('en')}" in voices and f"period {tone_period('ar')}" in voices


def test_espeak_speaks_the_latin_name_with_its_english_voice(content: Path, tmp_path: Path) -> None:
    """With eSpeak NG, "Surrey" in the Arabic article is a clip of the English voice in the cache."""
    report = build(settings(content, tmp_path, engine="espeak"))
    assert report.ok
    profiles = load_profiles([builtin_voices_dir()])
    english = Speaker(EspeakEngine(), profiles["en"])
    arabic = Speaker(EspeakEngine(), profiles["ar"])
    cache = ClipCache(tmp_path / "cache")
    assert english.key("Surrey") in cache and arabic.key("Surrey") not in cache


def test_paragraphs_in_other_languages_are_spoken_in_them(content: Path, tmp_path: Path) -> None:
    """An Italian notice with an English and an Arabic paragraph is spoken paragraph by paragraph in each language."""
    notice = write(
        content / "2026-07-notice" / "library.it.txt",
        "Chiusura della biblioteca\n\n"
        "La biblioteca comunale resterà chiusa lunedì per lavori di manutenzione al tetto.\n\n"
        "The town library will be closed on Monday for repairs to the roof and the heating.\n\n"
        "ستغلق المكتبة البلدية يوم الاثنين لإجراء أعمال صيانة في السقف والتدفئة.\n\n"
        "La biblioteca riaprirà martedì con il consueto orario di apertura al pubblico.",
    )
    report = build(settings(content, tmp_path))
    episode = next(
        e for e in report.episodes if e.kind == "article" and notice in [a.path for a in e.articles]
    )
    audio = read_audio(episode.path)
    cues = _cues(episode.path)
    for marker, language in (
        ("comunale", "it"),
        ("town", "en"),
        ("المكتبة", "ar"),
        ("riaprirà", "it"),
    ):
        start, end, _ = next(c for c in cues if marker in c[2])
        assert _tone_seconds(audio, language, start, end) > 0.8 * (end - start) - 0.1, marker


def test_voice_hears_the_spoken_form_and_transcripts_keep_the_written_one(
    content: Path, tmp_path: Path
) -> None:
    """The lexicon changes what the voice is sent ("dottor", "20 per cento"), never the transcript or tags."""
    write(
        content / "2026-08-lexicon" / "clinic.it.txt",
        "Ambulatorio\n\nIl Dott. Rossi riceve il martedì con uno sconto del 20% su "
        "https://www.comune.prato.it/salute per tutti.",
    )
    with FakeGoogle() as fake:
        report = build(settings(content, tmp_path, engine="gtts", gtts_endpoint=fake.url))
        sent = " ".join(r.text for r in fake.requests)
    assert report.ok
    assert (
        "Il dottor Rossi" in sent and "20 per cento" in sent and "link comune punto prato" in sent
    )
    assert "Dott." not in sent and "%" not in sent and "https" not in sent
    episode = next(e for e in report.episodes if e.edition.slug == "2026-08-lexicon")
    written = "Il Dott. Rossi riceve il martedì con uno sconto del 20% su https://www.comune.prato.it/salute per tutti."
    cues = " ".join(
        c.text.replace("\n", " ") for c in webvtt.read(str(episode.path.with_suffix(".vtt")))
    )
    assert written in cues
    assert written in MP3(episode.path).tags.getall("USLT")[0].text  # type: ignore[union-attr]


def test_many_languages_in_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty articles in five languages, spoken by eSpeak NG in two worker processes, all build.

    When eSpeak NG was initialised more than once per process, its phoneme data was
    corrupted and workers died in two of three such builds; this is the guard.
    """
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from corpus import make_corpus

    corpus = tmp_path / "corpus"
    make_corpus(corpus, articles=20)
    report = build(settings(corpus, tmp_path, engine="espeak", workers=2))
    assert report.ok, report.errors[:3]
    assert len(report.episodes) == 25


def test_a_language_no_engine_speaks_is_one_error_and_the_rest_builds(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An undeclared Somali article with eSpeak NG: one error naming Somali and what would speak it; Italian still builds."""
    fixtures = TEST_FIXTURES / "languages"
    edition = tmp_path / "content" / "2026-06-mixed"
    edition.mkdir(parents=True)
    (edition / "warbixin.txt").write_bytes((fixtures / "so.txt").read_bytes())
    write(edition / "biblioteca.it.txt", "Biblioteca aperta\n\nLa biblioteca apre lunedì.")
    result = runner.invoke(
        app,
        [
            "build",
            str(tmp_path / "content"),
            "--out",
            str(tmp_path / "audio"),
            "--engine",
            "espeak",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "warbixin.txt" in line]
    assert len(errors) == 1, result.stderr
    assert (
        "is in Somali (Soomaali, so, detected), which no voice here can speak: "
        "no engine bulletins knows speaks Somali"
    ) in " ".join(result.stderr.split())
    assert (tmp_path / "audio" / "2026-06-mixed" / "2026-06-mixed.it.mp3").is_file()
    assert not list((tmp_path / "audio" / "2026-06-mixed").glob("*.so.*"))


def test_output_that_cannot_be_written_is_one_error_and_the_earlier_files_stay(
    runner: CliRunner, content: Path, tmp_path: Path
) -> None:
    """A build whose files cannot be written (here: a 1 MB file-size limit) reports each, with no traceback.

    The earlier bulletin stays whole and nothing half-written is left beside it.
    """
    out, cache = tmp_path / "audio", tmp_path / "cache"
    command = ["build", str(content), "--out", str(out), "-e", "tone", "--cache-dir", str(cache)]
    assert runner.invoke(app, command).exit_code == 0
    italian = out / EDITION / f"{EDITION}.it.mp3"
    before = italian.read_bytes()
    article = content / EDITION / "community-safety-assembly.it.txt"
    article.write_text(
        article.read_text(encoding="utf-8").replace("Dorking Halls", "Dorking Halls di Dorking"),
        encoding="utf-8",
    )
    limited = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))\n"
        "from bulletins.cli import main\n"
        f"sys.argv = ['bulletins', *{command!r}]\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", limited], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors and all("it.mp3" in line or "File too large" in line for line in errors)
    assert any(str(italian) in line for line in errors), errors
    assert italian.read_bytes() == before
    assert not list(out.rglob("*.part"))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs of its own, which the test can fill: mounted only when run as root."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system for the full-disk test needs root")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_fails_cleanly_and_the_next_build_after_space_is_freed_completes(
    runner: CliRunner, content: Path, tmp_path: Path, small_disk: Path
) -> None:
    """A disk that fills up: a warning before, one error per episode, no traceback, no partial
    file, the earlier episodes, feeds, pages and history intact; with space freed, it builds."""
    out = small_disk / "audio"
    command = ["build", str(content), "--out", str(out), "-e", "tone"]
    command += ["--cache-dir", str(tmp_path / "cache"), "--base-url", "https://example.org/"]
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".lock"}
    recorded = episodes(out)
    article = content / EDITION / "community-safety-assembly.it.txt"
    article.write_text(
        article.read_text(encoding="utf-8").replace("Dorking Halls", "Dorking Halls di Dorking"),
        encoding="utf-8",
    )
    filler = small_disk / "filler"
    with filler.open("wb") as handle:
        # Leave 64 KB: less than one episode, more than the history and the lock need.
        # Allocated, not sparse: a sparse file takes no room on a tmpfs.
        os.posix_fallocate(handle.fileno(), 0, shutil.disk_usage(small_disk).free - 64 * 1024)
    full = runner.invoke(app, command)
    assert full.exit_code == 1, full.output
    assert "Traceback" not in full.output and isinstance(full.exception, SystemExit)
    assert "MB free, and the episodes to write need about" in full.stderr
    errors = [line for line in full.stderr.splitlines() if line.startswith("error:")]
    assert errors and all("No space left on device" in line for line in errors), errors
    assert all(str(out) in line for line in errors)
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".lock"}
    # The build record goes with the failed build: the next build runs whole.
    bookkeeping = {out / "episodes.sqlite", out / RECORD}
    assert out / RECORD in before and out / RECORD not in after
    assert {p: d for p, d in after.items() if p not in bookkeeping} == {
        p: d for p, d in before.items() if p not in bookkeeping
    }, "the earlier episodes, feeds and pages are untouched"
    # The history still describes every file: the Arabic episodes, up to date, were
    # published again (their 'updated' time moves); the Italian ones keep their records.
    still = {r.guid: dataclasses.replace(r, updated="") for r in episodes(out)}
    assert still == {r.guid: dataclasses.replace(r, updated="") for r in recorded}
    filler.unlink()
    freed = runner.invoke(app, command)
    assert freed.exit_code == 0, freed.output
    italian = MP3(out / EDITION / f"{EDITION}.it.mp3")
    assert italian.tags is not None and "di Dorking" in italian.tags.pprint()


def test_an_unchanged_article_is_not_identified_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run asks no identifier about an article it has seen; a changed article is asked again."""
    edition = tmp_path / "content" / "2026-06-01-news"
    for code, seed in SEEDS.items():
        write(edition / f"notice-{code}.txt", seed.read_text(encoding="utf-8"))
    calls: list[str] = []
    for cls in IDENTIFIERS.values():
        real = cls.guess

        def counted(self: object, text: str, candidates: frozenset[str], real=real) -> object:  # type: ignore[no-untyped-def]
            calls.append(type(self).__name__)
            return real(self, text, candidates)

        monkeypatch.setattr(cls, "guess", counted)
    settings = build_settings(tmp_path / "content", tmp_path)
    first = build(settings)
    assert first.ok and calls, "the first build identifies both articles"
    languages = {e.path: e.language for e in first.episodes}
    calls.clear()
    # Without the build record, so that the re-run reads the articles again.
    (settings.out_dir / RECORD).unlink()
    again = build(settings)
    assert again.ok and not again.unchanged and calls == []
    assert {e.path: e.language for e in again.episodes} == languages
    italian = edition / "notice-it.txt"
    italian.write_text(italian.read_text(encoding="utf-8") + "\n\nUn paragrafo in più.\n", "utf-8")
    changed = build(settings)
    assert changed.ok and calls, "a changed article is identified afresh"
    assert {e.path: e.language for e in changed.episodes} == languages
