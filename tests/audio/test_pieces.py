"""Pieces: each stretch of speech is encoded once, and episodes are pieces joined end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import webvtt
from conftest import (
    SAMPLE_EDITION,
    build_settings,
    cue_seconds,
    measure_loudness,
    read_audio,
    silent_runs,
    write,
)
from mutagen.id3 import ID3

from bulletins.audio.codec import DECODER_DELAY, encode_mp3, mp3_frames
from bulletins.build import build
from bulletins.cache import PieceCache
from bulletins.errors import AudioError
from bulletins.model import Audio
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.settings import Settings
from bulletins.testing import FakeGoogle, Reply

EDITION = SAMPLE_EDITION.name
SECOND = (
    "Seconda notizia\n\nIl consiglio si è riunito ieri sera. Ha deciso di aprire la biblioteca.\n"
)


def frames_of(path: Path) -> bytes:
    """The MP3 frames of a file, its ID3 tag left off."""
    data = path.read_bytes()
    tag = ID3(path)
    return data[tag.size :]


def article_frames(path: Path, cache: Path) -> bytes:
    """The frames of an article episode's article: the episode's, less its last piece (the
    disclosure), found in the piece cache."""
    frames = frames_of(path)
    store = PieceCache(cache)
    entries = [store.get(piece.stem) for piece in (cache / "pieces").rglob("*.piece")]
    [last] = [
        entry[1]
        for entry in entries
        if entry is not None and entry[1] != frames and frames.endswith(entry[1])
    ]
    return frames[: -len(last)]


def onset_ms(audio: Audio, from_ms: float, threshold: int = 300) -> float:
    """When sound first rises above ``threshold`` at or after ``from_ms``."""
    samples = np.abs(np.frombuffer(audio.pcm, dtype="<i2").astype(np.int32))
    first = max(0, round(from_ms * audio.sample_rate / 1000))
    loud = np.flatnonzero(samples[first:] >= threshold)
    return (first + int(loud[0])) * 1000 / audio.sample_rate


def test_an_article_is_encoded_once_for_its_bulletin_and_its_own_episode(
    content: Path, tmp_path: Path
) -> None:
    """The frames of each article's own episode, up to its disclosure, are byte for byte inside its bulletin."""
    write(content / EDITION / "second.it.txt", SECOND)
    report = build(build_settings(content, tmp_path))
    assert report.ok
    folder = tmp_path / "audio" / EDITION
    bulletin = frames_of(folder / f"{EDITION}.it.mp3")
    articles = sorted((folder / "articles").glob("*.it.mp3"))
    assert len(articles) == 2
    for article in articles:
        frames = article_frames(article, tmp_path / "cache")
        assert frames in bulletin, article.name
        assert frames_of(article)[len(frames) :] not in bulletin, article.name
    # Italian: opening with "Articolo 1 di 2", article, "Articolo 2 di 2", article,
    # closing with the disclosure; Arabic: opening with "Article 1 of 1", article,
    # closing with the disclosure; and each language's disclosure after an article
    # alone, for the articles' own episodes. Nothing else.
    pieces = list((tmp_path / "cache" / "pieces").rglob("*.piece"))
    assert len(pieces) == report.encoded == 5 + 3 + 2


def test_an_edited_article_re_encodes_its_own_piece_only(content: Path, tmp_path: Path) -> None:
    """One sentence changed: one clip spoken, one piece encoded, its bulletin and episode rewritten."""
    write(content / EDITION / "second.it.txt", SECOND)
    settings = build_settings(content, tmp_path)
    build(settings)
    write(content / EDITION / "second.it.txt", SECOND.replace("ieri sera", "stamattina"))
    report = build(settings)
    assert (report.synthesis.spoken, report.encoded) == (1, 1)
    assert sorted(e.path.name for e in report.episodes if e.rebuilt) == [
        f"{EDITION}.it.mp3",
        "second.it.mp3",
    ]
    folder = tmp_path / "audio" / EDITION
    assert article_frames(folder / "articles" / "second.it.mp3", tmp_path / "cache") in frames_of(
        folder / f"{EDITION}.it.mp3"
    )
    assert "stamattina" in (folder / f"{EDITION}.it.vtt").read_text(encoding="utf-8")


def test_every_sentence_starts_where_the_transcript_says(content: Path, tmp_path: Path) -> None:
    """Across every join of a joined bulletin, each cue starts within a few ms of its sound."""
    write(content / EDITION / "second.it.txt", SECOND)
    build(build_settings(content, tmp_path))
    path = tmp_path / "audio" / EDITION / f"{EDITION}.it.mp3"
    audio = read_audio(path)
    cues = webvtt.read(str(path.with_suffix(".vtt")))
    assert len(cues) > 10
    for cue in cues:
        start = cue_seconds(cue.start) * 1000
        # A clip keeps 20 ms of its engine's silence before the first sound.
        assert onset_ms(audio, start - 60) - start == pytest.approx(20, abs=6), cue.text


def test_a_joined_bulletin_is_measured_as_a_whole(content: Path, tmp_path: Path) -> None:
    """The loudness reported for a bulletin of five pieces is what a meter reading the file finds."""
    write(content / EDITION / "second.it.txt", SECOND)
    report = build(build_settings(content, tmp_path, engine="espeak"))
    bulletin = next(e for e in report.episodes if e.kind == "bulletin" and e.language == "it")
    level, peak = measure_loudness(bulletin.path)
    assert bulletin.loudness is not None
    assert bulletin.loudness.integrated == pytest.approx(level, abs=0.15)
    assert peak <= Settings.true_peak and abs(level - Settings.loudness) <= 1.0


def test_articles_with_no_announcement_between_keep_their_pause(
    content: Path, tmp_path: Path
) -> None:
    """Without announcements, two articles are joined with the profile's pause between them."""
    write(content / EDITION / "second.it.txt", SECOND)
    with FakeGoogle() as fake:
        fake.when("Articoli in questo notiziario", Reply(audio=False))
        report = build(build_settings(content, tmp_path, engine="gtts", gtts_endpoint=fake.url))
    assert report.ok
    path = tmp_path / "audio" / EDITION / f"{EDITION}.it.mp3"
    cues = webvtt.read(str(path.with_suffix(".vtt")))
    second = next(n for n, c in enumerate(cues) if c.text == "Seconda notizia")
    end, start = cue_seconds(cues[second - 1].end) * 1000, cue_seconds(cues[second].start) * 1000
    gaps = [g for g in silent_runs(read_audio(path), min_ms=500) if g[0] < start < g[1] + 100]
    assert len(gaps) == 1
    # The profile's pause between articles, plus, for each of the two joins, the
    # encoder's delay and at most one frame of padding.
    pause = load_profiles([builtin_voices_dir()])["it"].pauses.article
    assert pause <= start - end <= pause + 2 * 1000 * (DECODER_DELAY + 1152) / 44100
    assert gaps[0][1] - gaps[0][0] == pytest.approx(start - end, abs=120)


def test_a_damaged_piece_is_encoded_again(content: Path, tmp_path: Path) -> None:
    """A piece cut short in the cache (a build killed, a full disk) is never joined into an episode."""
    settings = build_settings(content, tmp_path)
    build(settings)
    pieces = list((tmp_path / "cache" / "pieces").rglob("*.piece"))
    for piece in pieces:
        piece.write_bytes(piece.read_bytes()[:-100])
    shutil.rmtree(tmp_path / "audio")
    report = build(settings)
    assert report.ok
    store = PieceCache(tmp_path / "cache")
    assert all(store.get(p.stem) is not None for p in pieces)
    level, _peak = measure_loudness(tmp_path / "audio" / EDITION / f"{EDITION}.it.mp3")
    assert abs(level + 16) <= 1.0


def test_decoder_delay(tmp_path: Path) -> None:
    """An encoded click is heard DECODER_DELAY samples in, by a decoder reading no Xing frame."""
    rate = 22050
    pcm = np.zeros(rate, dtype="<f4")
    pcm[1000:1010] = 0.8
    path = tmp_path / "click.mp3"
    encode_mp3([pcm.tobytes()], rate, path, "96k", 44100, float_input=True, info_frame=False)
    decoded = read_audio(path)
    layout = mp3_frames(path.read_bytes())
    assert (layout.sample_rate, layout.samples_per_frame) == (44100, 1152)
    assert len(decoded.pcm) // 2 == layout.samples
    onset = onset_ms(decoded, 0, threshold=3000) * 44100 / 1000
    assert onset - 2000 == pytest.approx(DECODER_DELAY, abs=8)


@pytest.mark.parametrize(
    "damage", [b"ID3\x04\x00", b"\xff\xfb\x90", b"\xff\xff\xff\xff" * 100, b"not audio at all"]
)
def test_frame_walker_refuses_what_is_not_whole_mp3_frames(tmp_path: Path, damage: bytes) -> None:
    """A tag, a cut-off frame or other bytes are an AudioError, not a miscount."""
    path = tmp_path / "tone.mp3"
    encode_mp3([bytes(2 * 22050)], 22050, path, "96k", 44100, info_frame=False)
    good = path.read_bytes()
    assert mp3_frames(good).count > 0
    with pytest.raises(AudioError):
        mp3_frames(damage + good if damage.startswith(b"ID3") else good + damage)
