"""Shared fixtures: the sample edition in a temporary folder, the CLI runner, audio measures."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from typer.testing import CliRunner

from bulletins.audio.codec import decode, ffmpeg_exe
from bulletins.model import Audio
from bulletins.settings import Settings
from bulletins.testing import FakeGoogle

REPO = Path(__file__).resolve().parent.parent
TEST_FIXTURES = REPO / "tests" / "fixtures"
"""Small committed inputs, each folder with the README or script that makes it."""
PODCAST_APPS = REPO / "tests" / "podcast_apps"
"""The parsers podcast apps run (npm, pinned in its package-lock.json), and read.mjs."""
SAMPLE_EDITION = REPO / "content" / "2026-05-community-safety-assembly"
SEEDS = {
    "it": SAMPLE_EDITION / "community-safety-assembly.it.txt",
    "ar": SAMPLE_EDITION / "community-safety-assembly.ar.txt",
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the repository's content folder (the sample edition and its settings)."""
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests see only the settings they give, and never touch the user's clip cache."""
    import os

    for name in list(os.environ):
        if name.startswith("BULLETINS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BULLETINS_CACHE_DIR", str(tmp_path / "clip-cache"))


def read_audio(path: Path, sample_rate: int = 44100) -> Audio:
    """Decode an MP3 as a player would, to mono PCM."""
    return decode(path.read_bytes(), sample_rate)


def silent_runs(audio: Audio, min_ms: int = 100, threshold: int = 300) -> list[tuple[float, float]]:
    """(start, end) in ms of every stretch of at least ``min_ms`` quieter than ``threshold``.

    Measured on 5 ms windows of peak amplitude; 300 of 32767 is about -40 dBFS.
    """
    import array

    samples = array.array("h")
    samples.frombytes(audio.pcm)
    window = audio.sample_rate // 200
    runs: list[tuple[float, float]] = []
    start: int | None = None
    for index in range(0, len(samples), window):
        chunk = samples[index : index + window]
        quiet = max(abs(min(chunk)), max(chunk)) < threshold
        if quiet and start is None:
            start = index
        elif not quiet and start is not None:
            if (index - start) * 1000 / audio.sample_rate >= min_ms:
                runs.append((start * 1000 / audio.sample_rate, index * 1000 / audio.sample_rate))
            start = None
    return runs


def speech_wpm(path: Path, words: int) -> float:
    """Words a minute while speaking, measured from a file: its pauses (silences of 150 ms or more) left out."""
    audio = read_audio(path)
    pauses = sum(end - start for start, end in silent_runs(audio, min_ms=150))
    return words / ((audio.duration_ms - pauses) / 60_000)


def closed_port() -> str:
    """The address of a loopback port nothing listens on: Google's voice is out of reach."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def write(path: Path, data: bytes | str) -> Path:
    """Write an article fixture, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def build_settings(content: Path, tmp_path: Path, **changes: object) -> Settings:
    """Settings for a library build of ``content`` into ``tmp_path``, with the tone engine."""
    values: dict[str, object] = {
        "content_dir": content,
        "out_dir": tmp_path / "audio",
        "engine": "tone",
        "cache_dir": tmp_path / "cache",
        "workers": 2,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def measure_loudness(
    path: Path, start_s: float = 0, end_s: float | None = None
) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file, or of a stretch of it.

    Measured by ffmpeg's EBU R128 meter on the decoded file, the mono file counted as
    dual-mono, the way a player plays it: an implementation independent of bulletins'.
    """
    trim = f"atrim=start={start_s}" + (f":end={end_s}" if end_s is not None else "") + ","
    result = subprocess.run(
        [
            *(ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path)),
            *("-af", trim + "ebur128=peak=true:dualmono=true", "-f", "null", "-"),
        ],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        check=True,
    )
    level = re.search(r"Integrated loudness:\s*I:\s*(-?[\d.]+) LUFS", result.stderr)
    peak = re.search(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS", result.stderr)
    assert level and peak, result.stderr[-500:]
    return float(level.group(1)), float(peak.group(1))


def true_peak_4x(path: Path) -> float:
    """True peak (dBTP) of a file, decoded as a player decodes it and oversampled four
    times, as ITU-R BS.1770 measures it: by band-limited (FFT) interpolation, block by
    block with margins, a meter independent of ffmpeg's."""
    import numpy as np

    samples = np.frombuffer(read_audio(path).pcm, dtype="<i2").astype(np.float64) / 32768
    block, margin, peak = 1 << 16, 512, 0.0
    for start in range(0, len(samples), block):
        low, high = max(0, start - margin), min(len(samples), start + block + margin)
        chunk = samples[low:high]
        dense = np.fft.irfft(np.fft.rfft(chunk), 4 * len(chunk)) * 4
        inside = dense[4 * (start - low) : 4 * (min(start + block, len(samples)) - low)]
        peak = max(peak, float(np.max(np.abs(inside))))
    return 20 * math.log10(peak) if peak else -math.inf


def cue_seconds(stamp: str) -> float:
    """Seconds from a WebVTT timestamp (``00:01:02.345``)."""
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def missing(reason: str) -> NoReturn:
    """A tool CI installs is not here: the test fails in CI (``CI`` set) and skips elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def read_as_apps(*paths: Path) -> dict[str, Any]:
    """What the parsers podcast apps and directories run make of these files: each feed
    as podcast-partytime (Podcast Index, Podverse) and feedsmith read it, each .vtt file's
    errors and cues as webvtt-parser finds them, each .opml as feedsmith reads it.

    Needs Node.js and ``npm ci --prefix tests/podcast_apps``; ``.ci/run`` installs both.
    Outside CI a test that needs them skips, saying so; in CI (``CI`` set) it fails.
    """
    node = shutil.which("node")
    if node is None or not (PODCAST_APPS / "node_modules").is_dir():
        missing("the podcast apps' parsers need Node.js and `npm ci --prefix tests/podcast_apps`")
    done = subprocess.run(
        [node, str(PODCAST_APPS / "read.mjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    # partytime logs its warnings ("Item has no guid, skipping it.") to standard output,
    # one JSON line each, before the answer's line.
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer
