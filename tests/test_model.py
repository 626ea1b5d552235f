"""Shared values: the one way a duration is shown."""

from __future__ import annotations

import pytest

from bulletins.model import clock


@pytest.mark.parametrize(
    ("ms", "shown"),
    [
        (0, "0:00"),
        (999, "0:00"),
        (59_600, "0:59"),
        (60_000, "1:00"),
        (3_599_999, "59:59"),
        (3_600_000, "1:00:00"),
        (3_725_400, "1:02:05"),
    ],
)
def test_clock_counts_whole_seconds_as_players_do(ms: int, shown: str) -> None:
    """Durations show the whole seconds elapsed: 59.6 s is 0:59, never rounded up to 1:00."""
    assert clock(ms) == shown
