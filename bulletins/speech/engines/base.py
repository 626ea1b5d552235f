"""The engine protocol and the options engines share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from bulletins.model import Audio
from bulletins.profiles.profile import Profile


@dataclass(frozen=True)
class EngineOptions:
    """Settings engines share."""

    timeout_s: float
    """Limit on every network request, in seconds."""
    gtts_endpoint: str | None = None
    """Base URL standing in for ``https://translate.google.<tld>`` (a proxy, or a local fake)."""
    piper_voices: Path | None = None
    """Folder of Piper voice models; None means the user's data folder."""


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers, for listings."""

    engine: str
    language: str
    voice: str
    description: str


class Engine(Protocol):
    """A speech engine: turns one short text in one language into audio."""

    name: ClassVar[str]
    max_chars: ClassVar[int]
    """Longest text one call accepts; the segmenter keeps every segment within it."""
    offline: ClassVar[bool]

    def version(self) -> str:
        """A version string; it becomes part of the cache key of every clip."""
        ...

    def speaks(self, profile: Profile) -> bool:
        """Whether this engine has a voice for the profile's language (no network)."""
        ...

    def voice_key(self, profile: Profile) -> str:
        """Every voice setting that shapes this engine's audio, for cache keys."""
        ...

    def describe(self, profile: Profile) -> str:
        """The engine and voice that speak this profile, for tags and summaries."""
        ...

    def check(self) -> None:
        """Raise EngineUnavailable when the engine cannot be used right now."""
        ...

    def synthesize(self, text: str, profile: Profile) -> Audio:
        """Speak ``text`` with the profile's voice.

        Raises:
            SynthesisError: the engine failed; the message says why.
        """
        ...

    def voices(self) -> list[VoiceInfo]:
        """The voices this engine offers here."""
        ...


@runtime_checkable
class RemoteEngine(Engine, Protocol):
    """An engine that speaks over the network, in two parts: the request, then local work.

    Only ``fetch`` counts against the limit of requests in flight, so that decoding and
    re-timing one answer never keeps another request waiting.
    """

    def fetch(self, text: str, profile: Profile) -> bytes:
        """The engine's answer for ``text``, as it came.

        Raises:
            TransientError: worth retrying later.
            SynthesisError: the engine refused.
        """
        ...

    def finish(self, data: bytes, text: str, profile: Profile) -> Audio:
        """The clip from ``fetch``'s answer.

        Raises:
            AudioError: the answer is not audio.
        """
        ...
