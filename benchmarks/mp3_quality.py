"""Which LAME quality setting should bulletins encode with? A measurement.

LAME's ``-q`` (ffmpeg's ``-compression_level``, 0 best and slowest, 9 fastest) sets
how hard the encoder searches for the best quantisation. At the bitrates speech is
published at, the question is whether the slower searches buy anything a listener
hears, and what they cost in encoding time, which is what an online build waits for
once its requests are answered.

Method: eSpeak NG speaks the benchmark corpus's sentences in Italian, English and
French into nine stretches of 30 seconds each, resampled to the bulletins' 44.1 kHz.
Each stretch is encoded at 96 kb/s mono with each setting, decoded, and scored against
the original with PESQ-WB (ITU-T P.862.2, at 16 kHz; 4.64 is the ceiling). The encode
time of all nine stretches is the median of three runs.

Run: python benchmarks/mp3_quality.py   (needs: pip install pesq)
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from pesq import pesq

sys.path.insert(0, str(Path(__file__).parent))

from corpus import article_text

from bulletins.audio.codec import LAME_QUALITY, ffmpeg_exe
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.speech.engines.espeak import EspeakEngine

RATE = 44100
STRETCH_S = 30
SETTINGS = (2, 5, LAME_QUALITY)


def ffmpeg(arguments: list[str], data: bytes) -> bytes:
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", *arguments]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


def resampled(pcm: bytes, rate_in: int, rate_out: int) -> bytes:
    raw = ["-f", "s16le", "-ar", str(rate_in), "-ac", "1", "-i", "pipe:0"]
    return ffmpeg([*raw, "-ar", str(rate_out), "-f", "s16le", "pipe:1"], pcm)


def stretches() -> list[bytes]:
    """Nine stretches of 30 s of speech, 16-bit PCM at 44.1 kHz."""
    engine = EspeakEngine()
    profiles = load_profiles([builtin_voices_dir()])
    rng = random.Random(7)
    found = []
    for language in ("it", "en", "fr"):
        pcm = b""
        rate = 0
        for number in range(4):
            audio = engine.synthesize(article_text(language, number, 120, rng), profiles[language])
            pcm += audio.pcm
            rate = audio.sample_rate
        pcm = resampled(pcm, rate, RATE)
        size = STRETCH_S * RATE * 2
        assert len(pcm) >= 3 * size, f"{language}: only {len(pcm) / 2 / RATE:.0f} s of speech"
        found += [pcm[i * size : (i + 1) * size] for i in range(3)]
    return found


def encoded(pcm: bytes, quality: int) -> bytes:
    raw = ["-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"]
    codec = ["-c:a", "libmp3lame", "-compression_level", str(quality), "-b:a", "96k"]
    return ffmpeg([*raw, *codec, "-f", "mp3", "pipe:1"], pcm)


def at_16k(data: bytes, source: list[str]) -> np.ndarray:
    pcm = ffmpeg(
        [*source, "-i", "pipe:0", "-ac", "1", "-ar", "16000", "-f", "s16le", "pipe:1"], data
    )
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768


def main() -> None:
    speech = stretches()
    raw = ["-f", "s16le", "-ar", str(RATE), "-ac", "1"]
    references = [at_16k(pcm, raw) for pcm in speech]
    print(f"{len(speech)} stretches of {STRETCH_S} s of eSpeak NG speech, 96 kb/s mono MP3")
    print(f"{'LAME -q':>8} {'PESQ-WB':>8} {'encode s':>9}")
    for quality in SETTINGS:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            mp3s = [encoded(pcm, quality) for pcm in speech]
            times.append(time.perf_counter() - start)
        scores = []
        for reference, mp3 in zip(references, mp3s, strict=True):
            degraded = at_16k(mp3, ["-f", "mp3"])
            n = min(len(reference), len(degraded))
            scores.append(pesq(16000, reference[:n], degraded[:n], "wb"))
        chosen = "  (bulletins)" if quality == LAME_QUALITY else ""
        print(
            f"{quality:>8} {statistics.mean(scores):>8.3f} {statistics.median(times):>9.2f}{chosen}"
        )


if __name__ == "__main__":
    main()
