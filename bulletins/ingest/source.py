"""Ingesting: a web page or an RSS/Atom feed of articles becomes article files in an edition.

Each article is written as Markdown with YAML front matter (title, date, author,
language, source, guid), the format ``build`` reads. The guid (a feed item's id, or
the page's address) ties a file to its source, so ingesting the same feed again
adds only new items and rewrites only changed ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bulletins.errors import SourceError
from bulletins.ingest.articles import Ingested, Status, write_articles
from bulletins.ingest.fetch import (
    FEED_TYPES,
    HTML_TYPES,
    FetchOptions,
    Response,
    fetch,
)
from bulletins.ingest.items import FeedRead, feed_drafts, is_feed
from bulletins.ingest.pages import page_draft

_EDITION_NAME = re.compile(r"^[\w][\w.-]*$")


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did."""

    edition: Path
    items: list[Ingested] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """One line per item that could not be ingested; the others still were."""
    notes: list[str] = field(default_factory=list)
    """Items left unread on purpose (more than the feed's bound)."""

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
    response = _load(source, options)
    read = feed_drafts(response, options) if is_feed(response) else FeedRead([page_draft(response)])
    items, unwritten = write_articles(read.drafts, content_dir / edition)
    return IngestReport(content_dir / edition, items, read.errors + unwritten, read.notes)


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
