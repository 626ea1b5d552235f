"""Codec: the one place that runs ffmpeg, to decode engine MP3s and encode bulletins.

ffmpeg comes from the imageio-ffmpeg wheel, which ships a static build for each
platform, so no system package is needed; ``IMAGEIO_FFMPEG_EXE`` points it at
another build.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, cast

import imageio_ffmpeg
import numpy as np

from .errors import AudioError
from .loudness import Loudness, parse_ebur128
from .model import Audio


def ffmpeg_exe() -> str:
    """The path of the ffmpeg executable."""
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise AudioError(
            f"ffmpeg is not available: {exc}. Probable cause: imageio-ffmpeg has no build for this platform; set IMAGEIO_FFMPEG_EXE"
        ) from exc


def _failure(command: list[str], stderr: bytes) -> AudioError:
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
    return AudioError(f"ffmpeg failed: {' '.join(command)}\n" + "\n".join(tail))


def decode(data: bytes, sample_rate: int) -> Audio:
    """Decode a compressed audio file (an engine's MP3) to mono 16-bit PCM at ``sample_rate``.

    Raises:
        AudioError: the bytes are not audio ffmpeg can decode.
    """
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        "pipe:0",
        "-ar",
        str(sample_rate),
        "-ac",
        "1",
        "-f",
        "s16le",
        "-acodec",
        "pcm_s16le",
        "pipe:1",
    ]
    result = subprocess.run(command, input=data, capture_output=True, check=False)
    if result.returncode != 0:
        raise _failure(command, result.stderr)
    return Audio(pcm=result.stdout, sample_rate=sample_rate)


def change_tempo(audio: Audio, factor: float) -> Audio:
    """Speed speech up (``factor`` > 1) or slow it down without changing its pitch.

    ffmpeg's ``atempo`` stretches time by overlapping and adding short windows
    (WSOLA), so a voice keeps its pitch and timbre; resampling would not.

    Raises:
        AudioError: ffmpeg failed.
    """
    command = [
        ffmpeg_exe(),
        *("-hide_banner", "-loglevel", "error"),
        *("-f", "s16le", "-ar", str(audio.sample_rate), "-ac", "1", "-i", "pipe:0"),
        *("-af", f"atempo={factor:.4f}"),
        *("-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"),
    ]
    result = subprocess.run(command, input=audio.pcm, capture_output=True, check=False)
    if result.returncode != 0:
        raise _failure(command, result.stderr)
    return Audio(pcm=result.stdout, sample_rate=audio.sample_rate)


@cache
def encoder_gain_db(sample_rate: int, bitrate: str, output_rate: int) -> float:
    """How much louder (negative: quieter) audio comes out of an MP3 encode than went in.

    ffmpeg's LAME encode and MP3 decode give back a steady tone about 0.4 dB quieter
    than it went in, whatever the bitrate. The levelling makes up for it, so that
    the file as delivered, not the mix, is at the target; this measures it once per
    process for the settings in use, with two seconds of a 1 kHz tone.

    Raises:
        AudioError: ffmpeg failed.
    """
    seconds = 2
    time = np.arange(seconds * sample_rate) / sample_rate
    tone = (0.25 * np.sin(2 * np.pi * 1000 * time)).astype("<f4")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tone.mp3"
        encode_mp3([tone.tobytes()], sample_rate, path, bitrate, output_rate, float_input=True)
        decoded = decode(path.read_bytes(), output_rate)
    samples = np.frombuffer(decoded.pcm, dtype="<i2").astype(np.float64) / 32768
    # The middle second: clear of the encoder's priming and the tone's edges.
    middle = samples[len(samples) // 4 : 3 * len(samples) // 4]
    return float(20 * np.log10(np.sqrt(np.mean(middle**2)) / (0.25 / np.sqrt(2))))


@dataclass(frozen=True)
class Levelling:
    """What the encode pass does to a mix's level: limit its peaks, then measure it."""

    limit: float
    """The limiter's ceiling, linear full scale."""


def encode_mp3(
    pcm_chunks: Iterable[bytes],
    sample_rate: int,
    path: Path,
    bitrate: str = "96k",
    output_rate: int = 44100,
    levelling: Levelling | None = None,
    float_input: bool = False,
) -> Loudness | None:
    """Encode mono PCM, streamed chunk by chunk, as a constant-bitrate MP3 at ``path``.

    The PCM is 16-bit integers, or 32-bit floats with ``float_input`` or
    ``levelling``: a levelled mix may have peaks above full scale until the limiter
    brings them down, and integers would clip them first. ffmpeg's resampler converts ``sample_rate`` to
    ``output_rate`` on the way.

    The PCM is streamed into one encoder process, so a bulletin is encoded exactly
    once and never needs to exist as a whole WAV file on disk or in memory.
    ffmpeg writes no tags: the tags module writes them, as ID3v2.4, afterwards.

    Returns:
        With ``levelling``, the loudness and true peak of the mix as it was encoded,
        measured by ffmpeg's EBU R128 meter; otherwise None.

    Raises:
        AudioError: the encoder failed; the message carries its command and last lines.
    """
    filters = []
    if levelling is not None:
        # Resampled first: at 44.1 kHz, speech from a 22 or 24 kHz voice is oversampled
        # about twofold, so the limiter's sample peaks are close to the true peaks.
        # ``latency`` removes the limiter's look-ahead delay, keeping chapters exact.
        filters = [
            "-af",
            f"aresample={output_rate},"
            f"alimiter=limit={levelling.limit:.4f}:level=disabled:latency=1,"
            "ebur128=peak=true:dualmono=true:framelog=quiet",
        ]
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostats",
        # The meter reports at the "info" level; everything else there stays quiet.
        "-loglevel",
        "info" if levelling is not None else "error",
        "-y",
        "-f",
        "f32le" if float_input or levelling is not None else "s16le",
        "-ar",
        str(sample_rate),
        "-ac",
        "1",
        "-i",
        "pipe:0",
        *filters,
        "-c:a",
        "libmp3lame",
        "-b:a",
        bitrate,
        "-ar",
        str(output_rate),
        "-ac",
        "1",
        "-map_metadata",
        "-1",
        "-id3v2_version",
        "0",
        "-write_id3v1",
        "0",
        "-f",
        "mp3",
        str(path),
    ]
    # stderr goes to a file, not a pipe: a pipe left unread while we write stdin could fill and stall both.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        stdin = cast(IO[bytes], process.stdin)
        try:
            for chunk in pcm_chunks:
                stdin.write(chunk)
            stdin.close()
        except BrokenPipeError:
            pass  # the encoder died; its exit status and stderr say why
        returncode = process.wait()
        errors.seek(0)
        stderr = errors.read()
    if returncode != 0:
        raise _failure(command, stderr)
    if levelling is None:
        return None
    measured = parse_ebur128(stderr.decode("utf-8", "replace"))
    if measured is None:
        raise _failure(command, stderr + b"\n(no EBU R128 summary in ffmpeg's output)")
    return measured
