"""Worker processes: the CPU-bound work of a build, spread over processes.

eSpeak NG cannot be entered by two threads of one process, and mixing a bulletin is
Python work that threads would serialise on the interpreter lock, so both run in
worker processes. Workers exchange only small values with the build: clips go
straight into the clip cache, encoded pieces of episodes into the piece cache.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from .cache import ClipCache, PieceCache
from .engines import ENGINES, Engine, EngineOptions
from .errors import AudioError, BulletinsError
from .files import atomic_output, sidecars, write_text_atomic
from .loudness import Loudness
from .mixing import Encoding, joined, render_piece
from .model import Audio, Chapter, Piece, Segment
from .tags import TagInfo, write_tags
from .transcripts import chapters_json, cues, srt, webvtt
from .voices import Profile

T = TypeVar("T")


class WorkerPool:
    """Runs calls in worker processes, or in this process when there is one worker."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    @property
    def inline(self) -> bool:
        """True when calls run here, one after another."""
        return self.workers == 1

    def start(self) -> None:
        """Start the worker processes now, so that they are ready by the time work arrives."""
        if not self.inline:
            for _ in range(self.workers):
                self.submit(os.getpid)

    def restart(self) -> None:
        """Drop a pool whose worker died; the next call starts fresh processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
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
                context.set_forkserver_preload([__name__])
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


@cache
def _engine(name: str, options: EngineOptions) -> Engine:
    """One engine per worker process, made on its first batch."""
    return ENGINES[name](options)


def speak_batch(
    engine_name: str,
    options: EngineOptions,
    profile: Profile,
    items: list[tuple[str, str]],
    cache_root: Path,
) -> list[tuple[str, str | None]]:
    """Speak each ``(key, text)`` into the cache; return each key with its error or None."""
    engine = _engine(engine_name, options)
    clips = ClipCache(cache_root)
    results: list[tuple[str, str | None]] = []
    for key, text in items:
        try:
            clips.put(key, engine.synthesize(text, profile))
        except BulletinsError as exc:
            results.append((key, str(exc)))
        else:
            results.append((key, None))
    return results


@dataclass(frozen=True)
class PieceJob:
    """Everything needed to encode one piece of an episode from the clip cache into the piece cache."""

    key: str
    """Its address in the piece cache."""
    segments: tuple[Segment, ...]
    keys: tuple[str, ...]
    """The cache key of each segment's clip."""
    lead_ms: int
    tail_ms: int
    cache_root: Path
    encoding: Encoding

    @property
    def size(self) -> int:
        """Characters spoken: how long encoding it takes, roughly."""
        return sum(len(s.spoken) for s in self.segments)


def render_piece_job(job: PieceJob) -> None:
    """Mix and encode one piece into the piece cache, where the episodes that say it find it.

    Raises:
        AudioError: a clip is missing from the cache or the encoder failed.
    """
    clips, store = ClipCache(job.cache_root), PieceCache(job.cache_root)

    def load(index: int) -> Audio:
        audio = clips.get(job.keys[index])
        if audio is None:
            text = job.segments[index].spoken[:40]
            raise AudioError(f"the clip for '{text}' is missing from the cache at {job.cache_root}")
        return audio

    folder = store.path(job.key).parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".", suffix=".mp3.part", dir=folder)
    os.close(handle)
    try:
        piece = render_piece(job.segments, load, Path(name), job.encoding, job.lead_ms, job.tail_ms)
        store.put(job.key, piece, Path(name))
    finally:
        Path(name).unlink(missing_ok=True)


@dataclass(frozen=True)
class EpisodeJob:
    """Everything needed to join an episode's pieces into its file, and tag it."""

    path: Path
    segments: tuple[Segment, ...]
    """Everything it says, in order."""
    pieces: tuple[str, ...]
    """The piece cache keys of its pieces, in order."""
    cache_root: Path
    info: TagInfo
    """Its tags; the chapters are filled in from the audio."""
    titles: tuple[str, ...]
    """One chapter title per article, in order."""
    build_key: str
    language: str = "und"
    """ISO 639-1 code, for the transcripts."""


@dataclass(frozen=True)
class RenderResult:
    """What writing a bulletin found out about it."""

    duration_ms: int
    chapters: tuple[Chapter, ...]
    loudness: Loudness | None


def assemble_episode(job: EpisodeJob) -> RenderResult:
    """Join an episode's encoded pieces into its MP3, tag it and write its transcripts and chapters.

    The file is replaced only once it is complete.

    Raises:
        AudioError: a piece is missing from the piece cache.
    """
    store = PieceCache(job.cache_root)
    pieces: list[Piece] = []
    with atomic_output(job.path) as temporary:
        with temporary.open("wb") as file:
            for key in job.pieces:
                entry = store.get(key)
                if entry is None:
                    raise AudioError(
                        f"{job.path}: a piece of it is missing from the cache at {job.cache_root}"
                    )
                pieces.append(entry[0])
                file.write(entry[1])
        rendered = joined(pieces, job.segments)
        chapters = tuple(
            Chapter(title, start, end)
            for title, (start, end) in zip(job.titles, rendered.chapters_ms, strict=True)
        )
        write_tags(
            temporary,
            replace(job.info, chapters=chapters),
            build_key=job.build_key,
            loudness=rendered.loudness,
        )
        # The transcripts and chapters go into place first: once the new MP3 is
        # renamed into place, everything published beside it matches it.
        timed = cues(job.segments, rendered.speech_ms)
        files = sidecars(job.path)
        write_text_atomic(files["vtt"], webvtt(timed, job.language))
        write_text_atomic(files["srt"], srt(timed))
        write_text_atomic(files["chapters"], chapters_json(chapters))
    return RenderResult(rendered.duration_ms, chapters, rendered.loudness)
