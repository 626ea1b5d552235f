"""The values that flow through the pipeline: article → script → clips → episode."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


@dataclass(frozen=True)
class Article:
    """One article file, read and cleaned, ready to be spoken."""

    path: Path
    """The file it was read from."""
    stem: str
    """The name shared by translations of the same article (``assembly`` for ``assembly.it.txt``)."""
    headline: str
    paragraphs: tuple[str, ...]
    """Body paragraphs, in order, each on one line, page debris removed."""
    language: str | None = None
    """ISO 639-1 code; None until declared or identified."""
    language_source: str = ""
    """Where the language came from: ``file name``, ``front matter`` or ``detected``."""
    date: str | None = None
    """ISO 8601 date (or year-month) of publication, when known."""
    author: str | None = None
    summary: str | None = None
    paragraph_languages: tuple[str | None, ...] = ()
    """Per paragraph, its language when it is not the article's; empty when none differs."""

    @property
    def text(self) -> str:
        """The headline and the body as plain text, paragraphs separated by blank lines."""
        return "\n\n".join((self.headline, *self.paragraphs))


@dataclass(frozen=True)
class Edition:
    """A folder of articles published together."""

    slug: str
    """Safe ASCII name used for output folders and files."""
    title: str
    date: str | None
    path: Path
    articles: tuple[Article, ...] = ()


class EpisodeKind(StrEnum):
    """What an episode is: an edition's articles in one language, or one article alone."""

    BULLETIN = "bulletin"
    ARTICLE = "article"


class SegmentKind(StrEnum):
    """What a piece of speech is, which decides the pause that follows it."""

    HEADLINE = "headline"
    SENTENCE = "sentence"
    CLAUSE = "clause"
    """Part of a sentence too long for the engine; a sentence ends with its last clause."""
    ANNOUNCEMENT = "announcement"
    """Said by the bulletin, not the article: its opening, "Article 2 of 5", its closing."""


@dataclass(frozen=True)
class Segment:
    """One piece of text spoken in one engine call."""

    text: str
    """The text as written, for tags and transcripts; a sentence spoken in parts has it on its first part."""
    spoken: str
    """The text as handed to the engine (markup removed, links shortened)."""
    kind: SegmentKind
    article: int
    """Index of the article in its episode."""
    paragraph: int
    """Index of the paragraph in its article; -1 for the headline."""
    sentence: int
    """Index of the sentence in its article; clauses of one sentence share it."""
    pause_after_ms: int
    """Silence that follows this segment in the bulletin."""
    language: str | None = None
    """The language whose voice speaks it, when not the bulletin's (a Latin name in Arabic)."""


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit little-endian PCM."""

    pcm: bytes = field(repr=False)
    sample_rate: int
    loudness: float | None = None
    """BS.1770 integrated loudness in LUFS (dual-mono), when measured; None for silence."""

    @property
    def duration_ms(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate * 1000


@dataclass(frozen=True)
class Chapter:
    """A span of the bulletin, one per article."""

    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Episode:
    """One bulletin: the articles of one edition in one language, as written to disk."""

    edition: Edition
    language: str
    articles: tuple[Article, ...]
    path: Path
    duration_ms: int
    chapters: tuple[Chapter, ...]
    engine: str
    voice: str
    """The engine and voice that spoke it, as the tags say."""
    spoken_text: str
    narrator: str = ""
    """The voices that read it, as the feeds name them (no notes)."""
    rebuilt: bool = True
    """False when the file was already up to date and left as it was."""
    kind: EpisodeKind = EpisodeKind.BULLETIN
    words: int = 0
    """Words spoken in it, announcements included; 0 in scripts without spaces between words."""
    rate_target: tuple[int, int] = (0, 0)
    """The rate its language should be heard at, (lowest, highest) words a minute."""
    title: str = ""
    """Its title, as its tags and its feed item give it."""
    description: str = ""
    date: str | None = None
    """ISO 8601 date of publication, when known."""
    loudness: Loudness | None = None
    """Integrated loudness and true peak, as measured when it was encoded."""

    @property
    def words_per_minute(self) -> float:
        """The speaking rate a listener hears, pauses included."""
        return self.words / (self.duration_ms / 60_000) if self.duration_ms else 0.0

    @property
    def rate_verdict(self) -> str:
        """``slow`` or ``fast`` for a rate outside its target; empty within it, or unknown."""
        low, high = self.rate_target
        if not self.words or not high:
            return ""
        rate = round(self.words_per_minute)
        return "slow" if rate < low else "fast" if rate > high else ""


@dataclass(frozen=True)
class Piece:
    """A stretch of an episode encoded on its own, and what was measured of it.

    A piece is whole MP3 frames with no Xing/LAME frame, so pieces encoded alike are
    joined into an episode by putting their bytes end to end: an article is encoded
    once and heard both in its bulletin and in its own episode.
    """

    frames: int
    samples_per_frame: int
    sample_rate: int
    speech: tuple[tuple[int, int], ...]
    """(start, end) of each segment's speech, in samples from the piece's first sample
    as a decoder plays it (the encoder's delay included)."""
    blocks: tuple[float, ...]
    """The loudness of its 400 ms blocks as delivered, LUFS."""
    true_peak: float
    """dBTP."""

    @property
    def samples(self) -> int:
        return self.frames * self.samples_per_frame


class Stage(StrEnum):
    """The stage of a build a problem arose in, in the order they run."""

    READ = "read"
    """Reading an article file and telling its language."""
    PLAN = "plan"
    """Choosing its voice and scripting what is said."""
    SPEAK = "speak"
    """Speaking the articles' clips."""
    ANNOUNCE = "announce"
    """Speaking the openings, announcements and closings."""
    ASSEMBLE = "assemble"
    """Encoding and writing the episodes."""
    CHECK = "check"
    """Proof-listening to the episodes written (``build --check``)."""
    PUBLISH = "publish"
    """Recording the history and rewriting the feeds and pages."""


@dataclass(frozen=True)
class Problem:
    """Something a stage could not do (an error) or did with a caveat (a warning)."""

    stage: Stage
    message: str
    """The one line a person reads; it names the file itself."""
    path: Path | None = None
    """The file it concerns: an article, an episode or an output; None when none."""
    warning: bool = False
    """The stage did its work, with a caveat; otherwise the work it names was not done."""

    def __str__(self) -> str:
        return self.message


def clock(ms: float) -> str:
    """A duration as ``m:ss`` (or ``h:mm:ss``), in whole seconds elapsed, as players count it.

    The one way bulletins shows a duration: the build's summary and the listening
    pages agree (a 59.6 s episode is ``0:59`` in both, as a player's clock shows it).
    """
    seconds = int(ms // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass(frozen=True)
class Loudness:
    """What an EBU R128 meter reports for one file."""

    integrated: float
    """Integrated loudness, LUFS (a mono file as dual-mono)."""
    true_peak: float
    """Highest true peak, dBTP."""

    def describe(self) -> str:
        return f"{self.integrated:.1f} LUFS, {self.true_peak:.1f} dBTP"


@dataclass
class Stats:
    """What synthesis did, for the build summary."""

    spoken: int = 0
    """Segments spoken (cache misses)."""
    cached: int = 0
    """Segments found in the cache."""
    retries: int = 0
    failed: int = 0
    peak_in_flight: int = 0
    lowest_limit: int | None = None
    seconds: float = 0.0
    """Wall time spent speaking."""


@dataclass(frozen=True)
class ClusterStats:
    """What a Dask cluster did for a build (``build --cluster``)."""

    address: str
    """The scheduler's address."""
    workers: int
    """Worker processes when the build started."""
    tasks: int
    """Tasks the build gave the cluster (batches of clips, pieces)."""
    retried: int
    """Tasks run again because the worker running them died."""


@dataclass(frozen=True)
class TalkingBook:
    """The books made of one bulletin, as the summary lists them."""

    edition: str
    language: str
    daisy: Path
    """The DAISY 2.02 zip (its folder is beside it, without ``.zip``)."""
    daisy_bytes: int
    epub: Path
    epub_bytes: int
    duration_ms: int
    rebuilt: bool
    """False when every file was already exactly this book."""
