"""Codec: the one place that uses ffmpeg, to decode engine MP3s and encode bulletins.

Decoding and re-timing run in this process through PyAV (ffmpeg's libraries);
encoding runs the ffmpeg program.

ffmpeg comes from the imageio-ffmpeg wheel, which ships a static build for each
platform, so no system package is needed; ``IMAGEIO_FFMPEG_EXE`` points it at
another build.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, cast

import imageio_ffmpeg
import numpy as np

from bulletins.audio.loudness import Metered, parse_blocks, parse_ebur128
from bulletins.errors import AudioError
from bulletins.model import Audio

LAME_QUALITY = 7
"""LAME's algorithm quality (0 best and slowest, 9 fastest), as ffmpeg's ``-compression_level``.

At the bitrates speech is published at (64 to 128 kb/s mono) the slower searches buy
nothing a listener hears: on 4.5 minutes of eSpeak NG speech at 96 kb/s, PESQ-WB
(ITU-T P.862.2, 4.64 the ceiling) scored 4.44 at 7 against 4.38 at LAME's default (5)
and 4.35 at 2, and 7 encoded 1.5 times as fast as 5 (benchmarks/mp3_quality.py).
The encoder is what an online build waits for once the requests are answered."""


def ffmpeg_exe() -> str:
    """The path of the ffmpeg executable."""
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise AudioError(
            f"ffmpeg is not available: {exc}. Probable cause: imageio-ffmpeg has no build for this platform; set IMAGEIO_FFMPEG_EXE"
        ) from exc


def ffmpeg_version() -> str:
    """The version of the ffmpeg that encodes here ("not installed" without one)."""
    try:
        return str(imageio_ffmpeg.get_ffmpeg_version())
    except RuntimeError:
        return "not installed"


def _failure(command: list[str], stderr: bytes) -> AudioError:
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
    return AudioError(f"ffmpeg failed: {' '.join(command)}\n" + "\n".join(tail))


def decode(data: bytes, sample_rate: int, container_format: str | None = None) -> Audio:
    """Decode a compressed audio file (an engine's MP3) to mono 16-bit PCM at ``sample_rate``.

    ``container_format`` ("mp3") spares probing the bytes for their format. Decoded in
    this process by ffmpeg's own libraries (PyAV), not by an ffmpeg process:
    the online voice decodes every clip, and starting a process cost more than the decode.

    Raises:
        AudioError: the bytes are not audio ffmpeg can decode.
    """
    import av

    try:
        with av.open(io.BytesIO(data), mode="r", format=container_format) as container:
            stream = container.streams.audio[0]
            if stream.rate == sample_rate and stream.channels == 1:
                # Mono at the rate wanted: the samples need only be put in 16 bits, which
                # numpy does for the whole clip at once, faster than a resampler per frame.
                frames = [frame.to_ndarray().reshape(-1) for frame in container.decode(stream)]
                return Audio(pcm=_pcm16(frames), sample_rate=sample_rate)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
            chunks = [
                out.to_ndarray().tobytes()
                for frame in container.decode(stream)
                for out in resampler.resample(frame)
            ]
            chunks += [out.to_ndarray().tobytes() for out in resampler.resample(None)]
    except (av.FFmpegError, IndexError, ValueError) as exc:
        raise AudioError(f"could not decode the audio ({len(data)} bytes): {exc}") from exc
    return Audio(pcm=b"".join(chunks), sample_rate=sample_rate)


def _pcm16(frames: list[np.ndarray]) -> bytes:
    """Decoded frames (float in -1..1, or 16-bit already) as 16-bit little-endian PCM."""
    if not frames:
        return b""
    samples = np.concatenate(frames)
    if samples.dtype.kind == "f":
        samples = np.clip(np.rint(samples * 32768), -32768, 32767)
    return samples.astype("<i2").tobytes()


def change_tempo(audio: Audio, factor: float) -> Audio:
    """Speed speech up (``factor`` > 1) or slow it down without changing its pitch.

    ffmpeg's ``atempo`` stretches time by overlapping and adding short windows
    (WSOLA), so a voice keeps its pitch and timbre; resampling would not. It runs in
    this process, through PyAV's filter graph, with the same result as the ffmpeg
    command line.

    Raises:
        AudioError: ffmpeg's filter failed.
    """
    import av

    samples = np.frombuffer(audio.pcm, dtype="<i2")
    if not len(samples):
        return audio
    try:
        graph = av.filter.Graph()
        source = graph.add_abuffer(format="s16", sample_rate=audio.sample_rate, layout="mono")
        tempo = graph.add("atempo", f"{factor:.4f}")
        sink = graph.add("abuffersink")
        source.link_to(tempo)
        tempo.link_to(sink)
        graph.configure()
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = audio.sample_rate
        graph.push(frame)
        graph.push(None)
        chunks = []
        while True:
            try:
                chunks.append(graph.pull().to_ndarray().tobytes())
            except (av.error.EOFError, av.error.BlockingIOError):
                break
    except av.FFmpegError as exc:
        raise AudioError(f"ffmpeg's atempo={factor:.4f} failed: {exc}") from exc
    return Audio(pcm=b"".join(chunks), sample_rate=audio.sample_rate)


@cache
def encoder_gain_db(sample_rate: int, bitrate: str, output_rate: int) -> float:
    """How much louder (negative: quieter) audio comes out of an MP3 encode than went in.

    ffmpeg's LAME encode and MP3 decode give back a steady tone about 0.4 dB quieter
    than it went in, whatever the bitrate. The levelling makes up for it, so that
    the file as delivered, not the mix, is at the target; this measures it once per
    process for the settings in use, with two seconds of a 1 kHz tone. The tone is
    decoded by the ffmpeg program, not in this process: an offline build never
    otherwise loads PyAV, which would add some 50 MB to each worker process.

    Raises:
        AudioError: ffmpeg failed.
    """
    seconds = 2
    time = np.arange(seconds * sample_rate) / sample_rate
    tone = (0.25 * np.sin(2 * np.pi * 1000 * time)).astype("<f4")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tone.mp3"
        encode_mp3([tone.tobytes()], sample_rate, path, bitrate, output_rate, float_input=True)
        command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path)]
        command += ["-ac", "1", "-ar", str(output_rate), "-f", "s16le", "pipe:1"]
        result = subprocess.run(command, capture_output=True, check=False)
        if result.returncode != 0:
            raise _failure(command, result.stderr)
    samples = np.frombuffer(result.stdout, dtype="<i2").astype(np.float64) / 32768
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
    bitrate: str,
    output_rate: int,
    levelling: Levelling | None = None,
    float_input: bool = False,
    info_frame: bool = True,
) -> Metered | None:
    """Encode mono PCM, streamed chunk by chunk, as a constant-bitrate MP3 at ``path``.

    The PCM is 16-bit integers, or 32-bit floats with ``float_input`` or
    ``levelling``: a levelled mix may have peaks above full scale until the limiter
    brings them down, and integers would clip them first. ffmpeg's resampler converts ``sample_rate`` to
    ``output_rate`` on the way.

    The PCM is streamed into one encoder process, so a bulletin is encoded exactly
    once and never needs to exist as a whole WAV file on disk or in memory.
    ffmpeg writes no tags: the tags module writes them, as ID3v2.4, afterwards.
    Without ``info_frame``, the file is MP3 frames only, with no Xing/LAME frame at
    its start, so that files encoded alike can be joined end to end.

    Returns:
        With ``levelling``, the loudness and true peak of the mix as it was encoded,
        and the loudness of each of its 400 ms blocks, measured by ffmpeg's EBU R128
        meter; otherwise None.

    Raises:
        AudioError: the encoder failed; the message carries its command and last lines.
    """
    command = _encode_command(
        sample_rate, path, bitrate, output_rate, levelling, float_input, info_frame
    )
    returncode, stderr = _stream(command, pcm_chunks)
    if returncode != 0:
        raise _failure(command, stderr)
    if levelling is None:
        return None
    log = stderr.decode("utf-8", "replace")
    measured = parse_ebur128(log)
    if measured is None:
        raise _failure(command, stderr + b"\n(no EBU R128 summary in ffmpeg's output)")
    return Metered(measured.integrated, measured.true_peak, parse_blocks(log))


def _encode_command(
    sample_rate: int,
    path: Path,
    bitrate: str,
    output_rate: int,
    levelling: Levelling | None,
    float_input: bool,
    info_frame: bool,
) -> list[str]:
    """ffmpeg's command line for ``encode_mp3``: PCM on stdin, one MP3 file out."""
    filters = []
    if levelling is not None:
        # Resampled first: at 44.1 kHz, speech from a 22 or 24 kHz voice is oversampled
        # about twofold, so the limiter's sample peaks are close to the true peaks.
        # ``latency`` removes the limiter's look-ahead delay, keeping chapters exact.
        filters = [
            "-af",
            f"aresample={output_rate},"
            f"alimiter=limit={levelling.limit:.4f}:level=disabled:latency=1,"
            # metadata=1 hands each 100 ms frame on with its momentary loudness, and
            # ametadata logs it: the blocks from which a joined file's loudness is measured.
            "ebur128=peak=true:dualmono=true:framelog=quiet:metadata=1,"
            "ametadata=mode=print:key=lavfi.r128.M",
        ]
    return [
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
        "-compression_level",
        str(LAME_QUALITY),
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
        "-write_xing",
        "1" if info_frame else "0",
        "-f",
        "mp3",
        str(path),
    ]


def _stream(command: list[str], pcm_chunks: Iterable[bytes]) -> tuple[int, bytes]:
    """Run ``command`` with the chunks on its stdin; its exit status and everything it logged."""
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
        return returncode, errors.read()


DECODER_DELAY = 576 + 529
"""Samples of silence before the audio of an MP3 from LAME, as a decoder that reads no
Xing/LAME frame plays it: LAME's own delay plus the decoder's (measured in the tests)."""

_LAYER3_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class Frames:
    """What the frame headers of a constant-bitrate MP3 stream say."""

    count: int
    samples_per_frame: int
    sample_rate: int

    @property
    def samples(self) -> int:
        """Samples a decoder gives for the whole stream."""
        return self.count * self.samples_per_frame


def mp3_frames(data: bytes) -> Frames:
    """Walk the frames of an MPEG audio layer III stream with no tags, checking each header.

    Raises:
        AudioError: the bytes are not whole layer III frames of one sample rate.
    """
    position = count = 0
    rate = per_frame = 0
    while position < len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        version, layer = (header >> 19) & 3, (header >> 17) & 3
        kbps_index, rate_index = (header >> 12) & 15, (header >> 10) & 3
        if (
            header >> 21 != 0x7FF
            or version == 1
            or layer != 1
            or kbps_index in (0, 15)
            or rate_index == 3
        ):
            raise AudioError(f"not an MP3 frame at byte {position} of {len(data)}")
        frame_rate = _RATES[version][rate_index]
        mpeg1 = version == 3
        kbps = _LAYER3_KBPS[1 if mpeg1 else 2][kbps_index]
        if rate and frame_rate != rate:
            raise AudioError(f"the sample rate changes at byte {position}")
        rate, per_frame = frame_rate, 1152 if mpeg1 else 576
        size = (144 if mpeg1 else 72) * kbps * 1000 // frame_rate + ((header >> 9) & 1)
        if position + size > len(data):
            raise AudioError(f"the last MP3 frame is cut short at byte {position}")
        position += size
        count += 1
    return Frames(count, per_frame, rate)
