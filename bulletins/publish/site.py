"""The listening site: static pages a council can host as they are, written from the history.

``index.html`` lists the languages, each named in its own language; each language has
a front page and an archive (``listing``); each episode also gets a page beside its
MP3. A page is written again only when what it shows has changed (``manifest``). Every
page works without JavaScript (the native player, and links to the MP3 at a time for
every jump); the one script, ``site.js``, makes chapters and sentences jump the player
and highlights the sentence being spoken. Nothing is loaded from another site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from bulletins.atomic import write_text_atomic
from bulletins.model import Problem
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish import opml
from bulletins.publish.history import Record, Stamps, shown
from bulletins.publish.listing import write_listing
from bulletins.publish.manifest import Manifest, digest
from bulletins.publish.options import PublishOptions
from bulletins.publish.pages import (
    LanguageSite,
    direction,
    feed_links,
    href,
    language_site,
    page_path,
    read,
    render,
    view,
    words,
)
from bulletins.text.segment import spoken_date

Written = tuple[list[Path], list[Problem]]
"""The files a step wrote, and its problems."""

STATIC = ("site.css", "site.js")


def write_site(
    out_dir: Path,
    profiles: Mapping[str, Profile],
    options: PublishOptions,
    complete: Sequence[Record],
    stamps: Mapping[str, Stamps],
    manifest: Manifest,
) -> Written:
    """Write the index, each language's listing and a page per episode, where they changed.

    An episode's page is written only when what it shows has changed: its record, the
    ``stamps`` of its files, or what the language's pages share (see ``manifest``). An
    episode whose chapters or transcript cannot be read is left off the pages, with a
    problem naming the file, and every other page is still written.

    Returns:
        The pages written, and the problems.
    """
    written = [path for name in STATIC if (path := _copy_static(out_dir, name))]
    problems: list[Problem] = []
    entries = []
    # A language whose episodes have all gone (removed, or withheld by proof-listening)
    # keeps its listing, now saying nothing is published, rather than links to pages
    # that are gone.
    for language in sorted({r.language for r in complete} | _listed_before(out_dir, manifest)):
        site = language_site(out_dir, profile_for(language, profiles), options)
        records = [r for r in complete if r.language == language]
        keys, pages, found = _episode_pages(out_dir, site, records, stamps, manifest)
        written += pages
        problems += found
        listed = [r for r in records if r.guid in keys]
        if listed:
            entries.append(_index_entry(site, listed[0], options.bulletin))
        written += write_listing(out_dir, site, listed, keys, manifest)
    english = profile_for("en", profiles)
    index = out_dir / "index.html"
    # The feed list is written with the feeds, before the pages.
    feed_list = opml.NAME if (out_dir / opml.NAME).is_file() else ""
    key = digest("index", repr(english), entries, options.bulletin, options.publisher, feed_list)
    if not manifest.unchanged(index.name, key):
        html = render(
            "index.html",
            entries=entries,
            feed_list=feed_list,
            language=english.language,
            dir=direction(english.language),
            t=words(english),
            bulletin=options.bulletin,
            publisher=options.publisher,
            root="",
            title=options.bulletin,
        )
        write_text_atomic(index, html)
        manifest.wrote(index.name, key)
        written.append(index)
    return written, problems


def _listed_before(out_dir: Path, manifest: Manifest) -> set[str]:
    """The languages whose listing a build wrote (``it.html``; not an archive page)."""
    return {
        page.stem
        for page in out_dir.glob("*.html")
        if page.name != "index.html"
        and not page.stem.rpartition("-")[2].isdigit()
        and manifest.entry(page.name) is not None
    }


def _copy_static(out_dir: Path, name: str) -> Path | None:
    """Copy the site's style sheet or script into the output folder, unless it is there."""
    text = (Path(__file__).parent / "static" / name).read_text(encoding="utf-8")
    target = out_dir / name
    try:
        if target.read_text(encoding="utf-8") == text:
            return None
    except (OSError, UnicodeDecodeError):
        pass
    write_text_atomic(target, text)
    return target


def _episode_pages(
    out_dir: Path,
    site: LanguageSite,
    records: Sequence[Record],
    stamps: Mapping[str, Stamps],
    manifest: Manifest,
) -> tuple[dict[str, str], list[Path], list[Problem]]:
    """Write each episode's page whose material changed.

    Returns:
        The digest of each page shown (by guid: the episodes whose files can be read),
        the pages written, and the problems.
    """
    keys: dict[str, str] = {}
    written: list[Path] = []
    problems: list[Problem] = []
    for record in records:
        name = page_path(record)
        key = digest(shown(record), stamps.get(record.guid), site.shared)
        if manifest.unchanged(name, key):
            keys[record.guid] = key
            continue
        contents, found = read(out_dir, record)
        problems += found
        if contents is None:
            continue
        html = render(
            "episode.html",
            episode=view(record, contents, name, site.profile),
            feeds=feed_links(site.feeds, name, site.base_url),
            language_page=href(f"{site.profile.language}.html", name),
            **{**site.context, "root": "../" * name.count("/"), "title": record.title},
        )
        write_text_atomic(out_dir / name, html)
        manifest.wrote(name, key)
        written.append(out_dir / name)
        keys[record.guid] = key
    return keys, written, problems


def _index_entry(site: LanguageSite, newest: Record, bulletin: str) -> dict[str, str]:
    """How the index lists one language: its name, its page and its latest edition's date."""
    profile = site.profile
    language = profile.language
    return {
        "language": language,
        "dir": direction(language),
        "name": profile.name,
        "href": f"{quote(language)}.html",
        "listen": site.words["listen_in"].format(language=profile.name, bulletin=bulletin),
        "latest": profile.numerals(spoken_date(newest.published, profile)),
    }
