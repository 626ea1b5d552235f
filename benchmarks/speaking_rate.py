"""The speaking rate a listener hears, by language and offline voice, against each
language's target (its profile's ``heard_rate``): what the profiles' ``rate`` is
calibrated against.

Each article of the team's multilingual set (tests/fixtures/languages: local news,
written by hand, some 180 words) whose language has a profile is built alone with each
offline voice that speaks it here (SVOX Pico where pico2wave is installed, eSpeak NG).
The rate is the words of the article episode's transcript, announcements included,
over the length of its MP3: pauses and all, as heard. Beside each figure is the rate
to ask that engine for to be heard at the middle of the target (the figures move about
in proportion), which is how the profiles' ``rate`` and ``[engine] rate`` were set.

Run: python benchmarks/speaking_rate.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import built_alone
from mutagen.mp3 import MP3

from bulletins.episodes.transcripts import read_webvtt
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.text.scripts import SPACELESS


def heard_rate(text: str, language: str, engine: str, work: Path) -> tuple[float, float] | None:
    """(words a minute from the files, the build summary's figure) of one article built
    alone; None when no voice here speaks the language."""
    report = built_alone(text, language, engine, work)
    if not report.ok and all("no voice here can speak" in e.message for e in report.errors):
        return None
    assert report.ok, report.errors
    [episode] = [e for e in report.episodes if "articles" in e.path.parts]
    cues = read_webvtt(episode.path.with_suffix(".vtt").read_text(encoding="utf-8"))
    words = sum(len(cue.text.split()) for cue in cues)
    return words / (MP3(episode.path).info.length / 60), episode.words_per_minute


SET = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "languages"


def main() -> int:
    profiles = load_profiles([builtin_voices_dir()])
    engines = ["pico", "espeak"] if shutil.which("pico2wave") else ["espeak"]
    work = Path(tempfile.mkdtemp(prefix="bulletins-rate-"))
    print("words a minute as heard (pauses and announcements included), one article each")
    missed = 0
    try:
        for path in sorted(SET.glob("*.txt")):
            profile = profiles.get(path.stem)
            if profile is None or profile.script in SPACELESS:
                continue  # no profile, or no spaces to count words between
            low, high = profile.heard_rate
            text = path.read_text(encoding="utf-8")
            for engine in engines:
                if engine == "pico" and not profile.pico_voice:
                    continue
                measured = heard_rate(text, profile.language, engine, work)
                if measured is None:
                    print(f"  {profile.language:4} {engine:7} no voice here speaks it")
                    continue
                heard, summary = measured
                asked = profile.rate_for(engine)
                figure = (
                    f"  {profile.language:4} {engine:7} rate {asked}: heard {heard:5.1f} "
                    f"(summary {summary:5.1f})"
                )
                if not high:
                    print(f"{figure}   no target (no read-aloud rate measured)")
                    continue
                ok = low <= heard <= high
                missed += not ok
                print(
                    f"{figure}   target {low}-{high}: {'met' if ok else 'NOT met'}"
                    f"   for the middle, ask {round(asked * (low + high) / 2 / heard)}"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{missed} outside the target")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
