"""Loudness: measuring clips and episodes by ITU-R BS.1770, and the levelling that follows.

A bulletin is made loud in two passes. First every clip is measured once, when it
enters the clip cache (its gated, K-weighted loudness, the BS.1770 integrated
loudness of the clip alone). Then, as a bulletin is mixed, each clip gets the gain
that brings it to the target, so a quiet voice and a loud one sound equally loud
and the loudness does not jump between sentences; a true-peak limiter in the encode
pass keeps the rare peaks the gain pushes up below the ceiling, and ffmpeg's EBU R128
meter measures the result as it is encoded.

Why levelled clips add up to a levelled episode: the relative gate of BS.1770 sits
10 LU below the loudness being measured. Once every clip is at the target, each
clip's own gate and the episode's are the same threshold, so the episode's gated
blocks are the clips' gated blocks and their mean is the target. Pauses are silence,
below the absolute gate, and do not count.

Loudness is given as a mono file measured as dual-mono, the way players play it: a
mono MP3 is played on both speakers, which BS.1770 counts as two channels, 3 dB more
than the one channel.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np

# scipy.signal and pyloudnorm are imported on the first measurement, not with this
# module: importing scipy.signal takes half a second, which every command would pay.

DEFAULT_TARGET = -16.0
"""LUFS: the loudness Apple, Spotify and the AES recommend for speech podcasts."""
DEFAULT_TRUE_PEAK = -1.0
"""dBTP: the ceiling EBU R 128 and the podcast platforms ask of delivered files."""
ENCODER_HEADROOM_DB = 0.5
"""The limiter sits this far below the ceiling: MP3 encoding can raise true peaks by
a fraction of a dB (its filters ring at transients), and the ceiling is for the file
as delivered."""
MAX_GAIN_DB = 24.0
"""No clip is raised or lowered more than this: a clip that would need more is
nearly silent (a click, a breath) and levelling it would only raise its noise."""

_DUAL_MONO_DB = 10 * math.log10(2)
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_BLOCK_S = 0.4
_STEP_S = 0.1


@dataclass(frozen=True)
class Loudness:
    """What an EBU R128 meter reports for one file."""

    integrated: float
    """Integrated loudness, LUFS (a mono file as dual-mono)."""
    true_peak: float
    """Highest true peak, dBTP."""

    def describe(self) -> str:
        return f"{self.integrated:.1f} LUFS, {self.true_peak:.1f} dBTP"


@cache
def _k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from pyloudnorm.iirfilter import IIRfilter

    # BS.1770's two stages, the "head" shelf and the RLB high-pass, designed for the
    # clip's own rate with pyloudnorm's filter design (BS.1770 tabulates them for 48 kHz only).
    shelf = IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf")
    high_pass = IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    return [(shelf.b, shelf.a), (high_pass.b, high_pass.a)]


def _block_powers(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal in 400 ms blocks every 100 ms."""
    from scipy.signal import lfilter

    weighted = samples.astype(np.float64)
    for b, a in _k_weighting(rate):
        weighted = lfilter(b, a, weighted)
    block, step = round(_BLOCK_S * rate), round(_STEP_S * rate)
    if len(weighted) < block:
        # A clip shorter than one block is measured as one block padded with silence.
        return np.array([float(np.sum(weighted**2)) / block])
    energy = np.concatenate(([0.0], np.cumsum(weighted**2)))
    starts = np.arange(0, len(weighted) - block + 1, step)
    return (energy[starts + block] - energy[starts]) / block


def _lufs(power: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power) + _DUAL_MONO_DB


def integrated(pcm: bytes, rate: int) -> float | None:
    """The BS.1770 integrated loudness of mono 16-bit PCM, dual-mono, in LUFS.

    Returns:
        None when nothing in it is above the absolute gate (silence).
    """
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768
    if not len(samples):
        return None
    powers = _block_powers(samples, rate)
    loud = powers[_lufs(powers) > _ABSOLUTE_GATE]
    if not len(loud):
        return None
    threshold = float(_lufs(float(loud.mean()))) + _RELATIVE_GATE
    gated = loud[_lufs(loud) > threshold]
    return float(_lufs(float(gated.mean())))


def gain_db(clip_loudness: float | None, target: float) -> float:
    """The gain that brings a clip measured at ``clip_loudness`` to ``target``."""
    if clip_loudness is None:
        return 0.0
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target - clip_loudness))


def limiter_ceiling(true_peak: float) -> float:
    """The limiter's level, linear, for a file whose true peak must stay at or below ``true_peak``."""
    return 10 ** ((true_peak - ENCODER_HEADROOM_DB) / 20)


_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS")
_PEAK = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS")


def parse_ebur128(log: str) -> Loudness | None:
    """Read the summary ffmpeg's ebur128 filter logs when its input ends."""
    level, peak = _INTEGRATED.search(log), _PEAK.search(log)
    if level is None or peak is None:
        return None
    return Loudness(integrated=float(level.group(1)), true_peak=float(peak.group(1)))
