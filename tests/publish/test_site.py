"""The listening site as files: pages per language and episode, links that resolve, escaped text.

What a browser does with the pages (axe-core, the keyboard, right-to-left layout)
is in test_browser.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest
import webvtt
from conftest import SEEDS, build_settings, cue_seconds, write

from bulletins import options
from bulletins.build import build
from bulletins.publish import history
from bulletins.publish.publisher import remove_episodes
from bulletins.publish.serve import serving
from bulletins.settings import Settings

SAMPLE = SEEDS["it"].parent.name
SECOND = "2026-06-two-articles"
SECOND_ARTICLE = """Nuovo numero per segnalare i furti di biciclette

Da lunedì i residenti del Surrey possono segnalare un furto di bicicletta con un modulo online.

Il modulo chiede il numero di telaio, una descrizione e il luogo del furto. La polizia risponde entro due giorni lavorativi.
"""


def add_second_edition(content: Path) -> None:
    """A later edition with two Italian articles: the sample's and a short one."""
    write(content / SECOND / "community-safety-assembly.it.txt", SEEDS["it"].read_text("utf-8"))
    write(content / SECOND / "bike-theft.it.txt", SECOND_ARTICLE)


def settings(content: Path, tmp_path: Path, **changes: object) -> Settings:
    defaults = {"base_url": "https://example.org/news", "publisher": "Surrey PCC"}
    return build_settings(content, tmp_path, **{**defaults, **changes})


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def test_pages_per_language_newest_first(content: Path, tmp_path: Path) -> None:
    """The index names each language in itself; each language page plays its newest bulletin."""
    add_second_edition(content)
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"

    index = page(out / "index.html")
    entries = {li.get("lang"): li for li in index.xpath("//ul[@class='languages']/li")}
    assert set(entries) == {"it", "ar"}
    assert entries["it"].xpath("string(a)") == "Italiano"
    assert entries["ar"].xpath("string(a)") == "العربية"
    assert entries["ar"].get("dir") == "rtl"
    assert entries["it"].xpath("a/@href") == ["it.html"]

    italian, arabic = page(out / "it.html"), page(out / "ar.html")
    assert (italian.get("lang"), italian.get("dir")) == ("it", "ltr")
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    assert italian.xpath("string(//a[@class='skip'])") == "Vai al contenuto principale"
    assert arabic.xpath("string(//h1)").endswith("الأخبار باللغة العربية")

    # The featured bulletin is June's, with a chapter per article.
    featured = italian.xpath("//section[@data-episode]")[0]
    assert featured.xpath("audio/@src") == [f"{SECOND}/{SECOND}.it.mp3"]
    assert len(featured.xpath(".//ol[@class='chapters']/li")) == 2
    bulletins = italian.xpath("//h2[@id='bulletins']/following-sibling::ul[1]/li/a/@href")
    assert bulletins == [f"{SECOND}/{SECOND}.it.html", f"{SAMPLE}/{SAMPLE}.it.html"]
    articles = italian.xpath("//h2[@id='articles']/following-sibling::ul[1]/li/a/@href")
    assert len(articles) == 3 and articles[-1].startswith(SAMPLE + "/articles/")
    assert (out / articles[0]).is_file()


def test_chapters_and_transcript_follow_the_audio(content: Path, tmp_path: Path) -> None:
    """Chapter and sentence links start where the chapters file and the WebVTT say, in the MP3."""
    add_second_edition(content)
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    episode = page(out / SECOND / f"{SECOND}.it.html")
    mp3 = f"{SECOND}.it.mp3"
    assert episode.xpath("//audio/@src") == [mp3]
    assert episode.xpath("//audio[@controls]")

    chapters = json.loads((out / SECOND / f"{SECOND}.it.chapters.json").read_text("utf-8"))
    links = episode.xpath("//ol[@class='chapters']/li/a")
    assert [float(a.get("data-start")) for a in links] == pytest.approx(
        [c["startTime"] for c in chapters["chapters"]], abs=0.002
    )
    for link, chapter in zip(links, chapters["chapters"], strict=True):
        assert link.get("href") == f"{mp3}#t={chapter['startTime']:.3f}"
        assert chapter["title"] in link.text_content()

    cues = list(webvtt.read(str(out / SECOND / f"{SECOND}.it.vtt")))
    sentences = episode.xpath("//div[@class='transcript']//a[@class='cue']")
    assert [s.text_content() for s in sentences] == [c.text.replace("\n", " ") for c in cues]
    for sentence, cue in zip(sentences, cues, strict=True):
        assert abs(float(sentence.get("data-start")) - cue_seconds(cue.start)) < 0.002
        assert abs(float(sentence.get("data-end")) - cue_seconds(cue.end)) < 0.002
    # Each chapter heads the sentences spoken in it: the second article's headline is under it.
    second = chapters["chapters"][1]
    headings = episode.xpath("//div[@class='transcript']/h3")
    assert [h.text_content() for h in headings] == [c["title"] for c in chapters["chapters"]]
    under_second = headings[1].xpath("following-sibling::p[1]/a[@class='cue']")
    assert float(under_second[0].get("data-start")) >= second["startTime"] - 0.001


def test_every_link_resolves_and_nothing_comes_from_elsewhere(
    content: Path, tmp_path: Path
) -> None:
    """Every href and src in every page is a file of the site (or an anchor on the page)."""
    add_second_edition(content)
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    # The DAISY books' documents (in each .daisy folder) are a player's, not the site's pages.
    pages = sorted(p for p in out.rglob("*.html") if not p.parent.name.endswith(".daisy"))
    # The index, a page per language, and a page per episode.
    assert len(pages) == 3 + len(history.episodes(out))
    for path in pages:
        tree = page(path)
        ids = set(tree.xpath("//@id"))
        for reference in tree.xpath("//@href | //@src"):
            parts = urlsplit(reference)
            assert not parts.scheme and not parts.netloc, f"{path.name}: {reference}"
            if not parts.path:
                assert parts.fragment in ids, f"{path.name}: {reference}"
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{path.name}: {reference}"
            assert target.is_relative_to(out.resolve())
        scripts = tree.xpath("//script")
        assert [s.get("src").rsplit("/", 1)[-1] for s in scripts] == ["site.js"]
        assert all(not (s.text or "").strip() for s in scripts)


def test_titles_with_markup_and_arabic_are_escaped_and_intact(
    content: Path, tmp_path: Path
) -> None:
    headline = '<script>alert("x")</script><b>injected</b> "Q" & \'A\' — تلتزم الخدمات'
    write(content / "2026-07-test" / "odd.it.txt", f"{headline}\n\nTesto della notizia di prova.\n")
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    episode = page(out / "2026-07-test" / "articles" / "odd.it.html")
    assert episode.xpath("string(//h1)") == headline
    assert episode.xpath("//b") == []
    assert len(episode.xpath("//script")) == 1
    italian = page(out / "it.html")
    assert headline in [a.text_content() for a in italian.xpath("//ul[@class='listing']/li/a")]
    assert b"<b>injected" not in (out / "it.html").read_bytes()


def test_without_a_base_url_pages_have_no_subscribe_section(content: Path, tmp_path: Path) -> None:
    assert build(settings(content, tmp_path, base_url=None)).ok
    italian = page(tmp_path / "audio" / "it.html")
    assert italian.xpath("//section[@data-episode]//audio/@src")
    assert italian.xpath("//*[@id='subscribe']") == []


def test_feeds_are_offered_with_their_addresses(content: Path, tmp_path: Path) -> None:
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    arabic = page(out / "ar.html")
    links = arabic.xpath("//h2[@id='subscribe']/following-sibling::ul[1]/li")
    assert [li.xpath("string(a/@href)") for li in links] == [
        "feeds/ar/bulletins.xml",
        "feeds/ar/articles.xml",
    ]
    assert [li.xpath("string(code)") for li in links] == [
        "https://example.org/news/feeds/ar/bulletins.xml",
        "https://example.org/news/feeds/ar/articles.xml",
    ]


def test_removed_editions_leave_the_pages(content: Path, tmp_path: Path) -> None:
    add_second_edition(content)
    chosen = settings(content, tmp_path)
    assert build(chosen).ok
    remove_episodes(options.profiles(chosen), options.publish_options(chosen), SECOND, None)
    italian = page(tmp_path / "audio" / "it.html")
    assert italian.xpath("//section[@data-episode]/audio/@src") == [f"{SAMPLE}/{SAMPLE}.it.mp3"]
    assert all(SECOND not in href for href in italian.xpath("//ul[@class='listing']//a/@href"))


def test_preview_server_answers_byte_ranges(content: Path, tmp_path: Path) -> None:
    """Browsers seek in audio with range requests; the preview server answers them exactly."""
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    mp3 = f"{SAMPLE}/{SAMPLE}.it.mp3"
    data = (out / mp3).read_bytes()
    with serving(out) as base:

        def fetch(path: str, range_: str | None = None) -> tuple[int, Message, bytes]:
            request = urllib.request.Request(
                base + path, headers={"Range": range_} if range_ else {}
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    return answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as error:
                return error.code, error.headers, b""

        status, headers, body = fetch(mp3)
        assert (status, body, headers["Accept-Ranges"]) == (200, data, "bytes")
        assert headers["Content-Type"] == "audio/mpeg"
        status, headers, body = fetch(mp3, "bytes=1000-1999")
        assert (status, body) == (206, data[1000:2000])
        assert headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
        assert fetch(mp3, "bytes=-500")[2] == data[-500:]
        assert fetch(mp3, f"bytes={len(data) - 10}-")[2] == data[-10:]
        assert fetch(mp3, f"bytes={len(data)}-")[0] == 416
        status, headers, body = fetch("it.html")
        assert status == 200 and headers["Content-Type"].startswith("text/html")


def test_an_unreadable_transcript_leaves_only_its_episode_off(
    content: Path, tmp_path: Path
) -> None:
    """A damaged sidecar file gets a warning naming it; every other page is still written."""
    add_second_edition(content)
    chosen = settings(content, tmp_path)
    assert build(chosen).ok
    out = tmp_path / "audio"
    damaged = out / SECOND / f"{SECOND}.it.chapters.json"
    damaged.write_text("{not json", encoding="utf-8")
    (out / "it.html").unlink()
    report = build(chosen)
    assert any(
        str(damaged.relative_to(out)) in w.message and "listening pages" in w.message
        for w in report.warnings
    )
    italian = page(out / "it.html")
    assert italian.xpath("//section[@data-episode]/audio/@src") == [f"{SAMPLE}/{SAMPLE}.it.mp3"]
    assert len(italian.xpath("//h2[@id='articles']/following-sibling::ul[1]/li")) == 3
    assert (out / "ar.html").is_file()


def test_a_new_edition_writes_its_own_pages_and_leaves_the_others(
    content: Path, tmp_path: Path
) -> None:
    """Publishing rewrites the listings and the new episodes' pages, not the unchanged ones'."""
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    older = sorted((out / SAMPLE).rglob("*.html"))
    stamps = {p: p.stat().st_mtime_ns for p in older}
    add_second_edition(content)
    assert build(settings(content, tmp_path)).ok
    assert {p: p.stat().st_mtime_ns for p in older} == stamps, "the first edition's pages stay"
    assert (out / SECOND / f"{SECOND}.it.html").is_file()
    listed = page(out / "it.html").xpath(
        "//h2[@id='bulletins']/following-sibling::ul[1]/li/a/@href"
    )
    assert listed == [f"{SECOND}/{SECOND}.it.html", f"{SAMPLE}/{SAMPLE}.it.html"]
    # A page whose material changes (here, the series' name) is written again.
    assert build(settings(content, tmp_path, bulletin="Notizie dal Surrey")).ok
    first = out / SAMPLE / f"{SAMPLE}.it.html"
    assert first.stat().st_mtime_ns != stamps[first]
    assert "Notizie dal Surrey" in first.read_text(encoding="utf-8")


def test_a_long_history_is_archived_on_pages_numbered_from_the_oldest(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the page size, older episodes are on archive pages that keep their number as the
    history grows; the front page links to each, and each to its neighbours."""
    from bulletins.publish import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    assert build(settings(content, tmp_path)).ok
    out = tmp_path / "audio"
    front = page(out / "it.html")
    # One bulletin and one article: one archive page, holding both.
    assert front.xpath("//h2[@id='archive']/following-sibling::ul[1]/li/a/@href") == ["it-1.html"]
    assert not (out / "it-2.html").exists()
    first = (out / "it-1.html").read_bytes()

    add_second_edition(content)
    assert build(settings(content, tmp_path)).ok
    oldest = page(out / "it-1.html")
    assert oldest.xpath("//h2[@id='bulletins']/following-sibling::ul[1]/li/a/@href") == [
        f"{SAMPLE}/{SAMPLE}.it.html"
    ]
    assert oldest.xpath("//h2[@id='articles']/following-sibling::ul[1]/li/a/@href") == [
        f"{SAMPLE}/articles/community-safety-assembly.it.html"
    ]
    # Three Italian articles at one a page: three archive pages, the newest listed first.
    front = page(out / "it.html")
    archive = front.xpath("//h2[@id='archive']/following-sibling::ul[1]/li/a")
    assert [a.get("href") for a in archive] == ["it-3.html", "it-2.html", "it-1.html"]
    assert "maggio 2026" in archive[-1].text_content()
    assert (out / "it-3.html").is_file() and not (out / "it-4.html").exists()
    assert front.xpath("//h2[@id='bulletins']/following-sibling::ul[1]/li/a/@href") == [
        f"{SECOND}/{SECOND}.it.html"
    ]
    assert front.xpath("//section[@data-episode]")
    middle = page(out / "it-2.html")
    assert not middle.xpath("//section[@data-episode]")
    around = middle.xpath("//nav[@aria-label='Pagine']/ul/li/a")
    assert [a.get("href") for a in around] == ["it.html", "it-3.html", "it-1.html"]
    assert around[2].text_content().startswith("Meno recenti: ")
    assert middle.xpath("string(//h1)") != front.xpath("string(//h1)")
    # The oldest page gained a link to the newer one, and still lists what it listed.
    assert (out / "it-1.html").read_bytes() != first
    # When episodes go, the pages past the last one go too.
    remove_episodes(
        options.profiles(settings(content, tmp_path)),
        options.publish_options(settings(content, tmp_path)),
        SECOND,
        None,
    )
    assert (out / "it-1.html").is_file()
    assert not (out / "it-2.html").exists() and not (out / "it-3.html").exists()
    assert page(out / "it-1.html").xpath("//nav[@aria-label='Pagine']/ul/li/a/@href") == ["it.html"]
