"""Writing a book: its folder and its zip, reproducibly, and never half of either."""

from __future__ import annotations

import filecmp
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from bulletins.atomic import atomic_output

# A zip entry's time is the one thing in it that would change from build to build; every
# entry has this one (the earliest a zip can hold), so the same book gives the same bytes.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
UNIX = 3


class _Unchanged(Exception):
    """The zip just written is byte for byte the one already in place."""


def write_zip(
    path: Path, files: Mapping[str, bytes], stored: frozenset[str] = frozenset()
) -> tuple[bool, int]:
    """Write a zip of ``files`` at ``path``, in their order, flat, with fixed times and
    permissions, unless ``path`` already holds exactly that zip.

    ``stored`` names the files written uncompressed (EPUB's ``mimetype`` must be); MP3s
    are always stored, since they do not compress and a player reads them faster so.
    The zip is streamed to a temporary file beside ``path`` and compared with the one in
    place, never held whole in memory: a book of an hour's bulletin carries some 30 MB
    of audio, and the DAISY zip and the EPUB each carry it again.

    Returns:
        Whether the file was written, and its size in bytes.
    """
    try:
        with atomic_output(path) as temporary:
            with zipfile.ZipFile(temporary, "w") as archive:
                for name, data in files.items():
                    entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                    entry.create_system = UNIX
                    entry.external_attr = 0o100644 << 16
                    plain = name in stored or name.endswith(".mp3")
                    entry.compress_type = zipfile.ZIP_STORED if plain else zipfile.ZIP_DEFLATED
                    archive.writestr(entry, data, compresslevel=None if plain else 9)
            size = temporary.stat().st_size
            if path.is_file() and filecmp.cmp(temporary, path, shallow=False):
                raise _Unchanged
    except _Unchanged:
        return False, size
    return True, size


def _holds(folder: Path, files: Mapping[str, bytes]) -> bool:
    """True when ``folder`` holds exactly these files and nothing else."""
    try:
        present = {p.name for p in folder.iterdir()}
    except OSError:
        return False
    if present != set(files):
        return False
    return all((folder / name).read_bytes() == data for name, data in files.items())


def write_folder(folder: Path, files: Mapping[str, bytes]) -> bool:
    """Make ``folder`` hold exactly ``files``, swapped in whole; True when it was written.

    The new folder is written beside the old under a hidden name and renamed into
    place, so a player copying the folder, or a killed build, never finds half a book.
    """
    if _holds(folder, files):
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    for leftover in folder.parent.glob(f".{folder.name}.*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)  # left by a killed build
    new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, data in files.items():
            (new / name).write_bytes(data)
            (new / name).chmod(0o644)
        new.chmod(0o755)
        old = None
        if folder.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent)
            )
            folder.rename(old / folder.name)
        new.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
    return True
