"""Loaded into the test cluster's workers (``dask worker --preload``): an engine that dies
on some text, as eSpeak NG can take its process down on a sequence of voices and texts.

The tone engine kills its worker process outright when asked to speak ``KILLS_ITS_WORKER``;
every other text it speaks as always.
"""

from __future__ import annotations

import os

from bulletins.speech.engines.tone import ToneEngine

KILLS_ITS_WORKER = "This sentence takes its worker down"
# Dask loads a preload module in the nanny and again in its worker: the engine's own
# method is kept once, so the second load does not wrap the first.
_speak = getattr(ToneEngine, "_unpatched_synthesize", ToneEngine.synthesize)
ToneEngine._unpatched_synthesize = _speak  # type: ignore[attr-defined]


def _synthesize(self: ToneEngine, text: str, profile: object) -> object:
    if KILLS_ITS_WORKER in text:
        os._exit(70)
    return _speak(self, text, profile)  # type: ignore[arg-type]


ToneEngine.synthesize = _synthesize  # type: ignore[method-assign,assignment]
