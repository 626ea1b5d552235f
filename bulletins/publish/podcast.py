"""Feeds: per language, an RSS feed of bulletins and one of articles, from the history.

RSS 2.0 with the itunes, content, atom and Podcasting 2.0 namespaces, written with
lxml so that every text is escaped by the serialiser and no title can inject markup.
feedgen has no podcast: namespace and no itunes:explicit "false", so the few
elements here are written directly.
"""

from __future__ import annotations

import email.utils
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from lxml import etree

from bulletins.model import EpisodeKind
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish.history import Record, page_path, shown
from bulletins.publish.manifest import digest

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST = "https://podcastindex.org/namespace/1.0"
NAMESPACES = {"itunes": ITUNES, "content": CONTENT, "atom": ATOM, "podcast": PODCAST}
# The Podcasting 2.0 namespace defines podcast:guid as UUIDv5 of the feed URL under this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
KINDS = tuple(EpisodeKind)
# Podcasting 2.0: an alternate enclosure's title is at most 32 characters.
MAX_ALTERNATE_TITLE = 32


@dataclass(frozen=True)
class FeedSettings:
    """What the feeds say about the publisher and where the files are served from."""

    base_url: str
    """The URL at which the output folder is published."""
    bulletin: str
    publisher: str
    items: int
    """The newest episodes each feed lists."""
    owner_email: str | None = None
    """The feeds' owner, for itunes:owner and podcast:locked: the address podcast hosts
    and directories write to, to confirm who may move or import the feed."""
    update_frequency: str | None = None
    """How often new episodes come, as an iCalendar RRULE (``FREQ=DAILY``)."""
    category: str = "News"
    explicit: bool = False
    locked: bool = True
    """podcast:locked yes: podcast hosts must not import the feed without the owner."""


def url(settings: FeedSettings, relative: str) -> str:
    """The public URL of a file in the output folder; file names are already ASCII."""
    return settings.base_url.rstrip("/") + "/" + quote(relative)


def feed_path(language: str, kind: str) -> str:
    return f"feeds/{language}/{kind}s.xml"


# RSS and Apple Podcasts take an ISO 639-1 code, alone or with a region (``xx-yy``);
# a language with no two-letter code is given as its macrolanguage in its main region.
_FEED_LANGUAGES = {
    "zh-hans": "zh-cn",
    "zh-hant": "zh-tw",
    "yue": "zh-hk",
    "ckb": "ku-iq",
    "prs": "fa-af",
}
# What an RRULE's frequency is called in the element's text, for people reading it.
_FREQUENCIES = {
    "HOURLY": "Hourly",
    "DAILY": "Daily",
    "WEEKLY": "Weekly",
    "MONTHLY": "Monthly",
    "YEARLY": "Yearly",
}
# Apple truncates, and some directories reject, descriptions over 4000 bytes.
MAX_DESCRIPTION_BYTES = 4000
AI_CONTENT = "yes"
TRANSLATION = "translation"
"""The rel of an alternate enclosure that is another language's episode: not the same
content in another encoding, which is what an alternate enclosure without rel means."""


def feed_language(code: str) -> str:
    """The feed's language element for a profile's language code (``zh-hans`` → ``zh-cn``)."""
    return _FEED_LANGUAGES.get(code, code)


def frequency_text(rrule: str) -> str:
    """A reader's name for an RRULE (``FREQ=WEEKLY;BYDAY=MO`` → ``Weekly``)."""
    fields = dict(part.partition("=")[::2] for part in rrule.upper().split(";"))
    return _FREQUENCIES.get(fields.get("FREQ", ""), rrule)


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def iso_day(published: str) -> str:
    """The ISO day of a date that may give only the year and month (its first day)."""
    parts = [int(p) for p in published.split("-")[:3]] + [1, 1]
    return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"


def published_time(record: Record) -> datetime:
    """When the episode was published: its recorded time, or (in a history from before
    times were kept) 09:00 UTC of its day, and never later than now."""
    if record.published_at:
        return datetime.fromisoformat(record.published_at)
    day = datetime.fromisoformat(iso_day(record.published)).replace(hour=9, tzinfo=UTC)
    return min(day, datetime.now(UTC).replace(microsecond=0))


def pub_date(record: Record) -> str:
    """The RFC 2822 date of publication."""
    return email.utils.format_datetime(published_time(record))


def _clip(text: str, limit: int = MAX_DESCRIPTION_BYTES) -> str:
    """``text`` cut at a word, with an ellipsis, to at most ``limit`` bytes of UTF-8."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - len("…".encode())].decode("utf-8", "ignore")
    return cut.rsplit(" ", 1)[0].rstrip() + "…"


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


FALLBACK_VOICE = "Read aloud by a synthetic voice ({engine})."


def voice_disclosure(profile: Profile, narrators: Sequence[str]) -> str:
    """The sentence saying that a synthetic voice reads the episodes, naming it, in the
    profile's language (English where the profile has no ``feed_voice`` phrase)."""
    if not narrators:
        return ""
    engine = "; ".join(narrators)
    try:
        return (profile.phrases.get("feed_voice") or FALLBACK_VOICE).format(engine=engine)
    except (KeyError, IndexError, ValueError):
        return FALLBACK_VOICE.format(engine=engine)


def narrators(record: Record) -> tuple[str, ...]:
    """The voices that read an episode (the history keeps them joined by "; ")."""
    return tuple(name for name in record.narrator.split("; ") if name)


def described(text: str, profile: Profile, voices: Sequence[str]) -> str:
    """A description: ``text``, then the synthetic voices disclosed, within Apple's limit."""
    return _clip("\n\n".join(filter(None, (text, voice_disclosure(profile, voices)))))


def feed_title(profile: Profile, kind: str, bulletin: str) -> str:
    """A feed's title in its language: the channel's title, and the feed list's name for it.

    A profile that leaves the phrase empty (a language whose phrases nobody here could
    write well) gets the English form, never an empty title."""
    return (profile.phrases.get(f"feed_{kind}s") or "{bulletin} ({language})").format(
        bulletin=bulletin, language=profile.name
    )


@dataclass(frozen=True)
class Channel:
    """What a feed's channel says besides the settings."""

    guid: str
    """podcast:guid, kept in the history for the feed's life."""
    narrators: tuple[str, ...]
    """The voices that read the feed's episodes."""


def channel_xml(profile: Profile, kind: str, settings: FeedSettings, channel: Channel) -> str:
    """A feed's XML with its channel's elements and no items."""
    self_url = url(settings, feed_path(profile.language, kind))
    phrases = profile.phrases
    title = feed_title(profile, kind, settings.bulletin)
    description = (phrases.get("feed_description") or "{bulletin}, spoken in {language}.").format(
        bulletin=settings.bulletin, language=profile.name
    )
    description = described(description, profile, channel.narrators)
    rss = etree.Element("rss", version="2.0", nsmap=NAMESPACES)
    element = _sub(rss, "channel")
    _sub(element, "title", title)
    _sub(element, "link", settings.base_url.rstrip("/") + "/")
    _sub(element, "description", description)
    _sub(element, "language", feed_language(profile.language))
    _sub(element, "generator", "bulletins")
    _sub(element, "atom:link", href=self_url, rel="self", type="application/rss+xml")
    _sub(element, "itunes:author", settings.publisher)
    _sub(element, "itunes:summary", description)
    if settings.owner_email:
        owner = _sub(element, "itunes:owner")
        _sub(owner, "itunes:name", settings.publisher)
        _sub(owner, "itunes:email", settings.owner_email)
    _sub(element, "itunes:image", href=url(settings, f"feeds/{profile.language}/cover.png"))
    _sub(element, "itunes:category", None, text=settings.category)
    _sub(element, "itunes:explicit", "true" if settings.explicit else "false")
    _sub(element, "itunes:type", "episodic")
    _sub(element, "podcast:guid", channel.guid)
    locked = {"owner": settings.owner_email} if settings.owner_email else {}
    _sub(element, "podcast:locked", "yes" if settings.locked else "no", **locked)
    _sub(element, "podcast:medium", "podcast")
    # Apple's and the Podcasting 2.0 rules: a synthetic voice is disclosed in the metadata.
    # "yes", as podcast:locked says it: Podcast Index's parser (podcast-partytime) reads
    # a bare "true" as a boolean, not as the tag's text, and then drops the tag.
    _sub(element, "podcast:txt", AI_CONTENT, purpose="ai-content")
    if settings.update_frequency:
        _sub(
            element,
            "podcast:updateFrequency",
            frequency_text(settings.update_frequency),
            rrule=settings.update_frequency,
        )
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


# The serialiser indents an element by its depth alone, so an item written inside an
# empty rss and channel is, to the byte, the item as the whole feed writes it.
CHANNEL_OPEN = "\n  <channel>\n"
CHANNEL_CLOSE = "  </channel>\n"
ITEM_OPEN = "    <item>\n"
ITEM_CLOSE = "    </item>\n"


@dataclass(frozen=True)
class ItemView:
    """What a feed item shows besides its record: worked out over the whole feed."""

    title: str
    """The record's title, made distinct from any other item's of the same day."""
    description: str
    """The episode's description, then the synthetic voice disclosed."""
    translations: tuple[tuple[Record, str], ...]
    """The same episode in other languages, each with its language's name in itself."""


def render_item(record: Record, view: ItemView, kind: str, settings: FeedSettings) -> str:
    """One feed item's XML, indented as the feed holds it."""
    rss = etree.Element("rss", nsmap=NAMESPACES)
    item = _sub(_sub(rss, "channel"), "item")
    _sub(item, "title", view.title)
    _sub(item, "link", url(settings, page_path(record)))
    _sub(item, "description", view.description)
    _sub(item, "guid", record.guid, isPermaLink="false")
    _sub(item, "pubDate", pub_date(record))
    _sub(
        item,
        "enclosure",
        url=url(settings, record.audio),
        length=str(record.bytes),
        type="audio/mpeg",
    )
    _sub(item, "itunes:duration", str(round(record.duration_ms / 1000)))
    _sub(item, "itunes:episodeType", "full")
    language = feed_language(record.language)
    for transcript, kind_of_file in (
        (record.vtt, "text/vtt"),
        (record.srt, "application/x-subrip"),
    ):
        _sub(
            item,
            "podcast:transcript",
            url=url(settings, transcript),
            type=kind_of_file,
            language=language,
            rel="captions",
        )
    if kind == EpisodeKind.BULLETIN:
        _sub(
            item,
            "podcast:chapters",
            url=url(settings, record.chapters),
            type="application/json+chapters",
        )
    for narrator in narrators(record):
        _sub(item, "podcast:person", narrator, role="narrator", group="cast")
    for other, name in view.translations:
        alternate = _sub(
            item,
            "podcast:alternateEnclosure",
            type="audio/mpeg",
            length=str(other.bytes),
            lang=feed_language(other.language),
            title=name[:MAX_ALTERNATE_TITLE],
            rel=TRANSLATION,
        )
        _sub(alternate, "podcast:source", uri=url(settings, other.audio))
    text = etree.tostring(rss, encoding="UTF-8", pretty_print=True).decode()
    return text[text.index(CHANNEL_OPEN) + len(CHANNEL_OPEN) : text.rindex(CHANNEL_CLOSE)]


def item_views(
    records: Sequence[Record],
    translations: Mapping[str, Sequence[Record]],
    profile: Profile,
    profiles: Mapping[str, Profile],
) -> list[ItemView]:
    """Each item's view, for a feed's records (newest first).

    AntennaPod merges two items with one title on one day, so the later of two gets
    its number after the title; the earlier keeps the title it was first published with.
    """
    seen: dict[tuple[str, str], int] = {}
    titles: dict[str, str] = {}
    for record in reversed(records):
        day = (published_time(record).date().isoformat(), record.title)
        seen[day] = seen.get(day, 0) + 1
        count = seen[day]
        titles[record.guid] = (
            record.title if count == 1 else f"{record.title} ({profile.numerals(count)})"
        )
    return [
        ItemView(
            title=titles[record.guid],
            description=described(record.description, profile, narrators(record)),
            translations=tuple(
                (other, profile_for(other.language, profiles).name)
                for other in translations.get(record.guid, ())
            ),
        )
        for record in records
    ]


def item_key(feed: str, record: Record, view: ItemView) -> str:
    """The digest of everything an item shows (``feed``: the digest of the feed's kind and settings)."""
    others = [(o.bytes, o.language, o.audio, name) for o, name in view.translations]
    return digest(feed, shown(record), view.title, view.description, others)
