"""The language table: the names, codes and scripts of every language bulletins knows.

Read once from ``languages.toml`` beside it, the one place languages and their scripts are
written down; identification, profiles, messages and pages all take them from here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RIGHT_TO_LEFT_SCRIPTS = frozenset({"arabic", "hebrew", "thaana", "syriac"})
_TABLE = Path(__file__).parent / "languages.toml"


@dataclass(frozen=True)
class LanguageInfo:
    """One language of the table: its names, codes and scripts."""

    code: str
    english: str
    native: str
    iso639_2: str
    scripts: tuple[str, ...]
    like: tuple[str, ...] = ()
    """Languages an identifier that does not know this one names instead."""
    written: Mapping[str, str] = field(default_factory=dict)
    """Script → the language it really is in that script (Kurdish in Arabic: Sorani)."""
    forms: Mapping[str, str] = field(default_factory=dict)
    """Chinese character form (``simplified``, ``traditional``) → the language's code for it."""
    variant: bool = False
    """A form of another language (``zh-hans``), reached through it, never identified alone."""
    read_aloud: int | None = None
    """Words a minute adults read a text aloud at, where a study measured it (IReST)."""


@cache
def table_digest() -> str:
    """A digest of the language table as installed: answers drawn from it are kept under it."""
    import hashlib

    return hashlib.sha256(_TABLE.read_bytes()).hexdigest()[:16]


@cache
def table() -> Mapping[str, LanguageInfo]:
    """The language table, read once from the package's data."""
    data = tomllib.loads(_TABLE.read_text(encoding="utf-8"))
    return {
        code: LanguageInfo(
            code=code,
            english=entry["english"],
            native=entry["native"],
            iso639_2=entry["iso639_2"],
            scripts=tuple(entry["scripts"]),
            like=tuple(entry.get("like", ())),
            written=dict(entry.get("written", {})),
            forms=dict(entry.get("forms", {})),
            variant=bool(entry.get("variant", False)),
            read_aloud=entry.get("read_aloud"),
        )
        for code, entry in data.items()
    }


ENGLISH_HEARD = 155
"""English as a listener should hear it, in words a minute, pauses and announcements
included: the pace of a news reader, a little slower than a text read aloud."""


def heard_rate(code: str) -> tuple[int, int]:
    """The words a minute a listener should hear a language spoken at (lowest, highest):
    English's, scaled by the language's read-aloud rate against English's (a language
    whose words are longer is read at fewer of them a minute), a tenth either side;
    (0, 0), no target, for a language whose read-aloud rate was not measured (what a
    word is differs too much between languages, Vietnamese's syllables and Tamil's
    compounds, for any one figure to stand in)."""
    entries = table()
    english = entries["en"].read_aloud or 1
    entry = entries.get(parent_of(code)) or entries.get(code)
    if entry is None or not entry.read_aloud:
        return 0, 0
    centre = ENGLISH_HEARD * entry.read_aloud / english
    return round(centre * 0.9), round(centre * 1.1)


def known(code: str) -> bool:
    """True when ``code`` is a language of the table (``it``, ``ckb``, ``zh-hant``)."""
    return code.lower() in table()


def iso639_2(code: str) -> str:
    """The three-letter ISO 639-2/T code of a language, as ID3's TLAN frame wants it."""
    entry = table().get(code)
    return entry.iso639_2 if entry else "und"


def english_name(code: str) -> str:
    """The language's English name, for messages (``it`` → ``Italian``)."""
    entry = table().get(code)
    return entry.english if entry else code


def native_name(code: str) -> str:
    """The language's name in itself (``ti`` → ``ትግርኛ``)."""
    entry = table().get(code)
    return entry.native if entry else code


def scripts_of(code: str) -> tuple[str, ...]:
    """The scripts a language is written in; () for a language the table does not know."""
    entry = table().get(code)
    return entry.scripts if entry else ()


def direction(code: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr``."""
    scripts = scripts_of(code)
    return "rtl" if scripts and scripts[0] in RIGHT_TO_LEFT_SCRIPTS else "ltr"


def parent_of(code: str) -> str:
    """The language a character form belongs to (``zh-hant`` → ``zh``); any other code itself."""
    return _parents().get(code, code)


@cache
def _parents() -> Mapping[str, str]:
    return {form: code for code, entry in table().items() for form in entry.forms.values()}


@cache
def written_in(script: str) -> frozenset[str]:
    """The languages written in a script, as identification's candidates (no variants)."""
    return frozenset(
        entry.written.get(script, code)
        for code, entry in table().items()
        if script in entry.scripts and not entry.variant
    )
