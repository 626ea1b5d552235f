"""How intelligible is bulletins' offline speech to a recogniser, and where can the recogniser be trusted?

Whisper base (multilingual, from PyPI, offline through faster-whisper) listens to:

1. The sample edition's Italian press release, built by bulletins with eSpeak NG and
   with SVOX Pico (when pico2wave is installed), and read whole by bare eSpeak NG
   (one call, its own default rate, as a user of eSpeak NG alone would hear it). Each
   word error rate is against what that audio says: the episode's transcript, or
   the article's text for bare eSpeak NG. Targets: Pico at most 0.20, and bulletins
   with eSpeak NG no worse than bare eSpeak NG.
2. One generated news article in each of Italian, English, French, Spanish, German and
   Arabic, built with the clearest offline voice here (Pico where it has the language,
   eSpeak NG otherwise): where the word error rate stays low, the recogniser is reliable
   for the language, and ``bulletins check`` scores its episodes.

Run: python benchmarks/proof_listening.py   (needs: pip install 'bulletins[check]')
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import sys
import tempfile
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import article_text, built_alone

from bulletins.cache import default_cache_dir
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.proof import RELIABLE, normalised, read_cues, whisper, whisper_code
from bulletins.proof import _rates as rates
from bulletins.speech.engines.espeak import EspeakEngine

REPO = Path(__file__).parents[1]
SAMPLE = next((REPO / "content").glob("*/*.it.txt"))


def episode(text: str, language: str, engine: str, work: Path) -> Path:
    """One article built alone by bulletins: the path of its own episode."""
    report = built_alone(text, language, engine, work)
    assert report.ok, report.errors
    return next(e.path for e in report.episodes if "articles" in e.path.parts)


def heard_wer(path: Path, said: str, language: str, model: Path) -> float:
    heard = whisper.hear(path, model, whisper_code(language))
    wer, _ = rates(normalised(said), normalised(" ".join(w.text for w in heard.words)))
    return wer


def script(path: Path) -> str:
    return " ".join(c.text for c in read_cues(path.with_suffix(".vtt")))


def bare_espeak(text: str, work: Path) -> Path:
    """The whole text read by eSpeak NG in one call, at its own default rate (175 words a minute)."""
    profile = load_profiles([builtin_voices_dir()])["it"]
    audio = EspeakEngine().synthesize(text, dataclasses.replace(profile, rate_wpm=175))
    path = work / "bare.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes(audio.pcm)
    return path


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bulletins-proof-"))
    model = whisper.model_folder(None, default_cache_dir())
    pico = shutil.which("pico2wave") is not None
    try:
        text = SAMPLE.read_text(encoding="utf-8")
        print(f"1. {SAMPLE.name} ({len(text.split())} words), word error rate of Whisper base")
        start = time.perf_counter()
        bare = heard_wer(bare_espeak(text, work), text, "it", model)
        print(f"   bare eSpeak NG, the whole text in one call      {bare:.2f}")
        espeak_path = episode(text, "it", "espeak", work)
        espeak = heard_wer(espeak_path, script(espeak_path), "it", model)
        verdict = "met" if espeak <= bare else "NOT met"
        print(
            f"   bulletins with eSpeak NG                          {espeak:.2f}   target <= bare: {verdict}"
        )
        if pico:
            pico_path = episode(text, "it", "pico", work)
            clear = heard_wer(pico_path, script(pico_path), "it", model)
            verdict = "met" if clear <= 0.20 else "NOT met"
            print(
                f"   bulletins with SVOX Pico                          {clear:.2f}   target <= 0.20: {verdict}"
            )
        else:
            print("   bulletins with SVOX Pico: not measured (pico2wave is not installed)")
        print(f"   ({time.perf_counter() - start:.0f} s)")
        print("2. one generated article a language, the clearest offline voice here")
        rng = random.Random(5)
        for language in ("it", "en", "fr", "es", "de", "ar"):
            engine = "pico" if pico and language != "ar" else "espeak"
            path = episode(article_text(language, 1, 150, rng), language, engine, work)
            wer = heard_wer(path, script(path), language, model)
            scored = "scored by bulletins check" if language in RELIABLE else "language only"
            print(f"   {language}  {engine:7} word error rate {wer:.2f}   ({scored})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
