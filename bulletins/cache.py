"""The clip cache: audio already spoken, addressed by everything that shaped it.

A clip's key is a hash of the engine, its version, the voice settings and the exact
text, so unchanged text is never spoken twice and any change re-speaks only what
changed. Entries are written to a temporary name and renamed into place: a build
killed mid-write, or two builds writing the same entry, never leave a partial entry
under a real key. Entries also carry a header that is checked on every read, and
the clip's loudness, measured once when it is spoken, for levelling at every mix.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from bulletins.atomic import KeptEntries, atomic_output
from bulletins.model import Audio, Piece

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
    """Clips."""
    bytes: int
    pieces: int = 0
    """Encoded pieces of episodes."""


def _write_atomic(path: Path, data: bytes) -> None:
    """Write an entry under a temporary name and rename it into place."""
    # Not durable: a killed process loses nothing already written; after a power
    # cut a truncated entry fails its check and is made again.
    with atomic_output(path, durable=False) as temporary:
        temporary.write_bytes(data)


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
        """Store a clip with its measured loudness (``Audio.loudness``, None for silence);
        an existing entry with the same key is replaced whole."""
        level = audio.loudness
        header = _HEADER.pack(
            _MAGIC, audio.sample_rate, len(audio.pcm), math.nan if level is None else level
        )
        _write_atomic(self._path(key), header + audio.pcm)

    def info(self) -> CacheInfo:
        """How many clips and encoded pieces the cache folder holds, and their size."""
        clips = sum(1 for _ in self._clips.rglob("*.clip")) if self._clips.is_dir() else 0
        pieces = self.root / "pieces"
        count = sum(1 for _ in pieces.rglob("*.piece")) if pieces.is_dir() else 0
        size = sum(
            path.stat().st_size
            for folder in (self._clips, pieces)
            if folder.is_dir()
            for path in folder.rglob("*")
            if path.is_file()
        )
        return CacheInfo(path=self.root, entries=clips, bytes=size, pieces=count)

    def clear(self) -> CacheInfo:
        """Delete every clip and piece; returns what was deleted."""
        before = self.info()
        shutil.rmtree(self._clips, ignore_errors=True)
        shutil.rmtree(self.root / "pieces", ignore_errors=True)
        return before


PIECE_FORMAT = 2
"""How pieces are made: a change encodes every piece once more (2: a mix whose true
peak the meter finds over the limiter's level is limited again, lower)."""
_PIECE_MAGIC = b"BLP1"
_PIECE_HEADER = struct.Struct("<4sI")  # magic, length of the JSON description


def piece_key(material: object) -> str:
    """The content address of an encoded piece, from everything that shapes it."""
    encoded = json.dumps([PIECE_FORMAT, material], ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


class PieceCache:
    """Encoded pieces of episodes on disk under ``root/pieces/ab/abcdef….piece``.

    An entry is its description (JSON: frame count, speech times, block loudness)
    followed by the MP3 frames; the description records the byte count of the frames,
    so a truncated entry is never served.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pieces = root / "pieces"

    def path(self, key: str) -> Path:
        return self._pieces / key[:2] / f"{key}.piece"

    def __contains__(self, key: str) -> bool:
        """True when a whole, undamaged entry is stored under ``key`` (its frames are not read)."""
        return self._read(key, frames=False) is not None

    def get(self, key: str) -> tuple[Piece, bytes] | None:
        """The piece stored under ``key`` and its MP3 frames, or None when there is none (or it is damaged)."""
        return self._read(key, frames=True)

    def _read(self, key: str, frames: bool) -> tuple[Piece, bytes] | None:
        try:
            with self.path(key).open("rb") as file:
                header = file.read(_PIECE_HEADER.size)
                if len(header) < _PIECE_HEADER.size:
                    return None
                magic, length = _PIECE_HEADER.unpack(header)
                described = file.read(length)
                if magic != _PIECE_MAGIC or len(described) != length:
                    return None
                entry = _described(described)
                stored = os.fstat(file.fileno()).st_size - _PIECE_HEADER.size - length
                if entry is None or entry[1] != stored:
                    return None
                return entry[0], file.read() if frames else b""
        except OSError:
            return None

    def put(self, key: str, piece: Piece, mp3: Path) -> None:
        """Store a piece with the MP3 frames at ``mp3``; an existing entry is replaced whole."""
        frames = mp3.read_bytes()
        described = json.dumps(
            {
                **dataclasses.asdict(piece),
                "blocks": [b if math.isfinite(b) else -999.0 for b in piece.blocks],
                "true_peak": piece.true_peak if math.isfinite(piece.true_peak) else -999.0,
                "bytes": len(frames),
            }
        ).encode()
        _write_atomic(
            self.path(key), _PIECE_HEADER.pack(_PIECE_MAGIC, len(described)) + described + frames
        )


def _described(text: bytes) -> tuple[Piece, int] | None:
    """A piece and the byte count of its frames, from its entry's JSON description."""
    try:
        described = json.loads(text)
        piece = Piece(
            frames=int(described["frames"]),
            samples_per_frame=int(described["samples_per_frame"]),
            sample_rate=int(described["sample_rate"]),
            speech=tuple((int(a), int(b)) for a, b in described["speech"]),
            blocks=tuple(float(b) for b in described["blocks"]),
            true_peak=float(described["true_peak"]),
        )
        return piece, int(described["bytes"])
    except (ValueError, KeyError, TypeError):
        return None


class LanguageMemory(KeptEntries):
    """What identification found for each article text, so an unchanged article is not
    identified again: ``root/languages.json``, keyed by a digest of the text and of
    everything that shaped the answer. It holds the articles of the latest build.
    """

    def __init__(self, root: Path) -> None:
        # Not durable, as the other entries: one lost to a power cut is asked again.
        super().__init__(root / "languages.json", durable=False)

    def get(self, key: str) -> list[object] | None:
        found = super().get(key)
        return found if isinstance(found, list) else None
