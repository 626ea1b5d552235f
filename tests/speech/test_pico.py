"""SVOX Pico: found when pico2wave is installed, preferred offline for the languages it has,
brought to the profile's rate, levelled and cached like the other voices."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import build_settings, closed_port, measure_loudness, missing, speech_wpm, write
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.audio.mixing import speech_ms
from bulletins.build import build
from bulletins.cli.app import app
from bulletins.episodes.tags import VOICE_TAG
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.speech.engines.pico import PicoEngine

PROFILES = load_profiles([builtin_voices_dir()])
ITALIAN = (
    "Strade più sicure nel centro\n\n"
    "Il consiglio della contea ha stanziato dodicimila euro per migliorare la sicurezza "
    "nelle strade del centro. Chi ha bisogno di aiuto può chiamare il numero dedicato, "
    "attivo dalle otto alle venti. Le scuole parteciperanno a un progetto sulla sicurezza "
    "online che coinvolge duecento studenti.\n"
)


@pytest.fixture(autouse=True)
def _pico() -> None:
    if shutil.which("pico2wave") is None:
        missing("SVOX Pico needs pico2wave (Debian's libttspico-utils, in non-free)")


SENTENCES = {
    "it": "Chi ha bisogno di aiuto può chiamare il numero dedicato, attivo dalle otto alle venti.",
    "en": "Anyone who needs help can call the dedicated line, open from eight in the morning to eight at night.",
    "de": "Wer Hilfe braucht, kann die Beratungsstelle von acht Uhr morgens bis acht Uhr abends anrufen.",
    "es": "Quien necesite ayuda puede llamar al número habilitado, disponible de ocho de la mañana a ocho de la tarde.",
    "fr": "Toute personne ayant besoin d'aide peut appeler le numéro dédié, ouvert de huit heures à vingt heures.",
}


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_pico_speaks_each_of_its_languages_at_the_profiles_rate(language: str) -> None:
    profile = PROFILES[language]
    engine = PicoEngine()
    assert engine.speaks(profile)
    text = SENTENCES[language]
    audio = engine.synthesize(text, profile)
    assert audio.sample_rate == 16000
    rate = len(text.split()) / (speech_ms(audio) / 60_000)
    assert abs(rate - profile.rate_wpm) <= 0.05 * profile.rate_wpm, rate


def test_an_italian_article_is_spoken_by_pico_when_google_is_out_of_reach(tmp_path: Path) -> None:
    """End to end with ``auto``: Pico, not eSpeak NG, speaks Italian offline; the bulletin
    is at the loudness target and the profile's rate, and a second build speaks nothing."""
    content = tmp_path / "content"
    write(content / "2026-06-01-notice" / "notice.it.txt", ITALIAN)
    settings = build_settings(content, tmp_path, engine="auto", gtts_endpoint=closed_port())
    report = build(settings)
    assert report.ok, report.errors
    [episode] = [e for e in report.episodes if "articles" in e.path.parts]
    voice = str(MP3(episode.path).tags[f"TXXX:{VOICE_TAG}"])  # type: ignore[index]
    assert "SVOX Pico" in voice and "it-IT" in voice and "eSpeak" not in voice
    loudness, peak = measure_loudness(episode.path)
    assert abs(loudness - settings.loudness) <= 1.0 and peak <= settings.true_peak + 0.5
    rate = speech_wpm(episode.path, episode.words)
    assert abs(rate - PROFILES["it"].rate_wpm) <= 0.12 * PROFILES["it"].rate_wpm, rate
    again = build(build_settings(content, tmp_path, engine="auto", gtts_endpoint=closed_port()))
    assert again.ok and again.synthesis.spoken == 0


def test_the_voices_command_lists_pico() -> None:
    result = CliRunner().invoke(app, ["voices", "--all"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "it-IT" in result.output and "pico" in result.output
