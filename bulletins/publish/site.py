"""The listening site: static pages a council can host as they are, written from the history.

``index.html`` lists the languages, each named in its own language; ``<lang>.html``
plays the newest bulletin in that language and lists the bulletins and articles,
newest first, ``PAGE_SIZE`` of each to a page (``<lang>-2.html`` and on for older ones);
each episode also gets a page beside its MP3, written again only when what it shows
has changed. Every page works without
JavaScript (the native player, and links to the MP3 at a time for every jump); the
one script, ``site.js``, makes chapters and sentences jump the player and highlights
the sentence being spoken. Nothing is loaded from another site.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2

from bulletins.atomic import write_text_atomic
from bulletins.episodes.transcripts import read_webvtt
from bulletins.model import EpisodeKind, Problem, Stage, clock
from bulletins.profiles import languages
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish import podcast
from bulletins.publish.history import Record
from bulletins.publish.manifest import Manifest, digest, file_stamp
from bulletins.publish.options import PublishOptions
from bulletins.text.segment import spoken_date

Written = tuple[list[Path], list[Problem]]
"""The files a step wrote, and its problems."""

STATIC = ("site.css", "site.js")
PAGE_SIZE = 50
"""Bulletins, and articles, on one page of a language's listing: a page a screen reader
reads through in a minute, whatever the length of the history."""

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
    "chapters": "Chapters",
    "transcript": "Transcript",
    "skip_transcript": "Skip past the transcript",
    "follow": "Keep the spoken sentence in view",
    "download": "Download",
    "download_audio": "Audio (MP3, {size})",
    "download_vtt": "Transcript (WebVTT)",
    "download_srt": "Transcript (SRT)",
    "subscribe": "Subscribe",
    "subscribe_hint": "Copy a feed's address into your podcast app.",
    "feed_bulletins": "Bulletins feed (RSS)",
    "feed_articles": "Articles feed (RSS)",
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


def words(profile: Profile) -> dict[str, str]:
    """The page's words in the profile's language, English where it has none."""
    return {**ENGLISH, **profile.page}


def direction(language: str) -> str:
    return languages.direction(language)


def page_path(record: Record) -> str:
    """An episode's page, beside its MP3 (relative to the output folder)."""
    return posixpath.splitext(record.audio)[0] + ".html"


def _href(target: str, page: str) -> str:
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
class Contents:
    """What an episode's sidecar files say: its chapters and its timed transcript."""

    chapters: tuple[Jump, ...]
    transcript: tuple[Section, ...]


_NO_CONTENTS = Contents((), ())
"""What a listing needs of an episode's files: nothing (it shows the record)."""


def read_contents(out_dir: Path, record: Record) -> Contents:
    chapters = _chapters(out_dir, record)
    return Contents(chapters, _transcript(out_dir, record, chapters))


def view(record: Record, contents: Contents, page: str, profile: Profile) -> EpisodeView:
    """An episode for a page at ``page`` (relative to the output folder)."""
    return EpisodeView(
        record=record,
        audio=_href(record.audio, page),
        vtt=_href(record.vtt, page),
        srt=_href(record.srt, page),
        page=_href(page_path(record), page),
        date=profile.numerals(spoken_date(record.published, profile)),
        duration=profile.numerals(clock(record.duration_ms)),
        size=profile.numerals(_size(record.bytes)),
        count=profile.numerals(len(contents.chapters)),
        chapters=contents.chapters,
        transcript=contents.transcript,
    )


def _read(out_dir: Path, record: Record) -> tuple[Contents | None, list[Problem]]:
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


def _written_feeds(out_dir: Path, language: str) -> list[tuple[str, str]]:
    """(kind, path) of each feed written for the language."""
    paths = [(kind, podcast.feed_path(language, kind)) for kind in podcast.KINDS]
    return [(kind, path) for kind, path in paths if (out_dir / path).is_file()]


def _links(
    feeds: Sequence[tuple[str, str]], page: str, base_url: str
) -> list[tuple[str, str, str]]:
    """(kind, link from the page, address to paste) of each of the language's feeds."""
    root = base_url.rstrip("/")
    return [(kind, _href(path, page), f"{root}/{path}" if base_url else "") for kind, path in feeds]


def write_site(
    out_dir: Path,
    profiles: Mapping[str, Profile],
    options: PublishOptions,
    complete: Sequence[Record],
) -> Written:
    """Write the index, a listing per language and a page per episode.

    An episode's page is written only when what it shows has changed (see ``manifest``).
    An episode whose chapters or transcript cannot be read is left off the pages, with
    a problem naming the file, and every other page is still written.

    Returns:
        The pages written, and the problems.
    """
    manifest = Manifest(out_dir)
    written: list[Path] = []
    problems: list[Problem] = []
    for name in STATIC:
        source = Path(__file__).parent / "static" / name
        write_text_atomic(out_dir / name, source.read_text(encoding="utf-8"))
        written.append(out_dir / name)
    entries = []
    for language in sorted({r.language for r in complete}):
        profile = profile_for(language, profiles)
        records = [r for r in complete if r.language == language]
        shown, pages, found = _episode_pages(out_dir, profile, records, options, manifest)
        written += pages
        problems += found
        if shown:
            entries.append(_index_entry(language, profile, shown, options.bulletin))
            written += _language_pages(out_dir, profile, shown, options)
    manifest.save()
    english = profile_for("en", profiles)
    index = render(
        "index.html",
        entries=entries,
        language=english.language,
        dir=direction(english.language),
        t=words(english),
        bulletin=options.bulletin,
        publisher=options.publisher,
        root="",
        title=options.bulletin,
    )
    write_text_atomic(out_dir / "index.html", index)
    written.append(out_dir / "index.html")
    return written, problems


def _context(profile: Profile, options: PublishOptions) -> dict[str, object]:
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


def _episode_pages(
    out_dir: Path,
    profile: Profile,
    records: Sequence[Record],
    options: PublishOptions,
    manifest: Manifest,
) -> tuple[list[Record], list[Path], list[Problem]]:
    """Write each episode's page whose material changed; return the episodes the pages
    show (those whose files can be read), the pages written and the problems."""
    context = _context(profile, options)
    base_url = options.base_url or ""
    written_feeds = _written_feeds(out_dir, profile.language)
    # What every page in the language shares, digested once rather than once a page.
    shared = digest(repr(profile), sorted(context.items(), key=str), written_feeds, base_url)
    shown: list[Record] = []
    written: list[Path] = []
    problems: list[Problem] = []
    for record in records:
        name = page_path(record)
        feeds = _links(written_feeds, name, base_url)
        stamps = [file_stamp(out_dir / p) for p in (record.chapters, record.vtt) if p]
        # Not its 'updated' time: every build that finds an episode up to date records it anew.
        shown_record = dataclasses.replace(record, updated="")
        key = digest(shown_record, stamps, shared)
        if manifest.unchanged(out_dir / name, key, name):
            shown.append(record)
            continue
        contents, found = _read(out_dir, record)
        problems += found
        if contents is None:
            continue
        html = render(
            "episode.html",
            episode=view(record, contents, name, profile),
            feeds=feeds,
            language_page=_href(f"{profile.language}.html", name),
            **{**context, "root": "../" * name.count("/"), "title": record.title},
        )
        write_text_atomic(out_dir / name, html)
        manifest.wrote(name, key)
        written.append(out_dir / name)
        shown.append(record)
    return shown, written, problems


def _index_entry(
    language: str, profile: Profile, records: Sequence[Record], bulletin: str
) -> dict[str, str]:
    """How the index lists one language: its name, its page and its latest edition's date."""
    return {
        "language": language,
        "dir": direction(language),
        "name": profile.name,
        "href": f"{quote(language)}.html",
        "listen": words(profile)["listen_in"].format(language=profile.name, bulletin=bulletin),
        "latest": profile.numerals(spoken_date(records[0].published, profile)) if records else "",
    }


def listing_page(language: str, number: int) -> str:
    """The ``number``th page of a language's listing: ``it.html``, then ``it-2.html``..."""
    return f"{language}.html" if number == 1 else f"{language}-{number}.html"


def _language_pages(
    out_dir: Path, profile: Profile, records: Sequence[Record], options: PublishOptions
) -> list[Path]:
    """Write a language's listing, ``PAGE_SIZE`` bulletins and articles a page, newest first;
    the first page plays the newest bulletin. Return the pages written."""
    language = profile.language
    context = _context(profile, options)
    bulletins = [r for r in records if r.kind == EpisodeKind.BULLETIN]
    articles = [r for r in records if r.kind == EpisodeKind.ARTICLE]
    count = max(1, -(-max(len(bulletins), len(articles)) // PAGE_SIZE))
    written_feeds = _written_feeds(out_dir, language)
    featured = None
    if bulletins:
        contents, _ = _read(out_dir, bulletins[0])
        if contents is not None:
            featured = view(bulletins[0], contents, listing_page(language, 1), profile)
    written = []
    for number in range(1, count + 1):
        page = listing_page(language, number)
        part = slice((number - 1) * PAGE_SIZE, number * PAGE_SIZE)
        pages = [
            (profile.numerals(n), _href(listing_page(language, n), page), n == number)
            for n in range(1, count + 1)
        ]
        html = render(
            "language.html",
            featured=featured if number == 1 else None,
            bulletins=[view(r, _NO_CONTENTS, page, profile) for r in bulletins[part]],
            articles=[view(r, _NO_CONTENTS, page, profile) for r in articles[part]],
            feeds=_links(written_feeds, page, options.base_url or ""),
            pages=pages if count > 1 else [],
            **context,
        )
        write_text_atomic(out_dir / page, html)
        written.append(out_dir / page)
    # Listing pages past the last one (episodes were removed) would list them still.
    for stale in out_dir.glob(f"{glob.escape(language)}-*.html"):
        suffix = stale.stem.rpartition("-")[2]
        if suffix.isdigit() and int(suffix) > count:
            stale.unlink(missing_ok=True)
    return written
