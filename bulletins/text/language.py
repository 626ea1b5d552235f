"""Language: which language an article is in, declared or identified, and checked against its script.

A language is accepted only when the text is written in one of its scripts (the
table in ``profiles/languages.toml``). Where one script serves several languages, three
identifiers (:mod:`bulletins.identifiers`) guess, and a guess counts only between
languages its identifier knows: lingua's "Hindi" says nothing against Nepali,
which lingua does not know. When they disagree, or none is sure, the article is
refused with the candidates named, never read in the nearest language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bulletins.errors import LanguageError
from bulletins.model import Article
from bulletins.profiles.languages import (
    LanguageInfo,
    direction,
    english_name,
    iso639_2,
    known,
    native_name,
    parent_of,
    scripts_of,
    table,
    written_in,
)
from bulletins.text.identifiers import IDENTIFIERS, Guess, Identifier, Lingua
from bulletins.text.memory import Memory, memory_key
from bulletins.text.scripts import SPACELESS, dominant_script

__all__ = [
    "Identification",
    "Identified",
    "LanguageInfo",
    "Refused",
    "chinese_form",
    "direction",
    "english_name",
    "identify",
    "iso639_2",
    "known",
    "native_name",
    "paragraph_languages",
    "parent_of",
    "scripts_of",
    "table",
    "written_in",
]

# Whole articles score close to 1.0 for their language; a top score below this
# means the text is too short or too mixed to tell, and guessing would give the
# listener a voice that cannot read it.
# A paragraph is given a language of its own only when it is long enough to tell
# (words, or characters in scripts without spaces): a name or a quoted phrase must
# not switch the voice.
PARAGRAPH_MIN_WORDS = 8
PARAGRAPH_MIN_CHARS = 24


def _names(codes: Iterable[str]) -> str:
    names = [english_name(code) for code in sorted(set(codes), key=english_name)]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]


def chinese_form(text: str) -> str | None:
    """``simplified`` or ``traditional``: the character forms most of the text is written in.

    Counts the characters that exist in one form only (国 against 國); None when
    the text has too few of them to tell.
    """
    import hanzidentifier  # its character lists load in 40 ms: only for Chinese text

    simplified = traditional = 0
    for char in text:
        if not hanzidentifier.has_chinese(char):
            continue
        is_simplified = hanzidentifier.is_simplified(char)
        is_traditional = hanzidentifier.is_traditional(char)
        if is_simplified and not is_traditional:
            simplified += 1
        elif is_traditional and not is_simplified:
            traditional += 1
    if simplified + traditional < 3 or simplified == traditional:
        return None
    return "simplified" if simplified > traditional else "traditional"


@dataclass(frozen=True)
class Identified:
    """A text's language, and how it was told."""

    language: str
    how: str
    """``script`` (the only language written so), or the identifiers that agreed."""


class Refused(LanguageError):
    """The language cannot be told: the identifiers disagree, or none is sure."""

    def __init__(self, reason: str, candidates: Sequence[str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.candidates = tuple(candidates)


class Identification:
    """Identifies texts with every identifier, the script as referee.

    Identifiers load their models on first use, so building this costs nothing
    until a language has to be identified.
    """

    def __init__(
        self,
        min_confidence: float,
        identifiers: Sequence[Identifier] | None = None,
        memory: Memory | None = None,
    ) -> None:
        """``memory`` keeps each article's answer between builds (the cache's)."""
        self.memory = memory
        self.min_confidence = min_confidence
        self.identifiers: tuple[Identifier, ...] = tuple(
            identifiers
            if identifiers is not None
            else [
                Lingua(min_confidence) if cls is Lingua else cls()  # type: ignore[call-arg]
                for cls in IDENTIFIERS.values()
            ]
        )
        self._asked: dict[tuple[str, str], frozenset[str]] = {}

    def _asks(self, identifier: Identifier, script: str) -> frozenset[str]:
        """The identifier's own codes for the languages it knows that are written in a script."""
        key = (identifier.name, script)
        if key not in self._asked:
            entries = table()
            self._asked[key] = frozenset(
                code
                for code in identifier.knows()
                if code in entries and script in entries[code].scripts
            )
        return self._asked[key]

    def knows(self, identifier: Identifier, script: str) -> frozenset[str]:
        """What an identifier can tell apart in a script, in the table's codes for that script."""
        entries = table()
        return frozenset(
            entries[code].written.get(script, code) for code in self._asks(identifier, script)
        )

    def _guesses(self, text: str, script: str, quick_only: bool = False) -> list[Guess]:
        """Each identifier's guess among the languages it knows in this script."""
        entries = table()
        guesses = []
        for identifier in self.identifiers:
            if quick_only and not identifier.quick:
                continue
            asked = self._asks(identifier, script)
            guess = (
                identifier.guess(text, asked) if asked else Guess(identifier.name, None, 0.0, False)
            )
            if guess.language is not None:
                written = entries[guess.language].written.get(script, guess.language)
                guess = dataclasses.replace(guess, language=written)
            guesses.append(guess)
        return guesses

    def _beats(self, language: str, rival: str, script: str, guesses: Sequence[Guess]) -> bool:
        """Whether the identifiers that know both languages all, and at least one, say ``language``."""
        judges = [
            guess
            for identifier, guess in zip(self.identifiers, guesses, strict=True)
            if guess.confident and {language, rival} <= self.knows(identifier, script)
        ]
        return bool(judges) and all(guess.language == language for guess in judges)

    def identify(self, text: str) -> Identified:
        """The language of ``text``.

        Raises:
            Refused: the text has no letters, the identifiers disagree, or none is sure.
        """
        script = dominant_script(text)
        if script is None:
            raise Refused("it has no letters in any script", ())
        candidates = written_in(script)
        if not candidates:
            raise Refused(f"no language bulletins knows is written in {script} script", ())
        if len(candidates) == 1:
            (language,) = candidates
            return Identified(self._form(language, text), "script")
        guesses = self._guesses(text, script)
        answers = [g.language for g in guesses if g.confident and g.language]
        if not answers:
            heard = [g.language for g in guesses if g.language]
            raise Refused("no identifier is confident", heard)
        winners = []
        blockers: set[str] = set()
        for answer in dict.fromkeys(answers):
            rivals = {a for a in answers if a != answer} | {
                code for code in candidates if answer in table()[code].like
            }
            lost = {rival for rival in rivals if not self._beats(answer, rival, script, guesses)}
            if lost:
                blockers |= lost | {answer}
            else:
                winners.append(answer)
        if len(winners) != 1:
            raise Refused("the identifiers cannot tell these apart", sorted(blockers))
        language = winners[0]
        supporters = [
            identifier.label
            for identifier, guess in zip(self.identifiers, guesses, strict=True)
            if guess.confident and guess.language == language
        ]
        knowers = [i for i in self.identifiers if language in self.knows(i, script)]
        # One sure identifier among several that know the language and are unsure is
        # how a short or mixed text looks: half of those that know it must agree.
        if 2 * len(supporters) < len(knowers):
            raise Refused(
                f"only {' and '.join(supporters)} of the {len(knowers)} identifiers that know "
                f"{english_name(language)} say so",
                [language],
            )
        how = "+".join(supporters)
        return Identified(self._form(language, text), how)

    def plainly(self, text: str, language: str) -> bool:
        """Whether the quick identifiers all, and at least one, say ``text`` is in ``language``.

        A cheap check before a paragraph is identified in full: most paragraphs are
        in their article's language, and saying so takes CLD2 and fastText microseconds.
        """
        script = dominant_script(text)
        if script is None:
            return True
        base = parent_of(language)
        confident = [
            g.language for g in self._guesses(text, script, quick_only=True) if g.confident
        ]
        return bool(confident) and all(found == base for found in confident)

    def _form(self, language: str, text: str) -> str:
        forms = table()[language].forms
        if not forms:
            return language
        form = chinese_form(text)
        if form is None:
            raise Refused(
                "its characters do not tell Simplified from Traditional",
                [forms["simplified"], forms["traditional"]],
            )
        return forms[form]

    def check_declared(self, code: str, text: str) -> str:
        """A declared language, refined by the text's script and characters (``ku`` → ``ckb``).

        Raises:
            LanguageError: the text is not written in any script of the declared language.
        """
        entry = table().get(code)
        script = dominant_script(text)
        if entry is None or script is None:
            return code
        if script not in entry.scripts:
            raise LanguageError(
                f"is declared {entry.english} ({code}) but is written in {script.capitalize()} "
                f"script, which {entry.english} is not written in. Probable cause: the wrong "
                "language code in its name or front matter, or the wrong file"
            )
        code = entry.written.get(script, code)
        return self._form(code, text) if table()[code].forms else code


def _paragraph_long_enough(paragraph: str) -> bool:
    if dominant_script(paragraph) in SPACELESS:
        return len(paragraph) >= PARAGRAPH_MIN_CHARS
    return len(paragraph.split()) >= PARAGRAPH_MIN_WORDS


def paragraph_languages(
    paragraphs: tuple[str, ...],
    candidates: Iterable[str],
    can_speak: Callable[[str], bool],
    identification: Identification,
    own: str | None = None,
) -> list[str | None]:
    """Each paragraph's language, among ``candidates``, when the identifiers agree on it and it can be spoken.

    A paragraph plainly in ``own`` (the article's language) is not identified further.
    """
    wanted = frozenset(candidates)
    found: list[str | None] = []
    for paragraph in paragraphs:
        code: str | None = None
        plain = own is not None and identification.plainly(paragraph, own)
        if not plain and _paragraph_long_enough(paragraph):
            try:
                language = identification.identify(paragraph).language
            except LanguageError:
                language = None
            if language in wanted and language is not None and can_speak(language):
                code = language
        found.append(code)
    return found


def _majority(paragraphs: tuple[str, ...], languages: list[str | None]) -> str | None:
    """The language most of the words are in, among paragraphs whose language is known."""
    words: dict[str, int] = {}
    for paragraph, code in zip(paragraphs, languages, strict=True):
        if code is not None:
            words[code] = words.get(code, 0) + len(paragraph.split())
    return max(words, key=lambda code: words[code]) if words else None


def _refusal(article: Article, refused: Refused) -> LanguageError:
    example = refused.candidates[0] if refused.candidates else "it"
    asked = f"{_names(refused.candidates)}? " if refused.candidates else ""
    return LanguageError(
        f"{article.path}: cannot tell its language: {asked}({refused.reason}). "
        f"Declare it in the file name ({article.stem}.{example}{article.path.suffix}) "
        "or as 'language:' in the front matter"
    )


def identify(
    article: Article,
    identification: Identification,
    can_speak: Callable[[str], bool],
    paragraph_candidates: Iterable[str] = (),
    no_voice: Callable[[str], str] = lambda _code: "",
) -> Article:
    """Give the article its language: as declared (checked against its script), else identified.

    Paragraphs in another language than the article's (a bilingual notice, a
    statement quoted in full) are marked with theirs, to be read by their own voice;
    they are looked for among ``paragraph_candidates`` (the languages with a voice
    profile). An article whose text as a whole is too mixed to tell takes the
    language of most of its words.

    Args:
        no_voice: why no voice here speaks a language, and what would ("Google's voice
            speaks it when it can be reached"), for the error.

    Raises:
        LanguageError: the declared language does not match the script, the language
            cannot be told, or no voice speaks it.
    """
    candidates = {*paragraph_candidates}
    memory = identification.memory
    names = tuple(i.name for i in identification.identifiers)
    speakable = (c for c in candidates if can_speak(c))
    key = memory_key(article, names, identification.min_confidence, speakable)
    found = memory.get(key) if memory is not None else None
    if found is not None:
        language, source, others = str(found[0]), str(found[1]), found[2]
        _check_speakable(article, language, source, can_speak, no_voice)
        return dataclasses.replace(
            article,
            language=language,
            language_source=source,
            paragraph_languages=tuple(others) if isinstance(others, list) else (),
        )
    if article.language:
        try:
            language = identification.check_declared(article.language, article.text)
        except LanguageError as exc:
            raise LanguageError(f"{article.path}: {exc}") from exc
        source = article.language_source
    else:
        source = "detected"
        try:
            language = identification.identify(article.text).language
        except Refused as refused:
            mixed = paragraph_languages(article.paragraphs, candidates, can_speak, identification)
            majority = _majority(article.paragraphs, mixed)
            if len(set(mixed) - {None}) < 2 or majority is None:
                raise _refusal(article, refused) from refused
            language = majority
    _check_speakable(article, language, source, can_speak, no_voice)
    per_paragraph = paragraph_languages(
        article.paragraphs, candidates | {language}, can_speak, identification, language
    )
    others = tuple(None if code == language else code for code in per_paragraph)
    if memory is not None:
        memory.put(key, [language, source, list(others) if any(others) else []])
    return dataclasses.replace(
        article,
        language=language,
        language_source=source,
        paragraph_languages=others if any(others) else (),
    )


def _check_speakable(
    article: Article,
    language: str,
    source: str,
    can_speak: Callable[[str], bool],
    no_voice: Callable[[str], str],
) -> None:
    if not can_speak(language):
        reason = no_voice(language)
        raise LanguageError(
            f"{article.path}: is in {english_name(language)} ({native_name(language)}, "
            f"{language}, {source}), which no voice here can speak"
            + (f": {reason}" if reason else "")
        )
