"""Language: which language an article is in, declared or identified from its text."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from .errors import LanguageError
from .model import Article

# Whole articles score close to 1.0 for their language; a top score below this
# means the text is too short or too mixed to tell, and guessing would give the
# listener a voice that cannot read it.
DEFAULT_MIN_CONFIDENCE = 0.5


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


def identify(
    article: Article,
    detector: LanguageDetector,
    can_speak: Callable[[str], bool],
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> Article:
    """Give the article its language: as declared, else identified from its text.

    Raises:
        LanguageError: the language cannot be told with confidence, or no voice speaks it.
    """
    if article.language:
        language, source = article.language, article.language_source
    else:
        language, confidence = detect(article.text, detector)
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
    return dataclasses.replace(article, language=language, language_source=source)
