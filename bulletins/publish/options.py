"""What publishing needs to know: where the output folder is, and what the series is called."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PublishOptions:
    """The series' names and addresses, for the history, feeds and pages."""

    out_dir: Path
    """The output folder, holding the history, the episodes, the feeds and the pages."""
    bulletin: str
    """The series name: the feeds' and pages' title."""
    publisher: str
    base_url: str | None
    """Where the output folder is published; None writes no feeds."""
    cover: Path | None
    """The series' cover image; None draws one per language."""
    feed_items: int
    """The newest episodes each feed lists."""
    owner_email: str | None = None
    """The feeds' owner, for itunes:owner and podcast:locked."""
    update_frequency: str | None = None
    """An iCalendar RRULE, for podcast:updateFrequency."""
