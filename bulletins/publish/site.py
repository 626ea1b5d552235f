"""The listening site: static pages a council can host as they are, written from the history.

``index.html`` lists the languages, each named in its own language; ``<lang>.html``
plays the newest bulletin in that language and lists every bulletin and article,
newest first; each episode also gets a page beside its MP3. Every page works without
JavaScript (the native player, and links to the MP3 at a time for every jump); the
one script, ``site.js``, makes chapters and sentences jump the player and highlights
the sentence being spoken. Nothing is loaded from another site.
"""

from __future__ import annotations

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
from bulletins.publish import history, podcast
from bulletins.publish.history import Record
from bulletins.publish.options import PublishOptions
from bulletins.text.segment import spoken_date

Written = tuple[list[Path], list[Problem]]
"""The files a step wrote, and its problems."""

STATIC = ("site.css", "site.js")

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
    """A link from one file of the output folder to another, both relative to it."""
    relative = posixpath.relpath(target, posixpath.dirname(page) or ".")
    return quote(relative)


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


def _readable(out_dir: Path, records: list[Record]) -> tuple[dict[str, Contents], list[Problem]]:
    """Each whole episode's contents, by guid; one whose files cannot be read is left out."""
    found = {}
    problems = []
    for record in records:
        if not history.complete(out_dir, record):
            continue
        try:
            found[record.guid] = read_contents(out_dir, record)
        except (
            OSError,
            UnicodeDecodeError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as exc:
            files = ", ".join(p for p in (record.chapters, record.vtt) if p)
            problems.append(
                Problem(
                    Stage.PUBLISH,
                    f"{files}: left off the listening pages, unreadable ({exc})",
                    out_dir / record.audio,
                    warning=True,
                )
            )
    return found, problems


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


def _feeds(out_dir: Path, language: str, page: str, base_url: str) -> list[tuple[str, str, str]]:
    """(kind, link from the page, address to paste) of each feed written for the language."""
    found: list[tuple[str, str, str]] = []
    for kind in podcast.KINDS:
        path = podcast.feed_path(language, kind)
        if (out_dir / path).is_file():
            address = f"{base_url.rstrip('/')}/{path}" if base_url else ""
            found.append((kind, _href(path, page), address))
    return found


def write_site(out_dir: Path, profiles: Mapping[str, Profile], options: PublishOptions) -> Written:
    """Write the index, a page per language and a page per episode.

    An episode whose chapters or transcript cannot be read is left off the pages, with
    a problem naming the file, and every other page is still written.

    Returns:
        The pages written, and the problems.
    """
    recorded = history.episodes(out_dir)
    contents, problems = _readable(out_dir, recorded)
    complete = [r for r in recorded if r.guid in contents]
    written = []
    for name in STATIC:
        source = Path(__file__).parent / "static" / name
        write_text_atomic(out_dir / name, source.read_text(encoding="utf-8"))
        written.append(out_dir / name)
    entries = []
    for language in sorted({r.language for r in complete}):
        profile = profile_for(language, profiles)
        records = [r for r in complete if r.language == language]
        entries.append(_index_entry(language, profile, records, options.bulletin))
        written += _language_pages(out_dir, profile, records, contents, options)
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


def _language_pages(
    out_dir: Path,
    profile: Profile,
    records: Sequence[Record],
    contents: Mapping[str, Contents],
    options: PublishOptions,
) -> list[Path]:
    """Write one language's page and a page per episode in it; return the pages written."""
    language = profile.language
    text = words(profile)
    page = f"{language}.html"
    shown = [view(r, contents[r.guid], page, profile) for r in records]
    featured = next((v for v in shown if v.record.kind == EpisodeKind.BULLETIN), None)
    title = text["title"].format(bulletin=options.bulletin, language=profile.name)
    context = {
        "language": language,
        "dir": direction(language),
        "t": text,
        "bulletin": options.bulletin,
        "publisher": options.publisher,
        "root": "",
        "title": title,
        "language_title": title,
    }
    base_url = options.base_url or ""
    html = render(
        "language.html",
        featured=featured,
        bulletins=[v for v in shown if v.record.kind == EpisodeKind.BULLETIN],
        articles=[v for v in shown if v.record.kind == EpisodeKind.ARTICLE],
        feeds=_feeds(out_dir, language, page, base_url),
        **context,
    )
    write_text_atomic(out_dir / page, html)
    written = [out_dir / page]
    for record in records:
        episode_page = page_path(record)
        html = render(
            "episode.html",
            episode=view(record, contents[record.guid], episode_page, profile),
            feeds=_feeds(out_dir, language, episode_page, base_url),
            language_page=_href(page, episode_page),
            **{**context, "root": "../" * episode_page.count("/"), "title": record.title},
        )
        write_text_atomic(out_dir / episode_page, html)
        written.append(out_dir / episode_page)
    return written
