"""Feed items: each item of an RSS or Atom feed becomes a draft, from its full text or its page."""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from bulletins.errors import SourceError
from bulletins.ingest.fetch import (
    HTML_TYPES,
    FetchOptions,
    Response,
    fetch,
)
from bulletins.ingest.pages import Draft, _language_code, _squash, fragment_paragraphs, page_draft

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b")


def is_feed(response: Response) -> bool:
    """True for an RSS or Atom feed, whatever type the server gave it."""
    if response.media_type in HTML_TYPES:
        return False
    return _FEED_ROOT.search(response.data[:2048]) is not None


@dataclass
class FeedRead:
    """What one feed gave: a draft per item read, and a line per item that was not."""

    drafts: list[Draft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Items that could not be read, or were not reached before the feed's time ran out."""
    notes: list[str] = field(default_factory=list)
    """Items left unread on purpose: more than ``max_items``."""


def feed_drafts(response: Response, options: FetchOptions) -> FeedRead:
    """One draft per feed item (its full text from the feed, or else from its page), within
    the feed's bounds: at most ``max_items`` items, and ``feed_timeout`` for them all."""
    import feedparser

    deadline = time.monotonic() + options.feed_timeout

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
    read = FeedRead()
    entries = parsed.entries[: options.max_items]
    if len(parsed.entries) > options.max_items:
        read.notes.append(
            f"{response.url}: has {len(parsed.entries)} items; the first {options.max_items} "
            "were read (max_feed_items)"
        )
    for number, entry in enumerate(entries, 1):
        left = deadline - time.monotonic()
        if left <= 0:
            read.errors.append(
                f"{response.url}: items {number} to {len(entries)} were not read: the feed's "
                f"{options.feed_timeout:g} s (feed_timeout) ran out; ingest again to read them"
            )
            break
        # A relative link is relative to the feed (feeds in the wild have them).
        link = urljoin(response.url, entry["link"]) if entry.get("link") else None
        guid = entry.get("id") or link
        label = f"{response.url}: item {number} ({_squash(entry.get('title', '')) or 'untitled'})"
        if not guid:
            read.errors.append(
                f"{label}: has neither a guid nor a link, so it cannot be told apart"
            )
            continue
        if guid in seen:
            continue
        seen.add(guid)
        # A page fetched for an item has what is left of the feed's time, at most.
        bounded = dataclasses.replace(options, timeout=min(options.timeout, left))
        try:
            draft = _entry_draft(entry, guid, link, response, feed_language, bounded)
        except SourceError as exc:
            read.errors.append(f"{label}: {exc}")
        else:
            read.drafts.append(
                draft if draft.author else dataclasses.replace(draft, author=feed_author)
            )
    return read


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


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        if entry.get(key):
            return time.strftime("%Y-%m-%d", entry[key])
    return None
