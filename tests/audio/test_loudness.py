"""Loudness: the meter agrees with ffmpeg's, and built episodes are at the target, levelled voice by voice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import build_settings, measure_loudness, true_peak_4x, write
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.audio import loudness
from bulletins.audio.codec import Levelling, encode_mp3
from bulletins.build import build
from bulletins.cli.app import app
from bulletins.episodes.tags import LOUDNESS_TAG
from bulletins.profiles.profile import builtin_voices_dir, load_profiles, profile_for
from bulletins.settings import Settings
from bulletins.speech.engines.espeak import EspeakEngine
from bulletins.testing import FakeGoogle, Reply

TARGET, CEILING = Settings.loudness, Settings.true_peak


def _tone(amplitude: float, frequency: float, rate: int = 22050, seconds: float = 3) -> bytes:
    time = np.arange(int(rate * seconds)) / rate
    return (amplitude * 32767 * np.sin(2 * np.pi * frequency * time)).astype("<i2").tobytes()


def _speech() -> bytes:
    profile = profile_for("it", load_profiles([builtin_voices_dir()]))
    return EspeakEngine().synthesize("Buongiorno a tutti, questa è una prova.", profile).pcm


@pytest.mark.parametrize(
    "pcm",
    [_tone(0.1, 1000), _tone(0.5, 200), _tone(0.02, 5000), _speech()],
    ids=["1kHz -20dBFS", "200Hz -6dBFS", "5kHz -34dBFS", "speech"],
)
def test_meter_agrees_with_ffmpeg(pcm: bytes, tmp_path: Path) -> None:
    """The clip meter reads what ffmpeg's EBU R128 meter reads, within 0.2 LU."""
    path = tmp_path / "clip.wav"
    encode_wav(pcm, path)
    ours = loudness.integrated(pcm, 22050)
    assert ours is not None
    assert ours == pytest.approx(measure_loudness(path)[0], abs=0.2)


def test_k_weighting_is_bs1770s_own_at_48k() -> None:
    """The filters designed for 48 kHz are the coefficients tabulated in ITU-R BS.1770-4, Tables 1 and 2."""
    shelf, high_pass = loudness._k_weighting(48000)
    tables = [
        (
            (1.53512485958697, -2.69169618940638, 1.19839281085285),
            (1.0, -1.69065929318241, 0.73248077421585),
        ),
        ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621)),
    ]
    for (b, a), (table_b, table_a) in zip((shelf, high_pass), tables, strict=True):
        assert np.array(b) / a[0] == pytest.approx(table_b, abs=1e-8)
        assert np.array(a) / a[0] == pytest.approx(table_a, abs=1e-8)


def test_measuring_keeps_scipy_out_of_the_process() -> None:
    """Every eSpeak NG worker measures its clips: scipy there would cost each over a second and 80 MB."""
    import subprocess
    import sys

    code = (
        "import sys; from bulletins.audio import loudness; "
        "loudness.integrated(bytes(range(256)) * 400, 22050); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pyloudnorm')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def encode_wav(pcm: bytes, path: Path) -> None:
    """Write mono 16-bit PCM at 22.05 kHz as a WAV file."""
    import wave

    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(22050)
        file.writeframes(pcm)


def test_silence_has_no_loudness() -> None:
    """Digital silence is below the absolute gate: no loudness, no gain."""
    assert loudness.integrated(bytes(44100), 22050) is None
    assert loudness.gain_db(None, TARGET) == 0.0


def test_sample_edition_is_at_the_target(content: Path, tmp_path: Path) -> None:
    """Every episode of the sample edition, spoken by eSpeak NG, is at -16 LUFS within 1 LU and
    peaks at or below -2 dBTP (4x oversampled), as delivered; the summary says what the file measures."""
    assert (TARGET, CEILING) == (-16.0, -2.0)  # Alexa's Flash Briefing asks for -2 dBTP
    report = build(build_settings(content, tmp_path, engine="espeak"))
    assert report.ok and len(report.episodes) == 4
    for episode in report.episodes:
        level, peak = measure_loudness(episode.path)
        assert abs(level - TARGET) <= 1.0, (episode.path.name, level)
        assert peak <= CEILING, (episode.path.name, peak)
        assert true_peak_4x(episode.path) <= CEILING, episode.path.name
        assert episode.loudness is not None
        assert episode.loudness.integrated == pytest.approx(level, abs=0.3)
        tag = MP3(episode.path).tags.getall(f"TXXX:{LOUDNESS_TAG}")  # type: ignore[union-attr]
        assert str(tag[0]) == episode.loudness.describe()


def test_voices_of_different_loudness_are_levelled(content: Path, tmp_path: Path) -> None:
    """In one bulletin, an article spoken by Google's voice and one rescued by eSpeak NG are equally loud, chapter by chapter."""
    edition = content / "2026-06-two-voices"
    write(
        edition / "bins.it.txt",
        "Raccolta dei rifiuti\n\nLa raccolta dei rifiuti cambia giorno da lunedì. I bidoni vanno esposti la sera prima. Il calendario completo è disponibile in biblioteca.",
    )
    write(
        edition / "roads.it.txt",
        "Lavori stradali\n\nVia Roma resterà chiusa per tre settimane. Gli autobus seguiranno un percorso alternativo. I negozi resteranno aperti durante i lavori.",
    )
    with FakeGoogle() as fake:
        fake.when("Roma", Reply(status=503))  # the roads article falls back to eSpeak NG
        report = build(
            build_settings(
                content,
                tmp_path,
                engine="gtts",
                gtts_endpoint=fake.url,
                retries=0,
                fallback="offline",
            )
        )
    bulletin = next(
        e for e in report.episodes if e.kind == "bulletin" and e.edition.slug == edition.name
    )
    voices = MP3(bulletin.path).tags.getall("TXXX:bulletins:voice")[0].text[0]  # type: ignore[union-attr]
    assert "eSpeak NG" in voices and "gtts" in voices
    chapter_levels = [
        measure_loudness(bulletin.path, c.start_ms / 1000, c.end_ms / 1000)[0]
        for c in bulletin.chapters
    ]
    assert len(chapter_levels) == 2
    assert all(abs(level - TARGET) <= 1.0 for level in chapter_levels), chapter_levels
    level, peak = measure_loudness(bulletin.path)
    assert abs(level - TARGET) <= 1.0 and peak <= CEILING


def test_target_is_configurable(runner: CliRunner, content: Path, tmp_path: Path) -> None:
    """--loudness -23 --true-peak -3 gives files at -23 LUFS peaking at or below -3 dBTP, and the JSON says so."""
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            *("build", str(content), "--out", str(out), "--engine", "espeak"),
            *("--loudness", "-23", "--true-peak", "-3", "--json"),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for episode in summary["bulletins"]:
        level, peak = measure_loudness(Path(episode["path"]))
        assert abs(level + 23) <= 1.0 and peak <= -3.0
        assert episode["loudness_lufs"] == pytest.approx(level, abs=0.3)


def test_encoder_does_not_clip_a_hot_mix(tmp_path: Path) -> None:
    """A mix with peaks above full scale comes out limited below the ceiling, not clipped."""
    hot = (1.5 * np.sin(2 * np.pi * 440 * np.arange(22050 * 3) / 22050)).astype("<f4")
    path = tmp_path / "hot.mp3"
    measured = encode_mp3(
        [hot.tobytes()],
        22050,
        path,
        "96k",
        44100,
        levelling=Levelling(limit=loudness.limiter_ceiling(CEILING)),
    )
    assert measured is not None and measured.true_peak <= CEILING - 0.4
    assert measure_loudness(path)[1] <= CEILING


def test_a_mix_that_peaks_between_its_samples_is_limited_again(tmp_path: Path) -> None:
    """Sharp bursts of noise over a quiet tone (a plosive's worst case): the limiter holds
    the samples, the peaks between them go over, and the piece is limited again, so the
    file peaks at or below the ceiling (4x oversampled) and stays near the target."""
    from bulletins.audio.mixing import Encoding, render_piece
    from bulletins.model import Audio, Segment, SegmentKind

    rate = 22050
    time = np.arange(3 * rate) / rate
    bursts = (np.arange(len(time)) % (rate * 3 // 10)) < rate * 15 // 1000
    noise = np.random.default_rng(7).standard_normal(len(time))
    wave = np.clip(0.03 * np.sin(2 * np.pi * 200 * time) + 0.4 * noise * bursts, -1, 1)
    pcm = (wave * 32767).astype("<i2").tobytes()
    clip = Audio(pcm=pcm, sample_rate=rate, loudness=loudness.integrated(pcm, rate))
    segment = Segment("x", "x", SegmentKind.SENTENCE, 0, 0, 0, 300)
    path = tmp_path / "piece.mp3"
    piece = render_piece(
        [segment, segment], lambda _: clip, path, Encoding("96k", 44100, TARGET, CEILING)
    )
    assert piece.true_peak <= CEILING - loudness.ENCODER_HEADROOM_DB + loudness.METER_STEP_DB
    assert true_peak_4x(path) <= CEILING
    assert measure_loudness(path)[1] <= CEILING
    assert abs(measure_loudness(path)[0] - TARGET) <= 4
