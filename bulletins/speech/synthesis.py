"""Synthesis: every segment still missing from the clip cache is spoken, in parallel.

Offline engines run in the build's worker processes; online engines run on threads whose requests are paced by an adaptive concurrency limit and
retried with backoff. Clips land in the cache; the mixer reads them from there.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from types import TracebackType

from bulletins.audio import loudness
from bulletins.cache import ClipCache
from bulletins.errors import BulletinsError, TransientError
from bulletins.model import Audio, Stats
from bulletins.profiles.profile import Profile
from bulletins.speech.engines import ENGINES
from bulletins.speech.engines.base import Engine, EngineOptions, RemoteEngine
from bulletins.speech.throttle import AdaptiveLimit, RetryPolicy
from bulletins.store import CacheRoot, task_key
from bulletins.workers import Pool, WorkerDied

# Offline work goes to processes in batches: big enough that process round trips
# cost nothing next to the speech, small enough to keep both cores busy to the end.
BATCH_SIZE = 24


@dataclass(frozen=True)
class Job:
    """One segment to speak."""

    key: str
    """Its clip's cache key."""
    text: str
    engine: Engine
    profile: Profile
    group: Hashable
    """What it belongs to (an article): progress and failures are counted by group."""


@dataclass(frozen=True)
class SynthesisOptions:
    """How much to do at once, and how patiently."""

    concurrency: int
    """Requests in flight at first for online engines."""
    max_concurrency: int
    """The most requests in flight once the server has accepted many."""
    retry: RetryPolicy
    engine_options: EngineOptions
    seed: int | None = None
    """Seed of the jitter, for repeatable tests; None draws one."""


OnDone = Callable[[Job], None]


class Synthesizer:
    """Speaks jobs into the cache; use as a context manager so its worker processes end."""

    def __init__(self, options: SynthesisOptions, cache: ClipCache, pool: Pool) -> None:
        self.options = options
        self.cache = cache
        self.pool = pool
        self.stats = Stats()
        self._limit = AdaptiveLimit(options.concurrency, options.max_concurrency)
        self._rng = random.Random(options.seed)
        self._rng_lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None
        self._counted: set[str] = set()
        """The clips counted in the stats, as spoken or found in the cache."""

    def __enter__(self) -> Synthesizer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True, cancel_futures=True)

    def _thread_pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            # Twice the most requests in flight: while some threads decode and re-time
            # their answers, as many others can hold requests open.
            self._threads = ThreadPoolExecutor(
                2 * self._limit.maximum, thread_name_prefix="bulletins-online"
            )
        return self._threads

    def run(self, jobs: Iterable[Job], on_done: OnDone | None = None) -> dict[str, str]:
        """Make sure every job's clip is in the cache.

        Returns:
            The jobs that failed, as a map from cache key to the reason.
        """
        started = time.perf_counter()
        done = on_done or (lambda _job: None)
        unique: dict[str, Job] = {}
        for job in jobs:
            unique.setdefault(job.key, job)
        missing: list[Job] = []
        for job in unique.values():
            if job.key in self.cache:
                # A clip this synthesizer met in an earlier run (an announcement spoken
                # with the articles) is not counted again, as spoken or as found.
                self.stats.cached += job.key not in self._counted
                self._counted.add(job.key)
                done(job)
            else:
                missing.append(job)
        offline = [job for job in missing if job.engine.offline]
        online = [job for job in missing if not job.engine.offline]
        failures: dict[str, str] = {}

        def record(batch: Sequence[Job], outcome: Sequence[tuple[str, str | None]]) -> None:
            for job, (_key, error) in zip(batch, outcome, strict=True):
                if error is None:
                    self.stats.spoken += 1
                    self._counted.add(job.key)
                else:
                    self.stats.failed += 1
                    failures[job.key] = error
                done(job)

        futures: dict[Future[list[tuple[str, str | None]]], list[Job]] = {}
        for job in online:
            futures[self._thread_pool().submit(self._speak_online, job)] = [job]
        for batch in _batches(offline):
            if self.pool.inline:
                record(batch, speak_batch(*self._arguments(batch)))  # now, so progress moves
            else:
                submitted = self.pool.submit(
                    speak_batch, *self._arguments(batch), key=_key(batch, self.cache.root)
                )
                futures[submitted] = batch
        broken: list[list[Job]] = []
        for future in as_completed(futures):
            try:
                record(futures[future], future.result())
            except BrokenProcessPool:
                broken.append(futures[future])
        if broken:
            # A worker died (killed, or its engine crashed: eSpeak NG sometimes corrupts
            # itself on a sequence of voices and texts). What was not yet in the cache is
            # spoken once more, a clip at a time, so that a clip that kills its worker
            # again fails its own article alone and the rest stand.
            self.pool.restart()
            for batch in broken:
                spoken = [job for job in batch if job.key in self.cache]
                record(spoken, [(job.key, None) for job in spoken])
                for job in (job for job in batch if job.key not in self.cache):
                    record([job], self._again(job))
        self.stats.peak_in_flight = max(self.stats.peak_in_flight, self._limit.peak)
        if online:
            self.stats.lowest_limit = self._limit.lowest
        self.stats.seconds += time.perf_counter() - started
        return failures

    def _again(self, job: Job) -> list[tuple[str, str | None]]:
        """Speak one clip of a batch whose worker died."""
        try:
            return self.pool.submit(
                # Not the batch's own name: a one-clip batch would be handed its failure back.
                speak_batch,
                *self._arguments([job]),
                key=_key([job], self.cache.root) + "-again",
            ).result()
        except BrokenProcessPool as exc:
            self.pool.restart()
            # A cluster's scheduler says how many times (WorkerDied); a local pool died twice.
            reason = (
                str(exc)
                if isinstance(exc, WorkerDied)
                else f"the {job.engine.name} worker process died twice: {exc}"
            )
            return [(job.key, reason)]

    def _arguments(
        self, batch: Sequence[Job]
    ) -> tuple[str, EngineOptions, Profile, list[tuple[str, str]], CacheRoot]:
        first = batch[0]
        return (
            first.engine.name,
            self.options.engine_options,
            first.profile,
            [(job.key, job.text) for job in batch],
            self.cache.root,
        )

    def _speak_online(self, job: Job) -> list[tuple[str, str | None]]:
        policy = self.options.retry
        engine = job.engine
        for attempt in range(policy.retries + 1):
            # Under this build's adaptive limit, and a lease of the limit every build
            # sharing a cluster holds to (none on one machine).
            with self._limit.slot(), self.pool.lease(engine.name, self.options.max_concurrency):
                try:
                    if isinstance(engine, RemoteEngine):
                        answer = engine.fetch(job.text, job.profile)
                    else:
                        audio = engine.synthesize(job.text, job.profile)
                except TransientError as exc:
                    self._limit.pushback()
                    if attempt == policy.retries:
                        return [(job.key, f"{exc} (gave up after {policy.retries} retries)")]
                    retry_after = exc.retry_after
                except BulletinsError as exc:
                    return [(job.key, str(exc))]
                else:
                    self._limit.success()
                    break
            with self._rng_lock:
                wait = policy.delay(attempt, retry_after, self._rng)
                self.stats.retries += 1
            time.sleep(wait)
        else:
            raise AssertionError("unreachable: the loop returns on its last attempt")
        # The answer is decoded, re-timed and measured outside the limit of requests.
        try:
            if isinstance(engine, RemoteEngine):
                audio = engine.finish(answer, job.text, job.profile)
            self.cache.put(job.key, measured(audio))
        except BulletinsError as exc:
            return [(job.key, str(exc))]
        return [(job.key, None)]


def _key(batch: Sequence[Job], cache_root: CacheRoot) -> str:
    """The content address of a batch: the clips it makes (their keys say everything
    else), and the cache it makes them in."""
    return task_key(cache_root, [job.key for job in batch])


def _batches(jobs: Sequence[Job]) -> Iterable[list[Job]]:
    """Consecutive jobs of one engine and language, at most BATCH_SIZE at a time."""
    batch: list[Job] = []
    for job in jobs:
        if batch and (
            len(batch) >= BATCH_SIZE
            or job.engine is not batch[0].engine
            or job.profile != batch[0].profile
        ):
            yield batch
            batch = []
        batch.append(job)
    if batch:
        yield batch


@cache
def _engine(name: str, options: EngineOptions) -> Engine:
    """One engine per worker process, made on its first batch."""
    return ENGINES[name](options)


def speak_batch(
    engine_name: str,
    options: EngineOptions,
    profile: Profile,
    items: list[tuple[str, str]],
    cache_root: CacheRoot,
) -> list[tuple[str, str | None]]:
    """Speak each ``(key, text)`` into the cache; return each key with its error or None."""
    engine = _engine(engine_name, options)
    clips = ClipCache(cache_root)
    results: list[tuple[str, str | None]] = []
    for key, text in items:
        try:
            clips.put(key, measured(engine.synthesize(text, profile)))
        except BulletinsError as exc:
            results.append((key, str(exc)))
        else:
            results.append((key, None))
    return results


def measured(audio: Audio) -> Audio:
    """The clip with its BS.1770 loudness, measured once as it is spoken, for every mix that levels it."""
    return dataclasses.replace(audio, loudness=loudness.integrated(audio.pcm, audio.sample_rate))
