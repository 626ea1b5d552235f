"""Pacing: the adaptive concurrency limit and the retry delays."""

from __future__ import annotations

import random
import threading
import time

import pytest

from bulletins.speech.throttle import AdaptiveLimit, RetryPolicy, parse_retry_after


def test_limit_halves_on_pushback_once_per_burst_and_recovers() -> None:
    """Pushback halves the limit once per burst; successes then raise it one step at a time."""
    limit = AdaptiveLimit(start=4, maximum=8)
    limit.pushback()
    limit.pushback()  # same burst
    assert limit.limit == 2
    limit.success()
    assert limit.limit == 2  # a round at a limit of 2 is two successes
    limit.success()
    assert limit.limit == 3
    for _ in range(2):
        limit.success()
    assert limit.limit == 3
    for _ in range(100):
        limit.success()
    assert limit.limit == 8


def test_slot_never_exceeds_the_limit() -> None:
    """However many threads ask, no more than the limit hold a slot at once."""
    limit = AdaptiveLimit(start=3, maximum=3)
    inside = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with limit.slot():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == limit.peak == 3


@pytest.mark.parametrize(("attempt", "cap"), [(0, 0.5), (1, 1.0), (3, 4.0), (10, 30.0)])
def test_backoff_grows_exponentially_with_jitter(attempt: int, cap: float) -> None:
    """Waits are drawn from 0 up to base·2^attempt, capped."""
    policy = RetryPolicy(retries=5, base_s=0.5, cap_s=30.0)
    rng = random.Random(1)
    delays = [policy.delay(attempt, None, rng) for _ in range(200)]
    assert all(0 <= d <= cap for d in delays)
    assert max(delays) > cap * 0.8  # jitter spreads over the whole range


def test_retry_after_is_honoured_and_capped() -> None:
    """A server's Retry-After sets the floor of the wait, up to a maximum."""
    policy = RetryPolicy(retries=5, base_s=0.1, max_retry_after_s=60)
    rng = random.Random(1)
    assert policy.delay(0, 7.0, rng) == 7.0
    assert policy.delay(0, 3600.0, rng) == 60


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("5", 5.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0)],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    """Retry-After is read as seconds or as an HTTP date."""
    now = 1445412480.0  # 07:28:00 GMT that day
    assert parse_retry_after(header, now=now) == seconds
