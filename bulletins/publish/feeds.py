"""Writing the feeds: each language's feed files, from the history, with every unchanged
item taken from the feed as written (the manifest holds each item's digest)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bulletins.atomic import write_text_atomic
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish import history
from bulletins.publish.history import Record
from bulletins.publish.manifest import Manifest, digest
from bulletins.publish.podcast import (
    CHANNEL_CLOSE,
    ITEM_CLOSE,
    ITEM_OPEN,
    KINDS,
    Channel,
    FeedSettings,
    channel_xml,
    feed_path,
    item_key,
    item_views,
    narrators,
    podcast_guid,
    render_item,
    url,
)


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
    parts = text.split(ITEM_OPEN)[1:]
    if not isinstance(keys, list) or len(keys) != len(parts):
        return {}
    return {
        str(key): ITEM_OPEN + part.partition(ITEM_CLOSE)[0] + ITEM_CLOSE
        for key, part in zip(keys, parts, strict=True)
    }


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class FeedContent:
    """One feed's records (newest first) and what its items need of the other feeds."""

    records: Sequence[Record]
    translations: Mapping[str, Sequence[Record]]
    """By guid, the same episode in the other languages."""
    profiles: Mapping[str, Profile]
    guid: str


def write_feed(
    out_dir: Path,
    content: FeedContent,
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
    views = item_views(content.records, content.translations, profile, content.profiles)
    for record, view in zip(content.records, views, strict=True):
        key = item_key(feed, record, view)
        keys.append(key)
        items.append(kept.get(key) or render_item(record, view, kind, settings))
    voices = sorted({name for record in content.records for name in narrators(record)})
    channel = channel_xml(profile, kind, settings, Channel(content.guid, tuple(voices)))
    head, close, tail = channel.rpartition(CHANNEL_CLOSE)
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
    # A language whose episodes were all removed keeps its feeds, now empty, so that
    # subscribers' apps see the episodes go rather than a feed that no longer answers.
    published = {p.name for p in (out_dir / "feeds").glob("*") if p.is_dir()}
    languages = sorted({r.language for r in published_whole} | published)
    names = [feed_path(language, kind) for language in languages for kind in KINDS]
    guids = history.feed_guids(out_dir, {name: podcast_guid(url(settings, name)) for name in names})
    feeds = []
    for language in languages:
        profile = profile_for(language, profiles)
        for kind in KINDS:
            records = [r for r in published_whole if r.language == language and r.kind == kind]
            # The history is newest first: a feed lists the newest, a bounded file for apps.
            content = FeedContent(
                records[: settings.items], translations, profiles, guids[feed_path(language, kind)]
            )
            feeds.append(write_feed(out_dir, content, profile, kind, settings, manifest))
    return feeds
