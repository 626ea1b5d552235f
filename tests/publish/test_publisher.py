"""Publishing writes what changed: its feeds and pages are those a publish from scratch writes."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS, build_settings, write

from bulletins import options
from bulletins.build import build
from bulletins.publish import listing
from bulletins.publish.manifest import NAME
from bulletins.publish.publisher import publish, remove_episodes
from bulletins.settings import Settings

SECOND = "2026-06-two-articles"
THIRD = "2026-07-one-more"


def published(out: Path) -> dict[str, bytes]:
    """Every page and feed (the feed list and the Alexa briefings too) in the output
    folder, by its path."""
    feeds = [*out.rglob("*.xml"), *out.glob("*.opml"), *out.glob("feeds/*/briefing.json")]
    files = [*out.rglob("*.html"), *feeds, *out.glob("site.*")]
    # The talking books are the build's, not the publish's: their documents are not pages.
    files = [p for p in files if not p.parent.name.endswith(".daisy")]
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


def from_scratch(chosen: Settings, tmp_path: Path) -> dict[str, bytes]:
    """The pages and feeds a publish writes into a copy of the output folder stripped of them."""
    scratch = tmp_path / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(chosen.out_dir, scratch)
    for name in published(scratch):
        (scratch / name).unlink()
    (scratch / NAME).unlink()
    there = dataclasses.replace(chosen, out_dir=scratch)
    publish([], options.profiles(there), options.publish_options(there))
    return published(scratch)


def test_an_incremental_publish_writes_what_a_publish_from_scratch_does(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each new, edited or removed edition, the feeds and pages are byte for byte
    those written from the history alone, with nothing left over."""
    # Two items a feed and one episode a listing page: in a history of three editions,
    # the feeds are cut short and the archive has pages.
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    chosen = build_settings(
        content, tmp_path, base_url="https://example.org/news", publisher="Surrey", feed_items=2
    )
    out = chosen.out_dir
    seen = []

    def check() -> None:
        files = published(out)
        assert from_scratch(chosen, tmp_path) == files
        seen.append(files)

    assert build(chosen).ok
    check()
    write(
        content / SECOND / "bike-theft.it.txt", "Furti di biciclette\n\nUn nuovo modulo online.\n"
    )
    write(content / SECOND / "notice.ar.txt", SEEDS["ar"].read_text("utf-8"))
    assert build(chosen).ok
    check()
    write(content / THIRD / "found.it.txt", "Biciclette ritrovate\n\nLa polizia le restituisce.\n")
    assert build(chosen).ok
    check()
    assert "it-3.html" in seen[-1]
    assert {"feeds.opml", "feeds/it/briefing.json", "feeds/ar/briefing.json"} <= set(seen[-1])
    # An edited headline changes its episode's page, the listings and its feed item.
    write(content / SECOND / "bike-theft.it.txt", "Furti di bici: il modulo\n\nUn modulo online.\n")
    assert build(chosen).ok
    check()
    assert "Furti di bici: il modulo" in seen[-1]["feeds/it/articles.xml"].decode()
    remove_episodes(options.profiles(chosen), options.publish_options(chosen), SECOND, None)
    check()
    assert "it-3.html" not in seen[-1]
    assert all(a != b for a, b in itertools.pairwise(seen))


def test_publication_times_are_never_in_the_future_and_never_repeat() -> None:
    """An edition of today built at 07:00 UTC is published at 07:00, not at 09:00 (which
    AntennaPod would drop as a date in the future); its next episode a second earlier;
    an episode of an earlier day at 09:00 of that day, unless that time is taken."""
    from datetime import UTC, datetime

    from bulletins.publish.publisher import PublicationTimes

    taken = {("it", "article", "2026-11-30T09:00:00+00:00")}
    times = PublicationTimes(taken, now=datetime(2026, 12, 1, 7, 0, 0, 123, tzinfo=UTC))
    assert times.take("it", "article", "2026-12-01") == "2026-12-01T07:00:00+00:00"
    assert times.take("it", "article", "2026-12-01") == "2026-12-01T06:59:59+00:00"
    assert times.take("ar", "article", "2026-12-01") == "2026-12-01T07:00:00+00:00"
    assert times.take("it", "bulletin", "2026-12-01") == "2026-12-01T07:00:00+00:00"
    assert times.take("it", "article", "2026-12-25") == "2026-12-01T06:59:58+00:00"
    assert times.take("it", "article", "2026-11-30") == "2026-11-30T08:59:59+00:00"
    assert times.take("it", "article", "2026-11") == "2026-11-01T09:00:00+00:00"
