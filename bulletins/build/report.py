"""What a build reports: the episodes it made or found up to date, and what went wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bulletins.model import ClusterStats, Episode, Problem, Stats, TalkingBook

OnProgress = Callable[[str, int, int], None]
"""Called as (bulletin being made, segments ready, segments in all), and as
(``ARTICLES_PROGRESS``, articles ready, articles in all)."""
ARTICLES_PROGRESS = "all articles"


@dataclass
class Report:
    """What a build made and what went wrong, for the closing summary."""

    episodes: list[Episode] = field(default_factory=list)
    books: list[TalkingBook] = field(default_factory=list)
    """The talking books written or found up to date, one per bulletin."""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    articles: int = 0
    synthesis: Stats = field(default_factory=Stats)
    encoded: int = 0
    """Pieces of episodes (an article, the announcements between) mixed and encoded;
    the rest came from the cache, and episodes already up to date need none."""
    unusable: tuple[str, ...] = ()
    """Engines found unusable here (not installed, not reachable), which ``auto`` spoke
    without."""
    cluster: ClusterStats | None = None
    """The cluster the build ran on; None for this machine's processes."""
    unchanged: bool = False
    """Nothing the build reads had changed since the last build, whose outputs were all
    still as it left them: nothing was read, spoken, encoded or written."""

    @property
    def ok(self) -> bool:
        return not self.errors
