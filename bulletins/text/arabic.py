"""Arabic for eSpeak NG: the vowels written in, and the marks in the order eSpeak NG reads them.

Arabic is written without most of its short vowels; a reader supplies them from grammar
and sense, and eSpeak NG guesses them, often wrongly. A diacritiser (text2tashkeel's
rawi models, Apache-2.0, shipped in its wheel and run offline by onnxruntime) writes
them in first. Only the synthesiser sees that text: the model may also restore a hamza
or change a letter, so transcripts, tags and pages keep the article as written.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import threading
from collections.abc import Callable
from functools import cache
from typing import cast

SHADDA = "\u0651"
TATWEEL = "\u0640"
# The harakat, tanwin, shadda, sukun and the dagger alef: the marks a letter carries.
_MARK_RUN = re.compile("[\u064b-\u0652\u0670]{2,}")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
# Each character that is not a mark, with the marks that follow it.
_WITH_MARKS = re.compile("([^\u064b-\u0652\u0670])([\u064b-\u0652\u0670]*)", re.DOTALL)
_WORD = re.compile(r"\S+")
_LOCK = threading.Lock()
_MODEL = "rawi-ensemble"
"""text2tashkeel's default and most accurate bundled model (4.9 MB)."""


def shadda_first(text: str) -> str:
    """The marks on each letter with the shadda first, and no tatweel.

    Unicode's canonical order (NFC, which the content is normalised to) puts a vowel
    mark before the shadda; eSpeak NG then drops or lengthens the vowel (مُحَمَّدٌ read
    mˈuħammdˌun, not muħˈammadˌun). It reads the tatweel, a stretch of the line, as a
    letter.
    """
    text = text.replace(TATWEEL, "")
    return _MARK_RUN.sub(lambda m: "".join(sorted(m.group(), key=lambda c: c != SHADDA)), text)


def available() -> bool:
    """Whether the diacritiser is installed (without loading its model)."""
    return importlib.util.find_spec("text2tashkeel") is not None


@cache
def version() -> str:
    """The diacritiser and its model, for cache keys: another version may read otherwise."""
    return f"text2tashkeel {importlib.metadata.version('text2tashkeel')} ({_MODEL})"


@cache
def _model() -> Callable[[str], str]:
    # One thread: bulletins runs a worker process per core already, and onnxruntime's
    # own pool of threads would spin on the cores eSpeak NG is speaking on.
    os.environ.setdefault("TT_ORT_THREADS", "1")
    # Imported here: onnxruntime loads only where Arabic is spoken offline.
    from text2tashkeel import Diacritizer

    return cast(Callable[[str], str], Diacritizer(_MODEL).diacritize)


def vowelled(text: str) -> str:
    """``text`` with its vowels written in; text with no Arabic letter is returned as it is."""
    if not _ARABIC_LETTER.search(text):
        return text
    text = text.replace(TATWEEL, "")  # a stretch of the line, which the model misreads too
    with _LOCK:
        return merged(text, _model()(text))


def merged(written: str, guessed: str) -> str:
    """The author's text with the model's reading of each word it agrees with.

    The model's word is taken only where it keeps every letter and every mark the
    author wrote on it: عُقدت (passive, marked so by its author) stays as written if
    the model reads the active عَقَدَت, ذكّرت takes ذَكَّرَت but not ذَكَرْت, and a word
    whose hamza the model moved (إضافي to أضافي) stays as written. The text's spacing
    and lines are the author's.
    """
    words = _WORD.findall(guessed)
    if len(words) != len(_WORD.findall(written)):
        return written
    theirs = iter(words)

    def better(match: re.Match[str]) -> str:
        ours, model = match.group(), next(theirs)
        return model if _agrees(ours, model) else ours

    return _WORD.sub(better, written)


def _agrees(written: str, model: str) -> bool:
    """Whether ``model`` is ``written`` with marks added, none changed or taken away."""
    ours, theirs = _WITH_MARKS.findall(written), _WITH_MARKS.findall(model)
    return len(ours) == len(theirs) and all(
        base == other and set(marks) <= set(added)
        for (base, marks), (other, added) in zip(ours, theirs, strict=True)
    )
