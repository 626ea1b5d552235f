"""Proof-listening: an offline recogniser hears each episode as a listener would.

It says which language it hears, how much of the spoken script it can follow (word
and character error rates, where the recogniser is reliable for the language), and
which sentences it could not follow. An episode heard as another language, or mostly
unintelligible, has a problem: ``build --check`` keeps it out of the feeds until it is
fixed, and ``bulletins check`` reports it.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bulletins.atomic import KeptEntries
from bulletins.episodes.transcripts import Cue, read_webvtt
from bulletins.errors import CheckError
from bulletins.outputs import CHECK_RECORD, sidecars
from bulletins.profiles.languages import english_name, known
from bulletins.proof import whisper

__all__ = ["RELIABLE", "Hearing", "listen"]

RELIABLE = frozenset({"it", "en", "fr", "es", "de"})
"""Languages whose speech Whisper base transcribes well enough to score, measured by
benchmarks/proof_listening.py: word error rates of 0.23 to 0.35 on generated articles
read by SVOX Pico (every sentence holds a number and an English place name) and 0.14
on the sample's Italian press release, against 0.97 for Arabic read by eSpeak NG with
its vowels written in. Arabic episodes are checked for their language only."""
UNINTELLIGIBLE_WER = 0.75
"""A word error rate above this: the episode is mostly unintelligible."""
HEARD_AT_LEAST = 0.25
"""The recogniser heard fewer words than this share of the script: unintelligible."""
NOT_FOLLOWED_WER = 0.5
"""A sentence whose words the recogniser got wrong more often than this was not followed."""
NOT_HEARD = 0.2
"""The recogniser finds the episode's language less likely than this: it is not heard as
that language (a good Italian bulletin scores above 0.9; Italian read by eSpeak NG's
French voice, 0.002)."""
_WHISPER_CODES = {"prs": "fa", "zh-hans": "zh", "zh-hant": "zh", "ckb": "", "ku": ""}


@dataclass(frozen=True)
class Hearing:
    """What the recogniser made of one episode."""

    path: str
    language: str
    """The episode's language (bulletins' code)."""
    heard: str
    """The language the recogniser heard (Whisper's code), or "" when it does not know the episode's."""
    probability: float
    """How likely it finds the language it heard."""
    expected: float
    """How likely it finds the episode's language."""
    words: int
    """Words in the spoken script."""
    heard_words: int
    wer: float | None
    """Word error rate against the spoken script; None where the recogniser is not reliable."""
    cer: float | None
    unfollowed: tuple[str, ...]
    """The sentences it could not follow."""
    problem: str | None
    """Why the episode fails the check; None when it passes."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def normalised(text: str) -> str:
    """Lower case, no punctuation, one space between words: what error rates compare."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    # Vowel marks (Arabic harakat, Hebrew points) are not written alike by the two sides.
    kept = "".join(c for c in kept if unicodedata.category(c) != "Mn")
    return " ".join(kept.split())


def read_cues(vtt: Path) -> list[Cue]:
    """The cues of an episode's transcript."""
    return read_webvtt(vtt.read_text(encoding="utf-8"))


def whisper_code(language: str) -> str:
    """Whisper's code for a language, or "" when it has none."""
    return _WHISPER_CODES.get(language, language.split("-")[0])


def _rates(reference: str, hypothesis: str) -> tuple[float, float]:
    import jiwer

    if not reference:
        return 0.0, 0.0
    hypothesis = hypothesis or " "
    return float(jiwer.wer(reference, hypothesis)), float(jiwer.cer(reference, hypothesis))


def judge(path: Path, language: str, cues: Sequence[Cue], heard: whisper.Heard | None) -> Hearing:
    """The hearing of one episode from its script and what the recogniser heard
    (None: the recogniser does not know the language)."""
    script = normalised(" ".join(c.text for c in cues))
    words = len(script.split())
    name = english_name(language) if known(language) else language
    if heard is None:
        return Hearing(str(path), language, "", 0.0, 0.0, words, 0, None, None, (), None)
    said = normalised(" ".join(w.text for w in heard.words))
    heard_words = len(said.split())
    reliable = language.split("-")[0] in RELIABLE
    wer, cer = _rates(script, said) if reliable else (None, None)
    unfollowed = tuple(_unfollowed(cues, heard.words)) if reliable else ()
    found = []
    if heard.expected < NOT_HEARD:
        other = english_name(heard.language) if known(heard.language) else heard.language
        found.append(
            f"not heard as {name} ({heard.expected:.2f}): the recogniser hears it as "
            f"{other} ({heard.probability:.2f})"
        )
    # Speech in another language, transcribed as this one, often comes out as next to no
    # words: both are said, whichever the recogniser's run leans to.
    if heard_words < HEARD_AT_LEAST * words:
        found.append(f"mostly unintelligible: the recogniser heard {heard_words} words of {words}")
    elif not found and wer is not None and wer > UNINTELLIGIBLE_WER:
        found.append(f"mostly unintelligible: word error rate {wer:.2f}")
    problem = "; ".join(found) or None
    return Hearing(
        str(path),
        language,
        heard.language,
        heard.probability,
        heard.expected,
        words,
        heard_words,
        wer,
        cer,
        unfollowed,
        problem,
    )


def _unfollowed(cues: Sequence[Cue], heard: Sequence[whisper.Word]) -> Iterator[str]:
    # Both run in time order: each cue takes the words whose middle falls within it.
    middles = [(w.start + w.end) * 500 for w in heard]  # milliseconds
    for cue in cues:
        reference = normalised(cue.text)
        if len(reference.split()) < 3:
            continue  # a word or two: too little to say
        first = bisect.bisect_left(middles, cue.start_ms)
        last = bisect.bisect_left(middles, cue.end_ms)
        said = " ".join(w.text for w in heard[first:last])
        wer, _ = _rates(reference, normalised(said))
        if wer > NOT_FOLLOWED_WER:
            yield cue.text


def episode_language(path: Path) -> str:
    """An episode's language, from its file name (``….it.mp3``)."""
    return path.with_suffix("").suffix.lstrip(".")


def listen(
    paths: Iterable[Path],
    out_dir: Path,
    model_setting: Path | None,
    cache_root: Path,
) -> list[Hearing]:
    """Hear each episode, or remember its hearing when its file (its build digest) has
    not changed since.

    Raises:
        CheckError: the recogniser or its model is missing.
    """
    from bulletins.episodes.tags import read_build_key

    kept = KeptEntries(out_dir / CHECK_RECORD)
    folder: Path | None = None
    found: list[Hearing] = []
    for path in paths:
        key = read_build_key(path) or ""
        entry = f"{path.relative_to(out_dir) if path.is_relative_to(out_dir) else path}|{key}"
        remembered = _hearing(kept.get(entry))
        if remembered is not None:
            found.append(remembered)
            continue
        vtt = sidecars(path)["vtt"]
        if not vtt.is_file():
            raise CheckError(f"{path}: has no transcript ({vtt.name}) to check it against")
        folder = folder or whisper.model_folder(model_setting, cache_root)
        language = episode_language(path)
        code = whisper_code(language)
        knows = bool(code) and whisper.known_language(folder, code)
        heard = whisper.hear(path, folder, code) if knows else None
        hearing = judge(path, language, read_cues(vtt), heard)
        kept.put(entry, asdict(hearing))
        found.append(hearing)
    kept.save()
    return found


def _hearing(data: object) -> Hearing | None:
    """A hearing as remembered; None when there is none, or it was kept by another version."""
    if not isinstance(data, dict):
        return None
    values: dict[str, Any] = dict(data)
    values["unfollowed"] = tuple(values.get("unfollowed") or ())
    try:
        return Hearing(**values)
    except TypeError:
        return None
