"""Transcripts: one timed cue per sentence as WebVTT and SRT, and chapters as JSON.

Cue times come from the real durations of the clips in the bulletin, so the text
follows the voice to within a frame; the ID3 chapters, the JSON chapters and the
cues are all derived from the same render.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from bulletins.model import Chapter, Segment
from bulletins.text import scripts

# Subtitle guidelines (BBC, Netflix) keep a line within about 37 to 42 characters on
# screen; podcast apps show transcripts as running text, so lines may be longer, up to
# the 65 characters the feed's consumers accept.
MAX_LINE = 65


@dataclass(frozen=True)
class Cue:
    """One sentence and when it is spoken."""

    start_ms: int
    end_ms: int
    text: str


def cues(segments: Sequence[Segment], speech_ms: Sequence[tuple[int, int]]) -> list[Cue]:
    """A cue per sentence: the parts of a sentence (clauses, runs for other voices) make one cue.

    A sentence spoken in parts carries its written text on its first part; the
    others carry none, so the cue shows the sentence as it was written.
    """
    result: list[Cue] = []
    previous: tuple[int, int] | None = None
    for segment, (start, end) in zip(segments, speech_ms, strict=True):
        sentence = (segment.article, segment.sentence)
        if result and sentence == previous:
            last = result[-1]
            text = f"{last.text} {segment.text}" if segment.text else last.text
            result[-1] = Cue(last.start_ms, end, text)
        else:
            result.append(Cue(start, end, segment.text))
        previous = sentence
    return result


def _units(text: str) -> list[tuple[str, str]]:
    """``(space before, unit)`` pairs a line may break between.

    A word of a script with spaces is one unit; in Chinese, Japanese, Thai and the
    other scripts without spaces, every character is one, and punctuation stays with
    the character before it, so that no line starts with "。" or "，".
    """
    units: list[tuple[str, str]] = []
    for word in text.split():
        space = " " if units else ""
        for part, spaceless in scripts.spaceless_runs(word):
            if not spaceless:
                units.append((space, part))
            else:
                for char in part:
                    if units and (space == "" and not char.isalnum()):
                        units[-1] = (units[-1][0], units[-1][1] + char)
                    else:
                        units.append((space, char))
                    space = ""
            space = ""
    return units


def lines(text: str, width: int = MAX_LINE) -> list[str]:
    """Break a cue's text into lines of at most ``width`` characters.

    Between words, or between characters in scripts that write no spaces.
    """
    if not any(spaceless for word in text.split() for _, spaceless in scripts.spaceless_runs(word)):
        return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [
            ""
        ]
    result: list[str] = []
    line = ""
    for space, unit in _units(text):
        if line and len(line) + len(space) + len(unit) > width:
            result.append(line)
            line = unit
        else:
            line = f"{line}{space}{unit}" if line else unit
    return [*result, line] if line else result or [""]


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _escape_vtt(line: str) -> str:
    # In WebVTT cue text, "&" and "<" start entities and tags; the text is shown, not parsed.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(all_cues: Sequence[Cue]) -> str:
    """A WebVTT file. Its header is the signature alone: "Kind:" and "Language:" lines
    after it are not WebVTT, and a strict parser (as some podcast apps use) rejects
    them. The language is given where the file is linked: the feed's transcript tag,
    the page's track."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(all_cues, 1):
        text = "\n".join(_escape_vtt(line) for line in lines(cue.text))
        blocks.append(
            f"{number}\n{_clock(cue.start_ms, '.')} --> {_clock(cue.end_ms, '.')}\n{text}"
        )
    return "\n\n".join(blocks) + "\n"


def srt(all_cues: Sequence[Cue]) -> str:
    """An SRT file (the language is in its name: SRT has no header)."""
    blocks = [
        f"{number}\n{_clock(cue.start_ms, ',')} --> {_clock(cue.end_ms, ',')}\n"
        + "\n".join(lines(cue.text))
        for number, cue in enumerate(all_cues, 1)
    ]
    return "\n\n".join(blocks) + "\n"


MAX_CHAPTER_TITLE = 51
"""Apple Podcasts has been reported to fail on ID3v2.4 chapter titles longer than this."""


def chapter_title(headline: str) -> str:
    """A headline as a chapter title: whole when it fits, else cut at a word and ended
    with an ellipsis, within ``MAX_CHAPTER_TITLE`` characters."""
    if len(headline) <= MAX_CHAPTER_TITLE:
        return headline
    cut = headline[: MAX_CHAPTER_TITLE - 1]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def chapters_json(chapters: Sequence[Chapter]) -> str:
    """Chapters in the Podcasting 2.0 JSON chapters format, version 1.2.0."""
    document = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
            for c in chapters
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _milliseconds(clock: str) -> int:
    hours, minutes, seconds = clock.replace(",", ".").split(":")
    whole, _, millis = seconds.partition(".")
    return ((int(hours) * 60 + int(minutes)) * 60 + int(whole)) * 1000 + int(millis.ljust(3, "0"))


def read_webvtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file written by :func:`webvtt`, lines joined back into sentences."""
    found = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines_ = block.strip("\n").split("\n")
        timing = next((n for n, line in enumerate(lines_) if " --> " in line), None)
        if timing is None:
            continue
        start, _, end = lines_[timing].partition(" --> ")
        body = " ".join(lines_[timing + 1 :])
        body = body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        found.append(Cue(_milliseconds(start.strip()), _milliseconds(end.split()[0]), body))
    return found
