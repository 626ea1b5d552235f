"""The clip cache: round trips, keys that change with what shapes the audio, damage never served."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bulletins.cache import ClipCache, clip_key
from bulletins.model import Audio
from bulletins.profiles.profile import profile_for
from bulletins.speech.synthesis import measured
from bulletins.testing import ToneEngine

AUDIO = Audio(pcm=bytes(range(200)) * 10, sample_rate=22050)


def test_round_trip(tmp_path: Path) -> None:
    """What is put is what is got, and info counts it."""
    cache = ClipCache(tmp_path)
    key = clip_key("espeak", "1.52", "it|160", "Buongiorno.")
    assert cache.get(key) is None and key not in cache
    cache.put(key, AUDIO)
    stored = cache.get(key)
    assert key in cache and stored is not None
    assert (stored.pcm, stored.sample_rate) == (AUDIO.pcm, AUDIO.sample_rate)
    info = cache.info()
    assert (info.entries, info.bytes) == (1, len(AUDIO.pcm) + 20)
    assert cache.clear().entries == 1 and cache.get(key) is None


def test_entries_carry_their_loudness(tmp_path: Path) -> None:
    """A clip is measured once, when spoken, and its cache entry keeps it: a tone 6 dB quieter reads 6 LU quieter; silence reads None."""
    cache = ClipCache(tmp_path)
    tone = ToneEngine().synthesize("one two three four", profile_for("en", {}))
    samples = np.frombuffer(tone.pcm, dtype="<i2")
    quieter = Audio((samples // 2).astype("<i2").tobytes(), tone.sample_rate)
    for name, audio in (("loud", tone), ("quiet", quieter), ("silent", Audio(bytes(44100), 22050))):
        cache.put(name, measured(audio))
    loud, quiet, silent = (cache.get(name) for name in ("loud", "quiet", "silent"))
    assert loud and quiet and silent and loud.loudness is not None and quiet.loudness is not None
    assert loud.loudness - quiet.loudness == pytest.approx(6.02, abs=0.05)
    assert silent.loudness is None


@pytest.mark.parametrize(
    "other",
    [
        ("gtts", "1.52", "it|160", "Buongiorno."),
        ("espeak", "1.53", "it|160", "Buongiorno."),
        ("espeak", "1.52", "it|150", "Buongiorno."),
        ("espeak", "1.52", "it|160", "Buongiorno!"),
    ],
)
def test_key_covers_engine_version_voice_and_text(other: tuple[str, str, str, str]) -> None:
    """Changing any of engine, version, voice settings or text changes the key."""
    assert clip_key("espeak", "1.52", "it|160", "Buongiorno.") != clip_key(*other)


@pytest.mark.parametrize(
    "damage",
    [lambda d: d[: len(d) // 2], lambda d: b"", lambda d: b"XXXX" + d[4:], lambda d: d + b"\x00"],
    ids=["truncated", "empty", "bad-magic", "trailing-byte"],
)
def test_damaged_entry_is_a_miss(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    """A truncated or altered entry is never served as audio."""
    cache = ClipCache(tmp_path)
    cache.put("ab" * 32, AUDIO)
    path = next(tmp_path.rglob("*.clip"))
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get("ab" * 32) is None


def test_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    """After a put, the cache holds the entry and nothing half-written."""
    cache = ClipCache(tmp_path)
    cache.put("cd" * 32, AUDIO)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["cd" * 32 + ".clip"]
