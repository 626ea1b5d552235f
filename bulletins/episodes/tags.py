"""Tags: ID3v2.4 metadata, the spoken text and one chapter per article, written with mutagen.

ID3v2.4 because it is the version that stores text as UTF-8 (Arabic titles stay
intact) and the one the chapter frames (CHAP, CTOC) were written against; podcast
apps and DAISY-style players read chapters from these frames.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import (
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPUB,
    TXXX,
    USLT,
    CTOCFlags,
    Encoding,
)

from bulletins.model import Chapter, Loudness

VOICE_TAG = "bulletins:voice"
"""TXXX description of the frame naming the engine and voice that spoke a bulletin."""
BUILD_TAG = "bulletins:build"
"""TXXX description of the frame holding the digest of what a bulletin was built from."""
LOUDNESS_TAG = "bulletins:loudness"
"""TXXX description of the frame holding the measured loudness and true peak."""
# In CHAP frames, 0xFFFFFFFF means "no byte offset": players seek by time.
_NO_OFFSET = 0xFFFFFFFF


@dataclass(frozen=True)
class TagInfo:
    """What a bulletin's tags say."""

    title: str
    artist: str
    """The publisher, as players show it under the title."""
    album: str
    """The bulletin series' name."""
    language: str
    """ISO 639-2 code (``ita``, ``ara``)."""
    description: str
    spoken_text: str
    chapters: Sequence[Chapter]
    date: str | None = None
    voice: str | None = None
    """The engine and voice that spoke it."""


def read_loudness(tag: ID3) -> Loudness | None:
    """The loudness a build measured and wrote in ``tag``, if any."""
    for frame in tag.getall(f"TXXX:{LOUDNESS_TAG}"):
        match = re.fullmatch(r"(-?[\d.]+) LUFS, (-?[\d.]+|-inf) dBTP", str(frame))
        if match:
            return Loudness(float(match.group(1)), float(match.group(2)))
    return None


def read_build_key(path: Path) -> str | None:
    """The build digest in an episode's tag; None when it has none or cannot be read."""
    from mutagen import MutagenError

    try:
        tag = ID3(path)
    except (MutagenError, OSError):
        return None
    return next((str(frame) for frame in tag.getall(f"TXXX:{BUILD_TAG}")), None)


def _text(frame: type, value: str) -> object:
    return frame(encoding=Encoding.UTF8, text=[value])


def write_tags(
    path: Path, info: TagInfo, build_key: str | None = None, loudness: Loudness | None = None
) -> None:
    """Replace the file's ID3 tag with one built from ``info``.

    ``build_key`` lets a later build see that the file is already up to date, and
    ``loudness`` what it measured without measuring again.
    """
    tag = ID3()
    if build_key:
        tag.add(TXXX(encoding=Encoding.UTF8, desc=BUILD_TAG, text=[build_key]))
    if loudness is not None:
        tag.add(TXXX(encoding=Encoding.UTF8, desc=LOUDNESS_TAG, text=[loudness.describe()]))
    tag.add(_text(TIT2, info.title))
    tag.add(_text(TPE1, info.artist))
    tag.add(_text(TPUB, info.artist))
    tag.add(_text(TALB, info.album))
    tag.add(_text(TLAN, info.language))
    tag.add(_text(TCON, "Speech"))
    if info.voice:
        tag.add(TXXX(encoding=Encoding.UTF8, desc=VOICE_TAG, text=[info.voice]))
    if info.date:
        tag.add(_text(TDRC, info.date))
    tag.add(COMM(encoding=Encoding.UTF8, lang=info.language, desc="", text=[info.description]))
    tag.add(USLT(encoding=Encoding.UTF8, lang=info.language, desc="", text=info.spoken_text))
    ids = [f"chp{number}" for number in range(1, len(info.chapters) + 1)]
    tag.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[_text(TIT2, info.title)],
        )
    )
    for element_id, chapter in zip(ids, info.chapters, strict=True):
        tag.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[_text(TIT2, chapter.title)],
            )
        )
    tag.save(path, v2_version=4)
