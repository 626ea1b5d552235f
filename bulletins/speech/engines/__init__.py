"""Engines: the speech engines behind one small protocol, and the registry of them by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bulletins.speech.engines.base import Engine, EngineOptions

__all__ = ["ENGINES"]


class _Registry(Mapping[str, "Callable[[EngineOptions], Engine]"]):
    """Engine classes by name, each module imported when its engine is first asked for:
    the command line lists the names without loading any engine (the protocol and the
    engines' shared options are in ``base``)."""

    def __init__(self, places: dict[str, str]) -> None:
        self._places = places

    def __getitem__(self, name: str) -> Callable[[EngineOptions], Engine]:
        module, _, attribute = self._places[name].partition(":")
        engine: Callable[[EngineOptions], Engine] = getattr(
            importlib.import_module(f"bulletins.speech.engines.{module}"), attribute
        )
        return engine

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)


ENGINES: Mapping[str, Callable[[EngineOptions], Engine]] = _Registry(
    {
        "espeak": "espeak:EspeakEngine",
        "gtts": "google:GoogleEngine",
        "piper": "piper:PiperEngine",
        "pico": "pico:PicoEngine",
        "tone": "tone:ToneEngine",
    }
)
"""Every engine by name. ``auto`` is not an engine: it picks one of these per language."""
