"""Language: which language an article is in, declared or identified from its text."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from .errors import LanguageError
from .model import Article

# Whole articles score close to 1.0 for their language; a top score below this
# means the text is too short or too mixed to tell, and guessing would give the
# listener a voice that cannot read it.
DEFAULT_MIN_CONFIDENCE = 0.5
# A paragraph is given a language of its own only when it is long enough to tell and
# the detector is all but sure: a name or a quoted phrase must not switch the voice.
PARAGRAPH_MIN_WORDS = 8
PARAGRAPH_CONFIDENCE = 0.9


@cache
def _codes() -> frozenset[str]:
    return frozenset(lang.iso_code_639_1.name.lower() for lang in Language.all())


def detectable(code: str) -> bool:
    """True when ``code`` is the ISO 639-1 code of a language the detector knows."""
    return code.lower() in _codes()


def iso639_2(code: str) -> str:
    """The three-letter ISO 639-2/T code of a language, as ID3's TLAN frame wants it."""
    try:
        language = Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        return "und"
    return language.iso_code_639_3.name.lower()


def english_name(code: str) -> str:
    """The language's English name, for messages (``it`` → ``Italian``)."""
    try:
        language = Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        return code
    return language.name.capitalize()


def build_detector() -> LanguageDetector:
    """A detector over every language lingua knows. Its results are deterministic.

    Models load lazily on first use, so building it costs nothing until it is needed.
    """
    return LanguageDetectorBuilder.from_all_languages().build()


def detect(text: str, detector: LanguageDetector) -> tuple[str, float]:
    """Return the most likely language of ``text`` and its confidence (0 to 1)."""
    values = detector.compute_language_confidence_values(text)
    if not values or values[0].value <= 0:
        return "und", 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), best.value


@cache
def _paragraph_detector(codes: frozenset[str]) -> LanguageDetector:
    # Among a few languages, lingua's low-accuracy (trigram) models tell paragraphs
    # apart as well as its full ones, and load in milliseconds instead of seconds.
    languages = [Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in codes]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def paragraph_languages(
    paragraphs: tuple[str, ...], candidates: Iterable[str], can_speak: Callable[[str], bool]
) -> list[str | None]:
    """Each paragraph's language, among ``candidates``, when it can be told with near certainty and spoken."""
    codes = frozenset(code for code in candidates if detectable(code))
    if len(codes) < 2:
        return [None] * len(paragraphs)
    detector = _paragraph_detector(codes)
    found: list[str | None] = []
    for paragraph in paragraphs:
        code: str | None = None
        if len(paragraph.split()) >= PARAGRAPH_MIN_WORDS:
            language, confidence = detect(paragraph, detector)
            if confidence >= PARAGRAPH_CONFIDENCE and can_speak(language):
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


def identify(
    article: Article,
    detector: LanguageDetector,
    can_speak: Callable[[str], bool],
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    paragraph_candidates: Iterable[str] = (),
) -> Article:
    """Give the article its language: as declared, else identified from its text.

    Paragraphs in another language than the article's (a bilingual notice, a
    statement quoted in full) are marked with theirs, to be read by their own voice;
    they are looked for among ``paragraph_candidates`` (the languages with a voice
    profile) and the article's own.
    An article whose text as a whole is too mixed to tell takes the language of
    most of its words.

    Raises:
        LanguageError: the language cannot be told with confidence, or no voice speaks it.
    """
    if article.language:
        language, source = article.language, article.language_source
    else:
        language, confidence = detect(article.text, detector)
        if confidence < min_confidence:
            mixed = paragraph_languages(
                article.paragraphs, {*paragraph_candidates, language}, can_speak
            )
            if len(set(mixed) - {None}) > 1:
                language = _majority(article.paragraphs, mixed) or language
                confidence = 1.0
        if confidence < min_confidence:
            raise LanguageError(
                f"{article.path}: cannot tell its language (best guess "
                f"{english_name(language)} at {confidence:.0%}, below {min_confidence:.0%}). "
                f"Declare it in the file name ({article.stem}.it{article.path.suffix}) "
                "or as 'language:' in the front matter"
            )
        source = "detected"
    if not can_speak(language):
        raise LanguageError(
            f"{article.path}: is in {english_name(language)} ({language}, {source}), "
            "which no voice here can speak. Add a voice profile for it, or install an engine that speaks it"
        )
    per_paragraph = paragraph_languages(
        article.paragraphs, {*paragraph_candidates, language}, can_speak
    )
    others = tuple(None if code == language else code for code in per_paragraph)
    return dataclasses.replace(
        article,
        language=language,
        language_source=source,
        paragraph_languages=others if any(others) else (),
    )
