"""The listening site in headless Chromium: axe-core, the keyboard, right to left, no JavaScript.

Needs Chromium (Debian's ``chromium``, or ``BULLETINS_CHROMIUM``), Playwright for
Python (the test extra) and axe-core from npm (``npm ci --prefix tests/browser``,
or ``BULLETINS_AXE_CORE``). ``.ci/run`` installs all three. Outside CI the tests
skip, saying what is missing; in CI (``CI`` set) a missing piece fails them.
Screenshots of each page are saved in ``test-artifacts/`` (or ``BULLETINS_ARTIFACTS``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, build_settings
from test_site import SAMPLE, SECOND, add_second_edition

from bulletins.build import build
from bulletins.publish import listing
from bulletins.publish.serve import serving

AXE_CORE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PAGES = {"index": "index.html", "it": "it.html", "ar": "ar.html", "it-archive": "it-1.html"}
ARCHIVE_PAGE_SIZE = 2
"""Two episodes a listing page, so that the two editions' Italian articles make an archive page."""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need {reason} (CI installs it: see .ci/run)")
    pytest.skip(f"browser tests skipped: {reason} (see tests/test_browser.py)")


def _chromium() -> str:
    named = os.environ.get("BULLETINS_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    _missing("Chromium (apt-get install chromium)")
    raise AssertionError("unreachable")


def _axe() -> Path:
    path = Path(os.environ.get("BULLETINS_AXE_CORE", AXE_CORE))
    if not path.is_file():
        _missing(f"axe-core at {path} (npm ci --prefix tests/browser)")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The sample edition and a later two-article edition, built with the offline voice, served."""
    root = tmp_path_factory.mktemp("site")
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    add_second_edition(content)
    settings = build_settings(
        content, root, engine="espeak", base_url="https://example.org/news", workers=2
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(listing, "PAGE_SIZE", ARCHIVE_PAGE_SIZE)
        assert build(settings).ok
    assert (root / "audio" / PAGES["it-archive"]).is_file()
    with serving(root / "audio") as base:
        yield base, root / "audio"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python (pip install '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--mute-audio",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Any, site: tuple[str, Path]) -> Iterator[Any]:
    """A fresh browser context that records every request it makes."""
    made = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    made.requests = []
    made.on("request", lambda request: made.requests.append(request.url))
    yield made
    base = site[0]
    strangers = [url for url in made.requests if not url.startswith(base)]
    made.close()
    assert strangers == [], "the page asked another site for something"


def artifacts() -> Path:
    folder = Path(os.environ.get("BULLETINS_ARTIFACTS", REPO / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("name", sorted(PAGES))
def test_axe_finds_no_wcag_a_or_aa_violations(
    context: Any, site: tuple[str, Path], name: str
) -> None:
    base, _ = site
    page = context.new_page()
    page.goto(base + PAGES[name])
    page.screenshot(path=str(artifacts() / f"{name}.png"), full_page=True)
    page.screenshot(path=str(artifacts() / f"{name}-top.png"))
    page.add_script_tag(path=str(_axe()))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_A_AA
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
    ]
    assert problems == []
    assert results["passes"], "axe-core ran no checks"


def _tab_to(page: Any, test: str, limit: int = 60) -> list[str]:
    """Press Tab until the focused element passes ``test`` (JavaScript); the elements passed."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        passed.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
        if page.evaluate(f"(() => {{ const e = document.activeElement; return {test}; }})()"):
            return passed
    raise AssertionError(f"Tab never reached {test}; passed {passed}")


def test_keyboard_alone_plays_and_jumps_to_the_second_article(
    context: Any, site: tuple[str, Path]
) -> None:
    base, out = site
    page = context.new_page()
    page.goto(base + "it.html")
    passed = _tab_to(page, "true", limit=1)
    assert 'class="skip"' in passed[0], "the first Tab reaches the skip link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    _tab_to(page, "e.tagName === 'AUDIO'")
    page.keyboard.press("Space")
    page.wait_for_function("!document.querySelector('audio').paused", timeout=5000)

    _tab_to(page, "e.matches('ol.chapters li:nth-child(2) a')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    chapters = json.loads((out / SECOND / f"{SECOND}.it.chapters.json").read_text("utf-8"))
    start = chapters["chapters"][1]["startTime"]
    # Read from the player's record of what it played, not its position at the check: on a
    # busy machine playback may have run on a little before the check is made.
    page.wait_for_function(
        "([a, t]) => [...Array(a.played.length).keys()].some(i => "
        "Math.abs(a.played.start(i) - t) <= 0.1 && a.played.end(i) - a.played.start(i) > 0.2)",
        arg=[page.query_selector("audio"), start],
        timeout=5000,
    )
    assert page.evaluate("!document.querySelector('audio').paused")
    assert page.url == base + "it.html", "the jump stays on the page"


def test_the_spoken_sentence_is_highlighted(context: Any, site: tuple[str, Path]) -> None:
    base, _ = site
    page = context.new_page()
    page.goto(base + "it.html")
    cue = page.locator("section[data-episode] a.cue").nth(4)
    cue.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('a.cue')[4].getAttribute('aria-current') === 'true'",
        timeout=5000,
    )
    # Where playback began is read from the player's own record of what it played, so a busy
    # machine that lets it run on before the check cannot move the figure.
    page.wait_for_function(
        "(a => a.played.length > 0 && a.played.end(a.played.length - 1) - "
        "a.played.start(a.played.length - 1) > 0.2)(document.querySelector('audio'))",
        timeout=5000,
    )
    began = page.evaluate(
        "(a => a.played.start(a.played.length - 1))(document.querySelector('audio'))"
    )
    start = float(cue.get_attribute("data-start"))
    assert abs(began - start) <= 0.1
    assert page.locator("a.cue.current").count() == 1


def test_arabic_page_is_laid_out_right_to_left(context: Any, site: tuple[str, Path]) -> None:
    base, _ = site
    page = context.new_page()
    for name, direction in (("ar.html", "rtl"), ("it.html", "ltr")):
        page.goto(base + name)
        layout = page.evaluate(
            """() => {
                const main = document.querySelector('main').getBoundingClientRect();
                // Where an item's line starts: its first part (a chapter's time), not
                // its link, whose box depends on how long the title is.
                const item = document.querySelector(
                    'ol.chapters li > :first-child, ul.listing li > :first-child');
                const range = document.createRange();
                range.selectNodeContents(document.querySelector('h2#bulletins'));
                const first = range.getClientRects()[0];
                return {
                    direction: getComputedStyle(document.body).direction,
                    headingLeftGap: first.left - main.left,
                    headingRightGap: main.right - first.right,
                    itemRightGap: main.right - item.getBoundingClientRect().right,
                };
            }"""
        )
        assert layout["direction"] == direction
        if direction == "rtl":
            # Right-aligned: a heading's text and the lists start at the right edge.
            assert layout["headingRightGap"] < 2 < layout["headingLeftGap"]
            assert layout["itemRightGap"] < 60
        else:
            assert layout["headingLeftGap"] < 2 < layout["headingRightGap"]


def test_listening_and_downloading_work_without_javascript(
    browser: Any, site: tuple[str, Path]
) -> None:
    base, _ = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "it.html")
    audio = page.locator("section[data-episode] audio")
    assert audio.get_attribute("controls") is not None
    source = audio.get_attribute("src")
    answer = page.request.get(base + source)
    assert answer.ok and answer.headers["content-type"] == "audio/mpeg"
    chapter = page.locator("ol.chapters li a").nth(1)
    assert chapter.get_attribute("href").startswith(source + "#t=")
    assert page.locator("label.follow").is_hidden()
    context.close()


def test_reduced_motion_and_the_readers_font_size_are_honoured(
    context: Any, site: tuple[str, Path]
) -> None:
    base, _ = site
    page = context.new_page()
    transition = "getComputedStyle(document.querySelector('a.cue')).transitionDuration"
    page.emulate_media(reduced_motion="no-preference")
    page.goto(base + "it.html")
    assert page.evaluate(transition) != "0s"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(transition) == "0s"
    size = "parseFloat(getComputedStyle(document.body).fontSize)"
    normal = page.evaluate(size)
    assert normal >= 18, "body text is large"
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(size) == pytest.approx(2 * normal)


def test_episode_pages_play_too(context: Any, site: tuple[str, Path]) -> None:
    base, _ = site
    page = context.new_page()
    page.goto(base + f"{SAMPLE}/{SAMPLE}.ar.html")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.locator("ol.chapters li a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("!document.querySelector('audio').paused", timeout=5000)
