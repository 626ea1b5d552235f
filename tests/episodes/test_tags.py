"""Tags: what write_tags stores is what mutagen reads back, in ID3v2.4."""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from bulletins.audio.codec import encode_mp3
from bulletins.episodes.tags import VOICE_TAG, TagInfo, write_tags
from bulletins.model import Chapter


def test_tags_read_back(tmp_path: Path) -> None:
    """Title, artist, album, date, language, description, lyrics, voice and ordered chapters survive."""
    path = tmp_path / "bulletin.mp3"
    encode_mp3([bytes(2 * 22050 * 3)], 22050, path, "96k", 44100)
    title = 'Surrey <b>"Safety"</b> & تلتزم الخدمات'
    write_tags(
        path,
        TagInfo(
            title=title,
            artist="Commissioner's Office",
            album="Community News",
            language="ara",
            description="Two stories.",
            spoken_text="Full text\n\nof the bulletin.",
            chapters=[Chapter("First", 0, 1500), Chapter("الثاني", 1500, 3000)],
            date="2026-05",
            voice="tone",
        ),
    )
    audio = MP3(path)
    tags = audio.tags
    assert isinstance(tags, ID3) and tags.version == (2, 4, 0)
    assert str(tags["TIT2"]) == title
    assert (str(tags["TPE1"]), str(tags["TALB"]), str(tags["TLAN"]), str(tags["TDRC"])) == (
        "Commissioner's Office",
        "Community News",
        "ara",
        "2026-05",
    )
    assert tags.getall("COMM")[0].text == ["Two stories."]
    assert tags.getall("USLT")[0].text == "Full text\n\nof the bulletin."
    assert tags.getall("USLT")[0].lang == "ara"
    assert tags[f"TXXX:{VOICE_TAG}"].text == ["tone"]
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == ["chp1", "chp2"]
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    assert [
        (str(chaps[i].sub_frames["TIT2"]), chaps[i].start_time, chaps[i].end_time)
        for i in toc.child_element_ids
    ] == [
        ("First", 0, 1500),
        ("الثاني", 1500, 3000),
    ]
    assert abs(audio.info.length - 3.0) < 0.1
