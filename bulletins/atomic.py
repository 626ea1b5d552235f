"""The one way bulletins writes a file: to a temporary name beside it, then renamed into place.

A reader never sees half a file, and a build killed mid-write leaves the earlier one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_output(target: Path, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` at once.

    The one way bulletins writes a file. The temporary file lives in the same folder,
    so the final rename is atomic: a player, a web server or a killed build sees
    either the old file or the new one. On failure the temporary file is removed and
    ``target`` is left as it was.

    Args:
        durable: flush the file to the disk before the rename, so that it survives a
            power cut. Cache entries skip it: one cut short fails its check and is
            made again.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        try:
            yield temporary
        except OSError as exc:
            # Name the file being made, not its temporary name, in the error.
            if exc.filename in (None, str(temporary)) and type(exc).__module__ == "builtins":
                raise type(exc)(exc.errno, exc.strerror, str(target)) from exc
            raise
        if durable:
            with temporary.open("rb+") as written:
                os.fsync(written.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a UTF-8 text file under a temporary name, then rename it into place."""
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
