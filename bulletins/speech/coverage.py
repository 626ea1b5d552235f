"""Coverage: what bulletins can do for each language here, for ``bulletins languages`` and the README.

For each language: how it is identified (its script alone, or which identifiers
know it, or only when declared), where its sentences end, which offline and online
voices speak it, and whether its profile says the announcements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from bulletins.errors import EngineUnavailable
from bulletins.profiles.profile import Profile, profile_for
from bulletins.speech.choice import EngineChoice
from bulletins.speech.engines.base import Engine
from bulletins.text import language, scripts

# Scripts whose sentences end with their own marks only (not also with ". ! ?").
_OWN_STOPS_ONLY = frozenset({"devanagari", "bengali", "gurmukhi", "oriya", "ethiopic", "armenian"})
# The phrases that make a bulletin's structure heard.
ANNOUNCEMENTS = ("opening", "contents", "before_article", "closing")


@dataclass(frozen=True)
class Coverage:
    """What bulletins does for one language."""

    code: str
    english: str
    native: str
    script: str
    identified: str
    """``script`` (the only language written so), the identifiers that know it, or
    ``declared only`` with the language it cannot be told from."""
    sentence_ends: str
    offline: str
    """The offline voice that speaks it (``espeak ti``), or "" when none does."""
    online: str
    """Google's voice for it (``gtts zh-TW``), or "" when Google does not speak it."""
    announcements: str
    """``yes`` (opening, contents, "Article N of M", closing), ``opening only``, or ``no``."""
    page: bool
    """Whether the listening page has its words (else English)."""

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    def cells(self) -> tuple[str, ...]:
        """The row as :data:`COLUMNS` show it."""
        return (
            self.english,
            self.native,
            self.code,
            self.identified,
            self.sentence_ends,
            self.offline or "none",
            self.online or "none",
            self.announcements,
        )


COLUMNS = (
    "language",
    "name",
    "code",
    "identified by",
    "sentences end at",
    "offline voice",
    "online voice",
    "announcements",
)


def how_identified(code: str, identification: language.Identification) -> str:
    """How an undeclared article in ``code`` is identified, in words."""
    entries = language.table()
    entry = entries.get(code)
    if entry is None:
        return "declared only"
    if entry.variant:
        return f"as {language.english_name(language.parent_of(code))}, then by its characters"
    script = entry.scripts[0]
    candidates = language.written_in(script)
    if len(candidates) == 1:
        return "script"
    knowers = [i for i in identification.identifiers if code in identification.knows(i, script)]
    if not knowers:
        like = ", ".join(language.english_name(c) for c in entry.like)
        return f"declared only (read as {like} by identifiers)" if like else "declared only"
    for rival in sorted(candidates):
        if code in entries[rival].like and not any(
            rival in identification.knows(i, script) for i in knowers
        ):
            return f"declared only (cannot be told from {language.english_name(rival)})"
    return "script + " + ", ".join(i.label for i in knowers)


def sentence_marks(script: str) -> str:
    """The marks that end a sentence in a script, as a reader would list them."""
    if script == "thai":
        return "space between phrases"
    own = scripts.sentence_ends(script)
    latin_stops = "" if script in scripts.SPACELESS or script in _OWN_STOPS_ONLY else ".!?"
    return " ".join(dict.fromkeys(latin_stops + own))


def _announcements(profile: Profile) -> str:
    said = [role for role in ANNOUNCEMENTS if profile.phrases.get(role)]
    if len(said) == len(ANNOUNCEMENTS):
        return "yes"
    return "opening only" if said == ["opening"] else ", ".join(said) or "no"


def _voice(engine: Engine | None, profile: Profile, setting: str | None) -> str:
    if engine is None or not engine.speaks(profile):
        return ""
    return f"{engine.name} {setting}" if setting else engine.name


def coverage(
    codes: Iterable[str],
    profiles: Mapping[str, Profile],
    engines: Mapping[str, Engine | None],
    identification: language.Identification,
) -> list[Coverage]:
    """A row for each language in ``codes``, from its profile (or the default one).

    Args:
        engines: the ``espeak``, ``piper`` and ``gtts`` engines (None where one cannot be made).
    """
    rows = []
    for code in codes:
        profile = profile_for(code, profiles)
        script = profile.script
        # The offline voice a build would use: the profile's first offline engine
        # that speaks the language, else eSpeak NG, as ``--engine auto`` falls back.
        offline = ""
        for name in [*profile.engines, "espeak"]:
            if name in ("piper", "espeak") and not offline:
                setting = profile.piper_voice if name == "piper" else profile.espeak_voice
                offline = _voice(engines.get(name), profile, setting)
        rows.append(
            Coverage(
                code=code,
                english=profile.english_name,
                native=profile.name,
                script=script,
                identified=how_identified(code, identification),
                sentence_ends=sentence_marks(script),
                offline=offline,
                online=_voice(engines.get("gtts"), profile, profile.gtts_lang),
                announcements=_announcements(profile),
                page=bool(profile.page),
            )
        )
    return rows


def languages(
    profiles: Mapping[str, Profile],
    choice: EngineChoice,
    identification: language.Identification,
    every: bool = False,
) -> list[Coverage]:
    """What bulletins does for each language with a profile (``every``: each language of the table)."""
    engines: dict[str, Engine | None] = {}
    for name in ("espeak", "piper", "gtts"):
        try:
            engines[name] = choice.engine(name)
        except EngineUnavailable:
            engines[name] = None
    codes = set(profiles)
    if every:
        codes |= {code for code, entry in language.table().items()}
    ordered = sorted(codes, key=lambda code: profile_for(code, profiles).english_name)
    return coverage(ordered, profiles, engines, identification)


def markdown(rows: Iterable[Coverage]) -> str:
    """The rows as a Markdown table, as the README shows them."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = [f"`{cell}`" if n == 2 else cell for n, cell in enumerate(row.cells())]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
