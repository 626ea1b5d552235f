"""Ingesting web pages and feeds: served from loopback, written as articles, then built."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import REPO, TEST_FIXTURES, build_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bulletins import options
from bulletins.build import build
from bulletins.cli.app import app
from bulletins.episodes.transcripts import chapter_title, read_webvtt
from bulletins.errors import SourceError
from bulletins.ingest import fetch as fetch_module
from bulletins.ingest.articles import article_text
from bulletins.ingest.fetch import FetchOptions, check_address, decode_html, fetch
from bulletins.ingest.pages import Draft
from bulletins.ingest.source import ingest
from bulletins.settings import Settings
from bulletins.text.content import parse_md, read_article
from bulletins.text.language import known

FIXTURES = TEST_FIXTURES / "ingest"
FURNITURE = {
    "it": [
        "cookie",
        "Chi siamo",
        "Segnala un reato",
        "Condividi su",
        "Leggi anche",
        "parco giochi di Guildford",
        "telecamere nel centro di Woking",
        "Tutti i diritti riservati",
        "Pubblicato da",
    ],
    "ar": [
        "ملفات تعريف الارتباط",
        "من نحن",
        "الإبلاغ عن جريمة",
        "شارك على",
        "اقرأ أيضا",
        "ملعب الأطفال",
        "كاميرات جديدة",
        "جميع الحقوق محفوظة",
        "نشره المكتب",
    ],
}
SEED_PARAGRAPHS = {
    lang: (REPO / "content" / "2026-05-community-safety-assembly")
    .joinpath(f"community-safety-assembly.{lang}.txt")
    .read_text("utf-8")
    .split("\n\n")
    for lang in ("it", "ar")
}


@dataclass
class Route:
    body: bytes
    content_type: str | None = None
    status: int = 200
    delay: float = 0.0
    location: str | None = None
    length: bool = True
    trickle: float = 0.0
    """Seconds between bytes: the answer is sent one byte at a time."""
    trickle_head: bool = False
    """Trickle the status line and headers too, not only the body."""


def _page(name: str, encoding: str, meta: str | None) -> bytes:
    text = (FIXTURES / name).read_text("utf-8")
    declared = text[
        text.index("<meta charset=") : text.index(">", text.index("<meta charset=")) + 1
    ]
    text = text.replace(declared, f'<meta charset="{meta}">' if meta else "")
    return text.encode(encoding)


class Site:
    """A loopback web server for the fixtures; routes can be changed while it runs."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.user_agents: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.user_agents.append(self.headers.get("User-Agent", ""))
                route = site.routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                time.sleep(route.delay)
                if route.trickle:
                    self._trickle(route)
                    return
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                if route.location:
                    self.send_header("Location", route.location)
                if route.length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                # The client hangs up on a body too large, as it should.
                with contextlib.suppress(OSError):
                    self.wfile.write(route.body)

            def _trickle(self, route: Route) -> None:
                head = (
                    f"HTTP/1.1 {route.status} OK\r\nContent-Type: {route.content_type}\r\n"
                    f"Content-Length: {len(route.body)}\r\nConnection: close\r\n\r\n"
                ).encode()
                if not route.trickle_head:
                    self.wfile.write(head)
                    head = b""
                # Bounded: the client hangs up at its deadline, and the loop stops there.
                with contextlib.suppress(OSError):
                    for byte in head + route.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.trickle)
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def feed(self, name: str, content_type: str, **replace: str) -> Route:
        text = (FIXTURES / name).read_text("utf-8").replace("{base}", self.base)
        for old, new in replace.items():
            text = text.replace(old, new)
        return Route(text.encode("utf-8"), content_type)


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    site.routes = {
        "/it/assembly.html": Route(
            _page("it-article.html", "utf-8", "utf-8"), "text/html; charset=utf-8"
        ),
        # Declared ISO-8859-1 in the header only, as many servers do, holding
        # windows-1252 curly quotes, as many pages do.
        "/it/assembly-latin1.html": Route(
            _page("it-article.html", "cp1252", None), "text/html; charset=ISO-8859-1"
        ),
        "/ar/assembly.html": Route(_page("ar-article.html", "cp1256", "windows-1256"), "text/html"),
        "/ar/assembly-undeclared.html": Route(
            _page("ar-article.html", "cp1256", None), "text/html"
        ),
        "/slow.html": Route(_page("it-article.html", "utf-8", "utf-8"), "text/html", delay=3),
        "/trickle.html": Route(
            _page("it-article.html", "utf-8", "utf-8"), "text/html", trickle=0.05
        ),
        "/trickle-head.html": Route(
            _page("it-article.html", "utf-8", "utf-8"), "text/html", trickle=0.05, trickle_head=True
        ),
        "/huge.html": Route(
            b"<html><body>" + b"<p>parole</p>" * 200_000, "text/html", length=False
        ),
        "/logo.png": Route(b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
        "/loop.html": Route(b"", status=302, location="/loop.html"),
        "/moved.html": Route(b"", status=301, location="/it/assembly.html"),
    }
    site.routes["/it/feed.rss"] = site.feed("it-feed.rss", "application/rss+xml")
    site.routes["/ar/feed.atom"] = site.feed("ar-feed.atom", "application/atom+xml")
    site.thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


def loopback(**changes: object) -> FetchOptions:
    values: dict[str, object] = {"allow_private": True, "timeout": 10.0, **changes}
    return replace(options.fetch_options(Settings()), **values)  # type: ignore[arg-type]


def read(path: Path) -> tuple[dict[str, object], list[str]]:
    return parse_md(path.read_text("utf-8"), path)


def article(path: Path):  # type: ignore[no-untyped-def]
    return read_article(path, options.read_options(Settings(), {}), known)


@pytest.mark.parametrize(
    ("route", "language"),
    [
        ("/it/assembly.html", "it"),
        ("/it/assembly-latin1.html", "it"),
        ("/ar/assembly.html", "ar"),
        ("/ar/assembly-undeclared.html", "ar"),
    ],
)
def test_an_article_page_becomes_its_text_without_the_page_around_it(
    site: Site, tmp_path: Path, route: str, language: str
) -> None:
    """Headline, body, date, author, language and source come through in any of the three charsets; furniture does not."""
    report = ingest(site.base + route, "web", tmp_path / "content", loopback())
    assert report.ok, report.errors
    [item] = report.items
    assert item.status == "added"
    # Named after the headline, or after the address when the headline has no Latin letters.
    expected = Path(route).stem if language == "ar" else "i-servizi-si-impegnano-a-rispondere"
    assert item.path.name.startswith(expected)
    assert item.path.name.endswith(f".{language}.md")
    meta, blocks = read(item.path)
    seed = SEED_PARAGRAPHS[language]
    assert blocks[0] == seed[0]  # the headline, every accent and letter intact
    assert blocks[1:] == seed[1:6]  # the body, paragraph for paragraph, nothing else
    assert meta["language"] == language
    assert meta["date"] == "2026-05-14"
    assert meta["source"] == meta["guid"] == site.base + route
    assert "المكتب الصحفي للمفوض" in str(meta["author"]) or "Ufficio stampa" in str(meta["author"])
    text = item.path.read_text("utf-8")
    for furniture in FURNITURE[language]:
        assert furniture.casefold() not in text.casefold()
    assert all(agent.startswith("bulletins/") for agent in site.user_agents)


def test_feeds_become_articles_that_build_in_their_languages(site: Site, tmp_path: Path) -> None:
    """RSS content:encoded and Atom html content are used; items without them are fetched; the build speaks each in its language."""
    content = tmp_path / "content"
    for feed in ("/it/feed.rss", "/ar/feed.atom"):
        report = ingest(site.base + feed, "2026-06-from-the-web", content, loopback())
        assert report.ok, report.errors
        assert [i.status for i in report.items] == ["added", "added"]
    edition = content / "2026-06-from-the-web"
    articles = {a.headline: a for a in map(article, sorted(edition.iterdir()))}
    assert len(articles) == 4
    victims_it = articles["Lo sportello di supporto alle vittime cambia orario"]
    assert victims_it.language == "it"
    assert victims_it.date == "2026-06-02"
    assert victims_it.author == "Ufficio stampa del Commissario"
    assert victims_it.paragraphs[1].startswith("Il servizio è gratuito e riservato.")
    assert len(victims_it.paragraphs) == 3
    victims_ar = articles["تغيير مواعيد مكتب دعم الضحايا"]
    assert victims_ar.language == "ar"
    assert victims_ar.author == "المكتب الصحفي للمفوض"
    assert len(victims_ar.paragraphs) == 3
    # Items without full text were fetched from their pages: the whole body, dated by the feed.
    for lang in ("it", "ar"):
        fetched = articles[SEED_PARAGRAPHS[lang][0]]
        assert list(fetched.paragraphs) == SEED_PARAGRAPHS[lang][1:6]
        assert fetched.language == lang
        assert fetched.date == "2026-05-14"
    meta, _ = read(victims_it.path)
    assert meta["guid"] == "surrey-pcc-it-0142"
    assert meta["source"] == f"{site.base}/it/sportello.html"

    built = build(build_settings(content, tmp_path))
    assert built.ok, built.errors
    bulletins = {e.language: e for e in built.episodes if e.kind == "bulletin"}
    assert set(bulletins) == {"it", "ar"}
    for lang, headline in (("it", victims_it.headline), ("ar", victims_ar.headline)):
        spoken = " ".join(
            c.text for c in read_webvtt(bulletins[lang].path.with_suffix(".vtt").read_text("utf-8"))
        )
        assert headline in spoken
        assert SEED_PARAGRAPHS[lang][1].split()[3] in spoken
        assert [c.title for c in bulletins[lang].chapters] == [
            chapter_title(a.headline) for a in bulletins[lang].articles
        ]


def test_ingesting_again_adds_only_what_is_new_and_rewrites_what_changed(
    site: Site, tmp_path: Path
) -> None:
    """A second ingest of the same feed writes nothing; an edited item is rewritten in place; a new one is added."""
    content = tmp_path / "content"
    first = ingest(site.base + "/it/feed.rss", "web", content, loopback())
    files = {p.name: p.read_bytes() for p in (content / "web").iterdir()}
    stamps = {p.name: p.stat().st_mtime_ns for p in (content / "web").iterdir()}
    again = ingest(site.base + "/it/feed.rss", "web", content, loopback())
    assert [i.status for i in again.items] == ["unchanged", "unchanged"]
    assert [i.path for i in again.items] == [i.path for i in first.items]
    assert {p.name: p.read_bytes() for p in (content / "web").iterdir()} == files
    assert {p.name: p.stat().st_mtime_ns for p in (content / "web").iterdir()} == stamps

    extra_item = """<item>
      <title>Nuovo numero per le segnalazioni</title>
      <link>{base}/it/numero.html</link>
      <guid isPermaLink="false">surrey-pcc-it-0150</guid>
      <content:encoded><![CDATA[<p>Da oggi le segnalazioni non urgenti si fanno al numero 101.</p><p>Il numero di emergenza resta il 112.</p>]]></content:encoded>
    </item>
    <item>""".replace("{base}", site.base)
    site.routes["/it/feed.rss"] = site.feed(
        "it-feed.rss",
        "application/rss+xml",
        **{"dalle nove alle diciotto": "dalle otto alle venti", "<item>": extra_item},
    )
    third = ingest(site.base + "/it/feed.rss", "web", content, loopback())
    assert sorted(i.status for i in third.items) == ["added", "unchanged", "updated"]
    assert len(list((content / "web").iterdir())) == 3
    updated = next(i.path for i in third.items if i.status == "updated")
    assert updated.name in files
    assert "dalle otto alle venti" in updated.read_text("utf-8")


@pytest.mark.parametrize(
    ("source", "options", "cause"),
    [
        ("/missing.html", {}, "the server answered 404"),
        ("/slow.html", {"timeout": 0.5}, "did not answer in full within 0.5 s"),
        # A byte every 50 ms: each read succeeds, but the whole answer would take minutes.
        ("/trickle.html", {"timeout": 1}, "did not answer in full within 1 s"),
        ("/trickle-head.html", {"timeout": 1}, "did not answer in full within 1 s"),
        ("/huge.html", {"max_bytes": 1_000_000}, "is larger than 1,000,000 bytes"),
        ("/logo.png", {}, "is image/png, not a web page or an RSS or Atom feed"),
        ("/loop.html", {}, "more than 5 redirects"),
        ("file:///etc/passwd", {}, "only http and https addresses are fetched (this has 'file:')"),
        ("http://10.1.2.3/news.html", {"allow_private": False}, "10.1.2.3, a private or reserved"),
        ("http://192.168.0.1/news.html", {"allow_private": False}, "a private or reserved address"),
        ("http://[::1]/news.html", {"allow_private": False}, "::1, a loopback address"),
        ("/it/assembly.html", {"allow_private": False}, "127.0.0.1, a loopback address"),
    ],
)
def test_bad_sources_give_one_clear_error_and_write_nothing(
    site: Site, tmp_path: Path, source: str, options: dict[str, object], cause: str
) -> None:
    """404, timeout, huge body, wrong type, redirect loop, file:// and private addresses are refused by name."""
    url = site.base + source if source.startswith("/") else source
    content = tmp_path / "content"
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        ingest(url, "web", content, loopback(**options))
    assert str(caught.value).startswith(url)
    assert cause in str(caught.value)
    assert not content.exists()
    assert time.monotonic() - started < 2.5  # the slow server is given up on, not waited for


def test_a_failed_item_is_reported_and_the_others_are_written(site: Site, tmp_path: Path) -> None:
    """An item whose page is missing, or whose link leaves http(s), is one error; the rest of the feed is ingested."""
    site.routes["/it/feed.rss"] = site.feed(
        "it-feed.rss", "application/rss+xml", **{"/it/assembly.html</link>": "/gone.html</link>"}
    )
    report = ingest(site.base + "/it/feed.rss", "web", tmp_path / "content", loopback())
    assert [i.status for i in report.items] == ["added"]
    [error] = report.errors
    assert "item 2 (I servizi si impegnano" in error
    assert f"{site.base}/gone.html: the server answered 404" in error

    feed = tmp_path / "feed.rss"
    text = (FIXTURES / "it-feed.rss").read_text("utf-8").replace("{base}", site.base)
    feed.write_text(
        text.replace(f"{site.base}/it/assembly.html</link>", "file:///etc/passwd</link>")
    )
    local = ingest(str(feed), "local", tmp_path / "content", options.fetch_options(Settings()))
    assert [i.status for i in local.items] == ["added"]
    assert "only http and https addresses are fetched (this has 'file:')" in local.errors[0]
    assert not list((tmp_path / "content" / "local").glob("i-servizi*"))


def test_redirects_and_relative_links_lead_to_the_page(site: Site, tmp_path: Path) -> None:
    """A moved page is fetched from where it moved to; a feed's relative link from the feed's site."""
    report = ingest(site.base + "/moved.html", "web", tmp_path / "content", loopback())
    meta, _ = read(report.items[0].path)
    assert meta["source"] == site.base + "/it/assembly.html"

    site.routes["/it/feed.rss"] = site.feed(
        "it-feed.rss",
        "application/rss+xml",
        **{f"{site.base}/it/assembly.html</link>": "assembly.html</link>"},
    )
    relative = ingest(site.base + "/it/feed.rss", "feed", tmp_path / "content", loopback())
    assert relative.ok, relative.errors
    assert read(relative.items[1].path)[0]["source"] == site.base + "/it/assembly.html"


def test_the_command_line_reports_each_item_and_exits_by_outcome(
    site: Site, tmp_path: Path, runner: CliRunner
) -> None:
    """`bulletins ingest` prints what it wrote; 2 and one error line for a refused source."""
    content = tmp_path / "content"
    args = ["ingest", site.base + "/ar/feed.atom", "--edition", "web", "--content", str(content)]
    result = runner.invoke(app, [*args, "--allow-private"])
    assert result.exit_code == 0, result.output
    assert "added" in result.stdout and "(ar)" in result.stdout
    assert f"{content / 'web'}: 2 added, 0 updated, 0 unchanged" in result.stdout
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2
    assert "a loopback address" in refused.stderr
    assert "--allow-private" in refused.stderr
    assert len(list((content / "web").iterdir())) == 2


def test_charset_follows_the_header_then_meta_then_the_bytes() -> None:
    """Valid UTF-8 is UTF-8; then the header, then <meta>; a wrong declaration falls back to what the bytes are."""
    arabic = "مكتب دعم الضحايا في غيلدفورد " * 20
    page = f'<html><head><meta charset="windows-1256"></head><body>{arabic}</body></html>'
    assert arabic in decode_html(page.encode("cp1256"), None)
    assert arabic in decode_html(page.encode("utf-8"), "utf-8")
    # Declared UTF-8 but is windows-1256: undecodable as declared, so the bytes decide.
    assert arabic in decode_html(page.replace("windows-1256", "utf-8").encode("cp1256"), None)
    assert "“città”" in decode_html("<p>“città”</p>".encode("cp1252"), "iso-8859-1")
    # Saved as UTF-8 with the old page's <meta> kept: valid UTF-8 is not misread.
    assert arabic in decode_html(page.encode("utf-8"), None)
    assert arabic in decode_html(page.encode("utf-8"), "windows-1256")


def test_addresses_are_checked_before_any_connection() -> None:
    """Schemes other than http(s), and private, loopback and link-local addresses, are refused."""
    for url in ("ftp://example.org/feed", "javascript:alert(1)", "http://169.254.169.254/latest"):
        with pytest.raises(SourceError):
            check_address(url, allow_private=False)
    check_address("http://10.0.0.5/intranet", allow_private=True)
    with pytest.raises(SourceError, match="only http and https"):
        check_address("file:///etc/passwd", allow_private=True)


def _resolver(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """Make ``news.example`` resolve to each of ``answers`` in turn (the last one ever after)."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> object:
        if host != "news.example":
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(host)
        ip = answers[min(len(asked), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(str(port))))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_that_turns_private_after_the_check_is_refused(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a public answer for the check, loopback for the connection; no request is sent."""
    asked = _resolver(monkeypatch, ["93.184.215.14", "127.0.0.1"])
    port = site.base.rsplit(":", 1)[1]
    with pytest.raises(SourceError, match=r"127\.0\.0\.1, a loopback address") as refused:
        fetch(
            f"http://news.example:{port}/it/assembly.html",
            loopback(allow_private=False),
            ("text/html",),
        )
    assert str(refused.value).startswith(f"http://news.example:{port}/it/assembly.html: ")
    assert len(asked) == 2 and site.user_agents == []


def test_the_checked_connection_fetches_what_it_may(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With loopback counted as public, the same checked connection fetches the page as usual."""
    _resolver(monkeypatch, ["127.0.0.1"])
    monkeypatch.setattr(fetch_module, "_refusal", lambda ip: None)
    port = site.base.rsplit(":", 1)[1]
    response = fetch(
        f"http://news.example:{port}/it/assembly.html",
        loopback(allow_private=False),
        ("text/html",),
    )
    assert b"Assemblea" in response.data and len(site.user_agents) == 1


def test_fetch_refuses_a_body_larger_than_it_says(site: Site) -> None:
    """A Content-Length over the limit is refused before the body is read."""
    site.routes["/big.html"] = Route(b"<p>x</p>" * 50_000, "text/html")
    with pytest.raises(SourceError, match="larger than 1,000 bytes"):
        fetch(site.base + "/big.html", loopback(max_bytes=1000), ("text/html",))


paragraph_text = (
    st.text(
        alphabet=st.sampled_from(list("abc xyz àé عرب 0123456789.#>*_-+[]()<>&`\\!|=~\"':%@{}?,")),
        min_size=1,
        max_size=60,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(max_examples=200, deadline=None)
@given(title=paragraph_text, paragraphs=st.lists(paragraph_text, min_size=1, max_size=4))
def test_written_articles_read_back_word_for_word(title: str, paragraphs: list[str]) -> None:
    """Whatever punctuation an article holds, the file reads back as the same headline and paragraphs."""
    draft = Draft(title=title, paragraphs=tuple(paragraphs), source="https://x.example/a", guid="g")
    meta, blocks = parse_md(article_text(draft), Path("a.md"))
    assert blocks == [title, *paragraphs]
    assert meta["guid"] == "g"
    assert json.dumps(meta["title"]) == json.dumps(title)


def test_an_unwritable_edition_folder_is_one_error(site: Site, tmp_path: Path) -> None:
    """A content folder that cannot be written to gives an error naming the file, not a crash."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "web").write_text("a file where the edition folder should be")
    report = ingest(site.base + "/ar/feed.atom", "web", content, loopback())
    assert report.items == []
    assert len(report.errors) == 2
    assert all(
        e.startswith(str(content / "web")) and "cannot be written" in e for e in report.errors
    )


def test_an_ingested_chinese_page_builds_as_simplified_chinese(tmp_path: Path) -> None:
    """A saved Chinese page (zh-CN, no spaces between words) becomes an article that builds as zh-hans."""
    text = (FIXTURES.parent / "languages" / "zh-hans.txt").read_text(encoding="utf-8")
    headline, *paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "".join(f"<p>{p.strip()}</p>\n" for p in paragraphs)
    page = tmp_path / "page.html"
    page.write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{headline}</title>'
        f"</head><body><nav>首页 新闻</nav><article><h1>{headline}</h1>\n{body}</article></body></html>",
        encoding="utf-8",
    )
    content = tmp_path / "content"
    report = ingest(str(page), "2026-06-zh", content, loopback())
    assert report.ok, report.errors
    built = build(build_settings(content, tmp_path))
    assert built.ok, built.errors
    (bulletin,) = [e for e in built.episodes if e.kind == "bulletin"]
    assert bulletin.language == "zh-hans"
    cues = read_webvtt(bulletin.path.with_suffix(".vtt").read_text(encoding="utf-8"))
    spoken = "".join(cue.text.replace("\n", "") for cue in cues)
    assert paragraphs[0].strip()[:30] in spoken


def _many_items_feed(site: Site, count: int, delay: float) -> str:
    """A feed of ``count`` items, each linking to its own copy of the Italian page, every
    copy answering after ``delay`` seconds."""
    items = []
    for number in range(count):
        path = f"/it/page-{number}.html"
        site.routes[path] = Route(_page("it-article.html", "utf-8", "utf-8"), "text/html")
        site.routes[path].delay = delay
        items.append(
            f"<item><title>Notizia {number}</title><link>{site.base}{path}</link>"
            f"<guid>{site.base}{path}</guid></item>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Notizie</title>'
        f"<link>{site.base}/it/</link><language>it</language>{''.join(items)}</channel></rss>"
    )
    site.routes["/it/many.rss"] = Route(body.encode("utf-8"), "application/rss+xml")
    return site.base + "/it/many.rss"


def test_a_feed_is_read_to_its_item_bound_and_the_rest_is_named(site: Site, tmp_path: Path) -> None:
    """More items than max_feed_items: the first are written, and one line says how many were left."""
    feed = _many_items_feed(site, 5, delay=0)
    report = ingest(feed, "web", tmp_path / "content", loopback(max_items=3))
    assert report.ok and [i.title for i in report.items] == ["Notizia 0", "Notizia 1", "Notizia 2"]
    assert report.notes == [f"{feed}: has 5 items; the first 3 were read (max_feed_items)"]
    assert len(list((tmp_path / "content" / "web").glob("*.md"))) == 3


def test_a_slow_feed_is_given_up_at_its_deadline_and_the_items_not_reached_are_named(
    site: Site, tmp_path: Path, runner: CliRunner
) -> None:
    """Items whose pages take 0.8 s each, a feed allowed 2 s: the ingest ends within the
    deadline plus a second, writes what it read, and names the items it did not reach."""
    feed = _many_items_feed(site, 6, delay=0.8)
    started = time.monotonic()
    report = ingest(feed, "web", tmp_path / "content", loopback(feed_timeout=2.0))
    assert time.monotonic() - started < 3.0
    written = [i.title for i in report.items]
    assert 1 <= len(written) <= 3 and written == [f"Notizia {n}" for n in range(len(written))]
    assert report.errors and not report.ok
    assert any("were not read: the feed's 2 s (feed_timeout) ran out" in e for e in report.errors)
    command = ["ingest", feed, "--edition", "cli", "--content", str(tmp_path / "content")]
    result = runner.invoke(app, [*command, "--allow-private", "--feed-timeout", "2"])
    assert result.exit_code == 1 and "feed_timeout" in result.stderr
