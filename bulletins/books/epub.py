"""EPUB 3 with Media Overlays: the format reading apps (Thorium, EasyReader, Voice Dream,
VitalSource, Colibrio) play with each sentence highlighted as it is read.

The same sections as the DAISY book: one XHTML content document, one SMIL 3.0 overlay
(one ``par`` per sentence) and one MP3 each; the navigation document nests the edition,
its articles and their paragraphs.
"""

from __future__ import annotations

from pathlib import Path

from bulletins.books.model import Book, SectionKind
from bulletins.books.render import render

# Each section's epub:type, which has a DPUB-ARIA role of the same name ("doc-…"), as
# Ace and assistive technology expect of structural semantics.
EPUB_TYPES = {SectionKind.OPENING: "introduction", SectionKind.ARTICLE: "chapter"}


def epub_files(book: Book) -> dict[str, bytes]:
    """Every file of the EPUB, by its path in the zip: ``mimetype`` first, as EPUB requires."""
    files: dict[str, bytes] = {
        "mimetype": b"application/epub+zip",
        "META-INF/container.xml": render("epub_container.xml"),
        "EPUB/package.opf": render("epub_package.opf", book=book),
    }
    opening = book.sections[0]
    articles = [s for s in book.sections if s.kind is SectionKind.ARTICLE]
    files["EPUB/nav.xhtml"] = render(
        "epub_nav.xhtml", book=book, opening=opening, articles=articles, contents=book.contents
    )
    files["EPUB/book.css"] = (Path(__file__).parent / "templates" / "book.css").read_bytes()
    for section in book.sections:
        kind = EPUB_TYPES[section.kind]
        # Each document is a chapter of its own and begins with a level-one heading;
        # the navigation document says how they nest.
        files[f"EPUB/{section.name}.xhtml"] = render(
            "epub_content.xhtml", book=book, section=section, epub_type=kind, heading_level=1
        )
        files[f"EPUB/{section.name}.smil"] = render(
            "epub_overlay.smil", book=book, section=section, epub_type=kind
        )
        if section.audio:
            files[f"EPUB/{section.name}.mp3"] = section.audio
    return files
