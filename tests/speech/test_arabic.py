"""Arabic offline: the vowels written in before eSpeak NG, in the order it reads them,
while what listeners read (transcripts, tags) stays the text as written."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import webvtt
from conftest import build_settings
from mutagen.mp3 import MP3

from bulletins.build import build
from bulletins.speech.engines import espeak
from bulletins.text import arabic

MARKS = re.compile("[\u064b-\u0652]")
LETTERS = re.compile("[\u0621-\u064a]")
VOWEL_THEN_SHADDA = re.compile("[\u064b-\u0650\u0652]\u0651")


def test_the_shadda_goes_first_and_tatweel_goes() -> None:
    """NFC puts the vowel before the shadda, which eSpeak NG misreads; the shadda goes first."""
    written = unicodedata.normalize("NFC", "مُحَمَّدٌ قـال إِنَّ")
    assert VOWEL_THEN_SHADDA.search(written)
    ready = arabic.shadda_first(written)
    assert not VOWEL_THEN_SHADDA.search(ready) and "\u0640" not in ready
    assert MARKS.sub("", ready).replace("\u0651", "") == "محمد قال إن"
    # What eSpeak NG says: the vowel after the doubled m is kept only shadda-first.
    assert "mmad" not in espeak.phonemes(written, "ar")
    assert "mmad" in espeak.phonemes(ready, "ar")


def test_the_diacritiser_writes_vowels_and_leaves_the_letters() -> None:
    bare = "أعلنت الشرطة عن خطة جديدة لحماية السكان في 2026."
    vowelled = arabic.vowelled(bare)
    assert len(MARKS.findall(vowelled)) >= len(LETTERS.findall(bare)) // 2
    assert MARKS.sub("", vowelled).replace("\u0651", "") == bare
    assert arabic.vowelled("Dorking, 14 May.") == "Dorking, 14 May."


def test_the_arabic_sample_is_spoken_vowelled_and_transcribed_as_written(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's build (eSpeak NG offline, nothing else installed): eSpeak NG is given
    the Arabic vowelled and shadda-first; the transcript and tags hold the article's text."""
    sent: list[str] = []
    speak = espeak._Library.speak

    def watched(self: espeak._Library, text: str, voice: str, rate_wpm: int) -> bytes:
        if voice == "ar":
            sent.append(text)
        return speak(self, text, voice, rate_wpm)

    monkeypatch.setattr(espeak._Library, "speak", watched)
    report = build(build_settings(content, tmp_path, engine="espeak", workers=1))
    assert report.ok, report.errors
    spoken = "".join(sent)
    assert len(MARKS.findall(spoken)) >= len(LETTERS.findall(spoken)) // 2, spoken[:200]
    assert not VOWEL_THEN_SHADDA.search(spoken) and "\u0640" not in spoken

    [article] = content.glob("*/*.ar.txt")
    written = unicodedata.normalize("NFC", article.read_text("utf-8"))
    [episode] = [e for e in report.episodes if e.language == "ar" and "articles" in e.path.parts]
    cues = " ".join(c.text for c in webvtt.read(str(episode.path.with_suffix(".vtt"))))
    cues = " ".join(cues.split())
    # The transcript carries the article's sentences as written, and no added vowels.
    sentences = [s for s in re.split(r"(?<=[.!؟])\s+", " ".join(written.split())) if len(s) > 40]
    assert sentences and all(s in cues for s in sentences[:5]), (sentences[:2], cues[:300])
    assert len(MARKS.findall(cues)) <= len(MARKS.findall(written)) + 5
    lyrics = str(MP3(episode.path).tags.getall("USLT")[0])  # type: ignore[union-attr]
    assert len(MARKS.findall(lyrics)) == len(MARKS.findall(written))
