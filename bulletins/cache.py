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
import struct
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from bulletins.atomic import KeptEntries
from bulletins.model import Audio, Piece
from bulletins.store import CacheRoot, location

# Bumped whenever the entry format or the meaning of a key changes.
FORMAT = 2
_MAGIC = b"BLC2"
_HEADER = struct.Struct("<4sIId")  # magic, sample rate, PCM byte count, loudness (NaN: silence)


def default_cache_dir() -> Path:
    """The user's cache folder for bulletins (``~/.cache/bulletins`` on Linux)."""
    return Path(user_cache_dir("bulletins", appauthor=False))


def local_folder(root: CacheRoot | None) -> Path:
    """The cache folder on this machine: ``root``, or the user's cache folder when the
    cache is a bucket (or not given); what only this machine reads is kept there."""
    return root if isinstance(root, Path) else default_cache_dir()


def clip_key(engine: str, version: str, voice: str, text: str) -> str:
    """The content address of a clip: it changes when anything that shapes the audio does."""
    material = json.dumps([FORMAT, engine, version, voice, text], ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What a cache holds."""

    path: CacheRoot
    entries: int
    """Clips."""
    bytes: int
    pieces: int = 0
    """Encoded pieces of episodes."""


def _whole(header: bytes, stored: int | None) -> bool:
    """Whether a clip entry starting with ``header`` and ``stored`` bytes long is whole:
    the header says how many bytes of 16-bit audio follow it."""
    if len(header) < _HEADER.size:
        return False
    magic, rate, size, _level = _HEADER.unpack_from(header)
    return magic == _MAGIC and bool(rate) and not size % 2 and stored == size + _HEADER.size


class ClipCache:
    """Clips under ``root/clips/ab/abcdef….clip``: a folder's files, or a bucket's objects."""

    def __init__(self, root: CacheRoot) -> None:
        self.root = root
        self._store = location(root)

    def _name(self, key: str) -> str:
        return f"clips/{key[:2]}/{key}.clip"

    def check(self) -> None:
        """Raise ConfigError when the cache cannot be reached (a bucket), before any work."""
        self._store.check()

    def __contains__(self, key: str) -> bool:
        """True when a whole, undamaged clip is stored under ``key`` (its audio is not read)."""
        header = self._store.read(self._name(key), _HEADER.size)
        return header is not None and _whole(header, self._store.size(self._name(key)))

    def get(self, key: str) -> Audio | None:
        """The clip stored under ``key``, or None when there is none (or it is damaged)."""
        data = self._store.read(self._name(key))
        if data is None or not _whole(data, len(data)):
            return None
        _magic, rate, _size, level = _HEADER.unpack_from(data)
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
        self._store.write(self._name(key), header + audio.pcm)

    def info(self) -> CacheInfo:
        """How many clips and encoded pieces the cache holds, and their size."""
        clips = self._store.names("clips", ".clip")
        pieces = self._store.names("pieces", ".piece")
        size = sum(size for _, size in clips + pieces)
        return CacheInfo(path=self.root, entries=len(clips), bytes=size, pieces=len(pieces))

    def clear(self) -> CacheInfo:
        """Delete every clip and piece; returns what was deleted."""
        before = self.info()
        self._store.remove("clips")
        self._store.remove("pieces")
        return before


PIECE_FORMAT = 2
"""How pieces are made: a change encodes every piece once more (2: a mix whose true
peak the meter finds over the limiter's level is limited again, lower)."""
_PIECE_MAGIC = b"BLP1"
_PIECE_HEADER = struct.Struct("<4sI")  # magic, length of the JSON description
_DESCRIBED_BELOW = 16384
"""Bytes read to find a piece's description: most are shorter."""


def piece_key(material: object) -> str:
    """The content address of an encoded piece, from everything that shapes it."""
    encoded = json.dumps([PIECE_FORMAT, material], ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


class PieceCache:
    """Encoded pieces of episodes under ``root/pieces/ab/abcdef….piece``.

    An entry is its description (JSON: frame count, speech times, block loudness)
    followed by the MP3 frames; the description records the byte count of the frames,
    so a truncated entry is never served.
    """

    def __init__(self, root: CacheRoot) -> None:
        self.root = root
        self._store = location(root)

    def _name(self, key: str) -> str:
        return f"pieces/{key[:2]}/{key}.piece"

    def scratch(self, key: str) -> Path | None:
        """Where a piece's MP3 is encoded before it is stored: beside its entry in a
        folder, the system's temporary folder for a bucket."""
        return self._store.scratch(self._name(key))

    def __contains__(self, key: str) -> bool:
        """True when a whole, undamaged entry is stored under ``key`` (its frames are not read)."""
        return self._read(key, frames=False) is not None

    def get(self, key: str) -> tuple[Piece, bytes] | None:
        """The piece stored under ``key`` and its MP3 frames, or None when there is none (or it is damaged)."""
        return self._read(key, frames=True)

    def _read(self, key: str, frames: bool) -> tuple[Piece, bytes] | None:
        name = self._name(key)
        # The description is a few kB: read with the header, it saves a second request
        # to a bucket; the frames are read only when asked for.
        data = self._store.read(name, None if frames else _DESCRIBED_BELOW)
        if data is None or len(data) < _PIECE_HEADER.size:
            return None
        magic, length = _PIECE_HEADER.unpack_from(data)
        end = _PIECE_HEADER.size + length
        if not frames and len(data) < end:
            data = self._store.read(name, end)
        if magic != _PIECE_MAGIC or data is None or len(data) < end:
            return None
        entry = _described(data[_PIECE_HEADER.size : end])
        stored = (len(data) if frames else self._store.size(name) or 0) - end
        if entry is None or entry[1] != stored:
            return None
        return entry[0], data[end:] if frames else b""

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
        self._store.write(
            self._name(key), _PIECE_HEADER.pack(_PIECE_MAGIC, len(described)) + described + frames
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
