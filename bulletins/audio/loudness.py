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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from bulletins.model import Loudness

ENCODER_HEADROOM_DB = 0.5
"""The limiter sits this far below the ceiling: MP3 encoding can raise true peaks by
a fraction of a dB (its filters ring at transients), and the ceiling is for the file
as delivered."""
METER_STEP_DB = 0.2
"""How far above the limiter's level the meter may read a mix that the limiter held:
ffmpeg's meter reports true peaks to 0.1 dB, and a speech mix at 44.1 kHz peaks
between its samples by about as much."""
MAX_GAIN_DB = 24.0
"""No clip is raised or lowered more than this: a clip that would need more is
nearly silent (a click, a breath) and levelling it would only raise its noise."""

_DUAL_MONO_DB = 10 * math.log10(2)
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_BLOCK_S = 0.4
# The analogue prototypes of BS.1770's K-weighting filters, fitted to its 48 kHz
# coefficients (B. De Man, "Evaluation of implementations of the EBU R128 loudness
# measurement", AES 145th Convention, 2018; libebur128 uses the same figures).
_SHELF_HZ = 1681.974450955533
_SHELF_GAIN_DB = 3.999843853973347
_SHELF_Q = 0.7071752369554196
_SHELF_BAND = 0.4996667741545416
_HIGH_PASS_HZ = 38.13547087602444
_HIGH_PASS_Q = 0.5003270373238773
_STEP_S = 0.1


@dataclass(frozen=True)
class Metered(Loudness):
    """What the meter in the encode pass reports, with the loudness of every block it heard."""

    blocks: tuple[float, ...] = ()
    """The loudness of each 400 ms block, 100 ms apart (LUFS, dual-mono): enough to
    measure any file this audio is later joined into."""


Biquad = tuple[tuple[float, float, float], tuple[float, float, float]]


def _shelf(rate: int) -> Biquad:
    """BS.1770's first stage, the "head" high shelf (+4 dB above about 1.7 kHz)."""
    k = math.tan(math.pi * _SHELF_HZ / rate)
    high, band = 10 ** (_SHELF_GAIN_DB / 20), 10 ** (_SHELF_GAIN_DB / 20 * _SHELF_BAND)
    a0 = 1 + k / _SHELF_Q + k * k
    return (
        (
            high + band * k / _SHELF_Q + k * k,
            2 * (k * k - high),
            high - band * k / _SHELF_Q + k * k,
        ),
        (a0, 2 * (k * k - 1), 1 - k / _SHELF_Q + k * k),
    )


def _high_pass(rate: int) -> Biquad:
    """BS.1770's second stage, the RLB high-pass (about 38 Hz)."""
    k = math.tan(math.pi * _HIGH_PASS_HZ / rate)
    a0 = 1 + k / _HIGH_PASS_Q + k * k
    return (a0, -2 * a0, a0), (a0, 2 * (k * k - 1), 1 - k / _HIGH_PASS_Q + k * k)


@cache
def _k_weighting(rate: int) -> tuple[Biquad, ...]:
    # BS.1770 tabulates the two stages' coefficients for 48 kHz only; these analogue
    # prototypes, taken through the bilinear transform at the clip's own rate, give
    # that table at 48 kHz (checked in the tests) and the same curve at any other rate.
    return (_shelf(rate), _high_pass(rate))


def _fft_size(length: int) -> int:
    """The smallest size m * 2**k (m in 8, 9, 10, 12, 15) at least ``length``.

    Such sizes are fast for numpy's FFT and at most 25 % above the length, and few
    enough that the filters' response is computed once per size and reused.
    """
    octave = 1 << max(0, math.ceil(math.log2(length)) - 4)
    return min(m * octave for m in (8, 9, 10, 12, 15, 16) if m * octave >= length)


@lru_cache(maxsize=64)
def _response(rate: int, size: int) -> np.ndarray:
    """The K-weighting filters' complex response at the bins of a real FFT of ``size``."""
    delay = np.exp(-2j * np.pi * np.arange(size // 2 + 1) / size)
    response = np.ones(size // 2 + 1, dtype=np.complex128)
    for (b0, b1, b2), (a0, a1, a2) in _k_weighting(rate):
        response *= (b0 + delay * (b1 + delay * b2)) / (a0 + delay * (a1 + delay * a2))
    return response


def _k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The samples through the K-weighting filters, as a causal IIR filter would give them.

    Filtered by multiplying spectra (numpy's FFT) with the filters' exact response: the
    signal is padded by 250 ms so that the filters' ringing, which has decayed by more
    than 200 dB after 100 ms at any rate, does not wrap round to the start. Doing it
    this way keeps scipy out of the process (importing scipy.signal costs each eSpeak NG
    worker over a second and 80 MB) and costs about what scipy's lfilter does.
    """
    size = _fft_size(len(samples) + math.ceil(0.25 * rate))
    spectrum = np.fft.rfft(samples, size) * _response(rate, size)
    return np.fft.irfft(spectrum, size)[: len(samples)]


def _block_powers(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal in 400 ms blocks every 100 ms."""
    weighted = _k_weighted(samples.astype(np.float64), rate)
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
    return _gated(_block_powers(samples, rate))


def _gated(powers: np.ndarray) -> float | None:
    """BS.1770's integrated loudness from the powers of its 400 ms blocks: both gates, then the mean."""
    loud = powers[_lufs(powers) > _ABSOLUTE_GATE]
    if not len(loud):
        return None
    threshold = float(_lufs(float(loud.mean()))) + _RELATIVE_GATE
    gated = loud[_lufs(loud) > threshold]
    return float(_lufs(float(gated.mean())))


def integrated_from_blocks(blocks: Sequence[float]) -> float | None:
    """The integrated loudness of a file from the loudness of its 400 ms blocks (LUFS, dual-mono).

    This is how an episode joined from separately encoded pieces is measured: its
    blocks are its pieces' blocks, and the gates are applied to all of them at once,
    as a meter reading the whole file would.
    """
    values = np.asarray(blocks, dtype=np.float64)
    powers = 10 ** ((values + 0.691 - _DUAL_MONO_DB) / 10)
    return _gated(powers)


def gain_db(clip_loudness: float | None, target: float) -> float:
    """The gain that brings a clip measured at ``clip_loudness`` to ``target``."""
    if clip_loudness is None:
        return 0.0
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target - clip_loudness))


def limiter_ceiling(true_peak: float) -> float:
    """The limiter's level, linear, for a file whose true peak must stay at or below ``true_peak``."""
    return 10 ** ((true_peak - ENCODER_HEADROOM_DB) / 20)


def overshoot_db(measured_peak: float, true_peak: float) -> float:
    """How far a mix the meter measured at ``measured_peak`` (dBTP) went over the
    limiter's level for a ceiling of ``true_peak``, beyond the meter's step; else 0.

    The limiter holds sample peaks; a mix that is mostly noise-like bursts (not
    speech) can peak between samples a dB above them, and MP3 encoding adds to that.
    """
    over = measured_peak - (true_peak - ENCODER_HEADROOM_DB)
    return over if over > METER_STEP_DB else 0.0


_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS")
_PEAK = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS")


def parse_ebur128(log: str) -> Loudness | None:
    """Read the summary ffmpeg's ebur128 filter logs when its input ends."""
    level, peak = _INTEGRATED.search(log), _PEAK.search(log)
    if level is None or peak is None:
        return None
    return Loudness(integrated=float(level.group(1)), true_peak=float(peak.group(1)))


_BLOCK = re.compile(r"lavfi\.r128\.M=(-?[\d.]+|-?inf|nan)\s*$", re.MULTILINE)
_PARTIAL_BLOCKS = round(_BLOCK_S / _STEP_S) - 1
"""ffmpeg's meter reports a momentary loudness every 100 ms from the start; the first
three cover less than 400 ms of audio and are not blocks in BS.1770's sense."""


def parse_blocks(log: str) -> tuple[float, ...]:
    """The momentary loudness of each whole 400 ms block, from ffmpeg's ``ametadata`` print of ``lavfi.r128.M``."""
    values = [float(m) for m in _BLOCK.findall(log)]
    return tuple(v if math.isfinite(v) else -math.inf for v in values[_PARTIAL_BLOCKS:])
