"""Synthesis: a script of segments becomes clips, spoken by one engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engines import Engine
from .model import Clip, Segment
from .voices import Profile

OnClip = Callable[[Clip], None]


def speak(
    segments: Sequence[Segment], engine: Engine, profile: Profile, on_clip: OnClip | None = None
) -> list[Clip]:
    """Speak every segment, in order.

    Raises:
        SynthesisError: the engine failed on a segment.
    """
    clips = []
    for segment in segments:
        clip = Clip(
            segment=segment, audio=engine.synthesize(segment.spoken, profile), engine=engine.name
        )
        clips.append(clip)
        if on_clip is not None:
            on_clip(clip)
    return clips
