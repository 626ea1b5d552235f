"""DAISY 2.02, full audio and full text: the format DAISY players (Victor Reader Stream and
Stratus, Plextalk, the NLS player) and RNIB's library read.

The NCC is the book's table of contents and its reading order: every SMIL file is
reached from it. Each section has one SMIL file (one ``par`` per sentence, so a player
steps sentence by sentence), one XHTML content document and one MP3.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulletins.books.model import Book, Section, SectionKind, Sentence
from bulletins.books.render import render

Heading = tuple[int, Section, Sentence]
"""A heading of the NCC: its level, its section, the sentence it is."""


def headings(book: Book) -> Iterator[Heading]:
    """The book's headings in order: the title (level 1), each article (2), each of its
    paragraphs (3), labelled by its first sentence; no level is ever skipped."""
    for section in book.sections:
        if section.kind is SectionKind.OPENING:
            yield 1, section, section.heading
            continue
        yield 2, section, section.heading
        for paragraph in section.paragraphs:
            yield 3, section, paragraph.label


def daisy_files(book: Book) -> dict[str, bytes]:
    """Every file of the book, by name, the NCC first, then each section's in reading order."""
    sections: dict[str, bytes] = {}
    for section in book.sections:
        level = 1 if section.kind is SectionKind.OPENING else 2
        sections[f"{section.name}.html"] = render(
            "daisy_content.html", book=book, section=section, heading_level=level
        )
        sections[f"{section.name}.smil"] = render("daisy_smil.smil", book=book, section=section)
        if section.audio:
            sections[f"{section.name}.mp3"] = section.audio
    ncc = render(
        "daisy_ncc.html", book=book, headings=list(headings(book)), files=len(sections) + 1
    )
    return {"ncc.html": ncc, **sections}
