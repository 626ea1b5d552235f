"""Pieces: one stretch of an episode (an article, or the announcements between) mixed and
encoded once, in a worker process, into the piece cache where every episode that says it
finds it."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bulletins.audio.mixing import Encoding, render_piece
from bulletins.cache import ClipCache, PieceCache
from bulletins.errors import AudioError
from bulletins.model import Audio, Segment
from bulletins.store import CacheRoot, task_key


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
    cache_root: CacheRoot
    encoding: Encoding

    @property
    def task_key(self) -> str:
        """Its content address as a task (on a cluster): the piece, and the cache it goes in."""
        return task_key(self.cache_root, [self.key])

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

    handle, name = tempfile.mkstemp(prefix=".", suffix=".mp3.part", dir=store.scratch(job.key))
    os.close(handle)
    try:
        piece = render_piece(job.segments, load, Path(name), job.encoding, job.lead_ms, job.tail_ms)
        store.put(job.key, piece, Path(name))
    finally:
        Path(name).unlink(missing_ok=True)
