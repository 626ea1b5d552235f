"""The test engine: deterministic tones instead of speech, for tests and dry runs.

Each segment becomes a tone as long as a reader at the profile's rate would take
to say it, pitched by language, framed by silence the mixer must trim. No network,
no library: a user can check a whole setup (content, profiles, tags, feeds) with it.
"""

from __future__ import annotations

import math
import zlib
from array import array
from typing import ClassVar

from bulletins.model import Audio
from bulletins.profiles.profile import Profile
from bulletins.speech.engines.base import EngineOptions, VoiceInfo

SAMPLE_RATE = 22050
# Silence the tone engine puts around every clip, as real engines do.
PADDING_MS = 120
AMPLITUDE = 8000  # about -12 dBFS: a speech-like level with headroom


def tone_period(language: str) -> int:
    """Samples per cycle of a language's tone (a whole number, so cycles tile exactly)."""
    return 50 + zlib.crc32(language.encode()) % 50  # 220 to 441 Hz at 22.05 kHz


def spoken_ms(text: str, rate_wpm: int) -> int:
    """How long a reader at ``rate_wpm`` takes to say ``text``, in milliseconds."""
    return round(max(1, len(text.split())) * 60_000 / rate_wpm)


class ToneEngine:
    """Speaks every language, as tones; the same text always gives the same samples."""

    name: ClassVar[str] = "tone"
    max_chars: ClassVar[int] = 100
    offline: ClassVar[bool] = True

    def __init__(self, options: EngineOptions | None = None) -> None:
        self._options = options

    def version(self) -> str:
        return "tone 1"

    def speaks(self, profile: Profile) -> bool:
        return True

    def voice_key(self, profile: Profile) -> str:
        return f"{profile.language}|{profile.rate_wpm}"

    def describe(self, profile: Profile) -> str:
        return f"test tones, period {tone_period(profile.language)} samples"

    def check(self) -> None:
        return None

    def synthesize(self, text: str, profile: Profile) -> Audio:
        period = tone_period(profile.language)
        cycle = array(
            "h", (round(AMPLITUDE * math.sin(2 * math.pi * i / period)) for i in range(period))
        )
        cycles = max(1, spoken_ms(text, profile.rate_wpm) * SAMPLE_RATE // 1000 // period)
        padding = bytes(2 * SAMPLE_RATE * PADDING_MS // 1000)
        return Audio(pcm=padding + cycle.tobytes() * cycles + padding, sample_rate=SAMPLE_RATE)

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(self.name, "*", "tone", "a tone per language, for tests")]
