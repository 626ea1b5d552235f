"""What both books' documents are made with: Jinja2 templates, autoescaped, each checked
with lxml to be well-formed XML before it is written, and the clock formats."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from lxml import etree

from bulletins.errors import BookError


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        # Every template is XML: headlines with markup or "&" are text, never markup.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["clock"] = clock
    environment.filters["seconds"] = seconds
    return environment


def render(template: str, **context: object) -> bytes:
    """A document from its template, as UTF-8.

    Raises:
        BookError: it is not well-formed XML (a defect in bulletins, never the input's).
    """
    data = _environment().get_template(template).render(**context).encode("utf-8")
    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise BookError(f"{template}: bulletins wrote it malformed: {exc}") from exc
    return data


def clock(ms: int) -> str:
    """``h:mm:ss.sss``: the clock value of DAISY's ``ncc:totalTime`` and EPUB's ``media:duration``.

    To the millisecond, so that the times of a book's files add up to its total.
    """
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def seconds(ms: int) -> str:
    """``12.345s``: a SMIL clock value in seconds, to the millisecond."""
    return f"{ms // 1000}.{ms % 1000:03d}s"
