"""Building: every edition's articles become one spoken, tagged bulletin per language.

This is the library's front door; the CLI only parses options and calls it. A build
first asks its record (``record``) whether anything it reads has changed since the
last build and whether that build's outputs are all as it left them; when nothing
has, it answers from the record without loading the pipeline. Otherwise ``pipeline``
runs the stages in order: read the articles, plan each bulletin, speak every missing
clip in one parallel pass, speak the announcements, assemble the episodes (several at
once, skipping any whose file is already up to date), publish the feeds and pages.
"""

from __future__ import annotations

from pathlib import Path

from bulletins.build import record
from bulletins.build.report import ARTICLES_PROGRESS, OnProgress, Report
from bulletins.errors import WriteError, cannot_write
from bulletins.model import Episode
from bulletins.settings import Settings

__all__ = ["ARTICLES_PROGRESS", "OnProgress", "Report", "build", "say"]


def build(settings: Settings, progress: OnProgress | None = None) -> Report:
    """Build one bulletin per edition and language found under ``settings.content_dir``.

    A bad article is reported in ``Report.errors`` and left out; the others still build.
    An episode that cannot be written (a full disk) is an error of its own, and keeps
    its earlier file. When nothing has changed since the last build, nothing is read or
    written and the report (``Report.unchanged``) is that build's.

    Raises:
        ContentError: the content folder does not exist or holds no articles.
        VoiceError: a voice profile is invalid.
        ConfigError: the configured cover is not one podcast directories accept.
        WriteError: the clip cache cannot be written, so nothing can be spoken.
    """
    try:
        inputs = record.inputs(settings)
        earlier = record.unchanged(settings, inputs)
        if earlier is not None:
            return earlier
        from bulletins.build import pipeline

        return pipeline.run(settings, progress, inputs)
    except OSError as exc:
        raise WriteError(cannot_write(exc.filename or settings.out_dir, exc)) from exc


def say(text: str, code: str | None, path: Path, settings: Settings) -> Episode:
    """Speak one text into an MP3 at ``path``, in ``code`` or the language detected.

    Raises:
        LanguageError: the language cannot be told or spoken.
        EngineUnavailable: no engine can speak it here.
        SynthesisError: the engine failed.
    """
    from bulletins.build import pipeline

    return pipeline.say(text, code, path, settings)
