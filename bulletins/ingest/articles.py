"""Article files: drafts written as Markdown with YAML front matter, the format ``build`` reads.

The guid in the front matter ties a file to its source, so ingesting the same feed again
adds only new items and rewrites only changed ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

import yaml

from bulletins.atomic import write_text_atomic
from bulletins.errors import ContentError
from bulletins.ingest.pages import Draft
from bulletins.text.content import ARTICLE_SUFFIXES, front_matter, slugify

Status = Literal["added", "updated", "unchanged"]
# Characters Markdown reads as markup anywhere in a line, and at the start of one.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>&])")
_BLOCK_START = re.compile(r"^([#>+\-=|])")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")


@dataclass(frozen=True)
class Ingested:
    """One article file that an ingest wrote or found up to date."""

    path: Path
    status: Status
    title: str
    language: str | None


def article_text(draft: Draft) -> str:
    """The Markdown file for a draft: YAML front matter, then one paragraph per line."""
    meta = {
        "title": draft.title,
        "date": draft.date,
        "author": draft.author,
        "language": draft.language,
        "source": draft.source,
        "guid": draft.guid,
    }
    front = yaml.safe_dump(
        {k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False, width=1000
    )
    body = "\n\n".join(markdown_escape(p) for p in draft.paragraphs)
    return f"---\n{front}---\n\n{body}\n"


def markdown_escape(paragraph: str) -> str:
    """Escape what Markdown would read as markup, so the article reads back word for word."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", paragraph)
    return _LIST_NUMBER.sub(r"\1\\\2", _BLOCK_START.sub(r"\\\1", escaped))


def write_articles(drafts: list[Draft], folder: Path) -> tuple[list[Ingested], list[str]]:
    """Write each draft as an article file of ``folder``; return what was written, and what could not be."""
    items: list[Ingested] = []
    errors: list[str] = []
    known = _known_guids(folder)
    taken = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    for draft in drafts:
        text = article_text(draft)
        found = known.get(draft.guid)
        if found is None:
            path = folder / _free_name(draft, taken)
            taken.add(path.name)
            status: Status = "added"
        else:
            path, before = found
            status = "unchanged" if before == text else "updated"
        known[draft.guid] = (path, text)
        if status != "unchanged":
            try:
                folder.mkdir(parents=True, exist_ok=True)
                write_text_atomic(path, text)
            except OSError as exc:
                errors.append(f"{path}: cannot be written: {exc.strerror or exc}")
                continue
        items.append(Ingested(path, status, draft.title, draft.language))
    return items, errors


def _known_guids(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each article file with a guid in its front matter, and its text: which files came from which items."""
    known: dict[str, tuple[Path, str]] = {}
    if not folder.is_dir():
        return known
    for path in sorted(folder.iterdir()):
        if path.suffix not in ARTICLE_SUFFIXES or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            meta, _ = front_matter(text, path)
        except (OSError, UnicodeDecodeError, ContentError):
            continue  # not one of ours; build reports it if it is broken
        if meta.get("guid"):
            known.setdefault(str(meta["guid"]), (path, text))
    return known


def _free_name(draft: Draft, taken: set[str]) -> str:
    # Whole words, up to 60 characters: a file name a person can still read.
    # A headline in Arabic script has no ASCII letters to name a file by; the last
    # part of its address usually has ("/news/victims-office-hours").
    path_part = PurePosixPath(urlsplit(draft.source).path).stem
    slug = slugify(draft.title, "") or slugify(path_part, "article")
    stem = ""
    for word in slug.split("-"):
        if stem and len(stem) + 1 + len(word) > 60:
            break
        stem = f"{stem}-{word}" if stem else word
    suffix = f".{draft.language}.md" if draft.language else ".md"
    name, number = stem + suffix, 2
    while name in taken:
        name, number = f"{stem}-{number}{suffix}", number + 1
    return name
