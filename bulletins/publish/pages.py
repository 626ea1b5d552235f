"""What every page of the listening site is made with: episodes as pages show them, the
page's words in its language, links between the site's files, and the templates.

Every link is relative, so the output folder can be served from anywhere or opened
from the disk; every text is escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2

from bulletins.episodes.transcripts import read_webvtt
from bulletins.model import Problem, Stage, clock
from bulletins.profiles import languages
from bulletins.profiles.profile import Profile
from bulletins.publish import podcast
from bulletins.publish.history import Record, page_path
from bulletins.publish.manifest import digest
from bulletins.publish.options import PublishOptions
from bulletins.text.segment import spoken_date

# The page's words when a profile has no [page] table, or lacks one of them.
ENGLISH = {
    "title": "{bulletin} in {language}",
    "listen_in": "Listen to the news in {language}",
    "skip": "Skip to the main content",
    "languages": "Languages",
    "all_languages": "All languages",
    "on_this_page": "On this page",
    "latest": "Latest bulletin",
    "bulletins": "Bulletins",
    "articles": "Articles",
    "nothing": "Nothing has been published in this language yet.",
    "pages": "Pages",
    "archive": "Archive",
    "archive_title": "{title} ({dates})",
    "dates": "{first} – {last}",
    "newest": "Latest bulletins and articles",
    "newer": "Newer: {dates}",
    "older": "Older: {dates}",
    "chapters": "Chapters",
    "transcript": "Transcript",
    "skip_transcript": "Skip past the transcript",
    "follow": "Keep the spoken sentence in view",
    "download": "Download",
    "download_audio": "Audio (MP3, {size})",
    "download_vtt": "Transcript (WebVTT)",
    "download_srt": "Transcript (SRT)",
    "download_daisy": "Talking book (DAISY 2.02, {size})",
    "download_epub": "Talking book (EPUB 3 read aloud, {size})",
    "books_hint": "For DAISY players and reading apps: move by article, paragraph or sentence, with the text shown as it is read.",
    "subscribe": "Subscribe",
    "subscribe_hint": "Copy a feed's address into your podcast app.",
    "feed_bulletins": "Bulletins feed (RSS)",
    "feed_articles": "Articles feed (RSS)",
    "feed_list": "Every language's feeds in one file, for podcast apps that import a list (OPML)",
    "article_count": "Articles: {count}",
    "duration": "Duration: {duration}",
    "no_audio": "This browser cannot play the audio here; download it instead:",
    "player": "Audio player: {title}",
    "made_by": "Spoken by bulletins. Text and audio: {publisher}.",
}


@dataclass(frozen=True)
class Jump:
    """A place in an episode: a chapter, or a sentence of the transcript."""

    start_s: float
    end_s: float
    text: str

    @property
    def clock(self) -> str:
        return clock(self.start_s * 1000)


@dataclass(frozen=True)
class Section:
    """The transcript's sentences under one chapter (or all of them, without chapters)."""

    title: str
    cues: tuple[Jump, ...]


@dataclass(frozen=True)
class EpisodeView:
    """One episode as a page shows it; links are relative to the page."""

    record: Record
    audio: str
    vtt: str
    srt: str
    page: str
    date: str
    duration: str
    size: str
    count: str
    """How many chapters, in the language's digits."""
    chapters: tuple[Jump, ...]
    transcript: tuple[Section, ...]
    books: tuple[Book, ...] = ()
    """The bulletin's talking books, when it has them."""


def words(profile: Profile) -> dict[str, str]:
    """The page's words in the profile's language, English where it has none."""
    return {**ENGLISH, **profile.page}


def direction(language: str) -> str:
    return languages.direction(language)


def href(target: str, page: str) -> str:
    """A link from one file of the output folder to another, both relative to it.

    Worked out on the paths as strings (``posixpath.relpath`` asks the file system for
    the working folder, once a link, and the pages of a long history have thousands).
    """
    into = target.split("/")
    here = page.split("/")[:-1]
    common = 0
    while common < min(len(here), len(into) - 1) and here[common] == into[common]:
        common += 1
    return quote("/".join([".."] * (len(here) - common) + into[common:]))


def _chapters(out_dir: Path, record: Record) -> tuple[Jump, ...]:
    if not record.chapters:
        return ()
    data = json.loads((out_dir / record.chapters).read_text(encoding="utf-8"))
    return tuple(
        Jump(float(c["startTime"]), float(c.get("endTime", c["startTime"])), str(c["title"]))
        for c in data.get("chapters", [])
    )


def _transcript(out_dir: Path, record: Record, chapters: Sequence[Jump]) -> tuple[Section, ...]:
    cues = [
        Jump(c.start_ms / 1000, c.end_ms / 1000, c.text)
        for c in read_webvtt((out_dir / record.vtt).read_text(encoding="utf-8"))
    ]
    if not chapters:
        return (Section("", tuple(cues)),)
    # The opening (before the first chapter) goes with the first; the closing, with the last.
    starts = [c.start_s for c in chapters[1:]]
    grouped: list[list[Jump]] = [[] for _ in chapters]
    for cue in cues:
        grouped[sum(1 for s in starts if cue.start_s >= s - 0.001)].append(cue)
    return tuple(Section(c.text, tuple(g)) for c, g in zip(chapters, grouped, strict=True))


def _size(bytes_: int) -> str:
    return f"{bytes_ / 1_000_000:.1f} MB"


@dataclass(frozen=True)
class Book:
    """A talking book beside a bulletin, as its page links it."""

    path: str
    """Relative to the output folder."""
    bytes: int
    word: str
    """The page's word for it: ``download_daisy`` or ``download_epub``."""
    type: str
    size: str = ""
    """Its size as the page shows it, in the language's digits."""


# The books `bulletins.books` writes beside a bulletin: the DAISY zip and the EPUB.
BOOK_FILES = (
    (".daisy.zip", "download_daisy", "application/zip"),
    (".epub", "download_epub", "application/epub+zip"),
)


def _books(out_dir: Path, record: Record) -> tuple[Book, ...]:
    stem = record.audio.removesuffix(".mp3")
    found = []
    for suffix, word, kind in BOOK_FILES:
        try:
            size = (out_dir / (stem + suffix)).stat().st_size
        except OSError:
            continue
        found.append(Book(stem + suffix, size, word, kind))
    return tuple(found)


@dataclass(frozen=True)
class Contents:
    """What an episode's sidecar files say: its chapters and its timed transcript."""

    chapters: tuple[Jump, ...]
    transcript: tuple[Section, ...]
    books: tuple[Book, ...] = ()


NO_CONTENTS = Contents((), ())
"""What a listing needs of an episode's files: nothing (it shows the record)."""


def read_contents(out_dir: Path, record: Record) -> Contents:
    chapters = _chapters(out_dir, record)
    return Contents(chapters, _transcript(out_dir, record, chapters), _books(out_dir, record))


def view(record: Record, contents: Contents, page: str, profile: Profile) -> EpisodeView:
    """An episode for a page at ``page`` (relative to the output folder)."""
    return EpisodeView(
        record=record,
        audio=href(record.audio, page),
        vtt=href(record.vtt, page),
        srt=href(record.srt, page),
        page=href(page_path(record), page),
        date=profile.numerals(spoken_date(record.published, profile)),
        duration=profile.numerals(clock(record.duration_ms)),
        size=profile.numerals(_size(record.bytes)),
        count=profile.numerals(len(contents.chapters)),
        chapters=contents.chapters,
        transcript=contents.transcript,
        books=tuple(
            Book(href(b.path, page), b.bytes, b.word, b.type, profile.numerals(_size(b.bytes)))
            for b in contents.books
        ),
    )


def read(out_dir: Path, record: Record) -> tuple[Contents | None, list[Problem]]:
    """An episode's contents; None, with a problem, when its files cannot be read."""
    try:
        return read_contents(out_dir, record), []
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        files = ", ".join(p for p in (record.chapters, record.vtt) if p)
        message = f"{files}: left off the listening pages, unreadable ({exc})"
        return None, [Problem(Stage.PUBLISH, message, out_dir / record.audio, warning=True)]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: object) -> str:
    return _environment().get_template(template).render(**context)


def written_feeds(out_dir: Path, language: str) -> list[tuple[str, str]]:
    """(kind, path) of each feed written for the language."""
    paths = [(kind, podcast.feed_path(language, kind)) for kind in podcast.KINDS]
    return [(kind, path) for kind, path in paths if (out_dir / path).is_file()]


def feed_links(
    feeds: Sequence[tuple[str, str]], page: str, base_url: str
) -> list[tuple[str, str, str]]:
    """(kind, link from the page, address to paste) of each of the language's feeds."""
    root = base_url.rstrip("/")
    return [(kind, href(path, page), f"{root}/{path}" if base_url else "") for kind, path in feeds]


def language_context(profile: Profile, options: PublishOptions) -> dict[str, object]:
    """What every page in a language is rendered with."""
    text = words(profile)
    title = text["title"].format(bulletin=options.bulletin, language=profile.name)
    return {
        "language": profile.language,
        "dir": direction(profile.language),
        "t": text,
        "bulletin": options.bulletin,
        "publisher": options.publisher,
        "root": "",
        "title": title,
        "language_title": title,
    }


@dataclass(frozen=True)
class LanguageSite:
    """What every page in one language shares."""

    profile: Profile
    words: Mapping[str, str]
    """The page's words in the language (``words``)."""
    context: Mapping[str, object]
    """What every page in the language is rendered with."""
    feeds: tuple[tuple[str, str], ...]
    """(kind, path) of each feed written for the language."""
    base_url: str
    shared: str
    """A digest of all the above, worked out once rather than once a page: a change
    to it writes every page in the language again."""


def language_site(out_dir: Path, profile: Profile, options: PublishOptions) -> LanguageSite:
    context = language_context(profile, options)
    feeds = tuple(written_feeds(out_dir, profile.language))
    base_url = options.base_url or ""
    shared = digest(repr(profile), sorted(context.items(), key=str), feeds, base_url)
    return LanguageSite(profile, words(profile), context, feeds, base_url, shared)
