"""A language's listing: a front page of the newest episodes, and an archive of stable pages.

``<lang>.html`` plays the newest bulletin and lists the newest ``PAGE_SIZE`` bulletins
and articles, with a link to every archive page. The archive is numbered from the
oldest: ``<lang>-1.html`` holds the oldest ``PAGE_SIZE`` bulletins and articles,
``<lang>-2.html`` the next, and a page is made once its bulletins or its articles fill
it. So an archive page keeps its address and what it lists as the history grows (a
bookmark or a search engine's link stays good), and a new edition changes the front
page alone, and once every ``PAGE_SIZE`` editions makes an archive page and links the
one before to it. A page is written only when what it lists has changed.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping, Sequence
from pathlib import Path

from bulletins.atomic import write_text_atomic
from bulletins.model import EpisodeKind
from bulletins.publish.history import Record
from bulletins.publish.manifest import Manifest, digest
from bulletins.publish.pages import (
    NO_CONTENTS,
    LanguageSite,
    feed_links,
    href,
    read,
    render,
    view,
)
from bulletins.text.segment import spoken_date

PAGE_SIZE = 50
"""Bulletins, and articles, on one page of a language's listing: a page a screen reader
reads through in a minute, whatever the length of the history."""


def listing_page(language: str, number: int) -> str:
    """The front page (``number`` 0: ``it.html``) or an archive page (``it-1.html``...)."""
    return f"{language}.html" if number == 0 else f"{language}-{number}.html"


def archive_size(bulletins: int, articles: int) -> int:
    """How many archive pages: one for each ``PAGE_SIZE`` of bulletins, or of articles."""
    return max(bulletins, articles) // PAGE_SIZE


def archived(records: Sequence[Record], number: int) -> Sequence[Record]:
    """What archive page ``number`` lists of ``records`` (newest first, as it shows them):
    the ``number``th ``PAGE_SIZE`` counted from the oldest."""
    end = len(records) - (number - 1) * PAGE_SIZE
    return records[max(0, end - PAGE_SIZE) : max(0, end)]


def _dates(site: LanguageSite, published: Sequence[str]) -> str:
    """The dates a page's episodes span (ISO dates, so the least is the earliest), as the
    language says them."""
    profile = site.profile
    first, last = (
        profile.numerals(spoken_date(d, profile)) for d in (min(published), max(published))
    )
    return first if first == last else site.words["dates"].format(first=first, last=last)


def write_listing(
    out_dir: Path,
    site: LanguageSite,
    records: Sequence[Record],
    keys: Mapping[str, str],
    manifest: Manifest,
) -> list[Path]:
    """Write a language's front page and archive pages, those whose episodes (``keys``:
    the digest of each episode's page) or links changed; return the pages written."""
    language = site.profile.language
    bulletins = [r for r in records if r.kind == EpisodeKind.BULLETIN]
    articles = [r for r in records if r.kind == EpisodeKind.ARTICLE]
    pages = [
        (archived(bulletins, number), archived(articles, number))
        for number in range(1, archive_size(len(bulletins), len(articles)) + 1)
    ]
    dates = [_dates(site, [r.published for r in (*b, *a)]) for b, a in pages]
    archive = [(dates[n - 1], listing_page(language, n)) for n in range(len(pages), 0, -1)]
    written = []
    front = listing_page(language, 0)
    newest = (bulletins[:PAGE_SIZE], articles[:PAGE_SIZE])
    if _write(
        out_dir, site, front, newest, keys, manifest, archive=archive, featured=bulletins[:1]
    ):
        written.append(out_dir / front)
    for number, listed in enumerate(pages, start=1):
        around = [(site.words["newest"], front)]
        if number < len(pages):
            around.append(
                (
                    site.words["newer"].format(dates=dates[number]),
                    listing_page(language, number + 1),
                )
            )
        if number > 1:
            around.append(
                (
                    site.words["older"].format(dates=dates[number - 2]),
                    listing_page(language, number - 1),
                )
            )
        title = site.words["archive_title"].format(
            title=site.context["title"], dates=dates[number - 1]
        )
        name = listing_page(language, number)
        if _write(out_dir, site, name, listed, keys, manifest, around=around, title=title):
            written.append(out_dir / name)
    # Archive pages past the last one (episodes were removed) would list them still.
    for stale in out_dir.glob(f"{glob.escape(language)}-*.html"):
        suffix = stale.stem.rpartition("-")[2]
        if suffix.isdigit() and int(suffix) > len(pages):
            stale.unlink(missing_ok=True)
    return written


def _write(
    out_dir: Path,
    site: LanguageSite,
    name: str,
    listed: tuple[Sequence[Record], Sequence[Record]],
    keys: Mapping[str, str],
    manifest: Manifest,
    *,
    archive: Sequence[tuple[str, str]] = (),
    around: Sequence[tuple[str, str]] = (),
    featured: Sequence[Record] = (),
    title: str | None = None,
) -> bool:
    """Write one listing page unless it is up to date; whether it was written.

    ``archive`` and ``around`` are (link text, page) of the archive's pages, on the front
    page, and of the pages beside an archive page; ``featured``, the bulletin to play."""
    bulletins, articles = listed
    shown = [keys[r.guid] for r in (*bulletins, *articles)]
    key = digest(site.shared, archive, around, title, shown)
    if manifest.unchanged(name, key):
        return False
    profile = site.profile
    playing = None
    if featured:
        contents, _ = read(out_dir, featured[0])
        if contents is not None:
            playing = view(featured[0], contents, name, profile)
    html = render(
        "language.html",
        featured=playing,
        bulletins=[view(r, NO_CONTENTS, name, profile) for r in bulletins],
        articles=[view(r, NO_CONTENTS, name, profile) for r in articles],
        feeds=feed_links(site.feeds, name, site.base_url),
        archive=[(text, href(page, name)) for text, page in archive],
        around=[(text, href(page, name)) for text, page in around],
        **{**site.context, **({"title": title} if title else {})},
    )
    write_text_atomic(out_dir / name, html)
    manifest.wrote(name, key)
    return True
