"""The book model made from pieces: sections, headings and times, on ordinary and bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

from bulletins.books.daisy import daisy_files, headings
from bulletins.books.epub import epub_files
from bulletins.books.model import BookInfo, Direction, SectionKind, Stretch, make_book
from bulletins.books.package import write_zip
from bulletins.model import Piece, Segment, SegmentKind

RATE = 44100


def seg(text: str, kind: SegmentKind, article: int, paragraph: int, sentence: int) -> Segment:
    return Segment(text, text, kind, article, paragraph, sentence, 500)


def stretch(*segments: Segment, frames: int = 100) -> Stretch:
    """A piece of ``frames`` MP3 frames whose segments share its length evenly."""
    samples = frames * 1152
    step = samples // (len(segments) + 1) if segments else 0
    speech = tuple((n * step + 10, (n + 1) * step) for n in range(len(segments)))
    piece = Piece(frames, 1152, RATE, speech, (), -1.0)
    return Stretch(tuple(segments), piece, bytes(frames))


INFO = BookInfo(
    stem="edition.it",
    identifier="urn:uuid:00000000-0000-5000-8000-000000000000",
    title="News, maggio 2026",
    fallback_heading="Edition title",
    language="it",
    direction=Direction.LTR,
    date="2026-05-01",
    publisher="Council",
    narrator="tone",
    generator="bulletins",
    summary="A talking book.",
    summary_language="en",
)
ANNOUNCE = SegmentKind.ANNOUNCEMENT


def test_sections_follow_the_bulletin() -> None:
    """The opening, then one section per article: "Article 2 of 2" begins the second,
    the closing ends the last, and times are counted from each section's start."""
    book = make_book(
        INFO,
        [
            stretch(seg("News.", ANNOUNCE, 0, -1, -3), seg("Article 1 of 2.", ANNOUNCE, 0, -1, -1)),
            stretch(
                seg("Headline one", SegmentKind.HEADLINE, 0, -1, 0),
                seg("First.", SegmentKind.SENTENCE, 0, 0, 1),
                seg("Second", SegmentKind.CLAUSE, 0, 0, 2),
                seg("", SegmentKind.SENTENCE, 0, 0, 2),
                seg("Third.", SegmentKind.SENTENCE, 0, 1, 3),
            ),
            stretch(seg("Article 2 of 2.", ANNOUNCE, 1, -1, -1)),
            stretch(
                seg("Two", SegmentKind.HEADLINE, 1, -1, 0),
                seg("Body.", SegmentKind.SENTENCE, 1, 0, 1),
            ),
            stretch(seg("The end.", ANNOUNCE, 1, -1, -2)),
        ],
    )
    kinds = [s.kind for s in book.sections]
    assert kinds == [SectionKind.OPENING, SectionKind.ARTICLE, SectionKind.ARTICLE]
    opening, first, second = book.sections
    assert opening.heading.text == "News." and [s.text for s in opening.after] == [
        "Article 1 of 2."
    ]
    assert [[s.text for s in p.sentences] for p in first.paragraphs] == [
        ["First.", "Second"],
        ["Third."],
    ]
    assert [s.text for s in second.before] == ["Article 2 of 2."]
    assert [s.text for s in second.after] == ["The end."]
    # The second section's MP3 starts with the announcement's piece: the headline is in the next.
    assert second.heading.clip is not None
    assert second.heading.clip[0] == round((100 * 1152 + 10) * 1000 / RATE)
    assert second.duration_ms == round(300 * 1152 * 1000 / RATE)
    assert second.elapsed_ms == opening.duration_ms + first.duration_ms
    numbers = [s.number for section in book.sections for s in section.sentences()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [level for level, _, _ in headings(book)] == [1, 2, 3, 3, 2, 3]


def test_headline_only_and_no_announcements() -> None:
    """An article with no body and one without a headline still make valid books, and a
    language without announcements gets an opening of its title alone."""
    book = make_book(
        INFO,
        [
            stretch(seg("Only a <headline> & more", SegmentKind.HEADLINE, 0, -1, 0)),
            stretch(seg("Body with no headline.", SegmentKind.SENTENCE, 1, 0, 1)),
        ],
    )
    opening, first, second = book.sections
    assert opening.heading.text == INFO.title and opening.heading.clip is None
    assert not opening.audio
    assert first.paragraphs == () and first.heading.text == "Only a <headline> & more"
    assert second.heading.text == INFO.fallback_heading and second.heading.clip is None
    daisy = daisy_files(book)
    assert "s01.mp3" not in daisy
    assert b"Only a &lt;headline&gt; &amp; more" in daisy["s02.html"]
    assert b"Only a &lt;headline&gt; &amp; more" in daisy["ncc.html"]
    files = epub_files(book)
    assert b"Only a &lt;headline&gt; &amp; more" in files["EPUB/nav.xhtml"]


def test_zips_are_reproducible(tmp_path: Path) -> None:
    """The same files give the same zip bytes, with fixed times and mimetype stored first;
    a zip already in place with those bytes is left as it is."""
    files = {"mimetype": b"application/epub+zip", "a.xhtml": b"<a/>" * 100, "s01.mp3": b"\xff" * 10}
    first, second = tmp_path / "first.epub", tmp_path / "second.epub"
    assert write_zip(first, files, stored=frozenset({"mimetype"}))[0]
    written, size = write_zip(second, dict(files), stored=frozenset({"mimetype"}))
    assert written and size == first.stat().st_size
    assert first.read_bytes() == second.read_bytes()
    made = second.stat().st_mtime_ns
    assert write_zip(second, files, stored=frozenset({"mimetype"})) == (False, size)
    assert second.stat().st_mtime_ns == made
    assert [p.name for p in tmp_path.iterdir()].count("second.epub") == 1
    assert len(list(tmp_path.iterdir())) == 2  # no temporary file left

    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == list(files)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert [i.compress_type for i in infos] == [
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
            zipfile.ZIP_STORED,
        ]
