"""Lexicons: per-language TOML files of how a voice should say what it would misread."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletins.errors import VoiceError

SAY_WORDS = ("link", "at", "dot", "percent", "euro", "pound", "dollar")


@dataclass(frozen=True)
class Lexicon:
    """How one language says what its voices would misread."""

    say: Mapping[str, str] = field(default_factory=dict)
    """Words for the built-in rules (``link``, ``at``, ``dot``, ``percent``, ``euro``...)."""
    words: Mapping[str, str] = field(default_factory=dict)
    """Whole words (or abbreviations) and how they are said."""
    rules: tuple[tuple[str, str], ...] = ()
    """Regular expressions and their replacements, applied in order."""
    source: Path | None = None

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other``'s entries added where this one has none."""
        return Lexicon(
            say={**other.say, **self.say},
            words={**other.words, **self.words},
            rules=self.rules + other.rules,
            source=self.source or other.source,
        )


def _expect(value: Any, kind: type, path: Path, key: str) -> Any:
    if not isinstance(value, kind):
        raise VoiceError(f"{path}: '{key}' must be {kind.__name__}, not {value!r}")
    return value


def load_lexicon(path: Path) -> Lexicon:
    """Read a lexicon file.

    Raises:
        VoiceError: it is not valid TOML, has an unknown key or a rule that is not a valid regular expression.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise VoiceError(f"{path}: is not a readable TOML lexicon: {exc}") from exc
    unknown = sorted(set(data) - {"say", "words", "rules"})
    if unknown:
        raise VoiceError(f"{path}: unknown key(s) {', '.join(unknown)} (known: say, words, rules)")
    say = _expect(data.get("say", {}), dict, path, "say")
    unknown_say = sorted(set(say) - set(SAY_WORDS))
    if unknown_say:
        raise VoiceError(
            f"{path}: unknown word(s) in [say]: {', '.join(unknown_say)} (known: {', '.join(SAY_WORDS)})"
        )
    words = _expect(data.get("words", {}), dict, path, "words")
    rules = []
    for number, rule in enumerate(_expect(data.get("rules", []), list, path, "rules"), 1):
        rule = _expect(rule, dict, path, f"rules[{number}]")
        pattern = _expect(rule.get("pattern"), str, path, f"rules[{number}].pattern")
        replace = _expect(rule.get("replace"), str, path, f"rules[{number}].replace")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise VoiceError(
                f"{path}: rules[{number}] pattern {pattern!r} is invalid: {exc}"
            ) from exc
        rules.append((pattern, replace))
    return Lexicon(
        say={k: _expect(v, str, path, f"say.{k}") for k, v in say.items()},
        words={str(k): _expect(v, str, path, f"words.{k}") for k, v in words.items()},
        rules=tuple(rules),
        source=path,
    )
