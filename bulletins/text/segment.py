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
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from sentencex import segment as sentencex_segment

from bulletins.errors import ContentError
from bulletins.model import Article, Segment, SegmentKind
from bulletins.profiles.profile import Profile
from bulletins.text import scripts
from bulletins.text.pronounce import pronounce

# Where a long sentence may be split: after clause punctuation followed by a space,
# after the ideographic and full-width marks of Chinese and Japanese (which take no
# space), and before dashes used as parentheses.
_CLAUSE_END = re.compile(
    rf"(?<=[{scripts.CLAUSE_MARKS}])\s+|(?<=[{scripts.CLAUSE_MARKS_WITHOUT_SPACE}])\s*|\s+(?=[—–]\s)"
)


def script_of(word: str) -> str | None:
    """The script most of a word's letters are in; None for numbers and punctuation."""
    return scripts.dominant_script(word)


def script_runs(text: str, profile: Profile) -> list[tuple[str, str | None]]:
    """Split text into runs for one voice each: ``(run, language)``, None for the profile's own.

    A run of words in another script that the profile names a voice for (a Latin
    name in Arabic text, an Arabic phrase in Italian) gets that voice's language.
    Numbers and punctuation go with the profile's own voice, unless they sit inside
    a run of another (the 2 of ``BBC 2 News``).
    """
    words = text.split()
    scripts = [script_of(word) for word in words]
    languages: list[str | None] = []
    for script in scripts:
        if script is None or script == profile.script:
            languages.append(None)
        else:
            language = profile.other_scripts.get(script)
            languages.append(None if language == profile.language else language)
    for index, script in enumerate(scripts):
        if script is None and 0 < index < len(words) - 1:
            after = next((languages[i] for i in range(index + 1, len(words)) if scripts[i]), None)
            if languages[index - 1] is not None and languages[index - 1] == after:
                languages[index] = after
    runs: list[tuple[list[str], str | None]] = []
    for word, language in zip(words, languages, strict=True):
        if runs and runs[-1][1] == language:
            runs[-1][0].append(word)
        else:
            runs.append(([word], language))
    return [(" ".join(run), language) for run, language in runs]


def _merges(
    previous: str, following: str, abbreviations: frozenset[str], titles: frozenset[str]
) -> bool:
    """Whether a sentence break after ``previous`` is really an abbreviation's full stop."""
    last_word = previous.rsplit(None, 1)[-1] if previous.strip() else ""
    if last_word in titles:
        return True
    if last_word not in abbreviations:
        return False
    # Titles (Dott., Dr., د.) precede a name: never a sentence end. Lower-case
    # abbreviations (n., ecc., etc.) may end a sentence: only when the next word
    # starts a new sentence with a capital letter is the full stop a sentence end.
    first = following.lstrip()[:1]
    return not last_word[:1].islower() or not first.isupper()


# Closing quotes and brackets that stay with the sentence they end.
_CLOSERS = "\"'”’»」』）)]"


@cache
def _sentence_boundary(script: str | None) -> re.Pattern[str] | None:
    """Where a sentence ends in a script: a run of its marks, with the closing quotes and
    brackets after it, before a space or, in scripts without spaces, straight away."""
    ends = scripts.sentence_ends(script)
    if not ends:
        return None
    gap = r"\s*" if script in scripts.SPACELESS else r"\s+"
    return re.compile(rf"[{re.escape(ends)}]+[{re.escape(_CLOSERS)}]*{gap}")


def _script_sentences(piece: str) -> list[str]:
    """Split a piece of text where its own script ends sentences, which sentencex may not know.

    Thai writes no full stop: a space between phrases is where a sentence ends, and a
    piece with no Thai letters (a number, a name) stays with the phrase before it.
    """
    script = scripts.dominant_script(piece)
    if script == "thai":
        parts: list[str] = []
        for phrase in piece.split():
            if parts and scripts.dominant_script(phrase) != "thai":
                parts[-1] = f"{parts[-1]} {phrase}"
            else:
                parts.append(phrase)
        return parts
    boundary = _sentence_boundary(script)
    if boundary is None:
        return [piece]
    parts, start = [], 0
    for match in boundary.finditer(piece):
        if match.end() < len(piece):
            parts.append(piece[start : match.end()].strip())
            start = match.end()
    parts.append(piece[start:].strip())
    return [part for part in parts if part]


def sentences(
    paragraph: str, language: str, abbreviations: Iterable[str] = (), titles: Iterable[str] = ()
) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations, decimals and times inside them.

    sentencex knows the full stops of most scripts; each script's own marks
    (``scripts.SENTENCE_ENDS``) are applied after it, for the languages it does not
    know and for Thai, which ends sentences with a space.
    """
    known = frozenset(abbreviations)
    before_names = frozenset(titles)
    result: list[str] = []
    for found in sentencex_segment(language.split("-")[0], paragraph):
        for piece in _script_sentences(found.strip()):
            piece = piece.strip()
            if not piece:
                continue
            if result and _merges(result[-1], piece, known, before_names):
                result[-1] = f"{result[-1]} {piece}"
            else:
                result.append(piece)
    return result


def _joiner(left: str, right: str) -> str:
    """What goes between two parts: nothing between characters of scripts without spaces."""
    if left[-1:] in scripts.CLAUSE_MARKS_WITHOUT_SPACE or (
        scripts.dominant_script(left[-1:]) in scripts.SPACELESS
        and scripts.dominant_script(right[:1]) in scripts.SPACELESS
    ):
        return ""
    return " "


def _pack(parts: Sequence[str], limit: int) -> list[str]:
    """Join consecutive parts into chunks of at most ``limit`` characters."""
    chunks: list[str] = []
    for part in parts:
        joiner = _joiner(chunks[-1], part) if chunks else ""
        if chunks and len(chunks[-1]) + len(joiner) + len(part) <= limit:
            chunks[-1] = f"{chunks[-1]}{joiner}{part}"
        else:
            chunks.append(part)
    return chunks


def _breakable(word: str, limit: int) -> list[str]:
    """A run without spaces in pieces of at most ``limit``, where its script allows a break.

    In Chinese, Japanese, Thai and the other scripts without spaces, a run of
    letters is a phrase, not a word, and may be split between characters; a run in a
    script with spaces is one word and is never split.
    """
    if len(word) <= limit:
        return [word]
    pieces: list[str] = []
    for part, spaceless in scripts.spaceless_runs(word):
        if not spaceless:
            pieces.append(part)
            continue
        pieces.extend(part[i : i + limit] for i in range(0, len(part), limit))
    joined: list[str] = []
    for piece in pieces:
        if joined and len(joined[-1]) + len(piece) <= limit:
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


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
        words = [part for word in clause.split() for part in _breakable(word, limit)]
        too_long = next((w for w in words if len(w) > limit), None)
        if too_long is not None:
            raise ContentError(
                f"the word '{too_long[:30]}…' is longer than the voice's limit of {limit} characters"
            )
        pieces.extend(_pack(words, limit))
    return _pack(pieces, limit)


def _voiced(chunk: str, profile: Profile) -> list[tuple[str, str | None]]:
    """A chunk as ``(spoken, language)`` runs, one per voice it needs."""
    runs = script_runs(chunk, profile)
    if len(runs) == 1:
        return runs
    voiced = []
    for run, language in runs:
        # A run read by another voice drops the punctuation of the text's own script
        # (the Arabic comma after "Surrey"): that voice would spell it out or stumble.
        spoken = run if language is None else scripts.strip_script(run, profile.script).strip()
        if any(char.isalnum() for char in spoken):
            voiced.append((spoken, language))
    return voiced


def _parts(
    chunks: Sequence[str], own: Profile, main: str, end_pause: int
) -> list[tuple[str, str | None, int]]:
    """Chunks of one sentence as ``(spoken, language, pause after)``, a part per voice.

    ``own`` is the profile of the text's language; ``main`` the bulletin's language,
    whose parts carry no language of their own.
    """
    pauses = own.pauses
    parts: list[tuple[str, str | None, int]] = []
    for number, chunk in enumerate(chunks):
        voiced = _voiced(chunk, own)
        for n, (said, language) in enumerate(voiced):
            if n < len(voiced) - 1:
                pause = pauses.voice_change
            elif number < len(chunks) - 1:
                pause = pauses.clause
            else:
                pause = end_pause
            code = language or own.language
            parts.append((said, None if code == main else code, pause))
    return parts


def article_script(
    article: Article,
    index: int,
    profile: Profile,
    limit: int,
    profiles: Callable[[str], Profile] | None = None,
) -> list[Segment]:
    """The segments of one article: its headline, then every sentence of every paragraph.

    A run of words in another script is a segment of its own, for another voice
    (see :func:`script_runs`); a paragraph in another language than the article's
    (``article.paragraph_languages``) is split and spoken with that language's
    profile, taken from ``profiles``.

    Raises:
        ContentError: a word is too long for the engine; the message names the article.
    """
    pauses = profile.pauses
    segments: list[Segment] = []
    blocks: list[tuple[int, list[str], Profile]] = [(-1, [article.headline], profile)]
    for number, paragraph in enumerate(article.paragraphs):
        code = article.paragraph_languages[number] if article.paragraph_languages else None
        own = profiles(code) if code and profiles else profile
        blocks.append(
            (number, sentences(paragraph, own.language, own.abbreviations, own.titles), own)
        )
    sentence_number = 0
    for paragraph_number, block, own in blocks:
        for position, sentence in enumerate(block):
            spoken = pronounce(sentence, own.lexicon)
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
            parts = _parts(chunks, own, profile.language, end_pause)
            for number, (said, language, pause) in enumerate(parts):
                last = number == len(parts) - 1
                segments.append(
                    Segment(
                        # The written sentence goes on its first part, for the transcript.
                        text=sentence if number == 0 else "",
                        spoken=said,
                        kind=SegmentKind.HEADLINE
                        if is_headline
                        else SegmentKind.SENTENCE
                        if last
                        else SegmentKind.CLAUSE,
                        article=index,
                        paragraph=paragraph_number,
                        sentence=sentence_number,
                        pause_after_ms=pause,
                        language=language,
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
    text: str, article: int, sentence: int, pause_ms: int, limit: int, profile: Profile
) -> list[Segment]:
    """The segments of a phrase the bulletin says (not part of any article's text).

    Like an article's sentences, a run in another script (a series name in English
    inside an Arabic opening) is a segment of its own, for its own voice.
    """
    spoken = pronounce(text, profile.lexicon)
    if not any(char.isalnum() for char in spoken):
        return []
    chunks = split_long(spoken, limit)
    return [
        Segment(
            text=spoken if number == 0 else "",
            spoken=said,
            kind=SegmentKind.ANNOUNCEMENT,
            article=article,
            paragraph=-2,
            sentence=sentence,
            pause_after_ms=pause,
            language=language,
        )
        for number, (said, language, pause) in enumerate(
            _parts(chunks, profile, profile.language, pause_ms)
        )
    ]
