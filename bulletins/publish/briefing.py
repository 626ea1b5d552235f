"""Alexa's Flash Briefing: per language, a JSON feed of the newest articles, for a smart
speaker that plays "the news" on request.

Amazon's Flash Briefing Skill API reads a JSON array of at most five items, newest
first; each audio item names its audio by an HTTPS address (``streamUrl``) and plays
for ten seconds to ten minutes. The articles are the briefing, not the bulletins: a
bulletin runs longer than a listener asking a speaker for the news expects, and Alexa
cannot skip between its chapters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path

from bulletins.atomic import write_text_atomic
from bulletins.model import EpisodeKind, Problem, Stage
from bulletins.publish.history import Record, page_path, shown
from bulletins.publish.manifest import Manifest, digest
from bulletins.publish.podcast import FeedSettings, published_time, url

ITEMS = 5
"""Amazon plays the first five items of a feed and ignores the rest."""
SHORTEST_MS = 10_000
LONGEST_MS = 10 * 60_000
"""Amazon's bounds for an audio item: at least ten seconds, at most ten minutes."""
MAIN_TEXT = 4_500
"""Amazon asks for an item's text to be fewer characters than this."""


def briefing_path(language: str) -> str:
    return f"feeds/{language}/briefing.json"


def update_date(record: Record) -> str:
    """Amazon's ``yyyy-MM-dd'T'HH:mm:ss'.0Z'`` for the time the episode was first
    published, as the feeds give it (never in the future, which Alexa may pass over)."""
    return published_time(record).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0Z")


def chosen(records: Sequence[Record]) -> list[Record]:
    """The articles a briefing plays, from a language's records (newest first): the
    newest ``ITEMS`` whose audio Amazon accepts."""
    playable = [
        r
        for r in records
        if r.kind == EpisodeKind.ARTICLE and SHORTEST_MS <= r.duration_ms <= LONGEST_MS
    ]
    return playable[:ITEMS]


def item(record: Record, settings: FeedSettings) -> dict[str, str]:
    """One briefing item, in Amazon's field names."""
    return {
        # The feeds' guid, so a speaker that has played an article knows it again.
        "uid": f"urn:uuid:{record.guid}",
        "updateDate": update_date(record),
        "titleText": record.title,
        # Required, and ignored for an audio item; the summary when it fits the limit.
        "mainText": record.description if len(record.description) < MAIN_TEXT else "",
        "streamUrl": url(settings, record.audio),
        "redirectionUrl": url(settings, page_path(record)),
    }


def write_briefing(
    out_dir: Path,
    language: str,
    records: Sequence[Record],
    settings: FeedSettings,
    manifest: Manifest,
) -> tuple[Path | None, list[Problem]]:
    """Write a language's briefing from its records, unless it is up to date.

    Returns:
        The briefing if it was written, and a warning when the language has articles
        and none that Amazon would play.
    """
    name = briefing_path(language)
    items = chosen(records)
    problems = []
    if not items and any(r.kind == EpisodeKind.ARTICLE for r in records):
        message = (
            f"{name}: lists no article, as Alexa plays audio of 10 seconds to 10 minutes"
            " and no article in this language is"
        )
        problems.append(Problem(Stage.PUBLISH, message, out_dir / name, warning=True))
    key = digest("briefing", [shown(r) for r in items], settings)
    if manifest.unchanged(name, key):
        return None, problems
    text = json.dumps([item(r, settings) for r in items], ensure_ascii=False, indent=2)
    write_text_atomic(out_dir / name, text + "\n")
    manifest.wrote(name, key)
    return out_dir / name, problems


def write_briefings(
    out_dir: Path,
    languages: Sequence[str],
    settings: FeedSettings,
    whole: Sequence[Record],
    manifest: Manifest,
) -> tuple[list[Path], list[Problem]]:
    """Write each language's briefing, when the output folder is served over HTTPS.

    Returns:
        The briefings written, and the problems: a warning, and no briefing, when
        ``base_url`` is not HTTPS (Amazon fetches a briefing's audio over HTTPS only,
        so one that names http addresses would be refused when the skill is set up).
    """
    if not settings.base_url.lower().startswith("https://"):
        message = (
            f"base_url {settings.base_url} is not an https:// address, so no Alexa"
            " briefings were written (Amazon plays audio from HTTPS addresses only)"
        )
        return [], [Problem(Stage.PUBLISH, message, warning=True)]
    written, problems = [], []
    for language in languages:
        records = [r for r in whole if r.language == language]
        path, found = write_briefing(out_dir, language, records, settings, manifest)
        written += [path] if path else []
        problems += found
    return written, problems
