"""Talking books: each bulletin as a DAISY 2.02 book (a folder and its zip) and an EPUB 3
with Media Overlays, made from the pieces and timings the bulletin was made of.

``write_books`` is the entry point; ``model`` is the one book both formats are written from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bulletins import __version__
from bulletins.audio.mixing import Encoding
from bulletins.books.audio import stretches
from bulletins.books.daisy import daisy_files
from bulletins.books.epub import epub_files
from bulletins.books.model import (
    Book,
    BookInfo,
    Direction,
    book_date,
    book_files,
    identifier,
    make_book,
)
from bulletins.books.package import write_folder, write_zip
from bulletins.episodes.plans import BulletinPlan
from bulletins.errors import BulletinsError, cannot_write
from bulletins.model import EpisodeKind, Problem, Stage, TalkingBook
from bulletins.profiles import languages
from bulletins.store import CacheRoot

__all__ = ["BookOptions", "TalkingBook", "make_plan_book", "write_books"]


@dataclass(frozen=True)
class BookOptions:
    """How the talking books of a build are made."""

    encoding: Encoding
    """The episodes' encoding, which names their pieces in the cache."""
    publisher: str
    bulletin: str
    """The series name."""


ENGLISH_SUMMARY = (
    "A talking book: the full text, read aloud by a synthetic voice, each sentence "
    "highlighted as it is read. Headings mark the edition, each article and each "
    "paragraph, so a reader can move by any of them."
)
"""The accessibility summary where a profile has none of its own (``[page] book_summary``)."""


def _info(plan: BulletinPlan, narrator: str, options: BookOptions) -> BookInfo:
    profile, edition = plan.profile, plan.edition
    code = profile.language
    opening = plan.frame.opening if plan.frame else []
    spoken_title = opening[0][0].text.rstrip(" .。۔") if opening and opening[0][0].text else ""
    summary = profile.page.get("book_summary")
    return BookInfo(
        stem=plan.path.name.removesuffix(".mp3"),
        identifier=identifier(options.publisher, options.bulletin, edition.slug, code),
        title=spoken_title or f"{options.bulletin}: {edition.title}",
        fallback_heading=edition.title,
        language=code,
        direction=Direction(languages.direction(code)),
        date=book_date(edition.date, *(item.article.date for item in plan.articles)),
        publisher=options.publisher,
        narrator=narrator,
        generator=f"bulletins {__version__}",
        summary=summary or ENGLISH_SUMMARY,
        summary_language=code if summary else "en",
        # The listening page's word for its list of chapters heads the table of contents.
        contents=profile.page.get("chapters", "Contents"),
    )


def make_plan_book(
    plan: BulletinPlan, narrator: str, cache_root: CacheRoot, options: BookOptions
) -> Book:
    """The book of one bulletin, from its pieces in the cache.

    Raises:
        BookError: some of its audio is missing.
    """
    return make_book(_info(plan, narrator, options), stretches(plan, cache_root, options.encoding))


def _write(book: Book, folder: Path) -> TalkingBook:
    """Write a book's DAISY folder and zip and its EPUB, each only when it differs."""
    paths = book_files(folder, book.stem)
    daisy = daisy_files(book)
    folder_written = write_folder(paths["daisy"], daisy)
    zip_written, daisy_bytes = write_zip(paths["zip"], daisy)
    epub = epub_files(book)
    epub_written, epub_bytes = write_zip(paths["epub"], epub, stored=frozenset({"mimetype"}))
    return TalkingBook(
        edition=folder.name,
        language=book.language,
        daisy=paths["zip"],
        daisy_bytes=daisy_bytes,
        epub=paths["epub"],
        epub_bytes=epub_bytes,
        duration_ms=book.duration_ms,
        rebuilt=folder_written or zip_written or epub_written,
    )


def write_books(
    plans: Sequence[BulletinPlan],
    narrators: dict[Path, str],
    cache_root: CacheRoot,
    options: BookOptions,
) -> tuple[list[Problem], list[TalkingBook]]:
    """Write the talking books of every bulletin that was written (``narrators`` names
    each one's voices, by its path); a book that cannot be made is an error naming its
    edition, and nothing of it is written."""
    problems: list[Problem] = []
    books: list[TalkingBook] = []
    for plan in plans:
        if plan.kind is not EpisodeKind.BULLETIN or plan.path not in narrators:
            continue
        try:
            book = make_plan_book(plan, narrators[plan.path], cache_root, options)
            books.append(_write(book, plan.path.parent))
        except BulletinsError as exc:
            message = f"{plan.label}: no talking book was written: {exc}"
            problems.append(Problem(Stage.ASSEMBLE, message, plan.path))
        except OSError as exc:
            message = f"{plan.label}: no talking book was written: {cannot_write(exc.filename or plan.path, exc)}"
            problems.append(Problem(Stage.ASSEMBLE, message, plan.path))
    return problems, books
