"""Voice profiles: how each language is spoken (engines, voices, rate, pauses, phrases).

A profile is a TOML file named for its language (``voices/it.toml``). Profiles in a
user's folders override the ones shipped with bulletins; a language with no profile
gets :func:`default_profile`, which works wherever an engine speaks the language.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from bulletins.errors import VoiceError
from bulletins.profiles.languages import (
    english_name,
    heard_rate,
    iso639_2,
    native_name,
    scripts_of,
)
from bulletins.profiles.lexicon import Lexicon, load_lexicon


@dataclass(frozen=True)
class Pauses:
    """Silences, in milliseconds, after each kind of speech.

    Defaults follow broadcast news pacing: a breath between clauses, a short beat
    between sentences, a longer one between paragraphs, and a clear gap after a
    headline and between articles so a listener hears where one story ends.
    """

    clause: int = 250
    sentence: int = 450
    paragraph: int = 850
    headline: int = 1000
    article: int = 1800
    voice_change: int = 60
    """Between runs of one sentence spoken by different voices (a Latin name in Arabic):
    with the margins kept at each clip's ends, a gap of about a tenth of a second,
    as short as a speaker's own between words."""


@dataclass(frozen=True)
class Profile:
    """How one language is spoken."""

    language: str
    """ISO 639-1 code."""
    name: str
    """The language's name in itself (``Italiano``)."""
    english_name: str
    iso639_2: str
    """Three-letter code for ID3's TLAN frame."""
    engines: tuple[str, ...] = ("gtts", "espeak")
    """Engines in order of preference."""
    rate_wpm: int = 172
    """The rate each engine is asked to speak at, in words a minute of speech."""
    engine_rates: Mapping[str, int] = field(default_factory=dict)
    """The rate one engine is asked instead (``[espeak] rate``): engines count a minute's
    words differently, so each is calibrated against ``heard_rate`` on its own."""
    heard_rate: tuple[int, int] = (0, 0)
    """The rate a listener should hear, pauses and announcements included: (lowest,
    highest) words a minute. ``rate_wpm`` is calibrated against it; the build summary
    reports each episode's rate against it."""
    gtts_lang: str | None = None
    gtts_tld: str = "com"
    espeak_voice: str | None = None
    espeak_diacritise: bool = False
    """Write in Arabic vowels with the diacritiser (text2tashkeel) before eSpeak NG reads."""
    piper_voice: str | None = None
    """A Piper voice model's name (``en_US-joe-medium``), for the ``piper`` engine."""
    pico_voice: str | None = None
    """An SVOX Pico voice (``it-IT``), for the ``pico`` engine."""
    pauses: Pauses = field(default_factory=Pauses)
    phrases: Mapping[str, str] = field(default_factory=dict)
    """Phrases spoken around articles, keyed by role (``before_article``...)."""
    page: Mapping[str, str] = field(default_factory=dict)
    """The listening page's words in this language, keyed by role (``chapters``...)."""
    abbreviations: tuple[str, ...] = ()
    """Words ending in a full stop that never end a sentence (``Dott.``, ``n.``)."""
    titles: tuple[str, ...] = ()
    """Lower-case abbreviations that stand before a name (``г. Москва``, ``prof. Nowak``):
    never a sentence end, though the name after them starts with a capital."""
    debris: tuple[str, ...] = ()
    """Web page labels that are not read aloud when they end an article."""
    months: tuple[str, ...] = ()
    """The months' names, January first, for dates spoken the local way."""
    date_format: str = "{year}-{month_number:02d}-{day:02d}"
    """How a full date is said (``{day} {month} {year}``)."""
    month_format: str = "{year}-{month_number:02d}"
    """How a year and month are said (``{month} {year}``)."""
    lexicon: Lexicon = field(default_factory=Lexicon)
    """How the language says links, numbers, symbols and abbreviations."""
    script: str = "latin"
    """The script the language is written in: ``latin``, ``arabic``, ``han``..."""
    other_scripts: Mapping[str, str] = field(default_factory=dict)
    """The language whose voice reads runs of another script (``{"latin": "en"}`` in Arabic)."""
    digits: str = ""
    """The digits 0 to 9 as the language writes them (``۰۱۲۳۴۵۶۷۸۹``), for the numbers
    in announcements and on the page; empty for 0 to 9."""
    source: Path | None = None
    """The file the profile was read from; None for a default profile."""

    def rate_for(self, engine: str) -> int:
        """The rate to ask ``engine`` for, in words a minute."""
        return self.engine_rates.get(engine, self.rate_wpm)

    def numerals(self, text: object) -> str:
        """``text`` with its digits 0 to 9 written as the language writes them."""
        text = str(text)
        return text.translate(str.maketrans("0123456789", self.digits)) if self.digits else text


def default_scripts(language: str) -> tuple[str, dict[str, str]]:
    """A language's script (from the language table), and the voices for runs of other scripts.

    Latin-script runs in any other script are read in English (names, acronyms,
    English terms), and Arabic-script runs in Latin text in Arabic.
    """
    script = (scripts_of(language) or ("latin",))[0]
    if script == "latin":
        return script, {"arabic": "ar"}
    return script, {"latin": "en"}


def default_profile(language: str) -> Profile:
    """A profile for a language without a file: its own code for every engine."""
    script, others = default_scripts(language)
    return Profile(
        language=language,
        name=native_name(language),
        english_name=english_name(language),
        iso639_2=iso639_2(language),
        heard_rate=heard_rate(language),
        gtts_lang=language,
        espeak_voice=language,
        script=script,
        other_scripts=others,
    )


def builtin_voices_dir() -> Path:
    """The profiles shipped with bulletins (inside the wheel, or the source tree)."""
    packaged = Path(__file__).parent / "voices"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "voices"


_PROFILE_KEYS = frozenset(
    {"language", "name", "english_name", "iso639_2", "engines", "rate", "heard_rate"}
    | {"dates", "digits"}
    | {
        "gtts",
        "espeak",
        "piper",
        "pico",
        "pauses",
        "phrases",
        "page",
        "segmenting",
        "script",
        "scripts",
    }
)


def _expect(value: Any, kind: type | tuple[type, ...], path: Path, key: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise VoiceError(f"{path}: '{key}' must be {names}, not {value!r}")
    return value


def _pauses(data: Mapping[str, Any], path: Path) -> dict[str, int]:
    """A profile's ``[pauses]``, each a known pause of zero milliseconds or more."""
    pauses = _expect(data.get("pauses", {}), dict, path, "pauses")
    names = {f.name for f in fields(Pauses)}
    for key, value in pauses.items():
        if key not in names:
            raise VoiceError(f"{path}: unknown pause '{key}' (known: {', '.join(sorted(names))})")
        if _expect(value, int, path, f"pauses.{key}") < 0:
            raise VoiceError(f"{path}: 'pauses.{key}' must not be negative")
    return dict(pauses)


def parse_profile(data: Mapping[str, Any], path: Path) -> Profile:
    """Build a profile from a parsed TOML document.

    Raises:
        VoiceError: a key is missing, unknown or of the wrong type; the message names it.
    """
    language = _expect(data.get("language", path.stem), str, path, "language").lower()
    unknown = sorted(set(data) - _PROFILE_KEYS)
    if unknown:
        raise VoiceError(f"{path}: unknown key(s) {', '.join(unknown)}")
    pauses_data = _pauses(data, path)
    gtts = _expect(data.get("gtts", {}), dict, path, "gtts")
    espeak = _expect(data.get("espeak", {}), dict, path, "espeak")
    piper = _expect(data.get("piper", {}), dict, path, "piper")
    pico = _expect(data.get("pico", {}), dict, path, "pico")
    segmenting = _expect(data.get("segmenting", {}), dict, path, "segmenting")
    phrases = _expect(data.get("phrases", {}), dict, path, "phrases")
    page = _expect(data.get("page", {}), dict, path, "page")
    engines = _expect(data.get("engines", ["gtts", "espeak"]), list, path, "engines")
    rate = _expect(data.get("rate", Profile.rate_wpm), int, path, "rate")
    dates = _expect(data.get("dates", {}), dict, path, "dates")
    months = tuple(_expect(m, str, path, "dates.months") for m in dates.get("months", []))
    if months and len(months) != 12:
        raise VoiceError(f"{path}: 'dates.months' must name 12 months, not {len(months)}")
    rate = _rate(rate, path, "rate")
    heard = _heard_rate(data, language, path)
    engine_rates = {
        name: _rate(section["rate"], path, f"{name}.rate")
        for name, section in (("gtts", gtts), ("espeak", espeak), ("piper", piper), ("pico", pico))
        if "rate" in section
    }
    digits = _expect(data.get("digits", ""), str, path, "digits")
    if digits and (len(digits) != 10 or not all(ch.isdigit() for ch in digits)):
        raise VoiceError(f"{path}: 'digits' must be the ten digits 0 to 9 in order, not {digits!r}")
    script, others = default_scripts(language)
    script = _expect(data.get("script", script), str, path, "script")
    scripts = _expect(data.get("scripts", others), dict, path, "scripts")
    return Profile(
        language=language,
        name=_expect(data.get("name", native_name(language)), str, path, "name"),
        english_name=_expect(
            data.get("english_name", english_name(language)), str, path, "english_name"
        ),
        iso639_2=_expect(data.get("iso639_2", iso639_2(language)), str, path, "iso639_2"),
        engines=tuple(_expect(e, str, path, "engines") for e in engines),
        rate_wpm=rate,
        heard_rate=heard,
        engine_rates=engine_rates,
        gtts_lang=_expect(gtts.get("lang", language), str, path, "gtts.lang"),
        gtts_tld=_expect(gtts.get("tld", "com"), str, path, "gtts.tld"),
        espeak_voice=_expect(espeak.get("voice", language), str, path, "espeak.voice"),
        espeak_diacritise=_expect(espeak.get("diacritise", False), bool, path, "espeak.diacritise"),
        piper_voice=_expect(piper.get("voice", ""), str, path, "piper.voice") or None,
        pico_voice=_expect(pico.get("voice", ""), str, path, "pico.voice") or None,
        pauses=Pauses(**pauses_data),
        phrases={str(k): _expect(v, str, path, f"phrases.{k}") for k, v in phrases.items()},
        page={str(k): _expect(v, str, path, f"page.{k}") for k, v in page.items()},
        abbreviations=tuple(
            _expect(a, str, path, "segmenting.abbreviations")
            for a in segmenting.get("abbreviations", [])
        ),
        debris=tuple(
            _expect(d, str, path, "segmenting.debris") for d in segmenting.get("debris", [])
        ),
        titles=tuple(
            _expect(t, str, path, "segmenting.titles") for t in segmenting.get("titles", [])
        ),
        months=months,
        date_format=_expect(dates.get("date", Profile.date_format), str, path, "dates.date"),
        month_format=_expect(dates.get("month", Profile.month_format), str, path, "dates.month"),
        script=script,
        digits=digits,
        other_scripts={
            str(k): _expect(v, str, path, f"scripts.{k}").lower() for k, v in scripts.items()
        },
        source=path,
    )


def _rate(value: Any, path: Path, key: str) -> int:
    """A speaking rate a profile asks for: words a minute, from 80 to 400."""
    rate = _expect(value, int, path, key)
    if not 80 <= rate <= 400:
        raise VoiceError(f"{path}: '{key}' is words per minute, from 80 to 400; got {rate}")
    return int(rate)


def _heard_rate(data: Mapping[str, Any], language: str, path: Path) -> tuple[int, int]:
    """A profile's ``heard_rate``: as it gives it, else from the language's read-aloud rate."""
    if "heard_rate" not in data:
        return heard_rate(language)
    value = _expect(data["heard_rate"], list, path, "heard_rate")
    if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise VoiceError(f"{path}: 'heard_rate' is [lowest, highest] words a minute, not {value!r}")
    low, high = value
    if not 40 <= low < high <= 400:
        raise VoiceError(
            f"{path}: 'heard_rate' must be two rates from 40 to 400 words a minute, the lower first; got {value!r}"
        )
    return low, high


def load_profiles(folders: Iterable[Path]) -> dict[str, Profile]:
    """Read every ``*.toml`` profile; a language's first profile in folder order wins.

    Raises:
        VoiceError: a profile file is not valid TOML or not a valid profile.
    """
    profiles: dict[str, Profile] = {}
    lexicons: dict[str, Lexicon] = {}
    for folder in folders:
        if not folder.is_dir():
            raise VoiceError(f"{folder}: voices folder does not exist")
        for path in sorted(folder.glob("*.toml")):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise VoiceError(f"{path}: is not valid TOML: {exc}") from exc
            profile = parse_profile(data, path)
            profiles.setdefault(profile.language, profile)
        # Folders come first to last in precedence: a lexicon found earlier wins
        # entry by entry over the ones after it (a user's over the shipped one).
        for path in sorted((folder / "lexicons").glob("*.toml")):
            language = path.stem.lower()
            lexicon = load_lexicon(path)
            lexicons[language] = (
                lexicons[language].merged(lexicon) if language in lexicons else lexicon
            )
    for language, lexicon in lexicons.items():
        profile = profiles.get(language) or default_profile(language)
        profiles[language] = replace(profile, lexicon=lexicon)
    return profiles


def profile_for(language: str, profiles: Mapping[str, Profile]) -> Profile:
    """The profile of a language, or the default one when no file describes it."""
    return profiles.get(language) or default_profile(language)
