"""Mixing: clips are trimmed, levelled, joined with the profile's pauses and streamed to the encoder.

pydub does the sample work (silence detection, resampling). The bulletin is never
concatenated into one AudioSegment: clips and pauses are streamed to a single MP3
encode, so an hour-long bulletin needs the memory of one clip, and compressed audio
is decoded once and encoded once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import loudness
from .codec import Levelling, change_tempo, encode_mp3, encoder_gain_db
from .loudness import Loudness
from .model import Audio, Segment

with warnings.catch_warnings():
    # pydub looks for ffmpeg on PATH when imported and warns when there is none;
    # bulletins never lets pydub run ffmpeg (the codec module does), so the warning is
    # noise. On Python 3.12 it also imports the deprecated audioop (audioop-lts on 3.13+).
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

# Engines pad their clips with silence of their own; it is trimmed so that the
# pauses between sentences are the profile's, not the engine's. -50 dBFS is well
# below speech and above the noise floor of any engine's "silence".
SILENCE_THRESHOLD_DBFS = -50.0
# A few milliseconds of the trimmed silence are kept so that soft onsets (an "h",
# an "f") and the decay of the last syllable are not clipped.
KEEP_MS = 20


Loader = Callable[[int], Audio]
"""Gives the audio of the segment at an index (from the clip cache)."""


@dataclass(frozen=True)
class Rendered:
    """Where each article lies in an encoded bulletin, and how long it is."""

    chapters_ms: tuple[tuple[int, int], ...]
    """(start, end) of each article in milliseconds, in order, covering the whole bulletin."""
    duration_ms: int
    speech_ms: tuple[tuple[int, int], ...] = ()
    """(start, end) of each segment's speech in milliseconds, pauses excluded."""
    loudness: Loudness | None = None
    """Measured as it was encoded."""


def to_segment(audio: Audio) -> AudioSegment:
    """Wrap mono 16-bit PCM as a pydub AudioSegment without copying through a file."""
    return AudioSegment(data=audio.pcm, sample_width=2, frame_rate=audio.sample_rate, channels=1)


MIN_WORDS_TO_PACE = 4
"""Clips shorter than this are not measured for their rate: a word or two is too
little speech to say how fast a voice talks."""
TEMPO_RANGE = (0.6, 1.6)
"""The most a voice is slowed down or sped up; beyond it, speech sounds processed."""


def fit_rate(audio: Audio, words: int, rate_wpm: int) -> Audio:
    """Bring a clip from a voice that has no rate setting to ``rate_wpm`` words a minute.

    The clip's own rate is measured from its speech (leading and trailing silence
    trimmed), and its tempo changed without changing its pitch.
    """
    if words < MIN_WORDS_TO_PACE:
        return audio
    speech = speech_ms(audio)
    if not speech:
        return audio
    natural = words / (speech / 60_000)
    low, high = TEMPO_RANGE
    factor = max(low, min(high, rate_wpm / natural))
    # Within 3 % the change is inaudible and not worth a pass through the stretcher.
    return audio if abs(factor - 1) < 0.03 else change_tempo(audio, factor)


def speech_ms(audio: Audio) -> int:
    """Milliseconds of speech in a clip: its length once leading and trailing silence is trimmed."""
    return len(trim(to_segment(audio)))


def _speech_end(segment: AudioSegment, chunk_ms: int = 5) -> int:
    """Milliseconds up to the end of the last chunk louder than the silence threshold."""
    # Scans back from the end in slices, rather than reversing the whole clip.
    end = len(segment)
    while end > 0 and segment[max(0, end - chunk_ms) : end].dBFS < SILENCE_THRESHOLD_DBFS:
        end -= chunk_ms
    return max(0, end)


def trim(segment: AudioSegment) -> AudioSegment:
    """Remove leading and trailing silence, keeping a short margin."""
    start = detect_leading_silence(segment, SILENCE_THRESHOLD_DBFS, chunk_size=5)
    end = _speech_end(segment)
    if end <= start:
        return segment[:0]
    return segment[max(0, start - KEEP_MS) : min(len(segment), end + KEEP_MS)]


def _frames_ms(frames: int, sample_rate: int) -> int:
    return round(frames * 1000 / sample_rate)


def _levelled(voice: AudioSegment, gain_db: float) -> bytes:
    """A clip's 16-bit samples as 32-bit floats (full scale 1.0), with its gain applied."""
    factor = 10 ** (gain_db / 20) / 32768
    return (np.frombuffer(voice.raw_data, dtype="<i2") * np.float32(factor)).astype("<f4").tobytes()


def render(
    segments: Sequence[Segment],
    load: Loader,
    path: Path,
    bitrate: str = "96k",
    sample_rate: int = 44100,
    target: float = loudness.DEFAULT_TARGET,
    true_peak: float = loudness.DEFAULT_TRUE_PEAK,
) -> Rendered:
    """Trim and level each clip and encode the clips end to end, with their segments' pauses, as an MP3.

    Clips are loaded one at a time and streamed to the encoder, so memory holds one
    clip, not the bulletin. The mix runs at the rate of the first clip (one engine
    per bulletin means one rate); a clip at another rate is resampled to it, and the
    encoder converts the mix to ``sample_rate``: 44.1 kHz is the rate every podcast
    player and car stereo plays natively. The final pause is dropped: a bulletin ends
    when its last word does.

    Each clip is brought to ``target`` LUFS by the gain its cached measurement calls
    for, so that voices and sentences match; the encode pass limits the mix to
    ``true_peak`` dBTP less the encoder's headroom, and measures it.

    Raises:
        AudioError: a clip is missing or the encoder failed.
    """
    if not segments:
        raise ValueError("a bulletin needs at least one segment")
    first_audio = load(0)
    first = trim(to_segment(first_audio))
    rate = first.frame_rate
    # The clips are aimed so that the file, once encoded, is at the target.
    codec_gain = encoder_gain_db(rate, bitrate, sample_rate)
    aim = target - codec_gain
    spans: dict[int, list[int]] = {}
    speech: list[tuple[int, int]] = []
    frames = 0

    def stream() -> Iterator[bytes]:
        nonlocal frames
        for position, segment in enumerate(segments):
            audio = first_audio if position == 0 else load(position)
            voice = first if position == 0 else trim(to_segment(audio))
            if voice.frame_rate != rate:
                voice = voice.set_frame_rate(rate)
            spans.setdefault(segment.article, [frames, frames])
            yield _levelled(voice, loudness.gain_db(audio.loudness, aim))
            speech.append((frames, frames + int(voice.frame_count())))
            frames += int(voice.frame_count())
            spans[segment.article][1] = frames
            if position < len(segments) - 1:
                pause = round(segment.pause_after_ms * rate / 1000)
                yield bytes(4 * pause)
                frames += pause

    measured = encode_mp3(
        stream(),
        rate,
        path,
        bitrate=bitrate,
        output_rate=sample_rate,
        levelling=Levelling(limit=loudness.limiter_ceiling(true_peak)),
    )
    # An article's chapter runs from its first word up to the next article's first word,
    # so the chapters cover the bulletin without gaps, as players expect.
    starts = [spans[a][0] for a in sorted(spans)]
    ends = [*starts[1:], frames]
    return Rendered(
        chapters_ms=tuple(
            (_frames_ms(s, rate), _frames_ms(e, rate)) for s, e in zip(starts, ends, strict=True)
        ),
        duration_ms=_frames_ms(frames, rate),
        speech_ms=tuple((_frames_ms(s, rate), _frames_ms(e, rate)) for s, e in speech),
        # The meter heard the mix; the listener hears it through the codec.
        loudness=measured and Loudness(measured.integrated + codec_gain, measured.true_peak),
    )
