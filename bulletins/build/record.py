"""The build's record: what the last build read and wrote, so a re-run can see that
nothing changed without loading the pipeline, reading an article or decoding a file.

The record holds a digest of everything a build reads (the settings, every file under
the content folder, the voice profiles and lexicons, the cover, Piper's voices,
bulletins' own files and the versions of every installed package, which carry
eSpeak NG, ffmpeg and the identifiers), a digest for each folder of the output folder
of its files' sizes and modification times as the build left them, and the build's
report, each on a line of its own (so a build reads the folders, not the report). A re-run whose
digest is the same, and which finds every output as listed, answers with that report;
any difference, or any doubt (a missing or unreadable record), runs the whole build.

A build is recorded only when its result depends on nothing else: no errors, and no
warnings but the publishing ones and the engines ``auto`` found unusable, which are
repeated. An engine the last build found unusable (Google's voice unreachable) is
checked again: once it can be used, the build runs whole and it speaks again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import types
import typing
from collections.abc import Iterator
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import bulletins
from bulletins.atomic import write_text_atomic
from bulletins.build.report import Report
from bulletins.model import Stage, Stats
from bulletins.outputs import CHECK_RECORD, folders_under
from bulletins.profiles.profile import builtin_voices_dir
from bulletins.settings import Settings
from bulletins.speech.engines.piper import default_voices_dir

__all__ = ["RECORD", "inputs", "keep", "unchanged"]

RECORD = ".bulletins-build.json"
FORMAT = 3
_REPEATED = frozenset({Stage.PUBLISH, Stage.PLAN})
"""The stages whose warnings a record repeats: they follow from what the digest covers
(no base_url, an unreadable file) or are checked again (an unusable engine)."""
_NOT_OUTPUTS = frozenset({RECORD, ".bulletins.lock", CHECK_RECORD})
_WHOLE_BELOW = 1 << 20
"""Files smaller than this are digested whole; larger ones (images, audio kept beside
the articles) by size and modification time, as make would."""


def inputs(settings: Settings) -> str:
    """A digest of everything a build with these settings reads."""
    # Its paths made absolute: the same build run from another folder (a scheduler's,
    # a shell's) is the same build, and the same relative path from another folder is not.
    # Where the work runs (a cluster, how many processes) does not change what is made.
    settings = dataclasses.replace(_absolute(settings), cluster=None, workers=0)
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\0{bulletins.__version__}\0{sys.version}\0".encode())
    digest.update(repr(settings).encode())
    for variable in ("IMAGEIO_FFMPEG_EXE", "ESPEAK_DATA_PATH"):
        digest.update(f"\0{variable}={os.environ.get(variable, '')}".encode())
    folders = [
        settings.content_dir,
        builtin_voices_dir(),
        *settings.voices_dirs,
        settings.piper_voices or default_voices_dir(),
        Path(bulletins.__file__).parent,
    ]
    for folder in folders:
        digest.update(f"\0{folder}".encode())
        for name, stat in sorted(_files(folder)):
            digest.update(f"\0{name}\0{stat.st_size}\0".encode())
            digest.update(_contents(folder / name, stat))
    if settings.cover is not None and settings.cover.is_file():
        digest.update(_contents(settings.cover, settings.cover.stat()))
    digest.update("\0".join(_distributions()).encode())
    return digest.hexdigest()


def _absolute(settings: Settings) -> Settings:
    """``settings`` with every path in them absolute."""
    changes: dict[str, object] = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if isinstance(value, Path):
            changes[field.name] = value.absolute()
        elif isinstance(value, tuple) and all(isinstance(v, Path) for v in value):
            changes[field.name] = tuple(v.absolute() for v in value)
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def _contents(path: Path, stat: os.stat_result) -> bytes:
    """What stands for a file's contents in the digest."""
    if stat.st_size >= _WHOLE_BELOW:
        return str(stat.st_mtime_ns).encode()
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        # Unreadable: the build will say so, with an error, and then keep no record.
        return b"unreadable"


def unchanged(settings: Settings, digest: str) -> Report | None:
    """The last build's report, when nothing it read has changed and its outputs are all
    as it left them; None when the build must run."""
    try:
        with (settings.out_dir / RECORD).open(encoding="utf-8") as file:
            # The first line says what the record is of: a record of other inputs (a
            # long history's, or another content folder's) is not read any further.
            if json.loads(file.readline()) != {"format": FORMAT, "inputs": digest}:
                return None
            folders = json.loads(file.readline())
            # Every file's size and time compared, through its folder's digest: a file
            # changed in place leaves its folder's time as it was.
            if _digests(folders) != _digests(_outputs(settings.out_dir)):
                file.close()
                # So that the next record lists every file again (see keep).
                (settings.out_dir / RECORD).unlink(missing_ok=True)
                return None
            report = _typed(Report, json.loads(file.read()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if _usable_now(settings, report.unusable):
        return None
    return dataclasses.replace(
        report,
        episodes=[dataclasses.replace(e, rebuilt=False) for e in report.episodes],
        books=[dataclasses.replace(b, rebuilt=False) for b in report.books],
        unchanged=True,
    )


def keep(settings: Settings, report: Report, digest: str) -> None:
    """Record a finished build, if its result depends only on what ``digest`` covers;
    otherwise remove any earlier record, so the next build runs whole."""
    path = settings.out_dir / RECORD
    recordable = (
        report.ok and report.episodes and all(w.stage in _REPEATED for w in report.warnings)
    )
    try:
        if not recordable:
            path.unlink(missing_ok=True)
            return
        kept = dataclasses.replace(report, synthesis=Stats(), encoded=0, cluster=None)
        header = json.dumps({"format": FORMAT, "inputs": digest})
        folders = json.dumps(_outputs(settings.out_dir, _earlier_folders(path)))
        report_line = json.dumps(_plain(kept), ensure_ascii=False)
        write_text_atomic(path, f"{header}\n{folders}\n{report_line}")
    except OSError:
        # A record that cannot be written costs the next build its shortcut, nothing more.
        path.unlink(missing_ok=True)


def _usable_now(settings: Settings, names: tuple[str, ...]) -> bool:
    """Whether any of these engines, unusable at the last build, can be used now."""
    if not names:
        return False
    from bulletins import options
    from bulletins.errors import EngineUnavailable

    choice = options.engine_choice(settings)
    for name in names:
        try:
            choice.engine(name).check()
        except EngineUnavailable:
            continue
        return True
    return False


def _earlier_folders(path: Path) -> dict[str, list[Any]]:
    """The folders the last record listed (none when there is no usable record); its
    report, the third line, is not read."""
    try:
        with path.open(encoding="utf-8") as file:
            if json.loads(file.readline()).get("format") != FORMAT:
                return {}
            folders = json.loads(file.readline())
    except (OSError, ValueError, AttributeError):
        return {}
    return folders if isinstance(folders, dict) else {}


def _digests(folders: object) -> dict[str, object] | None:
    """Each folder's digest of its files, without its time."""
    if not isinstance(folders, dict):
        return None
    return {
        name: value[1] if isinstance(value, list) and len(value) == 2 else None
        for name, value in folders.items()
    }


def _outputs(out_dir: Path, earlier: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """Every folder under the output folder, by its path relative to it: its modification
    time and a digest of its files' names, sizes and modification times (the record,
    the lock and the proof-listening record left out).

    A folder whose time is the one ``earlier`` recorded holds the same files: bulletins
    writes every output by renaming it into place, which changes its folder's time, so
    its files are not looked at again. Not so the top of the output folder, which holds
    the history's SQLite files, changed in place: its files are always looked at. A
    file someone changed in place in a folder is caught by :func:`unchanged`, which
    looks at every file.
    """
    earlier = earlier or {}
    found: dict[str, list[Any]] = {}
    try:
        for prefix, folder, entries in folders_under(os.fspath(out_dir)):
            mtime = (folder.stat(follow_symlinks=False) if folder else os.stat(out_dir)).st_mtime_ns
            reuse = earlier.get(prefix) if prefix else None
            if isinstance(reuse, list) and len(reuse) == 2 and reuse[0] == mtime:
                found[prefix] = reuse
                continue
            digest = hashlib.sha256()
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_file() and (prefix or entry.name not in _NOT_OUTPUTS):
                    stat = entry.stat()
                    digest.update(f"{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
            found[prefix] = [mtime, digest.hexdigest()]
    except FileNotFoundError:
        return {}
    return found


def _files(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every file under a folder (none when it does not exist), by its path relative to
    the folder, with its status."""
    for prefix, _, entries in folders_under(os.fspath(folder)):
        for entry in entries:
            if entry.is_file():
                yield prefix + entry.name, entry.stat()


def _distributions() -> list[str]:
    """The installed packages and their versions, as their metadata folders name them."""
    names = []
    for entry in sys.path:
        try:
            names += [
                n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))
            ]
        except OSError:
            continue
    return sorted(names)


def _plain(value: object) -> Any:
    """A dataclass value as JSON data: paths as strings, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def _typed(kind: Any, data: Any) -> Any:
    """The value of type ``kind`` that ``_plain`` made ``data`` from."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        if data is None:
            return None
        (arm,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _typed(arm, data)
    if origin in (tuple, list):
        arm = typing.get_args(kind)[0]
        return origin(_typed(arm, item) for item in data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{name: _typed(hints[name], value) for name, value in data.items()})
    if isinstance(kind, type) and issubclass(kind, Enum | Path):
        return kind(data)
    if kind is float:
        return float(data)
    if kind in (int, str, bool) and not isinstance(data, kind):
        raise TypeError(f"{data!r} is not a {kind.__name__}")
    return data


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind, vars(sys.modules[kind.__module__]))
