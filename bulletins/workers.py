"""Worker processes: offline engines speak batches of text into the clip cache.

eSpeak NG cannot be entered by two threads of one process, so offline synthesis
runs in processes, one engine per process. A worker writes each clip straight to
the cache and returns only its key, so no audio crosses the process boundary.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .cache import ClipCache
from .engines import ENGINES, Engine, EngineOptions
from .errors import BulletinsError
from .voices import Profile


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
