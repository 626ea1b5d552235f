"""Scripts: which Unicode scripts a text is written in, and how each script punctuates.

Identification checks a language against the script of the text; segmenting ends
sentences and splits clauses at each script's own marks; the guard against pasted
blobs and the transcript's line breaks know which scripts put no spaces between words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

# Unicode's Script property names (UAX #24) for the scripts bulletins tells apart,
# under the names profiles and the language table use. Hiragana and Katakana are one
# "kana": a text with kana in it is Japanese, whatever share of it is kanji.
SCRIPTS: dict[str, tuple[str, ...]] = {
    "latin": ("Latin",),
    "cyrillic": ("Cyrillic",),
    "greek": ("Greek",),
    "armenian": ("Armenian",),
    "georgian": ("Georgian",),
    "arabic": ("Arabic",),
    "hebrew": ("Hebrew",),
    "thaana": ("Thaana",),
    "syriac": ("Syriac",),
    "devanagari": ("Devanagari",),
    "bengali": ("Bengali",),
    "gurmukhi": ("Gurmukhi",),
    "gujarati": ("Gujarati",),
    "oriya": ("Oriya",),
    "tamil": ("Tamil",),
    "telugu": ("Telugu",),
    "kannada": ("Kannada",),
    "malayalam": ("Malayalam",),
    "sinhala": ("Sinhala",),
    "tibetan": ("Tibetan",),
    "thai": ("Thai",),
    "lao": ("Lao",),
    "khmer": ("Khmer",),
    "myanmar": ("Myanmar",),
    "ethiopic": ("Ethiopic",),
    "hangul": ("Hangul",),
    "kana": ("Hiragana", "Katakana"),
    "han": ("Han",),
}

# Scripts that write no space between words: a long run of their letters is a
# sentence, not a pasted blob, and a line may break between any two characters.
SPACELESS = frozenset({"han", "kana", "thai", "lao", "khmer", "myanmar", "tibetan"})

# A text with at least this share of kana among its kana and kanji is Japanese;
# Chinese has none, and Japanese prose is rarely under a third kana.
_KANA_SHARE = 0.1

# Where each script ends a sentence, beyond the Latin . ! ? that sentencex knows.
# Greek's question mark U+037E is canonically the semicolon: after NFC, which every
# article goes through, a Greek question ends in ";".
SENTENCE_ENDS: dict[str, str] = {
    "han": "。！？｡．!?",
    "kana": "。！？｡．!?",
    "devanagari": "।॥?!",
    "bengali": "।॥?!",
    "gurmukhi": "।॥?!",
    "gujarati": "।॥?!",
    "oriya": "।॥?!",
    "arabic": "۔؟!",
    "ethiopic": "።፧፨?!",
    "armenian": "։՞՜",
    "myanmar": "။",
    "greek": ";",
    "tibetan": "།",
    "khmer": "។៕",
}

# Marks after which a long sentence may be split into clauses: the Latin and Arabic
# comma, semicolon and colon, dashes used as parentheses, the Ethiopic comma and
# semicolons, the Armenian comma, and Myanmar's little section mark, each followed by
# a space; and the ideographic comma and full-width marks of Chinese and Japanese,
# which take none.
CLAUSE_MARKS = ",;:،؛—–፣፤፥፦՝၊"
CLAUSE_MARKS_WITHOUT_SPACE = "、，；："


@cache
def _script_class(name: str, prop: str) -> Any:
    """A compiled character class of one script, by the ``regex`` module's Unicode property.

    Compiled on first use, so importing bulletins does not pay for the module or the classes.
    """
    import regex

    return regex.compile("[" + "".join(rf"\p{{{prop}={part}}}" for part in SCRIPTS[name]) + "]")


@cache
def _char_script(ch: str) -> str | None:
    for name in SCRIPTS:
        if _script_class(name, "Script").fullmatch(ch):
            return name
    return None


def letter_counts(text: str) -> Counter[str]:
    """How many letters of each script the text holds."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            script = _char_script(ch)
            if script is not None:
                counts[script] += 1
    return counts


def dominant_script(text: str) -> str | None:
    """The script most of the text's letters are in (``kana`` for Japanese); None if it has none.

    Names and acronyms in another script (a Latin "Surrey" in Arabic text) are a
    minority and do not change it.
    """
    counts = letter_counts(text)
    if not counts:
        return None
    kana, han = counts.get("kana", 0), counts.get("han", 0)
    if kana and kana >= _KANA_SHARE * (kana + han):
        counts["kana"] += han
        counts["han"] = 0
    return counts.most_common(1)[0][0]


def is_spaceless(text: str) -> bool:
    """Whether most letters of the text are in a script that writes no spaces between words."""
    return dominant_script(text) in SPACELESS


def spaceless_runs(word: str) -> Iterable[tuple[str, bool]]:
    """Split a run of non-space characters into ``(part, spaceless)`` by script kind."""
    part = ""
    kind: bool | None = None
    for ch in word:
        script = _char_script(ch)
        this = script in SPACELESS if script is not None else kind
        if kind is None or this == kind or this is None:
            part += ch
            kind = this if this is not None else kind
        else:
            yield part, bool(kind)
            part, kind = ch, this
    if part:
        yield part, bool(kind)


def strip_script(text: str, script: str) -> str:
    """``text`` without the letters and punctuation of a script (the Arabic comma after a Latin name)."""
    if script not in SCRIPTS:
        return text
    return str(_script_class(script, "Script_Extensions").sub("", text))


def sentence_ends(script: str | None) -> str:
    """The characters that end a sentence in a script (in addition to sentencex's)."""
    return SENTENCE_ENDS.get(script or "", "")
