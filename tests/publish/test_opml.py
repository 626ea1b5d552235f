"""The feed list: an OPML file of every feed written, as podcast apps read it, linked from the index."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import lxml.html
from conftest import SEEDS, build_settings, read_as_apps, write
from lxml import etree

from bulletins import options
from bulletins.build import build
from bulletins.publish.publisher import publish, remove_episodes
from bulletins.settings import Settings

BASE = "https://example.org/news"
EDITION = SEEDS["it"].parent.name


def settings(content: Path, tmp_path: Path, **changes: object) -> Settings:
    defaults = {"base_url": BASE, "publisher": "Surrey PCC", "bulletin": "Surrey news"}
    return build_settings(content, tmp_path, **{**defaults, **changes})


def channel_titles(out: Path) -> dict[str, tuple[str, str]]:
    """The address, language and title of every feed in the output folder, from the feeds."""
    found = {}
    for path in sorted(out.glob("feeds/*/*.xml")):
        channel = etree.parse(str(path)).find("channel")
        assert channel is not None
        address = f"{BASE}/{path.relative_to(out).as_posix()}"
        found[address] = (channel.findtext("language", ""), channel.findtext("title", ""))
    return found


def test_the_feed_list_names_every_feed_as_podcast_apps_read_it(
    content: Path, tmp_path: Path
) -> None:
    """feedsmith reads feeds.opml as an OPML 2.0 list of every feed written, each with
    its language, its channel's title and the language's listening page."""
    # A third language, so the list is of more than the sample's two.
    write(content / EDITION / "notice.en.txt", "Road closed\n\nThe A3 is shut.\n")
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    [read] = read_as_apps(out / "feeds.opml").values()
    assert "error" not in read, read
    opml = read["feedsmith"]
    assert opml["head"]["title"] == "Surrey news"
    assert opml["head"]["ownerName"] == "Surrey PCC"
    assert opml["head"]["dateCreated"] and opml["head"]["dateModified"]
    listed = {o["xmlUrl"]: (o["language"], o["text"]) for o in opml["body"]["outlines"]}
    feeds = channel_titles(out)
    assert len(feeds) == 6 and listed == feeds
    assert {o["language"] for o in opml["body"]["outlines"]} == {"ar", "en", "it"}
    for outline in opml["body"]["outlines"]:
        assert outline["type"] == "rss" and outline["title"] == outline["text"]
        page = outline["htmlUrl"]
        assert page == f"{BASE}/{outline['language']}.html"
        assert (out / page.removeprefix(BASE + "/")).is_file()
    arabic = [o["text"] for o in opml["body"]["outlines"] if o["language"] == "ar"]
    assert all("العربية" in title for title in arabic), arabic


def test_the_index_links_to_the_feed_list(content: Path, tmp_path: Path) -> None:
    """The index offers feeds.opml by a link that says what it is, typed as OPML; without
    a base_url there are no feeds, no list and no link."""
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    index = lxml.html.fromstring((out / "index.html").read_bytes())
    [link] = index.xpath("//main//a[@type='text/x-opml']")
    assert link.get("href") == "feeds.opml" and (out / "feeds.opml").is_file()
    assert "OPML" in link.text_content() and "podcast" in link.text_content()
    assert index.xpath("//head/link[@rel='alternate'][@type='text/x-opml']/@href") == ["feeds.opml"]
    bare = build(settings(content, tmp_path / "bare", base_url=None))
    assert bare.ok
    index = lxml.html.fromstring((tmp_path / "bare" / "audio" / "index.html").read_bytes())
    assert not index.xpath("//a[@type='text/x-opml']")
    assert not (tmp_path / "bare" / "audio" / "feeds.opml").exists()


def test_the_feed_list_is_written_only_when_it_changes(content: Path, tmp_path: Path) -> None:
    """Publishing again with nothing new leaves feeds.opml as it was; a new series name
    rewrites it."""
    chosen = settings(content, tmp_path)
    assert build(chosen).ok
    path = tmp_path / "audio" / "feeds.opml"
    stamp = path.stat().st_mtime_ns
    publish([], options.profiles(chosen), options.publish_options(chosen))
    assert path.stat().st_mtime_ns == stamp
    renamed = dataclasses.replace(chosen, bulletin="Surrey police news")
    publish([], options.profiles(renamed), options.publish_options(renamed))
    assert "<title>Surrey police news</title>" in path.read_text("utf-8")


def test_a_language_with_no_episodes_left_keeps_its_feeds_listed_without_a_page(
    content: Path, tmp_path: Path
) -> None:
    """Its feeds stay (empty) for subscribers to see the episodes go, so the list keeps
    them; with no episodes to list, it links to no page."""
    chosen = settings(content, tmp_path)
    assert build(chosen).ok
    remove_episodes(options.profiles(chosen), options.publish_options(chosen), EDITION, "ar")
    [read] = read_as_apps(tmp_path / "audio" / "feeds.opml").values()
    outlines = read["feedsmith"]["body"]["outlines"]
    assert [(o["language"], "htmlUrl" in o) for o in outlines] == [
        ("ar", False),
        ("ar", False),
        ("it", True),
        ("it", True),
    ]
