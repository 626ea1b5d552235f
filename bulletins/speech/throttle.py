"""Pacing: how many requests an online voice gets at once, and how long to wait after a refusal.

Concurrency follows additive increase, multiplicative decrease (the rule TCP uses):
the limit halves when the server pushes back (429 or 5xx) and grows by one after a
run of successes, between 1 and a maximum. Waits between retries grow exponentially
with full jitter, so many clients refused together do not return together, and a
server's ``Retry-After`` is honoured when it is longer.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a refused request is tried again."""

    retries: int
    """Tries after the first."""
    base_s: float = 0.5
    """First wait; each later one doubles, up to ``cap_s``."""
    cap_s: float = 30.0
    max_retry_after_s: float = 120.0
    """A server asking for a longer wait than this is taken to mean 'not today'."""

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before try number ``attempt + 1`` (``attempt`` counts from 0)."""
        backoff = rng.uniform(0, min(self.cap_s, self.base_s * 2**attempt))
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after_s))
        return backoff


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class AdaptiveLimit:
    """A concurrency limit that halves under pushback and recovers one step at a time."""

    def __init__(self, start: int, maximum: int, minimum: int = 1) -> None:
        self.minimum = minimum
        self.maximum = max(maximum, start)
        self._limit = max(minimum, start)
        self._in_flight = 0
        self._successes = 0
        self._quiet_until = 0.0
        self._condition = threading.Condition()
        self.peak = 0
        """The most requests that were ever in flight at once."""
        self.lowest = self._limit
        """The lowest the limit fell."""

    @property
    def limit(self) -> int:
        return self._limit

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the limited places for the duration of a request."""
        with self._condition:
            while self._in_flight >= self._limit:
                self._condition.wait()
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
        try:
            yield
        finally:
            with self._condition:
                self._in_flight -= 1
                self._condition.notify_all()

    def success(self) -> None:
        """A request went through: after a round of successes at this limit, allow one more.

        A round is as many successes as the limit allows in flight, as TCP's congestion
        avoidance opens its window by one segment per window acknowledged.
        """
        with self._condition:
            self._successes += 1
            if self._successes >= self._limit and self._limit < self.maximum:
                self._limit += 1
                self._successes = 0
                self._condition.notify_all()

    def pushback(self) -> None:
        """The server refused: halve the limit, once per burst of refusals."""
        with self._condition:
            now = time.monotonic()
            self._successes = 0
            # Requests in flight together are refused together; one burst halves once.
            if now < self._quiet_until:
                return
            self._limit = max(self.minimum, self._limit // 2)
            self.lowest = min(self.lowest, self._limit)
            self._quiet_until = now + 0.5
