"""Segmenting: an article becomes a script of segments, each short enough for one engine call.

Sentences come from sentencex (Wikimedia's segmenter, which knows the sentence
punctuation of some 300 languages, Arabic ؟ and ۔ among them, and does not end a
sentence at the Arabic comma). Abbreviations it does not know are taken from the
language's voice profile. A sentence longer than the engine's limit is split at
clause punctuation, and only when a clause is still too long, between words.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from sentencex import segment as sentencex_segment

from .errors import ContentError
from .model import Article, Segment, SegmentKind
from .voices import Profile

# Punctuation after which a long sentence may be split: Latin and Arabic commas,
# semicolons, colons, and dashes used as parentheses.
_CLAUSE_END = re.compile(r"(?<=[,;:،؛—–])\s+|\s+(?=[—–]\s)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)


def speakable(text: str) -> str:
    """The form of ``text`` an engine should read: no markup tags, links reduced to their site."""
    text = _TAG.sub(" ", text)

    def site(match: re.Match[str]) -> str:
        url = match.group(0).rstrip(".,;:!?)")
        tail = match.group(0)[len(url) :]
        host = urlsplit(url if "://" in url else "http://" + url).hostname or url
        return host.removeprefix("www.") + tail

    return re.sub(r"\s+", " ", _URL.sub(site, text)).strip()


def _merges(previous: str, following: str, abbreviations: frozenset[str]) -> bool:
    """Whether a sentence break after ``previous`` is really an abbreviation's full stop."""
    last_word = previous.rsplit(None, 1)[-1] if previous.strip() else ""
    if last_word not in abbreviations:
        return False
    # Titles (Dott., Dr., د.) precede a name: never a sentence end. Lower-case
    # abbreviations (n., ecc., etc.) may end a sentence: only when the next word
    # starts a new sentence with a capital letter is the full stop a sentence end.
    first = following.lstrip()[:1]
    return not last_word[:1].islower() or not first.isupper()


def sentences(paragraph: str, language: str, abbreviations: Iterable[str] = ()) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations, decimals and times inside them."""
    known = frozenset(abbreviations)
    result: list[str] = []
    for piece in sentencex_segment(language, paragraph):
        piece = piece.strip()
        if not piece:
            continue
        if result and _merges(result[-1], piece, known):
            result[-1] = f"{result[-1]} {piece}"
        else:
            result.append(piece)
    return result


def _pack(parts: Sequence[str], limit: int) -> list[str]:
    """Join consecutive parts with spaces into chunks of at most ``limit`` characters."""
    chunks: list[str] = []
    for part in parts:
        if chunks and len(chunks[-1]) + 1 + len(part) <= limit:
            chunks[-1] = f"{chunks[-1]} {part}"
        else:
            chunks.append(part)
    return chunks


def split_long(sentence: str, limit: int) -> list[str]:
    """Split a sentence into chunks of at most ``limit`` characters.

    Splits at clause punctuation first, between words only inside a clause still
    too long, and never inside a word.

    Raises:
        ContentError: one word alone is longer than ``limit``.
    """
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    for clause in _CLAUSE_END.split(sentence):
        if len(clause) <= limit:
            pieces.append(clause)
            continue
        words = clause.split()
        too_long = next((w for w in words if len(w) > limit), None)
        if too_long is not None:
            raise ContentError(
                f"the word '{too_long[:30]}…' is longer than the voice's limit of {limit} characters"
            )
        pieces.extend(_pack(words, limit))
    return _pack(pieces, limit)


def article_script(article: Article, index: int, profile: Profile, limit: int) -> list[Segment]:
    """The segments of one article: its headline, then every sentence of every paragraph.

    Raises:
        ContentError: a word is too long for the engine; the message names the article.
    """
    pauses = profile.pauses
    segments: list[Segment] = []
    blocks = [(-1, [article.headline])] + [
        (number, sentences(paragraph, profile.language, profile.abbreviations))
        for number, paragraph in enumerate(article.paragraphs)
    ]
    sentence_number = 0
    for paragraph_number, block in blocks:
        for position, sentence in enumerate(block):
            spoken = speakable(sentence)
            if not any(char.isalnum() for char in spoken):
                continue
            try:
                chunks = split_long(spoken, limit)
            except ContentError as exc:
                raise ContentError(f"{article.path}: {exc}") from exc
            is_headline = paragraph_number < 0
            if is_headline:
                end_pause = pauses.headline
            elif position < len(block) - 1:
                end_pause = pauses.sentence
            else:
                end_pause = pauses.paragraph
            # Only whole sentences keep their written form; a clause carries its spoken form.
            for number, chunk in enumerate(chunks):
                last = number == len(chunks) - 1
                segments.append(
                    Segment(
                        text=sentence if len(chunks) == 1 else chunk,
                        spoken=chunk,
                        kind=SegmentKind.HEADLINE
                        if is_headline
                        else SegmentKind.SENTENCE
                        if last
                        else SegmentKind.CLAUSE,
                        article=index,
                        paragraph=paragraph_number,
                        sentence=sentence_number,
                        pause_after_ms=end_pause if last else pauses.clause,
                    )
                )
            sentence_number += 1
    if segments:
        segments[-1] = dataclasses.replace(segments[-1], pause_after_ms=pauses.article)
    return segments


def spoken_date(iso: str | None, profile: Profile) -> str:
    """A date the way the language says it (``14 maggio 2026``, ``مايو 2026``); "" when unknown."""
    if not iso:
        return ""
    parts = iso.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        day = int(parts[2][:2]) if len(parts) > 2 else None
    except (ValueError, IndexError):
        return iso
    if not 1 <= month <= 12:
        return iso
    name = profile.months[month - 1] if profile.months else str(month)
    template = profile.date_format if day else profile.month_format
    return template.format(day=day, month=name, month_number=month, year=year)


def announcement(
    text: str, article: int, sentence: int, pause_ms: int, limit: int, clause_ms: int
) -> list[Segment]:
    """The segments of a phrase the bulletin says (not part of any article's text)."""
    spoken = speakable(text)
    if not any(char.isalnum() for char in spoken):
        return []
    chunks = split_long(spoken, limit)
    return [
        Segment(
            text=chunk,
            spoken=chunk,
            kind=SegmentKind.ANNOUNCEMENT,
            article=article,
            paragraph=-2,
            sentence=sentence,
            pause_after_ms=pause_ms if number == len(chunks) - 1 else clause_ms,
        )
        for number, chunk in enumerate(chunks)
    ]
