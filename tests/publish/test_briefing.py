"""Alexa's Flash Briefing: per language, the newest articles as Amazon's feed format asks."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from conftest import SEEDS, build_settings, write
from mutagen.mp3 import MP3

from bulletins.build import build
from bulletins.model import EpisodeKind
from bulletins.publish import briefing, history
from bulletins.publish.podcast import FeedSettings
from bulletins.settings import Settings

BASE = "https://example.org/news"
SAMPLE = SEEDS["it"].parent.name
SECOND = "2026-06-two-articles"
# Amazon's Flash Briefing Skill API feed reference: the fields of a JSON item, the
# date format yyyy-MM-dd'T'HH:mm:ss'.0Z', 1 to 5 items newest first, unique uids, an
# HTTPS stream of 10 seconds to 10 minutes, and fewer than 4,500 characters of text.
REQUIRED = {"uid", "updateDate", "titleText", "mainText", "streamUrl"}
FIELDS = REQUIRED | {"redirectionUrl"}
UPDATE_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0Z")


def amazon_problems(items: Any, out: Path) -> list[str]:
    """What Amazon's documented rules find wrong with a briefing's items, its audio
    measured from the files the stream URLs name."""
    if not isinstance(items, list) or not 1 <= len(items) <= 5:
        return [f"not a list of 1 to 5 items: {items!r}"]
    problems = []
    for item in items:
        if not REQUIRED <= set(item) <= FIELDS:
            problems.append(f"fields {sorted(item)}")
            continue
        if not all(isinstance(value, str) for value in item.values()):
            problems.append(f"a field that is not a string: {item}")
        if not UPDATE_DATE.fullmatch(item["updateDate"]):
            problems.append(f"updateDate {item['updateDate']}")
        if not item["titleText"].strip() or len(item["mainText"]) >= 4500:
            problems.append(f"titleText or mainText of {item['uid']}")
        for field in ("streamUrl", "redirectionUrl"):
            if not item.get(field, BASE).startswith(BASE + "/"):
                problems.append(f"{field} {item.get(field)} is not an HTTPS address here")
        audio = out / item["streamUrl"].removeprefix(BASE + "/")
        if not audio.is_file() or not 10 <= MP3(audio).info.length <= 600:
            problems.append(f"{audio}: missing, or not 10 s to 10 minutes long")
    dates = [item.get("updateDate", "") for item in items]
    if dates != sorted(dates, reverse=True):
        problems.append(f"not newest first: {dates}")
    if len({item.get("uid") for item in items}) != len(items):
        problems.append("uids repeat")
    return problems


def settings(content: Path, tmp_path: Path, **changes: object) -> Settings:
    return build_settings(
        content, tmp_path, **{"base_url": BASE, "owner_email": "news@example.org", **changes}
    )


def read_briefing(out: Path, language: str) -> Any:
    return json.loads((out / "feeds" / language / "briefing.json").read_text("utf-8"))


def test_each_language_has_a_briefing_amazon_accepts(content: Path, tmp_path: Path) -> None:
    """The newest articles of 10 s to 10 minutes, newest first, each linked to its page;
    a shorter article and the bulletins are left out."""
    write(content / SECOND / "bike-theft.it.txt", SEEDS["it"].read_text("utf-8"))
    write(content / SECOND / "found.it.txt", "Biciclette ritrovate\n\nLa polizia le restituisce.\n")
    report = build(settings(content, tmp_path))
    assert report.ok and not report.warnings, report.warnings
    out = tmp_path / "audio"
    articles = {r.audio: r for r in history.episodes(out, kind=EpisodeKind.ARTICLE)}
    short = next(r for r in articles.values() if r.article == "found")
    assert short.duration_ms < 10_000, "the short article is short enough to leave out"
    listed = {}
    for language in ("it", "ar"):
        items = read_briefing(out, language)
        assert amazon_problems(items, out) == []
        listed[language] = [articles[i["streamUrl"].removeprefix(BASE + "/")] for i in items]
        for item, record in zip(items, listed[language], strict=True):
            assert item["uid"] == f"urn:uuid:{record.guid}"
            assert item["titleText"] == record.title
            page = out / item["redirectionUrl"].removeprefix(BASE + "/")
            assert page.is_file() and record.title in page.read_text("utf-8")
    assert [(r.edition, r.article) for r in listed["it"]] == [
        (SECOND, "bike-theft"),
        (SAMPLE, "community-safety-assembly"),
    ]
    assert [(r.edition, r.article) for r in listed["ar"]] == [(SAMPLE, "community-safety-assembly")]


def test_without_https_no_briefing_is_written(content: Path, tmp_path: Path) -> None:
    """Amazon streams audio over HTTPS only: an http base_url gets one warning saying
    so, and the feeds without a briefing."""
    report = build(settings(content, tmp_path, base_url="http://example.org/news"))
    assert report.ok
    out = tmp_path / "audio"
    assert [w.message for w in report.warnings] == [
        "base_url http://example.org/news is not an https:// address, so no Alexa"
        " briefings were written (Amazon plays audio from HTTPS addresses only)"
    ]
    assert (out / "feeds" / "it" / "articles.xml").is_file()
    assert not list(out.glob("feeds/*/briefing.json"))


def test_a_language_with_no_playable_article_is_warned_of(content: Path, tmp_path: Path) -> None:
    """When every article in a language is too short for Alexa, its briefing lists none
    (so it plays nothing stale) and a warning names it."""
    (content / SAMPLE / "community-safety-assembly.ar.txt").unlink()
    write(content / SAMPLE / "notice.ar.txt", "إغلاق طريق\n\nالطريق مغلق اليوم.\n")
    report = build(settings(content, tmp_path))
    assert report.ok
    out = tmp_path / "audio"
    assert read_briefing(out, "ar") == []
    assert [w.message for w in report.warnings] == [
        "feeds/ar/briefing.json: lists no article, as Alexa plays audio of 10 seconds to"
        " 10 minutes and no article in this language is"
    ]
    assert amazon_problems(read_briefing(out, "it"), out) == []


def record(number: int, kind: EpisodeKind, duration_ms: int) -> history.Record:
    """An episode of the history, numbered from the newest."""
    edition = f"2026-05-{31 - number:02d}"
    return history.Record(
        guid=history.guid_for(kind, edition, "a", "it"),
        kind=kind,
        edition=edition,
        article="a" if kind == EpisodeKind.ARTICLE else "",
        language="it",
        title=f"Articolo {number}",
        description="",
        published=edition,
        audio=f"{edition}/a.it.mp3",
        bytes=1,
        duration_ms=duration_ms,
        vtt="",
        srt="",
        chapters="",
        updated="",
    )


def test_a_briefing_plays_the_newest_five_articles_alexa_accepts() -> None:
    """Bulletins, articles under 10 s and over 10 minutes are passed over; of the rest
    the newest five are chosen, in the history's order (newest first)."""
    minute = 60_000
    durations = [
        (EpisodeKind.BULLETIN, 3 * minute),
        (EpisodeKind.ARTICLE, 9_999),
        (EpisodeKind.ARTICLE, 10_000),
        (EpisodeKind.ARTICLE, 10 * minute + 1),
        (EpisodeKind.ARTICLE, 10 * minute),
        (EpisodeKind.ARTICLE, minute),
        (EpisodeKind.ARTICLE, 2 * minute),
        (EpisodeKind.ARTICLE, 3 * minute),
        (EpisodeKind.ARTICLE, 4 * minute),
    ]
    records = [record(n, kind, ms) for n, (kind, ms) in enumerate(durations)]
    assert [r.title for r in briefing.chosen(records)] == [
        "Articolo 2",
        "Articolo 4",
        "Articolo 5",
        "Articolo 6",
        "Articolo 7",
    ]


def test_update_dates_are_in_amazons_format() -> None:
    """yyyy-MM-dd'T'HH:mm:ss'.0Z', of the time the episode was first published (as the
    feeds give it), or for an older history of 09:00 UTC of its date or month."""
    published = dataclasses.replace(
        record(0, EpisodeKind.ARTICLE, 60_000), published_at="2026-05-07T06:59:58+00:00"
    )
    assert briefing.update_date(published) == "2026-05-07T06:59:58.0Z"
    older = dataclasses.replace(published, published_at="", published="2026-05")
    assert briefing.update_date(older) == "2026-05-01T09:00:00.0Z"


def test_an_item_names_its_audio_and_page_and_keeps_its_text_under_amazons_limit() -> None:
    """The summary is the item's text when it is under 4,500 characters; otherwise the
    text is empty, which Amazon allows for audio."""
    settings = FeedSettings(base_url=BASE + "/", bulletin="News", publisher="Surrey", items=9)
    short = dataclasses.replace(record(0, EpisodeKind.ARTICLE, 60_000), description="In breve.")
    assert briefing.item(short, settings) == {
        "uid": f"urn:uuid:{short.guid}",
        "updateDate": "2026-05-31T09:00:00.0Z",
        "titleText": "Articolo 0",
        "mainText": "In breve.",
        "streamUrl": f"{BASE}/2026-05-31/a.it.mp3",
        "redirectionUrl": f"{BASE}/2026-05-31/a.it.html",
    }
    long = dataclasses.replace(short, description="parola " * 700)
    assert briefing.item(long, settings)["mainText"] == ""
