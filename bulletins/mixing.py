"""Mixing: clips are trimmed, joined with the profile's pauses and streamed to the encoder.

pydub does the sample work (silence detection, resampling, silence). The bulletin
is never concatenated into one AudioSegment: clips and pauses are streamed to a
single MP3 encode, so an hour-long bulletin costs its clips' memory, not twice that,
and compressed audio is decoded once and encoded once.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .codec import encode_mp3
from .model import Audio, Chapter, Clip

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


@dataclass(frozen=True)
class Mix:
    """A bulletin ready to encode: its parts in order, and where each article lies."""

    parts: tuple[AudioSegment, ...]
    sample_rate: int
    chapters_ms: tuple[tuple[int, int], ...]
    """(start, end) of each article, in milliseconds."""
    duration_ms: int

    def pcm(self) -> Iterator[bytes]:
        """The bulletin's samples, part by part."""
        for part in self.parts:
            yield part.raw_data


def to_segment(audio: Audio) -> AudioSegment:
    """Wrap mono 16-bit PCM as a pydub AudioSegment without copying through a file."""
    return AudioSegment(data=audio.pcm, sample_width=2, frame_rate=audio.sample_rate, channels=1)


def trim(segment: AudioSegment) -> AudioSegment:
    """Remove leading and trailing silence, keeping a short margin."""
    start = detect_leading_silence(segment, SILENCE_THRESHOLD_DBFS, chunk_size=5)
    end = len(segment) - detect_leading_silence(
        segment.reverse(), SILENCE_THRESHOLD_DBFS, chunk_size=5
    )
    if end <= start:
        return segment[:0]
    return segment[max(0, start - KEEP_MS) : min(len(segment), end + KEEP_MS)]


def _frames_ms(frames: int, sample_rate: int) -> int:
    return round(frames * 1000 / sample_rate)


def mix(clips: Sequence[Clip]) -> Mix:
    """Trim each clip and lay the clips end to end with the pauses their segments ask for.

    The mix runs at the sample rate of the first clip (one engine per bulletin means
    one rate); a clip at another rate is resampled to it. The final pause is dropped:
    a bulletin ends when its last word does.
    """
    if not clips:
        raise ValueError("a bulletin needs at least one clip")
    rate = clips[0].audio.sample_rate
    parts: list[AudioSegment] = []
    spans: dict[int, list[int]] = {}
    frames = 0
    for position, clip in enumerate(clips):
        voice = trim(to_segment(clip.audio))
        if voice.frame_rate != rate:
            voice = voice.set_frame_rate(rate)
        article = clip.segment.article
        spans.setdefault(article, [frames, frames])
        parts.append(voice)
        frames += int(voice.frame_count())
        spans[article][1] = frames
        if position < len(clips) - 1:
            pause = AudioSegment.silent(duration=clip.segment.pause_after_ms, frame_rate=rate)
            parts.append(pause)
            frames += int(pause.frame_count())
    # An article's chapter runs from its first word up to the next article's first word,
    # so the chapters cover the bulletin without gaps, as players expect.
    starts = [spans[a][0] for a in sorted(spans)]
    ends = [*starts[1:], frames]
    chapters = tuple(
        (_frames_ms(s, rate), _frames_ms(e, rate)) for s, e in zip(starts, ends, strict=True)
    )
    return Mix(
        parts=tuple(parts),
        sample_rate=rate,
        chapters_ms=chapters,
        duration_ms=_frames_ms(frames, rate),
    )


def chapters(mix_: Mix, titles: Sequence[str]) -> tuple[Chapter, ...]:
    """Name the mix's article spans."""
    return tuple(
        Chapter(title=title, start_ms=start, end_ms=end)
        for title, (start, end) in zip(titles, mix_.chapters_ms, strict=True)
    )


def export(mix_: Mix, path: Path, bitrate: str, sample_rate: int) -> None:
    """Encode the mix as a constant-bitrate mono MP3 at ``sample_rate``.

    44.1 kHz is the rate every podcast player and car stereo plays natively;
    mono halves the size of speech with nothing lost.
    """
    encode_mp3(mix_.pcm(), mix_.sample_rate, path, bitrate=bitrate, output_rate=sample_rate)
