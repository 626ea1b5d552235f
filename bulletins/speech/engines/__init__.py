"""Engines: the speech engines behind one small protocol, and the registry of them by name."""

from __future__ import annotations

from collections.abc import Callable

from bulletins.speech.engines.base import Engine, EngineOptions, VoiceInfo
from bulletins.speech.engines.espeak import EspeakEngine
from bulletins.speech.engines.google import GoogleEngine
from bulletins.speech.engines.piper import PiperEngine
from bulletins.speech.engines.tone import ToneEngine

__all__ = ["ENGINES", "Engine", "EngineOptions", "VoiceInfo"]

ENGINES: dict[str, Callable[[EngineOptions], Engine]] = {
    EspeakEngine.name: EspeakEngine,
    GoogleEngine.name: GoogleEngine,
    PiperEngine.name: PiperEngine,
    ToneEngine.name: ToneEngine,
}
"""Every engine by name. ``auto`` is not an engine: it picks one of these per language."""
