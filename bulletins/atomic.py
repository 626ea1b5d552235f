"""The one way bulletins writes a file: to a temporary name beside it, then renamed into place.

A reader never sees half a file, and a build killed mid-write leaves the earlier one."""

from __future__ import annotations

import contextlib
import json
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


class KeptEntries:
    """A JSON object in one file, of entries a run looks up by key and keeps for the next.

    Read on first use; written back once, by ``save``, with only the entries this run
    found or put, and only when they differ from what was read: the file holds what the
    latest run used, not everything ever seen.
    """

    def __init__(self, path: Path, durable: bool = True) -> None:
        self._path = path
        self._durable = durable
        self._known: dict[str, object] | None = None
        self._used: dict[str, object] = {}
        self._added = False

    def _entries(self) -> dict[str, object]:
        if self._known is None:
            try:
                loaded = json.loads(self._path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            self._known = loaded if isinstance(loaded, dict) else {}
        return self._known

    def get(self, key: str) -> object | None:
        """The entry under ``key``, kept for the next run; None when there is none."""
        found = self._entries().get(key)
        if found is not None:
            self._used[key] = found
        return found

    def put(self, key: str, value: object) -> None:
        self._entries()[key] = value
        self._used[key] = value
        self._added = True

    def save(self) -> None:
        """Write back the entries this run used, when they differ from what was read."""
        if self._known is None or (not self._added and self._used.keys() == self._known.keys()):
            return
        with atomic_output(self._path, self._durable) as temporary:
            temporary.write_text(
                json.dumps(self._used, ensure_ascii=False, sort_keys=True), "utf-8"
            )
