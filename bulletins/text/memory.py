"""Remembering identification: each article's answer, kept between builds by a key.

The key is a digest of the article's text and declared language, the languages its
paragraphs may be in, and everything else that shapes the answer: bulletins' version,
each identifier's version, the confidence asked for and the language table. Any change
to one of them asks the identifiers again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from typing import Protocol

from bulletins.model import Article
from bulletins.profiles.languages import table_digest
from bulletins.text.identifiers import PACKAGES


class Memory(Protocol):
    """Where answers are kept between builds, by key."""

    def get(self, key: str) -> list[object] | None: ...

    def put(self, key: str, value: list[object]) -> None: ...


@cache
def _identity(identifiers: tuple[str, ...], min_confidence: float) -> str:
    """What shapes every answer besides the text: bulletins, the identifiers' versions, the table."""
    from importlib.metadata import PackageNotFoundError, version

    from bulletins import __version__

    def installed(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "-"

    parts = [__version__, str(min_confidence), table_digest()]
    parts += [f"{name}={installed(PACKAGES.get(name, name))}" for name in identifiers]
    return "|".join(parts)


def memory_key(
    article: Article, identifiers: tuple[str, ...], min_confidence: float, candidates: Iterable[str]
) -> str:
    """The key an article's answer is kept under: ``identifiers`` by name, and the languages
    its paragraphs may be in."""
    material = [
        _identity(identifiers, min_confidence),
        article.language or "",
        sorted(candidates),
        list(article.paragraphs),
    ]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()
