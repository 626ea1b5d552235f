"""Worker processes: the CPU-bound work of a build, spread over processes.

eSpeak NG cannot be entered by two threads of one process, and mixing a bulletin is
Python work that threads would serialise on the interpreter lock, so both run in
worker processes. Workers exchange only small values with the build: clips go
straight into the clip cache, encoded pieces of episodes into the piece cache.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any, Protocol, TypeVar

from bulletins.errors import BulletinsError
from bulletins.model import ClusterStats

T = TypeVar("T")


class WorkerDied(BrokenProcessPool):
    """The process running a call died (killed, or its engine crashed)."""


class Pool(Protocol):
    """Where a build's CPU-bound work runs: this machine's processes, or a cluster's."""

    workers: int

    @property
    def inline(self) -> bool:
        """True when calls run in this process, one after another, as they are submitted."""

    def restart(self) -> None:
        """Make way for fresh processes after one died."""

    def submit(self, function: Callable[..., T], *args: Any, key: str | None = None) -> Future[T]:
        """Start ``function(*args)``; ``key`` is the content address of what it makes."""

    def lease(self, name: str, limit: int) -> AbstractContextManager[None]:
        """Hold one of ``limit`` leases on ``name`` (an online voice) shared by every build
        using these workers."""

    def stats(self) -> ClusterStats | None:
        """What a cluster did for the build; None for this machine's processes."""


class WorkerPool:
    """Runs calls in worker processes, or in this process when there is one worker."""

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        """``preload`` names the modules holding the work the processes will be given."""
        self.workers = max(1, workers)
        self._preload = list(preload)
        self._pool: ProcessPoolExecutor | None = None

    @property
    def inline(self) -> bool:
        """True when calls run here, one after another."""
        return self.workers == 1

    def restart(self) -> None:
        """Drop a pool whose worker died; the next call starts fresh processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def stats(self) -> ClusterStats | None:
        return None

    def lease(self, name: str, limit: int) -> AbstractContextManager[None]:
        """One build alone uses these processes: its own adaptive limit is the only one."""
        return nullcontext()

    def submit(self, function: Callable[..., T], *args: Any, key: str | None = None) -> Future[T]:
        """Start ``function(*args)``; inline, it has run by the time this returns."""
        if self.inline:
            future: Future[T] = Future()
            try:
                future.set_result(function(*args))
            except BulletinsError as exc:
                future.set_exception(exc)
            return future
        if self._pool is None:
            # forkserver, not fork: the build runs threads (progress display, the online
            # pool), and a forked child can inherit a lock one of them held.
            method = "forkserver" if sys.platform.startswith("linux") else "spawn"
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                # The server imports the worker code once; each worker then starts as a fork
                # of it.
                context.set_forkserver_preload(self._preload)
            self._pool = ProcessPoolExecutor(self.workers, context)
        try:
            return self._pool.submit(function, *args)
        except BrokenProcessPool as exc:
            # A worker died earlier; the caller sees it, like any failure, from the future.
            broken: Future[T] = Future()
            broken.set_exception(exc)
            return broken

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
