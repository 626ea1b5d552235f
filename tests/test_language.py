"""Language identification: declared languages win, detection is confident or refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import SEEDS

from bulletins.content import ReadOptions, read_article
from bulletins.errors import LanguageError
from bulletins.language import build_detector, detect, detectable, identify, iso639_2
from bulletins.model import Article

DETECTOR = build_detector()


def undeclared(path: Path) -> Article:
    article = read_article(path, ReadOptions(), detectable)
    return dataclasses.replace(article, language=None, language_source="")


@pytest.mark.parametrize(("language", "code3"), [("it", "ita"), ("ar", "ara")])
def test_seeds_are_identified_from_their_text(language: str, code3: str) -> None:
    """With no language declared, each seed is identified as its language with high confidence."""
    article = identify(undeclared(SEEDS[language]), DETECTOR, lambda _code: True)
    assert (article.language, article.language_source) == (language, "detected")
    assert detect(article.text, DETECTOR)[1] > 0.9
    assert iso639_2(language) == code3


def test_declared_language_wins() -> None:
    """A language declared by the file is kept even when the text says otherwise."""
    article = dataclasses.replace(
        undeclared(SEEDS["it"]), language="en", language_source="file name"
    )
    assert identify(article, DETECTOR, lambda _code: True).language == "en"


def test_low_confidence_is_an_error_not_a_guess(tmp_path: Path) -> None:
    """Text too short to tell is refused, with how to declare the language."""
    article = Article(path=tmp_path / "ok.txt", stem="ok", headline="OK", paragraphs=("ok ok",))
    with pytest.raises(
        LanguageError,
        match=r"ok.txt: cannot tell its language .*Declare it in the file name \(ok\.it\.txt\)",
    ):
        identify(article, DETECTOR, lambda _code: True)


def test_unspeakable_language_is_an_error() -> None:
    """A language no engine speaks is refused, naming the language."""
    article = undeclared(SEEDS["ar"])
    with pytest.raises(
        LanguageError, match=r"is in Arabic \(ar, detected\), which no voice here can speak"
    ):
        identify(article, DETECTOR, lambda code: code != "ar")
