"""A book's audio: the pieces its bulletin is joined from, taken from the piece cache.

An episode left as it was (already up to date) had no piece encoded this build; with a
temporary cache (``--no-cache``) its pieces are then encoded here, once.
"""

from __future__ import annotations

from bulletins.audio.mixing import Encoding
from bulletins.audio.pieces import render_piece_job
from bulletins.books.model import Stretch
from bulletins.cache import PieceCache
from bulletins.episodes.assembly import piece_jobs
from bulletins.episodes.plans import BulletinPlan
from bulletins.errors import AudioError, BookError
from bulletins.store import CacheRoot


def stretches(plan: BulletinPlan, cache_root: CacheRoot, encoding: Encoding) -> list[Stretch]:
    """The encoded pieces of ``plan``'s bulletin, in order, with what each says.

    Raises:
        BookError: a piece is not in the cache and cannot be encoded (a clip is missing).
    """
    store = PieceCache(cache_root)
    found = []
    for job in piece_jobs(plan, cache_root, encoding):
        entry = store.get(job.key)
        if entry is None:
            try:
                render_piece_job(job)
            except AudioError as exc:
                raise BookError(f"{plan.path}: its talking books cannot be made: {exc}") from exc
            entry = store.get(job.key)
        if entry is None:
            raise BookError(
                f"{plan.path}: its talking books cannot be made: a piece of its audio is "
                f"missing from the cache at {cache_root}"
            )
        found.append(Stretch(job.segments, *entry))
    return found
