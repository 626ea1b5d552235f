"""Builds on a Dask cluster: the worker processes' work, run by the cluster's workers.

``build --cluster ADDRESS`` hands the work that runs in worker processes (offline
synthesis batches, mixing and encoding pieces) to a Dask scheduler; planning, the
online voice's requests, assembly and publishing stay here. Each task is keyed by the
content address of what it makes, so two builds that need the same clip or piece
compute it once. Only this module imports dask, and only a build with a cluster
imports it.

The workers must see the same cache (a shared folder, or an S3 bucket) and run the same versions of
bulletins, eSpeak NG and ffmpeg as this machine: those versions are in the cache keys,
so a worker with others would file audio under keys that do not describe it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from distributed import Client, KilledWorker, LocalCluster, Semaphore, WorkerPlugin, get_worker
from distributed.comm.core import CommClosedError

import bulletins
from bulletins.errors import ConfigError
from bulletins.model import ClusterStats
from bulletins.workers import WorkerDied

T = TypeVar("T")
LOCAL = re.compile(r"local:(\d+)$")
"""``local:N``: a cluster of N worker processes on this machine, started for the build."""
PLUGIN = "bulletins"


def versions() -> dict[str, str]:
    """What shapes the audio a process makes: the versions every worker must share."""
    from bulletins.audio.codec import ffmpeg_version
    from bulletins.speech.engines.espeak import library_version

    return {
        "bulletins": bulletins.__version__,
        "eSpeak NG": library_version(),
        "ffmpeg": ffmpeg_version(),
    }


def _describe(found: dict[str, str]) -> str:
    return ", ".join(f"{name} {version}" for name, version in sorted(found.items()))


class WorkerSetup(WorkerPlugin):
    """Run once in each worker process as it starts (and again when its nanny restarts
    it): loads eSpeak NG and its data, and notes the process's versions."""

    name = PLUGIN

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = tuple(modules)
        self.versions: dict[str, str] = {}

    def setup(self, worker: Any) -> None:
        # The modules of the work (numpy, PyAV, the engines) are imported here, as the
        # local pool's forkserver imports them, rather than by the first task.
        for module in self.modules:
            importlib.import_module(module)
        self.versions = versions()


def _worker_versions(dask_worker: Any) -> dict[str, str]:
    plugin = dask_worker.plugins.get(PLUGIN)
    return plugin.versions if plugin is not None and plugin.versions else versions()


def _run(expected: dict[str, str], function: Callable[..., T], *args: Any) -> T:
    """A task as a worker runs it: refused on a worker with other versions than the build's
    (one that joined after the build checked them)."""
    worker = get_worker()
    found = _worker_versions(worker)
    if found != expected:
        raise ConfigError(_mismatch(worker.address, found, expected))
    return function(*args)


def _mismatch(address: str, found: dict[str, str], expected: dict[str, str]) -> str:
    return (
        f"the Dask worker {address} runs {_describe(found)}, and this build "
        f"{_describe(expected)}: install the same versions on every worker"
    )


def _retried(keys: list[str], dask_scheduler: Any = None) -> int:
    """On the scheduler: how many of these tasks were running on a worker that died."""
    tasks = dask_scheduler.tasks
    return sum(1 for key in keys if key in tasks and tasks[key].suspicious > 0)


class ClusterPool:
    """The worker pool's interface over a Dask scheduler's workers."""

    inline = False

    def __init__(self, address: str, timeout_s: float, preload: Sequence[str] = ()) -> None:
        """Connect to the scheduler at ``address`` (or start ``local:N``); ``preload``
        names the modules holding the work the workers will be given.

        Raises:
            ConfigError: the scheduler cannot be reached within ``timeout_s``, has no
                workers, or a worker runs other versions than this machine.
        """
        self._cluster: LocalCluster | None = None
        self._futures: dict[str, Any] = {}
        self._semaphores: dict[str, Semaphore] = {}
        self.expected = versions()
        self.client = self._connect(address, timeout_s)
        try:
            self.address = str(self.client.scheduler.address)
            self.client.register_plugin(WorkerSetup(preload), name=PLUGIN)
            found = self.client.run(_worker_versions)
        except Exception as exc:  # whatever a worker's set-up raised there, named, not a traceback
            self.close()
            raise ConfigError(
                f"the Dask workers at {address} cannot run bulletins' work: "
                f"{type(exc).__name__}: {exc}; install the same bulletins on every worker"
            ) from exc
        for worker, seen in sorted(found.items()):
            if seen != self.expected:
                self.close()
                raise ConfigError(_mismatch(worker, seen, self.expected))
        self.workers = len(found)

    def _connect(self, address: str, timeout_s: float) -> Client:
        local = LOCAL.match(address)
        try:
            if local:
                # One thread a process: eSpeak NG serves one thread at a time anyway.
                self._cluster = LocalCluster(
                    n_workers=int(local[1]),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                client = Client(self._cluster, timeout=timeout_s)
            elif "://" not in address and Path(address).is_file():
                client = Client(scheduler_file=address, timeout=timeout_s)
            else:
                client = Client(address, timeout=timeout_s)
        except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise ConfigError(
                f"cannot reach the Dask scheduler at {address} within {timeout_s:g} s: {exc}; "
                "check the address (tcp://host:8786, a scheduler file, or local:N)"
            ) from exc
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except TimeoutError as exc:
            client.close()
            if self._cluster is not None:
                self._cluster.close()
            raise ConfigError(
                f"the Dask scheduler at {address} has no workers (waited {timeout_s:g} s)"
            ) from exc
        return client

    def restart(self) -> None:
        """Nothing to do: a worker's nanny restarts it, and the scheduler moves its tasks."""

    def submit(
        self, function: Callable[..., T], *args: Any, key: str | None = None
    ) -> concurrent.futures.Future[T]:
        """Run ``function(*args)`` on a worker, as the task ``key`` (a content address):
        a task another build has under the same key is shared, not run twice."""
        name = None if key is None else f"bulletins-{function.__name__}-{key}"
        future = self.client.submit(
            _run, self.expected, function, *args, key=name, pure=name is not None
        )
        self._futures[str(future.key)] = future
        result: concurrent.futures.Future[T] = concurrent.futures.Future()
        result.set_running_or_notify_cancel()

        def done(finished: Any) -> None:
            try:
                result.set_result(finished.result())
            except KilledWorker as exc:
                # The scheduler gave up on it: every worker that ran it died.
                message = f"the Dask worker running it died {exc.allowed_failures + 1} times"
                result.set_exception(WorkerDied(message))
            except (concurrent.futures.CancelledError, CommClosedError, TimeoutError) as exc:
                # The client lost the scheduler: every task it had is gone with it.
                lost = f"the build lost the Dask scheduler at {self.address}: {exc!r}"
                result.set_exception(WorkerDied(lost))
            except BaseException as exc:  # the task's own failure, passed on as it is
                result.set_exception(exc)

        future.add_done_callback(done)
        return result

    @contextlib.contextmanager
    def lease(self, name: str, limit: int) -> Iterator[None]:
        """Hold one of ``limit`` leases of a cluster-wide semaphore: every build sharing the
        cluster takes them, so together they never have more than ``limit`` requests out."""
        # The limit is in the name: the scheduler keeps a semaphore's first limit, and a
        # build asking another would be refused; builds with the same limit share it.
        semaphore = self._semaphores.get(name)
        if semaphore is None:
            semaphore = Semaphore(max_leases=limit, name=f"bulletins-{name}-{limit}")
            self._semaphores[name] = semaphore
        with semaphore:
            yield

    def stats(self) -> ClusterStats:
        """What the cluster did for this build so far."""
        keys = list(self._futures)
        try:
            retried = int(self.client.run_on_scheduler(_retried, keys))
        except (OSError, TimeoutError):
            retried = 0
        return ClusterStats(
            address=self.address, workers=self.workers, tasks=len(keys), retried=retried
        )

    def close(self) -> None:
        """Leave the cluster; one this build started is shut down, any other keeps running."""
        # The semaphores stay: closing one removes it for every build still using it.
        self._futures.clear()
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()

    def __enter__(self) -> ClusterPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
