"""The talking book: one internal model of an edition in one language, which the DAISY 2.02
and the EPUB 3 writers both read.

A book is made of sections: the opening (the book's title, spoken by the bulletin's
opening announcement) and one per article. Each section has one MP3, joined from the
very pieces the bulletin is joined from, so the book says exactly what the bulletin
says, and every sentence is timed to the sample the pieces recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path

from bulletins.model import Piece, Segment, SegmentKind


@dataclass(frozen=True)
class Stretch:
    """One encoded piece of the bulletin and what it says."""

    segments: tuple[Segment, ...]
    piece: Piece
    frames: bytes = field(repr=False)
    """Its MP3 frames (no tag, no Xing frame)."""


@dataclass(frozen=True)
class Sentence:
    """One sentence (or announcement, or headline) and where its speech lies in its section's MP3."""

    number: int
    """1-based, in reading order across the book: its ids are made from it."""
    text: str
    clip: tuple[int, int] | None
    """(begin, end) in milliseconds of its section's MP3; None when it is not spoken."""

    @property
    def text_id(self) -> str:
        """The id of its text in the content document."""
        return f"t{self.number:04d}"

    @property
    def par_id(self) -> str:
        """The id of its ``par`` in the section's SMIL file."""
        return f"p{self.number:04d}"


@dataclass(frozen=True)
class Paragraph:
    sentences: tuple[Sentence, ...]

    @property
    def label(self) -> Sentence:
        """What the table of contents shows for it: its first sentence."""
        return self.sentences[0]


class SectionKind(StrEnum):
    OPENING = "opening"
    """The book's title and the opening announcements."""
    ARTICLE = "article"


@dataclass(frozen=True)
class Section:
    """One SMIL file, one content document and one MP3: the opening, or an article."""

    number: int
    kind: SectionKind
    heading: Sentence
    before: tuple[Sentence, ...]
    """Spoken before the heading: "Article 2 of 5"."""
    paragraphs: tuple[Paragraph, ...]
    after: tuple[Sentence, ...]
    """Spoken after the body: the opening's count of articles, the closing."""
    audio: bytes = field(repr=False)
    duration_ms: int
    elapsed_ms: int
    """The duration of the sections before it."""

    @property
    def name(self) -> str:
        """The stem of its files (``s02.smil``, ``s02.html``, ``s02.mp3``): lower-case
        ASCII, sorting in reading order, as hardware players need."""
        return f"s{self.number:02d}"

    def sentences(self) -> Iterator[Sentence]:
        """Everything in it, in reading order."""
        yield from self.before
        yield self.heading
        for paragraph in self.paragraphs:
            yield from paragraph.sentences
        yield from self.after


class Direction(StrEnum):
    LTR = "ltr"
    RTL = "rtl"


@dataclass(frozen=True)
class BookInfo:
    """What a book says about itself, besides its sections."""

    stem: str
    """The base name of its files: ``<edition>.<language>``."""
    identifier: str
    """``urn:uuid:…``, the same on every build of this edition and language, and only theirs."""
    title: str
    fallback_heading: str
    """The heading of an article without a headline: the edition's title."""
    language: str
    """BCP 47 / ISO 639-1 code, as ``lang`` takes it."""
    direction: Direction
    date: str
    """ISO 8601 (YYYY-MM-DD)."""
    publisher: str
    narrator: str
    """The voices that read it."""
    generator: str
    summary: str
    """The accessibility summary, in ``summary_language``."""
    summary_language: str
    contents: str = "Contents"
    """The heading of its table of contents, in its language."""


@dataclass(frozen=True)
class Book(BookInfo):
    """One edition in one language, as a talking book: what it says about itself, and its sections."""

    sections: tuple[Section, ...] = ()

    @property
    def duration_ms(self) -> int:
        return sum(section.duration_ms for section in self.sections)

    @property
    def depth(self) -> int:
        """Heading levels: the title, the articles, their paragraphs."""
        if any(s.paragraphs for s in self.sections if s.kind is SectionKind.ARTICLE):
            return 3
        return 2 if any(s.kind is SectionKind.ARTICLE for s in self.sections) else 1


def identifier(publisher: str, series: str, edition: str, language: str) -> str:
    """A stable identifier per edition and language: a player that sees an identifier it
    holds replaces that book, so it must never repeat across editions or languages."""
    name = "\N{UNIT SEPARATOR}".join(("bulletins", publisher, series, edition, language))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def book_date(*dates: str | None) -> str:
    """The first known date as YYYY-MM-DD (a year-month is its first day); 2000-01-01 when none.

    A fixed fallback, not the build's time: the same input makes the same book.
    """
    for value in dates:
        if value and len(value) >= 7 and value[:4].isdigit():
            return value[:10] if len(value) >= 10 else f"{value[:7]}-01"
    return "2000-01-01"


def _ms(samples: int, rate: int) -> int:
    return round(samples * 1000 / rate)


@dataclass
class _Spoken:
    """A sentence being gathered from its segments, in samples of its section."""

    key: tuple[int, int]
    kind: SegmentKind
    paragraph: int
    text: str
    begin: int
    end: int


def _gathered(stretches: Sequence[Stretch]) -> tuple[list[_Spoken], int, int]:
    """The sentences of consecutive stretches (a sentence's parts joined, as its cue is),
    timed from the first stretch's first sample; the stretches' samples and rate."""
    found: list[_Spoken] = []
    offset = 0
    rate = stretches[0].piece.sample_rate if stretches else 44100
    for stretch in stretches:
        speech = stretch.piece.speech
        for segment, (start, end) in zip(stretch.segments, speech, strict=True):
            key = (segment.article, segment.sentence)
            if found and found[-1].key == key:
                last = found[-1]
                last.end = offset + end
                last.text = f"{last.text} {segment.text}" if segment.text else last.text
            else:
                found.append(
                    _Spoken(
                        key,
                        segment.kind,
                        segment.paragraph,
                        segment.text,
                        offset + start,
                        offset + end,
                    )
                )
        offset += stretch.piece.samples
    return found, offset, rate


def _is_article(stretch: Stretch) -> bool:
    return any(s.kind is not SegmentKind.ANNOUNCEMENT for s in stretch.segments)


def grouped(stretches: Sequence[Stretch]) -> list[list[Stretch]]:
    """The stretches of each section, in order: what comes before the first article is the
    opening; what comes between two articles (the announcement "Article 2 of 5", or a
    pause) begins the next article's section; the closing ends the last one."""
    articles = [n for n, s in enumerate(stretches) if _is_article(s)]
    if not articles:
        return [list(stretches)] if stretches else []
    # The opening is there even when nothing is said before the first article (a
    # language without announcements): a book starts with its title.
    groups = [list(stretches[: articles[0]])]
    starts = [articles[0], *(n + 1 for n in articles[:-1])]
    ends = [*(n + 1 for n in articles[:-1]), len(stretches)]
    groups += [list(stretches[a:b]) for a, b in zip(starts, ends, strict=True)]
    return groups


def make_book(info: BookInfo, stretches: Sequence[Stretch]) -> Book:
    """The book that these stretches of a bulletin, in its order, make."""
    sections: list[Section] = []
    elapsed = 0
    for number, group in enumerate(grouped(stretches), 1):
        spoken, samples, rate = _gathered(group)
        timed = [(s, Sentence(0, s.text, (_ms(s.begin, rate), _ms(s.end, rate)))) for s in spoken]
        audio = b"".join(s.frames for s in group)
        section = _section(number, any(_is_article(s) for s in group), timed, info, audio)
        duration = _ms(samples, rate)
        sections.append(replace(section, duration_ms=duration, elapsed_ms=elapsed))
        elapsed += duration
    details = {f.name: getattr(info, f.name) for f in fields(BookInfo)}
    return Book(**details, sections=tuple(_numbered(sections)))


def _section(
    number: int,
    article: bool,
    sentences: Sequence[tuple[_Spoken, Sentence]],
    info: BookInfo,
    audio: bytes,
) -> Section:
    """One section from its sentences: the heading is the headline (an article's) or the
    first announcement (the opening's)."""
    if not article:
        if sentences:
            heading, rest = sentences[0][1], tuple(s for _, s in sentences[1:])
        else:
            heading, rest = Sentence(0, info.title, None), ()
        return Section(number, SectionKind.OPENING, heading, (), (), rest, audio, 0, 0)
    body = [n for n, (s, _) in enumerate(sentences) if s.kind is not SegmentKind.ANNOUNCEMENT]
    first, last = body[0], body[-1]
    middle = sentences[first : last + 1]
    if middle[0][0].kind is SegmentKind.HEADLINE:
        heading, middle = middle[0][1], middle[1:]
    else:
        heading = Sentence(0, info.fallback_heading, None)
    paragraphs: list[Paragraph] = []
    current: int | None = None
    for spoken, sentence in middle:
        if paragraphs and spoken.paragraph == current:
            paragraphs[-1] = Paragraph((*paragraphs[-1].sentences, sentence))
        else:
            paragraphs.append(Paragraph((sentence,)))
        current = spoken.paragraph
    return Section(
        number,
        SectionKind.ARTICLE,
        heading,
        tuple(s for _, s in sentences[:first]),
        tuple(paragraphs),
        tuple(s for _, s in sentences[last + 1 :]),
        audio,
        0,
        0,
    )


def _numbered(sections: Sequence[Section]) -> Iterator[Section]:
    """The sections with their sentences numbered 1, 2, 3… in reading order."""
    numbers = iter(range(1, 10**7))

    def again(sentence: Sentence) -> Sentence:
        return replace(sentence, number=next(numbers))

    for section in sections:
        yield replace(
            section,
            before=tuple(again(s) for s in section.before),
            heading=again(section.heading),
            paragraphs=tuple(
                Paragraph(tuple(again(s) for s in p.sentences)) for p in section.paragraphs
            ),
            after=tuple(again(s) for s in section.after),
        )


def book_files(folder: Path, stem: str) -> dict[str, Path]:
    """Where an edition's books go, beside its bulletin: the DAISY folder and zip, the EPUB."""
    return {
        "daisy": folder / f"{stem}.daisy",
        "zip": folder / f"{stem}.daisy.zip",
        "epub": folder / f"{stem}.epub",
    }
