"""Files: where outputs go, and writing them so that no reader ever sees half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` at once.

    The temporary file lives in the same folder, so the final rename is atomic: a
    player, a web server or a killed build sees either the old file or the new one.
    On failure the temporary file is removed and ``target`` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def bulletin_path(out_dir: Path, edition_slug: str, language: str) -> Path:
    """``audio/<edition>/<edition>.<language>.mp3``: ASCII, unique per edition and language."""
    return out_dir / edition_slug / f"{edition_slug}.{language}.mp3"
