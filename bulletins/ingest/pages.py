"""Pages: a fetched web page becomes a draft article (title, paragraphs, date, language)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html

from bulletins.errors import SourceError
from bulletins.ingest.fetch import (
    Response,
    decode_html,
)
from bulletins.profiles.languages import known

_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.IGNORECASE)
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt")


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


def _lines(text: str) -> list[str]:
    return [line for line in (_squash(part) for part in text.split("\n")) if line]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
