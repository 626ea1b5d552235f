"""The feeds as podcast apps and directories read them: through their own parsers.

podcast-partytime (Podcast Index, Podverse) and feedsmith run in Node.js, podcastparser
(gPodder) and feedparser in Python; webvtt-parser reads every transcript. Each rule
below is what one of those apps or Apple's guidelines needs, checked on every feed the
tests build; each rule is also shown to catch a feed damaged to break it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from conftest import SEEDS, build_settings, read_as_apps, write
from lxml import etree
from mutagen.mp3 import MP3

from bulletins.build import build
from bulletins.publish import history
from bulletins.publish.podcast import AI_CONTENT, NAMESPACES

BASE = "https://example.org/news"
OWNER = "podcasts@example.org"
LATER = "2026-06-02-two-articles"
HEADLINE = "Nuovi orari della biblioteca"
# AntennaPod treats a smaller enclosure as of unknown size.
SMALLEST_ENCLOSURE = 16_384


@dataclass(frozen=True)
class Feed:
    """A feed as written, and what every parser made of it."""

    path: Path
    out: Path
    xml: etree._ElementTree
    apps: dict[str, Any]
    gpodder: dict[str, Any]
    feedparser: Any


def x(feed: Feed, path: str) -> Any:
    return feed.xml.xpath(path, namespaces=NAMESPACES)


def local(feed: Feed, url: str) -> Path:
    assert url.startswith(BASE + "/"), url
    return feed.out / url[len(BASE) + 1 :]


def read(path: Path, out: Path) -> Feed:
    apps = read_as_apps(path)[str(path)]
    with path.open("rb") as stream:
        try:
            gpodder = podcastparser.parse(f"{BASE}/{path.relative_to(out)}", stream)
        except Exception as error:  # what gPodder shows as a feed it cannot read
            gpodder = {"error": str(error)}
    parsed = feedparser.parse(path.read_bytes())
    tree = etree.parse(str(path), etree.XMLParser(recover=True))
    return Feed(path, out, tree, apps, gpodder, parsed)


def _items(feed: Feed) -> list[Any]:
    return x(feed, "/rss/channel/item")


# Each rule returns what it finds wrong with a feed; an empty list is a pass.
Rule = Callable[[Feed], list[str]]


def not_rejected(feed: Feed) -> list[str]:
    found = []
    for name in ("partytime", "feedsmith"):
        if "error" in feed.apps[name]:
            found.append(f"{name} rejected it: {feed.apps[name]['error']}")
    if "error" in feed.gpodder:
        found.append(f"podcastparser rejected it: {feed.gpodder['error']}")
    if feed.feedparser.bozo:
        found.append(f"feedparser: {feed.feedparser.bozo_exception}")
    return found


def no_item_dropped(feed: Feed) -> list[str]:
    written = [item.findtext("guid") for item in _items(feed)]
    read_by = {
        "partytime": [i.get("guid") for i in feed.apps["partytime"].get("items", [])],
        "feedsmith": [
            i.get("guid", {}).get("value") for i in feed.apps["feedsmith"]["feed"].get("items", [])
        ],
        "podcastparser": [e.get("guid") for e in feed.gpodder.get("episodes", [])],
        "feedparser": [e.get("id") for e in feed.feedparser.entries],
    }
    found = [f"{name} read {got}, not {written}" for name, got in read_by.items() if got != written]
    if len(set(written)) != len(written):
        found.append(f"guids repeat: {written}")
    return found


def enclosures(feed: Feed) -> list[str]:
    found = []
    urls = []
    for item in feed.apps["partytime"].get("items", []):
        enclosure = item["enclosure"]
        urls.append(enclosure["url"])
        path = local(feed, enclosure["url"])
        if not enclosure["url"].endswith(".mp3") or enclosure["type"] != "audio/mpeg":
            found.append(f"enclosure {enclosure['url']} is not an .mp3 of audio/mpeg")
        if enclosure["length"] != path.stat().st_size or enclosure["length"] < SMALLEST_ENCLOSURE:
            found.append(
                f"enclosure length {enclosure['length']}, the file has {path.stat().st_size}"
            )
    for episode in feed.gpodder.get("episodes", []):
        [enclosure] = episode["enclosures"]
        if enclosure["file_size"] != local(feed, enclosure["url"]).stat().st_size:
            found.append(f"podcastparser read a length of {enclosure['file_size']}")
    if len(set(urls)) != len(urls):
        found.append(f"enclosure URLs repeat: {urls}")
    return found


def durations(feed: Feed) -> list[str]:
    found = []
    for text in x(feed, "/rss/channel/item/itunes:duration/text()"):
        if not re.fullmatch(r"[0-9]+", text):
            found.append(f"duration {text!r} is not whole seconds")
    for item in feed.apps["partytime"].get("items", []):
        measured = MP3(local(feed, item["enclosure"]["url"])).info.length
        if abs(item.get("duration", -1) - measured) > 1:
            found.append(f"duration {item.get('duration')} s, the file lasts {measured:.1f} s")
    return found


def dates(feed: Feed) -> list[str]:
    now = datetime.now(UTC)
    found = []
    written = [parsedate_to_datetime(d) for d in x(feed, "/rss/channel/item/pubDate/text()")]
    read_by = [datetime.fromisoformat(i["pubDate"]) for i in feed.apps["partytime"]["items"]]
    read_by += [datetime.fromtimestamp(e["published"], UTC) for e in feed.gpodder["episodes"]]
    if len(read_by) != 2 * len(written):
        found.append("a parser read no date for an item")
    found += [f"{d} is in the future" for d in written + read_by if d > now]
    if len(set(written)) != len(written):
        found.append(f"two items have one publication time: {written}")
    if written != sorted(written, reverse=True):
        found.append("the items are not newest first")
    return found


def titles(feed: Feed) -> list[str]:
    seen = set()
    found = []
    for item in _items(feed):
        day = parsedate_to_datetime(item.findtext("pubDate")).date()
        key = (day, item.findtext("title"))
        if key in seen:
            found.append(f"title {key[1]!r} repeats on {day}")
        seen.add(key)
    return found


def texts(feed: Feed) -> list[str]:
    found = []
    language = x(feed, "string(/rss/channel/language)")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", language):
        found.append(f"language {language!r} is neither xx nor xx-yy")
    for description in x(feed, "/rss/channel/description | /rss/channel/item/description"):
        size = len((description.text or "").encode())
        if size > 4000 or size == 0:
            found.append(f"a description of {size} bytes")
    return found


def transcripts(feed: Feed) -> list[str]:
    language = x(feed, "string(/rss/channel/language)")
    found = []
    for item in feed.apps["partytime"]["items"]:
        given = item.get("podcastTranscripts", [])
        if {t["type"] for t in given} != {"text/vtt", "application/srt"}:
            found.append(f"transcripts {given}")
        for transcript in given:
            if transcript.get("language") != language or transcript.get("rel") != "captions":
                found.append(f"transcript {transcript} is not captions in {language}")
    vtts = [local(feed, t) for t in x(feed, "//podcast:transcript[@type='text/vtt']/@url")]
    for path, read_by in read_as_apps(*vtts).items():
        if read_by.get("errors") or not read_by.get("cues"):
            found.append(f"webvtt-parser: {path}: {read_by}")
    return found


def chapters(feed: Feed) -> list[str]:
    found = []
    for item in feed.apps["partytime"]["items"]:
        link = item.get("podcastChapters")
        if "/articles/" in item["enclosure"]["url"]:
            continue
        if not link or link["type"] != "application/json+chapters":
            found.append(f"bulletin {item['guid']} lists chapters {link}")
            continue
        listed = json.loads(local(feed, link["url"]).read_text(encoding="utf-8"))["chapters"]
        tags = MP3(local(feed, item["enclosure"]["url"])).tags
        assert tags is not None
        [toc] = tags.getall("CTOC")
        id3 = [
            (str(tags[f"CHAP:{e}"].sub_frames["TIT2"]), tags[f"CHAP:{e}"].start_time)
            for e in toc.child_element_ids
        ]
        if id3 != [(c["title"], round(c["startTime"] * 1000)) for c in listed]:
            found.append(f"ID3 chapters {id3} differ from the chapters JSON {listed}")
        if "TIT2" not in toc.sub_frames:
            found.append("the ID3 table of contents has no title")
    return found


def alternates(feed: Feed) -> list[str]:
    found = []
    for item in feed.apps["partytime"]["items"]:
        for alternate in item.get("alternativeEnclosures", []):
            sources = alternate.get("source", [])
            if (
                not alternate.get("lang")
                or alternate.get("rel") in (None, "", "default")
                or not 0 < len(alternate.get("title", "")) <= 32
                or not sources
                or alternate.get("length") != local(feed, sources[0]["uri"]).stat().st_size
            ):
                found.append(f"alternate enclosure {alternate}")
    return found


def ownership(feed: Feed) -> list[str]:
    read_by = feed.apps["partytime"]
    found = []
    if read_by.get("locked") is not True or read_by.get("podcastOwner") != OWNER:
        found.append(f"locked {read_by.get('locked')}, owner {read_by.get('podcastOwner')}")
    if feed.gpodder.get("itunes_owner", {}).get("email") != OWNER:
        found.append(f"itunes:owner {feed.gpodder.get('itunes_owner')}")
    kept = history.feed_guids(feed.out, {})[str(feed.path.relative_to(feed.out))]
    if read_by.get("guid") != kept:
        found.append(f"podcast:guid {read_by.get('guid')}, the history keeps {kept}")
    return found


def disclosure(feed: Feed) -> list[str]:
    told = feed.apps["partytime"].get("podcastTxt", [])
    found = []
    if {"purpose": "ai-content", "value": AI_CONTENT} not in [
        {"purpose": t.get("purpose"), "value": t.get("value")} for t in told
    ]:
        found.append(f"no AI-content disclosure: {told}")
    for item in feed.apps["partytime"]["items"]:
        narrators = [
            p["name"]
            for p in item.get("podcastPeople", [])
            if str(p.get("role")).lower() == "narrator"
        ]
        if not narrators or not all(n in item["description"] for n in narrators):
            found.append(f"item {item['guid']}: narrators {narrators} not named in its description")
    return found


RULES: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        not_rejected,
        no_item_dropped,
        enclosures,
        durations,
        dates,
        titles,
        texts,
        transcripts,
        chapters,
        alternates,
        ownership,
        disclosure,
    )
}


def problems(feed: Feed) -> dict[str, list[str]]:
    return {name: found for name, rule in RULES.items() if (found := rule(feed))}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three published folders: the sample edition and a later one of two Italian
    articles under one headline; the Arabic article alone; the Italian article alone."""
    made = {}
    root = tmp_path_factory.mktemp("apps")
    later = "\n\n".join(
        [
            HEADLINE,
            "La biblioteca centrale resterà aperta fino alle otto di sera dal lunedì al venerdì.",
        ]
    )
    contents = {
        "both": {
            "2026-05-community-safety-assembly/community-safety-assembly.it.txt": SEEDS["it"],
            "2026-05-community-safety-assembly/community-safety-assembly.ar.txt": SEEDS["ar"],
            f"{LATER}/orari.it.txt": later,
            f"{LATER}/orari-estate.it.txt": later + "\n\nIn agosto chiuderà alle sei.",
        },
        "ar": {"2026-05-community-safety-assembly/community-safety-assembly.ar.txt": SEEDS["ar"]},
        "it": {"2026-05-community-safety-assembly/community-safety-assembly.it.txt": SEEDS["it"]},
    }
    for name, files in contents.items():
        content = root / name / "content"
        for relative, source in files.items():
            write(
                content / relative,
                source.read_text("utf-8") if isinstance(source, Path) else source,
            )
        chosen = build_settings(
            content, root / name, base_url=BASE, owner_email=OWNER, publisher="Surrey Police"
        )
        report = build(chosen)
        assert report.ok, report.errors
        made[name] = chosen.out_dir
    return made


def all_feeds(outputs: dict[str, Path]) -> list[Feed]:
    return [
        read(path, out) for out in outputs.values() for path in sorted(out.glob("feeds/*/*.xml"))
    ]


def test_every_feed_reads_as_the_apps_need(outputs: dict[str, Path]) -> None:
    """Every built feed, read by partytime, feedsmith, podcastparser and feedparser, breaks
    none of the apps' rules."""
    feeds = all_feeds(outputs)
    assert {f.path.parent.name for f in feeds} == {"it", "ar"} and len(feeds) == 8
    found = {str(f.path): problems(f) for f in feeds}
    assert found == {str(f.path): {} for f in feeds}


def test_two_articles_with_one_headline_on_one_day_get_distinct_titles(
    outputs: dict[str, Path],
) -> None:
    feed = read(outputs["both"] / "feeds" / "it" / "articles.xml", outputs["both"])
    got = [i["title"] for i in feed.apps["partytime"]["items"] if LATER in i["enclosure"]["url"]]
    assert len(got) == 2 and len(set(got)) == 2 and all(t.startswith(HEADLINE) for t in got)


def test_the_feeds_guid_stays_when_the_feeds_move(outputs: dict[str, Path], tmp_path: Path) -> None:
    """podcast:guid is given once: a build under a new base URL keeps it."""
    out = tmp_path / "audio"
    shutil.copytree(outputs["it"], out)
    before = read(out / "feeds/it/bulletins.xml", out).apps["partytime"]["guid"]
    content = outputs["it"].parent / "content"
    report = build(
        build_settings(content, tmp_path, base_url="https://example.net/moved", owner_email=OWNER)
    )
    assert report.ok, report.errors
    tree = etree.parse(str(out / "feeds/it/bulletins.xml"))
    assert tree.xpath("string(//atom:link/@href)", namespaces=NAMESPACES).startswith(
        "https://example.net/moved/"
    )
    assert tree.xpath("string(//podcast:guid)", namespaces=NAMESPACES) == before


def _edit(pattern: str, replacement: str, count: int = 0) -> Callable[[str], str]:
    def damage(text: str) -> str:
        damaged, made = re.subn(pattern, replacement, text, count=count, flags=re.S)
        assert made, f"nothing matched {pattern!r}"
        return damaged

    return damage


def _first_title_twice(text: str) -> str:
    first = re.findall(r"<title>([^<]*)</title>", text)[1]
    return re.sub(r"(<item>\s*<title>)[^<]*", lambda m: m.group(1) + first, text)


DAMAGE: dict[str, tuple[str, Callable[[str], str]]] = {
    "not_rejected": ("articles.xml", _edit(r"</channel>", "</chanel>")),
    "no_item_dropped": ("articles.xml", _edit(r"<guid [^>]*>[^<]*</guid>", "", count=1)),
    "enclosures": (
        "articles.xml",
        _edit(r'length="[0-9]+" type="audio/mpeg"/>', 'length="4096" type="audio/mpeg"/>', count=1),
    ),
    "durations": (
        "articles.xml",
        _edit(r"<itunes:duration>[0-9]+", "<itunes:duration>00:01:02.5", count=1),
    ),
    "dates": (
        "articles.xml",
        _edit(r"<pubDate>[^<]*", "<pubDate>Fri, 01 Jan 2100 09:00:00 +0000", count=1),
    ),
    "titles": ("articles.xml", _first_title_twice),
    "texts": ("articles.xml", _edit(r"<language>[^<]*", "<language>italiano")),
    "transcripts": ("articles.xml", _edit(r' rel="captions"', "", count=1)),
    "chapters": (
        "bulletins.xml",
        _edit(r'type="application/json\+chapters"', 'type="application/json"'),
    ),
    "alternates": ("articles.xml", _edit(r' rel="translation"', "", count=1)),
    "ownership": ("articles.xml", _edit(r' owner="[^"]*"', "")),
    "disclosure": (
        "articles.xml",
        _edit(r'<podcast:txt purpose="ai-content">[^<]*</podcast:txt>', ""),
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_catches_a_feed_damaged_to_break_it(
    rule: str, outputs: dict[str, Path], tmp_path: Path
) -> None:
    name, damage = DAMAGE[rule]
    out = tmp_path / "audio"
    shutil.copytree(outputs["both"], out)
    path = out / "feeds" / "it" / name
    assert RULES[rule](read(path, out)) == []
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert RULES[rule](read(path, out)) != []
