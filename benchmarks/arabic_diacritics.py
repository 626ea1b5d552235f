"""How well does eSpeak NG read Arabic once a diacritiser has written the vowels in? A measurement.

Arabic is written without most of its vowels; a reader supplies them from grammar
and sense. eSpeak NG guesses them from its dictionary and rules. bulletins writes
them in first with an offline diacritiser, and puts each letter's shadda before its
vowel mark, the order eSpeak NG reads.

Method: 35 news sentences, vowelled by hand (arabic_vowelled.txt), are the reference.
eSpeak NG (the one bulletins speaks with) turns versions of each into phonemes: the
hand-vowelled text, the bare text (as articles are written), and the bare text after
each diacritiser. The phoneme error rate of each version against the hand-vowelled
one's phonemes (edit distance over the reference length) says how far eSpeak NG's
reading is from the right one. It is given twice: with the text in Unicode's canonical
order (a vowel mark before the shadda, as NFC leaves it and as this benchmark measured
before), and with the shadda first on both sides, as bulletins sends it.

The cost is the median time per sentence once the model is loaded, and the install
size is what each diacritiser's package adds (onnxruntime, which both need, apart).

Run: python benchmarks/arabic_diacritics.py   (to compare libtashkeel's model: pip install dengjen-tashkeel-py)
"""

from __future__ import annotations

import importlib.metadata
import re
import statistics
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from bulletins.speech.engines.espeak import phonemes
from bulletins.text import arabic

REFERENCE = [
    line
    for line in (Path(__file__).parent / "arabic_vowelled.txt").read_text("utf-8").splitlines()
    if line and not line.startswith("#")
]
_MARKS = re.compile("[\u064b-\u0652\u0670]")
TARGET = 0.05


def spoken(text: str) -> str:
    """eSpeak NG's phonemes for the text, without stress and spacing."""
    return unicodedata.normalize("NFD", phonemes(text, "ar")).replace(" ", "")


def distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def installed_mb(distribution: str) -> float:
    files = importlib.metadata.distribution(distribution).files or []
    return sum(Path(str(f.locate())).stat().st_size for f in files) / 1e6


def diacritisers() -> list[tuple[str, str, Callable[[str], str]]]:
    """(name, distribution, function) of each diacritiser installed here, each as bulletins
    would use it: its reading of a word taken where it agrees with the author's marks."""
    found = []
    try:
        from dengjen_tashkeel_py import tashkeel
    except ImportError:
        print(
            "  (dengjen-tashkeel-py is not installed: pip install dengjen-tashkeel-py to compare it)"
        )
    else:
        found.append(("dengjen-tashkeel-py", tashkeel))
    try:
        from text2tashkeel import Diacritizer
    except ImportError:
        print("  (text2tashkeel is not installed: pip install text2tashkeel to compare it)")
    else:
        found.append(("text2tashkeel", Diacritizer().diacritize))
    return [
        (
            f"{name} {importlib.metadata.version(name)}",
            name,
            lambda text, model=model: arabic.merged(text, model(text)),
        )
        for name, model in found
    ]


def rate(pairs: list[tuple[str, str]]) -> float:
    """Phonemes wrong over the reference's, for (text, reference) pairs."""
    targets = [spoken(reference) for _, reference in pairs]
    wrong = sum(distance(spoken(text), t) for (text, _), t in zip(pairs, targets, strict=True))
    return wrong / sum(len(t) for t in targets)


def main() -> None:
    bare = [_MARKS.sub("", sentence) for sentence in REFERENCE]
    first = [arabic.shadda_first(s) for s in REFERENCE]
    total = sum(len(spoken(s)) for s in first)
    print(f"{len(REFERENCE)} hand-vowelled sentences, {total} reference phonemes")
    print(f"  {'eSpeak NG reading':44} {'as written':>10} {'shadda first':>13}")
    old = rate(list(zip(bare, REFERENCE, strict=True)))
    new = rate(list(zip(bare, first, strict=True)))
    print(f"  {'the bare text':44} {old:>10.1%} {new:>13.1%}")
    onnx = installed_mb("onnxruntime")
    chosen = 1.0
    for name, distribution, function in diacritisers():
        start = time.perf_counter()
        function(bare[0])
        load = time.perf_counter() - start
        guessed, times = [], []
        for text in bare:
            start = time.perf_counter()
            guessed.append(function(text))
            times.append(time.perf_counter() - start)
        old = rate(list(zip(guessed, REFERENCE, strict=True)))
        new = rate([(arabic.shadda_first(g), f) for g, f in zip(guessed, first, strict=True)])
        chosen = new if distribution == "text2tashkeel" else chosen
        words = [w for g in guessed for w in g.split() if re.search("[\u0621-\u064a]", w)]
        left = sum(not _MARKS.search(w) for w in words)
        mine = " (bulletins)" if distribution == "text2tashkeel" else ""
        print(f"  {'after ' + name + mine:44} {old:>10.1%} {new:>13.1%}")
        print(
            f"      {statistics.median(times) * 1000:.1f} ms a sentence (first call {load:.2f} s),"
            f" installs {installed_mb(distribution):.1f} MB (+ onnxruntime {onnx:.0f} MB);"
            f" {left} of {len(words)} words left without vowels"
        )
    verdict = "met" if chosen <= TARGET else "NOT met"
    print(f"  target: at most {TARGET:.0%} wrong after the diacritiser bulletins uses: {verdict}")


if __name__ == "__main__":
    main()
