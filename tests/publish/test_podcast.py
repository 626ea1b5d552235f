"""Feeds: per-language RSS that podcast apps accept, from a history that never loses an episode."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import feedparser
import webvtt
from conftest import SAMPLE_EDITION, build_settings, cue_seconds, write
from lxml import etree
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins import options
from bulletins.build import build
from bulletins.cli.app import app
from bulletins.publish import history
from bulletins.publish.podcast import NAMESPACES, PODCAST_GUID_NAMESPACE
from bulletins.publish.publisher import remove_episodes
from bulletins.settings import Settings

BASE = "https://example.org/news"
EDITION = SAMPLE_EDITION.name


def settings(content: Path, tmp_path: Path, **changes: object) -> Settings:
    """The shared test settings, publishing feeds under BASE."""
    defaults = {
        "base_url": BASE,
        "publisher": "Office of the Police and Crime Commissioner for Surrey",
    }
    return build_settings(content, tmp_path, **{**defaults, **changes})


def feed(out: Path, language: str, kind: str) -> etree._ElementTree:
    return etree.parse(str(out / "feeds" / language / f"{kind}s.xml"))


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE + "/")
    return out / url[len(BASE) + 1 :]


def test_feeds_meet_the_podcast_rules(content: Path, tmp_path: Path) -> None:
    """Each language gets a bulletin and an article feed with every channel and item element required."""
    report = build(settings(content, tmp_path))
    assert report.ok, report.errors
    out = tmp_path / "audio"
    for language in ("it", "ar"):
        for kind in ("bulletin", "article"):
            tree = feed(out, language, kind)

            def x(path: str, tree: etree._ElementTree = tree) -> object:
                return tree.xpath(path, namespaces=NAMESPACES)

            self_url = f"{BASE}/feeds/{language}/{kind}s.xml"
            assert x("string(/rss/channel/language)") == language
            assert x("string(/rss/channel/atom:link[@rel='self']/@href)") == self_url
            assert x("string(/rss/channel/itunes:explicit)") == "false"
            assert x("string(/rss/channel/itunes:category/@text)") == "News"
            assert (
                x("string(/rss/channel/itunes:author)")
                == "Office of the Police and Crime Commissioner for Surrey"
            )
            assert x("string(/rss/channel/podcast:locked)") == "yes"
            assert x("string(/rss/channel/podcast:guid)") == str(
                uuid.uuid5(PODCAST_GUID_NAMESPACE, self_url.split("://")[1])
            )
            assert x("string(/rss/channel/title)") and x("string(/rss/channel/description)")
            cover = local(out, x("string(/rss/channel/itunes:image/@href)"))
            assert cover.is_file()
            items = x("/rss/channel/item")
            assert len(items) == 1
            for item in items:

                def y(path: str, item: etree._Element = item) -> object:
                    return item.xpath(path, namespaces=NAMESPACES)

                audio = local(out, y("string(enclosure/@url)"))
                assert int(y("string(enclosure/@length)")) == audio.stat().st_size
                assert y("string(enclosure/@type)") == "audio/mpeg"
                assert abs(int(y("string(itunes:duration)")) - MP3(audio).info.length) <= 1
                assert y("string(guid/@isPermaLink)") == "false"
                assert y("string(pubDate)") == "Fri, 01 May 2026 09:00:00 +0000"
                urls = [
                    y("string(enclosure/@url)"),
                    *y("podcast:transcript/@url"),
                    *y("podcast:chapters/@url"),
                ]
                assert all(u.isascii() and local(out, u).is_file() for u in urls)
                assert sorted(y("podcast:transcript/@type")) == ["application/x-subrip", "text/vtt"]
                assert y("podcast:transcript/@language") == [language, language]
                assert len(y("podcast:chapters")) == (1 if kind == "bulletin" else 0)
                other = {"it": "ar", "ar": "it"}[language]
                assert y("podcast:alternateEnclosure/@lang") == [other]
            parsed = feedparser.parse((out / "feeds" / language / f"{kind}s.xml").read_bytes())
            assert not parsed.bozo and len(parsed.entries) == 1
            assert parsed.feed.language == language


def test_chapters_transcripts_and_tags_agree(content: Path, tmp_path: Path) -> None:
    """ID3 chapters, JSON chapters and the cue that opens each chapter agree within 50 ms."""
    write(
        content / EDITION / "second.it.txt",
        "Seconda notizia\n\nIl consiglio si è riunito. Ha deciso.\n",
    )
    report = build(settings(content, tmp_path))
    assert report.ok
    out = tmp_path / "audio" / EDITION
    mp3 = out / f"{EDITION}.it.mp3"
    id3 = sorted(MP3(mp3).tags.getall("CHAP"), key=lambda c: c.start_time)  # type: ignore[union-attr]
    document = json.loads((out / f"{EDITION}.it.chapters.json").read_text(encoding="utf-8"))
    cues = webvtt.read(str(out / f"{EDITION}.it.vtt"))
    # The first chapter opens with the bulletin's opening, the second with "Articolo 2 di 2".
    openers = [cues[0], next(c for c in cues if c.text == "Articolo 2 di 2.")]
    assert len(id3) == len(document["chapters"]) == 2
    assert [e["title"] for e in document["chapters"]][1] == "Seconda notizia"
    for chap, entry, cue in zip(id3, document["chapters"], openers, strict=True):
        assert abs(chap.start_time / 1000 - entry["startTime"]) <= 0.05
        assert abs(cue_seconds(cue.start) - entry["startTime"]) <= 0.05
    assert abs(document["chapters"][-1]["endTime"] - MP3(mp3).info.length) <= 0.1


def test_guids_are_stable_across_builds(content: Path, tmp_path: Path) -> None:
    """Rebuilding with changed text replaces episodes in place, under the same guids."""
    build(settings(content, tmp_path))

    def guids() -> list[str]:
        return sorted(
            feed(tmp_path / "audio", "it", "bulletin").xpath("/rss/channel/item/guid/text()")
        )

    first = guids()
    article = content / EDITION / "community-safety-assembly.it.txt"
    article.write_text(
        article.read_text(encoding="utf-8").replace("Dorking", "Dorking (Surrey)"), encoding="utf-8"
    )
    build(settings(content, tmp_path))
    assert guids() == first and len(set(first)) == len(first)


def test_archived_editions_stay_in_the_feeds(content: Path, tmp_path: Path) -> None:
    """Sample edition, then a second edition, then the first archived: every episode stays listed."""
    build(settings(content, tmp_path))
    write(
        content / "2026-06-bins" / "bins.it.txt",
        "Raccolta rifiuti\n\nDa giugno la raccolta cambia giorno.\n",
    )
    build(settings(content, tmp_path))
    shutil.move(str(content / EDITION), str(tmp_path / "archive"))
    report = build(settings(content, tmp_path))
    assert report.ok
    titles = feed(tmp_path / "audio", "it", "bulletin").xpath("/rss/channel/item/title/text()")
    assert titles[0] == "Raccolta rifiuti" and titles[1].startswith("I servizi si impegnano")
    assert len(feed(tmp_path / "audio", "ar", "bulletin").xpath("/rss/channel/item")) == 1


def test_missing_files_are_never_listed(content: Path, tmp_path: Path) -> None:
    """A deleted or truncated MP3 drops out of the feed at the next build."""
    build(settings(content, tmp_path))
    audio = tmp_path / "audio" / EDITION / f"{EDITION}.ar.mp3"
    audio.write_bytes(audio.read_bytes()[:1000])
    shutil.move(
        str(content / EDITION / "community-safety-assembly.ar.txt"), str(tmp_path / "ar.txt")
    )
    build(settings(content, tmp_path))
    assert feed(tmp_path / "audio", "ar", "bulletin").xpath("/rss/channel/item") == []


def test_markup_in_titles_is_escaped_and_intact(content: Path, tmp_path: Path) -> None:
    """A headline with markup, quotes, an ampersand and Arabic is one title, not new elements."""
    headline = "</title><item><title>injected</title></item> \"Q\" & 'A' — تلتزم"
    write(content / "2026-07-test" / "odd.it.txt", f"{headline}\n\nTesto della notizia di prova.\n")
    assert build(settings(content, tmp_path)).ok
    tree = feed(tmp_path / "audio", "it", "article")
    assert headline in tree.xpath("/rss/channel/item/title/text()")
    assert "injected" not in tree.xpath("/rss/channel/item/title/text()")
    assert len(tree.xpath("/rss/channel/item")) == 2


def test_remove_episodes(content: Path, tmp_path: Path) -> None:
    """Removing an edition in one language takes its episodes out of that language's feeds only."""
    build(settings(content, tmp_path))
    chosen = settings(content, tmp_path)
    removed = remove_episodes(
        options.profiles(chosen), options.publish_options(chosen), EDITION, "ar"
    )
    assert {(r.kind, r.language) for r in removed} == {("bulletin", "ar"), ("article", "ar")}
    assert feed(tmp_path / "audio", "ar", "bulletin").xpath("/rss/channel/item") == []
    assert len(feed(tmp_path / "audio", "it", "bulletin").xpath("/rss/channel/item")) == 1


def test_episodes_commands(runner: CliRunner, content: Path, tmp_path: Path) -> None:
    """episodes list shows the history; episodes remove takes an edition out of the feeds."""
    out = tmp_path / "audio"
    args = ["-o", str(out)]
    assert (
        runner.invoke(
            app, ["build", str(content), *args, "-e", "tone", "-q", "--base-url", BASE]
        ).exit_code
        == 0
    )
    listed = runner.invoke(app, ["episodes", "list", *args], env={"COLUMNS": "300"})
    records = history.episodes(out)
    assert listed.exit_code == 0 and len(records) == 4
    assert all(record.audio in listed.stdout for record in records)
    removed = runner.invoke(
        app,
        ["episodes", "remove", EDITION, "--lang", "it", *args],
        env={"BULLETINS_BASE_URL": BASE},
    )
    assert removed.exit_code == 0, removed.output
    assert "removed 2 episode(s)" in removed.stdout
    assert feed(out, "it", "bulletin").xpath("/rss/channel/item") == []
    assert len(feed(out, "ar", "bulletin").xpath("/rss/channel/item")) == 1
    missing = runner.invoke(app, ["episodes", "remove", "no-such-edition", *args])
    assert missing.exit_code == 1 and "no episodes of edition 'no-such-edition'" in missing.stderr


def test_a_feed_lists_the_newest_episodes_only(content: Path, tmp_path: Path) -> None:
    """``feed_items`` bounds each feed to the newest episodes; the history keeps them all."""
    write(
        content / "2026-06-bins" / "bins.it.txt",
        "Raccolta rifiuti\n\nDa giugno la raccolta cambia giorno.\n",
    )
    report = build(settings(content, tmp_path, feed_items=1))
    assert report.ok
    out = tmp_path / "audio"
    items = feed(out, "it", "bulletin").xpath("//item/enclosure/@url")
    assert len(items) == 1 and items[0].endswith("2026-06-bins.it.mp3")
    assert len(history.episodes(out, kind="bulletin", language="it")) == 2


def test_feeds_without_an_owner_are_written_with_a_warning(content: Path, tmp_path: Path) -> None:
    """No owner_email: the feeds are written, name no owner, and the build says why that
    matters; with one, itunes:owner and podcast:locked name it and nothing is said."""
    report = build(settings(content, tmp_path))
    assert report.ok, report.errors
    assert [w.message for w in report.warnings if "owner_email" in w.message]
    tree = feed(tmp_path / "audio", "it", "bulletin")
    assert tree.xpath("//podcast:locked/@owner | //itunes:owner", namespaces=NAMESPACES) == []
    report = build(settings(content, tmp_path, owner_email="news@example.org"))
    assert report.ok and not [w for w in report.warnings if "owner_email" in w.message]
    tree = feed(tmp_path / "audio", "it", "bulletin")
    assert (
        tree.xpath("string(//podcast:locked/@owner)", namespaces=NAMESPACES) == "news@example.org"
    )
    assert (
        tree.xpath("string(//itunes:owner/itunes:email)", namespaces=NAMESPACES)
        == "news@example.org"
    )
