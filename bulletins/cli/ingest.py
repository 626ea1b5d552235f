"""`bulletins ingest`: articles from web pages and feeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bulletins.cli.common import ConfigOption, _err, _fail, _out, _settings, documented
from bulletins.errors import BulletinsError
from bulletins.settings import Settings

MaxItemsOption = Annotated[
    int | None,
    documented(
        help="Most items read from one feed (the first, which feeds list newest first).",
        default=Settings.max_feed_items,
    ),
]
FeedTimeoutOption = Annotated[
    float | None,
    documented(
        help="Seconds for one feed, its items' pages included.",
        default=f"{Settings.feed_timeout:g}",
    ),
]


def ingest_command(
    source: Annotated[
        str, typer.Argument(help="An article page or an RSS/Atom feed: its URL, or a saved file.")
    ],
    edition: Annotated[
        str, typer.Option("--edition", help="The edition folder the articles go into.")
    ],
    content_dir: Annotated[
        Path | None,
        documented("--content", help="Folder of editions.", default=Settings.content_dir),
    ] = None,
    allow_private: Annotated[
        bool | None,
        documented(
            "--allow-private/--public-only",
            help="Fetch from loopback and private networks too (an intranet).",
            default="public only",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        documented(help="Seconds allowed for each page or feed.", default=f"{Settings.timeout:g}"),
    ] = None,
    max_bytes: Annotated[
        int | None,
        documented(help="Largest page or feed fetched, in bytes.", default=Settings.max_page_bytes),
    ] = None,
    max_items: MaxItemsOption = None,
    feed_timeout: FeedTimeoutOption = None,
    config: ConfigOption = None,
) -> None:
    """Bring articles in from the web: a page becomes one article, a feed one per item.

    Articles are written to CONTENT/EDITION as Markdown with front matter, the format
    'build' reads. Ingesting a feed again adds only new items and rewrites changed ones.
    Exits 1 when any item failed (the others are still written), 2 when the source
    itself could not be read.
    """
    from rich.markup import escape

    from bulletins import options

    settings = _settings(
        config,
        content_dir=content_dir,
        allow_private=allow_private,
        timeout=timeout,
        max_page_bytes=max_bytes,
        max_feed_items=max_items,
        feed_timeout=feed_timeout,
    )
    from bulletins.ingest.source import ingest

    out, err = _out(), _err()
    try:
        report = ingest(source, edition, settings.content_dir, options.fetch_options(settings))
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc
    for item in report.items:
        out.print(
            f"{item.status:9} {item.path} ({item.language or 'language to detect'}) {item.title}",
            highlight=False,
            markup=False,
        )
    for note in report.notes:
        err.print(f"[yellow]warning:[/yellow] {escape(note)}")
    for error in report.errors:
        err.print(f"[red]error:[/red] {escape(error)}")
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("added", "updated", "unchanged"))
    failed = f"; {len(report.errors)} failed" if report.errors else ""
    out.print(f"{report.edition}: {counts}{failed}", highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)
