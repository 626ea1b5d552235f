"""Codec: the one place that runs ffmpeg, to decode engine MP3s and encode bulletins.

ffmpeg comes from the imageio-ffmpeg wheel, which ships a static build for each
platform, so no system package is needed; ``IMAGEIO_FFMPEG_EXE`` points it at
another build.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, cast

import imageio_ffmpeg

from .errors import AudioError
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


def encode_mp3(
    pcm_chunks: Iterable[bytes],
    sample_rate: int,
    path: Path,
    bitrate: str = "96k",
    output_rate: int = 44100,
) -> None:
    """Encode mono 16-bit PCM, streamed chunk by chunk, as a constant-bitrate MP3 at ``path``.

    ffmpeg's resampler converts ``sample_rate`` to ``output_rate`` on the way.

    The PCM is streamed into one encoder process, so a bulletin is encoded exactly
    once and never needs to exist as a whole WAV file on disk or in memory.
    ffmpeg writes no tags: the tags module writes them, as ID3v2.4, afterwards.

    Raises:
        AudioError: the encoder failed; the message carries its command and last lines.
    """
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "s16le",
        "-ar",
        str(sample_rate),
        "-ac",
        "1",
        "-i",
        "pipe:0",
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
