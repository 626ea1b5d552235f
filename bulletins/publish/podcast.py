"""Feeds: per language, an RSS feed of bulletins and one of articles, from the history.

RSS 2.0 with the itunes, content, atom and Podcasting 2.0 namespaces, written with
lxml so that every text is escaped by the serialiser and no title can inject markup.
feedgen has no podcast: namespace and no itunes:explicit "false", so the few
elements here are written directly.
"""

from __future__ import annotations

import email.utils
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from bulletins.atomic import write_text_atomic
from bulletins.model import EpisodeKind
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish.history import Record, shown
from bulletins.publish.manifest import Manifest, digest

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST = "https://podcastindex.org/namespace/1.0"
NAMESPACES = {"itunes": ITUNES, "content": CONTENT, "atom": ATOM, "podcast": PODCAST}
# The Podcasting 2.0 namespace defines podcast:guid as UUIDv5 of the feed URL under this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
KINDS = tuple(EpisodeKind)


@dataclass(frozen=True)
class FeedSettings:
    """What the feeds say about the publisher and where the files are served from."""

    base_url: str
    """The URL at which the output folder is published."""
    bulletin: str
    publisher: str
    items: int
    """The newest episodes each feed lists."""
    category: str = "News"
    explicit: bool = False
    locked: bool = True
    """podcast:locked yes: podcast hosts must not import the feed without the owner."""


def url(settings: FeedSettings, relative: str) -> str:
    """The public URL of a file in the output folder; file names are already ASCII."""
    return settings.base_url.rstrip("/") + "/" + quote(relative)


def feed_path(language: str, kind: str) -> str:
    return f"feeds/{language}/{kind}s.xml"


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def pub_date(published: str) -> str:
    """RFC 2822 date for an ISO date (a year-month date counts as the first of the month)."""
    parts = [int(p) for p in published.split("-")[:3]] + [1, 1]
    return email.utils.format_datetime(datetime(parts[0], parts[1], parts[2], 9, 0, tzinfo=UTC))


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, /, **attributes: str
) -> etree._Element:
    namespace, _, name = tag.rpartition(":")
    element = etree.SubElement(
        parent, f"{{{NAMESPACES[namespace]}}}{name}" if namespace else name, attributes
    )
    if text is not None:
        element.text = text
    return element


def feed_title(profile: Profile, kind: str, bulletin: str) -> str:
    """A feed's title in its language: the channel's title, and the feed list's name for it."""
    # A profile that leaves a feed phrase empty (a language whose phrases nobody here
    # could write well) gets the English form, never an empty title.
    return (profile.phrases.get(f"feed_{kind}s") or "{bulletin} ({language})").format(
        bulletin=bulletin, language=profile.name
    )


def _channel(profile: Profile, kind: str, settings: FeedSettings) -> str:
    """A feed's XML with its channel's elements and no items."""
    self_url = url(settings, feed_path(profile.language, kind))
    phrases = profile.phrases
    title = feed_title(profile, kind, settings.bulletin)
    description = (phrases.get("feed_description") or "{bulletin}, spoken in {language}.").format(
        bulletin=settings.bulletin, language=profile.name
    )
    rss = etree.Element("rss", version="2.0", nsmap=NAMESPACES)
    channel = _sub(rss, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", settings.base_url.rstrip("/") + "/")
    _sub(channel, "description", description)
    _sub(channel, "language", profile.language)
    _sub(channel, "generator", "bulletins")
    _sub(channel, "atom:link", href=self_url, rel="self", type="application/rss+xml")
    _sub(channel, "itunes:author", settings.publisher)
    _sub(channel, "itunes:summary", description)
    _sub(channel, "itunes:image", href=url(settings, f"feeds/{profile.language}/cover.png"))
    _sub(channel, "itunes:category", None, text=settings.category)
    _sub(channel, "itunes:explicit", "true" if settings.explicit else "false")
    _sub(channel, "itunes:type", "episodic")
    _sub(channel, "podcast:guid", podcast_guid(self_url))
    _sub(channel, "podcast:locked", "yes" if settings.locked else "no")
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


# The serialiser indents an element by its depth alone, so an item written inside an
# empty rss and channel is, to the byte, the item as the whole feed writes it.
_CHANNEL_OPEN = "\n  <channel>\n"
_CHANNEL_CLOSE = "  </channel>\n"
_ITEM_OPEN = "    <item>\n"
_ITEM_CLOSE = "    </item>\n"


def render_item(
    record: Record, translations: Sequence[Record], kind: str, settings: FeedSettings
) -> str:
    """One feed item's XML, indented as the feed holds it."""
    rss = etree.Element("rss", nsmap=NAMESPACES)
    item = _sub(_sub(rss, "channel"), "item")
    _sub(item, "title", record.title)
    _sub(item, "description", record.description)
    _sub(item, "guid", record.guid, isPermaLink="false")
    _sub(item, "pubDate", pub_date(record.published))
    _sub(
        item,
        "enclosure",
        url=url(settings, record.audio),
        length=str(record.bytes),
        type="audio/mpeg",
    )
    _sub(item, "itunes:duration", str(round(record.duration_ms / 1000)))
    _sub(item, "itunes:episodeType", "full")
    for transcript, kind_of_file in (
        (record.vtt, "text/vtt"),
        (record.srt, "application/x-subrip"),
    ):
        _sub(
            item,
            "podcast:transcript",
            url=url(settings, transcript),
            type=kind_of_file,
            language=record.language,
        )
    if kind == EpisodeKind.BULLETIN:
        _sub(
            item,
            "podcast:chapters",
            url=url(settings, record.chapters),
            type="application/json+chapters",
        )
    for other in translations:
        alternate = _sub(
            item,
            "podcast:alternateEnclosure",
            type="audio/mpeg",
            length=str(other.bytes),
            lang=other.language,
            title=other.title,
        )
        _sub(alternate, "podcast:source", uri=url(settings, other.audio))
    text = etree.tostring(rss, encoding="UTF-8", pretty_print=True).decode()
    return text[text.index(_CHANNEL_OPEN) + len(_CHANNEL_OPEN) : text.rindex(_CHANNEL_CLOSE)]


def _item_key(feed: str, record: Record, translations: Sequence[Record]) -> str:
    """The digest of everything an item shows (``feed``: the digest of the feed's kind and settings)."""
    others = [(o.bytes, o.language, o.title, o.audio) for o in translations]
    return digest(feed, shown(record), others)


def _file_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _written_items(text: str | None, entry: object) -> dict[str, str]:
    """The items of a feed as last written, by their digests; none when the file is not
    the one the manifest noted (a build stopped between the two, or an edited feed)."""
    if text is None or not isinstance(entry, dict) or entry.get("file") != _file_digest(text):
        return {}
    keys = entry.get("items")
    # Text and attributes are escaped by the serialiser, so only an item starts a line
    # with "<item>" at this depth.
    parts = text.split(_ITEM_OPEN)[1:]
    if not isinstance(keys, list) or len(keys) != len(parts):
        return {}
    return {
        str(key): _ITEM_OPEN + part.partition(_ITEM_CLOSE)[0] + _ITEM_CLOSE
        for key, part in zip(keys, parts, strict=True)
    }


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_feed(
    out_dir: Path,
    records: Sequence[Record],
    translations: Mapping[str, Sequence[Record]],
    profile: Profile,
    kind: str,
    settings: FeedSettings,
    manifest: Manifest,
) -> Path:
    """Write one feed, unless it is up to date; an unchanged item is taken as written."""
    name = feed_path(profile.language, kind)
    path = out_dir / name
    earlier = _read(path)
    kept = _written_items(earlier, manifest.entry(name))
    keys, items = [], []
    feed = digest(kind, settings)
    for record in records:
        others = translations.get(record.guid, ())
        key = _item_key(feed, record, others)
        keys.append(key)
        items.append(kept.get(key) or render_item(record, others, kind, settings))
    head, close, tail = _channel(profile, kind, settings).rpartition(_CHANNEL_CLOSE)
    xml = head + "".join(items) + close + tail
    if xml != earlier:
        write_text_atomic(path, xml)
    manifest.wrote(name, {"file": _file_digest(xml), "items": keys})
    return path


def write_feeds(
    out_dir: Path,
    settings: FeedSettings,
    profiles: Mapping[str, Profile],
    published_whole: Sequence[Record],
    manifest: Manifest,
) -> list[Path]:
    """Write every language's feeds from the history's whole episodes; return the feeds."""
    groups: dict[tuple[str, str, str], list[Record]] = {}
    for record in published_whole:
        groups.setdefault((record.kind, record.edition, record.article), []).append(record)
    translations = {
        r.guid: [o for o in group if o.guid != r.guid] for group in groups.values() for r in group
    }
    feeds = []
    # A language whose episodes were all removed keeps its feeds, now empty, so that
    # subscribers' apps see the episodes go rather than a feed that no longer answers.
    published = {p.name for p in (out_dir / "feeds").glob("*") if p.is_dir()}
    for language in sorted({r.language for r in published_whole} | published):
        profile = profile_for(language, profiles)
        for kind in KINDS:
            records = [r for r in published_whole if r.language == language and r.kind == kind]
            # The history is newest first: a feed lists the newest, a bounded file for apps.
            records = records[: settings.items]
            feeds.append(
                write_feed(out_dir, records, translations, profile, kind, settings, manifest)
            )
    return feeds
