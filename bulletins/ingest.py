"""Ingesting: a web page or an RSS/Atom feed of articles becomes article files in an edition.

Each article is written as Markdown with YAML front matter (title, date, author,
language, source, guid), the format ``build`` reads. The guid (a feed item's id, or
the page's address) ties a file to its source, so ingesting the same feed again
adds only new items and rewrites only changed ones.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import yaml
from lxml import html as lxml_html

from .content import ARTICLE_SUFFIXES, front_matter, slugify
from .errors import ContentError, SourceError
from .fetch import FEED_TYPES, HTML_TYPES, FetchOptions, Response, decode_html, fetch
from .files import write_text_atomic
from .langtable import known

Status = Literal["added", "updated", "unchanged"]

_EDITION_NAME = re.compile(r"^[\w][\w.-]*$")
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b")
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt")
# Characters Markdown reads as markup anywhere in a line, and at the start of one.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>&])")
_BLOCK_START = re.compile(r"^([#>+\-=|])")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")


@dataclass(frozen=True)
class Draft:
    """An article as found on the web, before it is a file."""

    title: str
    paragraphs: tuple[str, ...]
    source: str
    """The address of the page it came from (the feed's, for full text in a feed)."""
    guid: str
    """What identifies it across ingests: the feed item's id, else its address."""
    date: str | None = None
    author: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Ingested:
    """One article file that an ingest wrote or found up to date."""

    path: Path
    status: Status
    title: str
    language: str | None


@dataclass
class IngestReport:
    """What one ingest did."""

    edition: Path
    items: list[Ingested] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """One line per item that could not be ingested; the others still were."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: Status) -> int:
        return sum(item.status == status for item in self.items)


def ingest(source: str, edition: str, content_dir: Path, options: FetchOptions) -> IngestReport:
    """Turn ``source`` (a URL or a local file: an article page, or a feed) into articles of ``edition``.

    Raises:
        SourceError: the source itself cannot be fetched or read; nothing is written.
    """
    if not _EDITION_NAME.match(edition):
        raise SourceError(
            f"'{edition}' cannot be an edition folder name: use letters, digits, '-', '_' and '.'"
        )
    report = IngestReport(edition=content_dir / edition)
    response = _load(source, options)
    if is_feed(response):
        drafts = list(_feed_drafts(response, options, report.errors))
    else:
        drafts = [page_draft(response)]
    _write(drafts, report)
    return report


def _load(source: str, options: FetchOptions) -> Response:
    """Fetch a URL, or read a local file as if it had been fetched."""
    scheme = urlsplit(source).scheme
    # One letter before a colon is a Windows drive ("C:\news.html"), not a scheme.
    if len(scheme) > 1:
        return fetch(source, options, HTML_TYPES + FEED_TYPES)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise SourceError(
                f"{path}: is {size:,} bytes, larger than {options.max_bytes:,}; it is not read"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read: {exc.strerror}") from exc
    return Response(url=str(path), data=data, media_type="", charset=None, language=None)


def is_feed(response: Response) -> bool:
    """True for an RSS or Atom feed, whatever type the server gave it."""
    if response.media_type in HTML_TYPES:
        return False
    return _FEED_ROOT.search(response.data[:2048]) is not None


def page_draft(response: Response, guid: str | None = None) -> Draft:
    """The article on a web page: its headline, date, author, language and main text.

    The text is trafilatura's: navigation, share buttons, cookie notices, comments and
    boxes of other stories are left out.

    Raises:
        SourceError: no article text was found on the page.
    """
    import trafilatura  # loaded only when a page is ingested: it takes a second to import

    text = decode_html(response.data, response.charset)
    document = trafilatura.bare_extraction(
        text,
        url=response.url if "://" in response.url else None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
    )
    lines = _lines(getattr(document, "text", None) or "")
    title = _squash(getattr(document, "title", None) or "") or (lines[0] if lines else "")
    if lines and lines[0] == title:
        lines = lines[1:]  # the headline, which the front matter carries
    if not title or not lines:
        raise SourceError(f"{response.url}: no article text was found on the page")
    return Draft(
        title=title,
        paragraphs=tuple(lines),
        source=response.url,
        guid=guid or response.url,
        date=getattr(document, "date", None),
        author=_squash(getattr(document, "author", None) or "") or None,
        language=_page_language(text, response.language),
    )


def _feed_drafts(response: Response, options: FetchOptions, errors: list[str]) -> Iterator[Draft]:
    """One draft per feed item: its full text from the feed, or else from its page."""
    import feedparser

    headers = {
        "content-type": response.media_type
        + (f"; charset={response.charset}" if response.charset else "")
    }
    parsed: Any = feedparser.parse(response.data, response_headers=headers)
    if not parsed.entries and parsed.get("bozo"):
        raise SourceError(
            f"{response.url}: is not a readable feed ({parsed.get('bozo_exception', 'malformed')})"
        )
    feed_language = _language_code(parsed.feed.get("language"))
    # In Atom an entry without an author has the feed's (RFC 4287, 4.2.1).
    feed_author = _squash(parsed.feed.get("author", "")) or None
    seen: set[str] = set()
    for number, entry in enumerate(parsed.entries, 1):
        # A relative link is relative to the feed (feeds in the wild have them).
        link = urljoin(response.url, entry["link"]) if entry.get("link") else None
        guid = entry.get("id") or link
        label = f"{response.url}: item {number} ({_squash(entry.get('title', '')) or 'untitled'})"
        if not guid:
            errors.append(f"{label}: has neither a guid nor a link, so it cannot be told apart")
            continue
        if guid in seen:
            continue
        seen.add(guid)
        try:
            draft = _entry_draft(entry, guid, link, response, feed_language, options)
            yield draft if draft.author else dataclasses.replace(draft, author=feed_author)
        except SourceError as exc:
            errors.append(f"{label}: {exc}")


def _entry_draft(
    entry: Any,
    guid: str,
    link: str | None,
    response: Response,
    feed_language: str | None,
    options: FetchOptions,
) -> Draft:
    title = _squash(entry.get("title", ""))
    content = next(
        (
            c
            for c in entry.get("content", ())
            if c.get("type") in ("text/html", "application/xhtml+xml")
        ),
        None,
    )
    date = _entry_date(entry)
    author = _squash(entry.get("author", "")) or None
    if content is not None and (paragraphs := fragment_paragraphs(content.get("value", ""))):
        language = _language_code(content.get("language")) or feed_language
        if not title:
            raise SourceError("has full text but no title")
        return Draft(title, paragraphs, link or response.url, guid, date, author, language)
    if not link:
        raise SourceError("has no full text and no link to fetch it from")
    page = page_draft(fetch(link, options, HTML_TYPES), guid=guid)
    return Draft(
        title=title or page.title,
        paragraphs=page.paragraphs,
        source=page.source,
        guid=guid,
        date=date or page.date,
        author=author or page.author,
        language=page.language or feed_language,
    )


def fragment_paragraphs(fragment: str) -> tuple[str, ...]:
    """The paragraphs of an HTML fragment (a feed's full text), one per block element."""
    if not fragment.strip():
        return ()
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    blocks = [
        el for el in root.iter(*_BLOCKS) if not any(a.tag in _BLOCKS for a in el.iterancestors())
    ]
    texts = [el.text_content() for el in blocks] if blocks else [root.text_content()]
    return tuple(p for t in texts for p in _lines(t))


def article_text(draft: Draft) -> str:
    """The Markdown file for a draft: YAML front matter, then one paragraph per line."""
    meta = {
        "title": draft.title,
        "date": draft.date,
        "author": draft.author,
        "language": draft.language,
        "source": draft.source,
        "guid": draft.guid,
    }
    front = yaml.safe_dump(
        {k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False, width=1000
    )
    body = "\n\n".join(markdown_escape(p) for p in draft.paragraphs)
    return f"---\n{front}---\n\n{body}\n"


def markdown_escape(paragraph: str) -> str:
    """Escape what Markdown would read as markup, so the article reads back word for word."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", paragraph)
    return _LIST_NUMBER.sub(r"\1\\\2", _BLOCK_START.sub(r"\\\1", escaped))


def _write(drafts: list[Draft], report: IngestReport) -> None:
    folder = report.edition
    known = _known_guids(folder)
    taken = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    for draft in drafts:
        text = article_text(draft)
        found = known.get(draft.guid)
        if found is None:
            path = folder / _free_name(draft, taken)
            taken.add(path.name)
            status: Status = "added"
        else:
            path, before = found
            status = "unchanged" if before == text else "updated"
        known[draft.guid] = (path, text)
        if status != "unchanged":
            try:
                folder.mkdir(parents=True, exist_ok=True)
                write_text_atomic(path, text)
            except OSError as exc:
                report.errors.append(f"{path}: cannot be written: {exc.strerror or exc}")
                continue
        report.items.append(Ingested(path, status, draft.title, draft.language))


def _known_guids(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each article file with a guid in its front matter, and its text: which files came from which items."""
    known: dict[str, tuple[Path, str]] = {}
    if not folder.is_dir():
        return known
    for path in sorted(folder.iterdir()):
        if path.suffix not in ARTICLE_SUFFIXES or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            meta, _ = front_matter(text, path)
        except (OSError, UnicodeDecodeError, ContentError):
            continue  # not one of ours; build reports it if it is broken
        if meta.get("guid"):
            known.setdefault(str(meta["guid"]), (path, text))
    return known


def _free_name(draft: Draft, taken: set[str]) -> str:
    # Whole words, up to 60 characters: a file name a person can still read.
    # A headline in Arabic script has no ASCII letters to name a file by; the last
    # part of its address usually has ("/news/victims-office-hours").
    path_part = PurePosixPath(urlsplit(draft.source).path).stem
    slug = slugify(draft.title, "") or slugify(path_part, "article")
    stem = ""
    for word in slug.split("-"):
        if stem and len(stem) + 1 + len(word) > 60:
            break
        stem = f"{stem}-{word}" if stem else word
    suffix = f".{draft.language}.md" if draft.language else ".md"
    name, number = stem + suffix, 2
    while name in taken:
        name, number = f"{stem}-{number}{suffix}", number + 1
    return name


def _page_language(text: str, header: str | None) -> str | None:
    """The language a page declares: ``<html lang>``, else the Content-Language header."""
    match = _HTML_LANG.search(text[:8192])
    return _language_code(match.group(1) if match else None) or _language_code(header)


def _language_code(tag: str | None) -> str | None:
    """``it-IT`` → ``it``; None for anything that is not a known ISO 639-1 code."""
    if not tag:
        return None
    code = re.split(r"[-_,; ]", tag.strip().lower(), maxsplit=1)[0]
    return code if len(code) == 2 and known(code) else None


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        if entry.get(key):
            return time.strftime("%Y-%m-%d", entry[key])
    return None


def _lines(text: str) -> list[str]:
    return [line for line in (_squash(part) for part in text.split("\n")) if line]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
