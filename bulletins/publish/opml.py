"""The feed list: one OPML 2.0 file naming every language's feeds, for podcast apps and
directories that subscribe to a whole list at once.

Each feed is an ``outline`` with ``type="rss"``, its address (``xmlUrl``), the
language's listening page (``htmlUrl``), its title as the feed's channel gives it
(``text`` and ``title``, in the language's own script) and ``language``, an attribute
OPML 2.0 leaves to its users and feedsmith reads as the outline's language. Written
with lxml, so every title is escaped by the serialiser.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

from lxml import etree

from bulletins.atomic import write_text_atomic
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish.history import Record
from bulletins.publish.manifest import Manifest, digest
from bulletins.publish.podcast import (
    KINDS,
    FeedSettings,
    feed_path,
    feed_title,
    published_time,
    url,
)

NAME = "feeds.opml"
"""The feed list, at the root of the output folder beside ``index.html``."""


def outlines(
    languages: Sequence[str],
    listed: Collection[str],
    profiles: Mapping[str, Profile],
    settings: FeedSettings,
) -> list[dict[str, str]]:
    """The attributes of each feed's outline, by language then kind.

    Args:
        languages: the languages whose feeds were written.
        listed: the languages with a listening page (a language whose episodes were
            all removed keeps its feeds, and has no page to link to).
    """
    found = []
    for language in languages:
        profile = profile_for(language, profiles)
        for kind in KINDS:
            title = feed_title(profile, kind, settings.bulletin)
            outline = {"type": "rss", "text": title, "title": title, "language": language}
            outline["xmlUrl"] = url(settings, feed_path(language, kind))
            if language in listed:
                outline["htmlUrl"] = url(settings, f"{language}.html")
            found.append(outline)
    return found


def render(
    feeds: Sequence[Mapping[str, str]], settings: FeedSettings, times: Sequence[datetime]
) -> str:
    """The OPML document; ``times`` are the publication times of the episodes listed."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = settings.bulletin
    if times:
        # Dates from the history, never the clock: the file changes only when what it
        # says does, and is the same whichever build writes it.
        etree.SubElement(head, "dateCreated").text = format_datetime(min(times))
        etree.SubElement(head, "dateModified").text = format_datetime(max(times))
    etree.SubElement(head, "ownerName").text = settings.publisher
    etree.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = etree.SubElement(opml, "body")
    for feed in feeds:
        etree.SubElement(body, "outline", dict(feed))
    return etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


def write_opml(
    out_dir: Path,
    languages: Sequence[str],
    profiles: Mapping[str, Profile],
    settings: FeedSettings,
    whole: Sequence[Record],
    manifest: Manifest,
) -> Path | None:
    """Write the feed list of ``languages``, unless it is up to date; return it if written."""
    feeds = outlines(languages, {r.language for r in whole}, profiles, settings)
    times = [published_time(r) for r in whole]
    head = (
        settings.bulletin,
        settings.publisher,
        min(times, default=None),
        max(times, default=None),
    )
    key = digest("opml", feeds, head)
    if manifest.unchanged(NAME, key):
        return None
    write_text_atomic(out_dir / NAME, render(feeds, settings, times))
    manifest.wrote(NAME, key)
    return out_dir / NAME
