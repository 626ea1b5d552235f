"""Pronunciation: the spoken form of written text, from built-in rules and per-language lexicons.

A voice reads what it is given: a link becomes a spelled-out string of letters, a
phone number a number in the billions, "Dott." a syllable. Before synthesis, each
sentence is rewritten into the form a newsreader would say:

- markup tags are dropped;
- a link is said as the language's word for "link" and the site's name;
- an e-mail address is said with the language's words for "at" and "dot";
- a phone number is said digit by digit, in the groups it is written in;
- %, €, £ and $ are said in the language, after the amount;
- the lexicon's whole words and regular-expression rules are applied.

Lexicons are TOML files in a ``lexicons`` folder beside the voice profiles
(``voices/lexicons/it.toml``), in the spirit of W3C PLS and DAISY Pipeline's:

    [say]              # the words the built-in rules use
    link = "link"
    [words]            # whole words, matched with their case
    "Dott." = "dottor"
    [[rules]]          # regular expressions, applied in order
    pattern = '\\bSt\\.(?=\\s+[A-Z])'
    replace = "Saint"

Only the spoken form changes: tags and transcripts keep the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from urllib.parse import urlsplit

from bulletins.profiles.lexicon import Lexicon

"""The words a lexicon's ``[say]`` table may give, for the built-in rules."""

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# A phone number: a leading + or 0, then digits in groups split by spaces, dots or
# dashes, at least six digits in all (shorter numbers are said as numbers).
# Dots are not separators here: "05.06.2026" is a date and "0.5" a decimal.
_PHONE = re.compile(r"(?<![\w+.])(?:\+\d{1,3}|0\d*)(?:[ -]?\d+)+(?![\w.]\d)")
_PHONE_DIGITS = 6
_SYMBOLS = {
    "percent": re.compile(r"(\d(?:[\d.,]*\d)?)\s?%"),
    "euro": re.compile(r"€\s?(\d(?:[\d.,]*\d)?)|(\d(?:[\d.,]*\d)?)\s?€"),
    "pound": re.compile(r"£\s?(\d(?:[\d.,]*\d)?)"),
    "dollar": re.compile(r"\$\s?(\d(?:[\d.,]*\d)?)"),
}


def _site(url: str, dot: str) -> str:
    host = urlsplit(url if "://" in url else "http://" + url).hostname or url
    return _address(host.removeprefix("www."), dot)


def _address(host: str, dot: str) -> str:
    """A domain as said: its parts between the language's word for "dot", hyphens as spaces."""
    parts = [part.replace("-", " ") for part in host.split(".") if part]
    return f" {dot} ".join(parts) if dot else ".".join(parts)


def _links(text: str, say: Mapping[str, str]) -> str:
    def link(match: re.Match[str]) -> str:
        url = match.group(0).rstrip(".,;:!?)")
        tail = match.group(0)[len(url) :]
        site = _site(url, say.get("dot", ""))
        word = say.get("link", "")
        return (f"{word} {site}" if word else site) + tail

    def email(match: re.Match[str]) -> str:
        user, _, host = match.group(0).partition("@")
        at, dot = say.get("at"), say.get("dot", "")
        if not at:
            return match.group(0)
        return f"{_address(user, dot)} {at} {_address(host, dot)}"

    return _URL.sub(link, _EMAIL.sub(email, text))


def _phones(text: str) -> str:
    def digits(match: re.Match[str]) -> str:
        number = match.group(0)
        if sum(char.isdigit() for char in number) < _PHONE_DIGITS:
            return number
        groups = re.findall(r"\+?\d+", number)
        # Each digit alone, the groups apart: "01483 630200" as "0 1 4 8 3, 6 3 0 2 0 0".
        return ", ".join(" ".join(group) for group in groups)

    return _PHONE.sub(digits, text)


def _symbols(text: str, say: Mapping[str, str]) -> str:
    for name, pattern in _SYMBOLS.items():
        word = say.get(name)
        if word:

            def amount(match: re.Match[str], word: str = word) -> str:
                return f"{match.group(1) or match.group(2)} {word}"

            text = pattern.sub(amount, text)
    return text


@cache
def _whole_words(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a lexicon's words, compiled once rather than for every sentence."""
    # Longest first, so that "Dott.ssa" wins over "Dott."; whole words only.
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _lexicon(text: str, lexicon: Lexicon) -> str:
    for pattern, replace in lexicon.rules:
        text = re.sub(pattern, replace, text)
    if lexicon.words:
        whole = _whole_words(tuple(lexicon.words))
        text = whole.sub(lambda m: lexicon.words[m.group(0)], text)
    return text


def pronounce(text: str, lexicon: Lexicon | None = None) -> str:
    """The form of ``text`` a voice should read (see the module's documentation)."""
    lexicon = lexicon or Lexicon()
    text = _TAG.sub(" ", text)
    text = _links(text, lexicon.say)
    text = _lexicon(text, lexicon)
    text = _phones(text)
    text = _symbols(text, lexicon.say)
    return re.sub(r"\s+", " ", text).strip()
