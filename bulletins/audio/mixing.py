"""Mixing: clips are trimmed, levelled, joined with the profile's pauses and streamed to the encoder.

pydub does the sample work (silence detection, resampling). An episode is never
concatenated into one AudioSegment: clips and pauses are streamed to the MP3 encoder,
so an hour-long bulletin needs the memory of one clip. The encoder makes pieces
(an opening, an article, the announcements between articles), each once; episodes
are pieces joined end to end, so an article heard in a bulletin and in its own
episode is mixed and encoded once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bulletins.audio import loudness
from bulletins.audio.codec import (
    DECODER_DELAY,
    Levelling,
    change_tempo,
    encode_mp3,
    encoder_gain_db,
    mp3_frames,
)
from bulletins.model import Audio, Loudness, Piece, Segment

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
class Encoding:
    """How episodes are encoded and how loud they are made."""

    bitrate: str
    """As ffmpeg takes it: ``96k``."""
    sample_rate: int
    """Of the MP3."""
    target: float
    """Integrated loudness, LUFS."""
    true_peak: float
    """Ceiling for true peaks, dBTP."""

    @property
    def kb_per_s(self) -> int:
        return int(self.bitrate.removesuffix("k"))


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


def render_piece(
    segments: Sequence[Segment],
    load: Loader,
    path: Path,
    encoding: Encoding,
    lead_ms: int = 0,
    tail_ms: int = 0,
) -> Piece:
    """Trim and level each clip and encode the clips end to end, with their pauses, as an MP3 piece.

    Clips are loaded one at a time and streamed to the encoder, so memory holds one
    clip, not the bulletin. The mix runs at the rate of the first clip; a clip at
    another rate is resampled to it, and the encoder converts the mix to the
    encoding's rate. A segment's pause follows it except after the last, which is
    followed by ``tail_ms`` of silence; ``lead_ms`` of silence come first. With no
    segments the piece is that silence alone.

    Each clip is brought to the target by the gain its cached measurement calls for,
    so that voices and sentences match; the encode pass limits the mix to the true
    peak less the encoder's headroom, and measures it.

    Raises:
        AudioError: a clip is missing or the encoder failed.
    """
    args = (segments, load, path, encoding, lead_ms, tail_ms)
    metered, mix, codec_gain = _encode_piece(*args, lower_db=0.0)
    lower = loudness.overshoot_db(metered.true_peak, encoding.true_peak)
    if lower:
        # The limiter holds the samples at its level, but a noise-like burst can peak
        # between them above it: that mix is limited again, lower by what it went over.
        metered, mix, codec_gain = _encode_piece(*args, lower_db=lower)
    layout = mp3_frames(path.read_bytes())

    def out(frame: int) -> int:
        return DECODER_DELAY + round(frame * layout.sample_rate / mix.rate)

    return Piece(
        frames=layout.count,
        samples_per_frame=layout.samples_per_frame,
        sample_rate=layout.sample_rate,
        speech=tuple((out(start), out(end)) for start, end in mix.speech),
        # The meter heard the mix; the listener hears it through the codec.
        blocks=tuple(block + codec_gain for block in metered.blocks),
        true_peak=metered.true_peak,
    )


def _encode_piece(
    segments: Sequence[Segment],
    load: Loader,
    path: Path,
    encoding: Encoding,
    lead_ms: int,
    tail_ms: int,
    lower_db: float,
) -> tuple[loudness.Metered, _Mix, float]:
    """One encode pass of a piece, limited ``lower_db`` under the usual level: what the
    meter measured, the mix (where its speech is), and the codec's gain."""
    # A piece of silence alone is mixed at 22.05 kHz, the rate of most voices: any
    # rate would do, since the encoder resamples it.
    first_audio = load(0) if segments else Audio(pcm=b"", sample_rate=22050)
    first = trim(to_segment(first_audio))
    rate = first.frame_rate
    # The clips are aimed so that the file, once encoded, is at the target.
    codec_gain = encoder_gain_db(rate, encoding.bitrate, encoding.sample_rate)
    aim = encoding.target - codec_gain
    mix = _Mix(rate)
    clips = (first_audio if n == 0 else load(n) for n in range(len(segments)))
    voices = (
        (first, first_audio) if n == 0 else (trim(to_segment(audio)), audio)
        for n, audio in enumerate(clips)
    )
    # Each segment's pause follows it; the last one's is the piece's tail.
    pauses = [s.pause_after_ms for s in segments[:-1]] + [tail_ms] if segments else []
    stream = mix.stream(lead_ms, zip(voices, pauses, strict=True), aim)
    metered = encode_mp3(
        stream,
        rate,
        path,
        bitrate=encoding.bitrate,
        output_rate=encoding.sample_rate,
        levelling=Levelling(limit=loudness.limiter_ceiling(encoding.true_peak - lower_db)),
        info_frame=False,
    )
    assert metered is not None  # a levelled encode is always measured
    return metered, mix, codec_gain


class _Mix:
    """A piece's mix as it streams to the encoder, counting its frames as it goes:
    where each clip's speech starts and ends, in frames of the mix."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.frames = 0
        self.speech: list[tuple[int, int]] = []

    def silence(self, ms: int) -> bytes:
        count = round(ms * self.rate / 1000)
        self.frames += count
        return bytes(4 * count)

    def stream(
        self,
        lead_ms: int,
        clips: Iterable[tuple[tuple[AudioSegment, Audio], int]],
        aim: float,
    ) -> Iterator[bytes]:
        """The mix as float PCM: the lead, then each clip levelled to ``aim`` and its pause."""
        yield self.silence(lead_ms)
        for (voice, audio), pause_ms in clips:
            if voice.frame_rate != self.rate:
                voice = voice.set_frame_rate(self.rate)
            yield _levelled(voice, loudness.gain_db(audio.loudness, aim))
            length = int(voice.frame_count())
            self.speech.append((self.frames, self.frames + length))
            self.frames += length
            yield self.silence(pause_ms)


def joined(pieces: Sequence[Piece], segments: Sequence[Segment]) -> Rendered:
    """The timing and loudness of the episode that ``pieces``, put end to end, make.

    ``segments`` are everything the pieces say, in order. Chapters follow the
    segments' articles: an article's chapter runs from its first word up to the next
    article's first word (the first from the very start), so the chapters cover the
    episode without gaps, as players expect.
    """
    if not pieces:
        raise ValueError("an episode needs at least one piece")
    rate = pieces[0].sample_rate
    speech: list[tuple[int, int]] = []
    offset = 0
    for piece in pieces:
        speech.extend((offset + start, offset + end) for start, end in piece.speech)
        offset += piece.samples
    starts: dict[int, int] = {}
    for segment, (start, _end) in zip(segments, speech, strict=True):
        starts.setdefault(segment.article, start)
    firsts = [starts[a] for a in sorted(starts)]
    if firsts:
        firsts[0] = 0  # the first chapter holds the opening too
    ends = [*firsts[1:], offset]
    level = loudness.integrated_from_blocks([b for piece in pieces for b in piece.blocks])
    return Rendered(
        chapters_ms=tuple(
            (_frames_ms(s, rate), _frames_ms(e, rate)) for s, e in zip(firsts, ends, strict=True)
        ),
        duration_ms=_frames_ms(offset, rate),
        speech_ms=tuple((_frames_ms(s, rate), _frames_ms(e, rate)) for s, e in speech),
        loudness=None
        if level is None
        else Loudness(level, max(piece.true_peak for piece in pieces)),
    )
