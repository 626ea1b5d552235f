"""Engines: the speech engines behind one small protocol, and the registry of them by name."""

from __future__ import annotations

from collections.abc import Callable

from .base import Engine, EngineOptions, VoiceInfo
from .espeak import EspeakEngine
from .google import GoogleEngine
from .piper import PiperEngine
from .tone import ToneEngine

__all__ = ["ENGINES", "Engine", "EngineOptions", "VoiceInfo"]

ENGINES: dict[str, Callable[[EngineOptions], Engine]] = {
    EspeakEngine.name: EspeakEngine,
    GoogleEngine.name: GoogleEngine,
    PiperEngine.name: PiperEngine,
    ToneEngine.name: ToneEngine,
}
"""Every engine by name. ``auto`` is not an engine: it picks one of these per language."""
