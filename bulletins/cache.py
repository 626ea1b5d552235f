"""The clip cache: audio already spoken, addressed by everything that shaped it.

A clip's key is a hash of the engine, its version, the voice settings and the exact
text, so unchanged text is never spoken twice and any change re-speaks only what
changed. Entries are written to a temporary name and renamed into place: a build
killed mid-write, or two builds writing the same entry, never leave a partial entry
under a real key. Entries also carry a header that is checked on every read, and
the clip's loudness, measured once when it is stored, for levelling at every mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from . import loudness
from .model import Audio

# Bumped whenever the entry format or the meaning of a key changes.
FORMAT = 2
_MAGIC = b"BLC2"
_HEADER = struct.Struct("<4sIId")  # magic, sample rate, PCM byte count, loudness (NaN: silence)


def default_cache_dir() -> Path:
    """The user's cache folder for bulletins (``~/.cache/bulletins`` on Linux)."""
    return Path(user_cache_dir("bulletins", appauthor=False))


def clip_key(engine: str, version: str, voice: str, text: str) -> str:
    """The content address of a clip: it changes when anything that shapes the audio does."""
    material = json.dumps([FORMAT, engine, version, voice, text], ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What a cache folder holds."""

    path: Path
    entries: int
    bytes: int


class ClipCache:
    """Clips on disk under ``root/clips/ab/abcdef….clip``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._clips = root / "clips"

    def _path(self, key: str) -> Path:
        return self._clips / key[:2] / f"{key}.clip"

    def __contains__(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> Audio | None:
        """The clip stored under ``key``, or None when there is none (or it is damaged)."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        if len(data) < _HEADER.size:
            return None
        magic, rate, size, level = _HEADER.unpack_from(data)
        if magic != _MAGIC or size != len(data) - _HEADER.size or size % 2 or not rate:
            return None
        return Audio(
            pcm=data[_HEADER.size :],
            sample_rate=rate,
            loudness=None if math.isnan(level) else level,
        )

    def put(self, key: str, audio: Audio) -> None:
        """Store a clip, with its loudness; an existing entry with the same key is replaced whole."""
        level = loudness.integrated(audio.pcm, audio.sample_rate)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(
                    _HEADER.pack(
                        _MAGIC,
                        audio.sample_rate,
                        len(audio.pcm),
                        math.nan if level is None else level,
                    )
                )
                file.write(audio.pcm)
            # No fsync: a killed process loses nothing already written; after a power
            # cut a truncated entry fails the header check and is spoken again.
            os.replace(name, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def info(self) -> CacheInfo:
        """How many entries the cache holds and their size."""
        entries = size = 0
        if self._clips.is_dir():
            for path in self._clips.rglob("*.clip"):
                entries += 1
                size += path.stat().st_size
        return CacheInfo(path=self.root, entries=entries, bytes=size)

    def clear(self) -> CacheInfo:
        """Delete every entry; returns what was deleted."""
        before = self.info()
        shutil.rmtree(self._clips, ignore_errors=True)
        return before
