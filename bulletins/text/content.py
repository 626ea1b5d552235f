"""Reading content: edition folders of article files become Article and Edition values."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import yaml
from markdown_it import MarkdownIt

from bulletins.errors import ContentError
from bulletins.model import Article, Edition
from bulletins.text import scripts

ARTICLE_SUFFIXES = (".txt", ".md")
EDITION_FILE = "edition.toml"

# A real article is a few kilobytes; a megabyte of "article" is a mistake
# (a log, a dump, a whole book) that would otherwise tie up the voice for hours.
# No word in any language we speak is this long; such a run is a pasted hash or
# base64 blob, which no engine can say and which cannot be split between words.
MAX_WORD_CHARS = 80

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}(?:-\d{2})?)[-_ ]*(.*)$")
# Form feed and vertical tab are page layout, not content: treat them as line breaks.
_LAYOUT_CONTROLS = str.maketrans({"\f": "\n", "\v": "\n", "\r": None})


@dataclass(frozen=True)
class ReadOptions:
    """How article files are read."""

    max_bytes: int
    """Files larger than this are refused."""
    debris: tuple[str, ...] = ()
    """Lines that are web page furniture (share labels...) when they end an article."""


def slugify(text: str, fallback: str = "untitled") -> str:
    """Return a safe ASCII file name part for any text, whatever its script."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or fallback


def split_name(path: Path, is_language: Callable[[str], bool]) -> tuple[str, str | None]:
    """Split ``assembly.it.txt`` into its stem and declared language (``assembly``, ``it``)."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    base, dot, tag = stem.rpartition(".")
    if dot and base and is_language(tag.lower()):
        return base, tag.lower()
    return stem, None


def decode(data: bytes, path: Path) -> str:
    """Decode an article's bytes as Unicode text, or say exactly why it is not text."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ContentError(
                    f"{path}: starts with a {codec} mark but is not valid {codec}: {exc.reason}"
                ) from exc
    if b"\x00" in data:
        raise ContentError(f"{path}: is a binary file, not text (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = charset_normalizer.from_bytes(data).best()
        cause = (
            f"it looks like {guess.encoding}; save it as UTF-8"
            if guess is not None and guess.encoding not in ("utf_8", "ascii")
            else "save it as UTF-8"
        )
        raise ContentError(
            f"{path}: is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}). "
            f"Probable cause: {cause}"
        ) from exc


def clean_text(text: str, path: Path) -> str:
    """Normalise line ends and Unicode form; refuse control characters."""
    text = unicodedata.normalize("NFC", text.translate(_LAYOUT_CONTROLS))
    for lineno, line in enumerate(text.split("\n"), 1):
        for col, char in enumerate(line, 1):
            if char != "\t" and unicodedata.category(char) == "Cc":
                raise ContentError(
                    f"{path}: control character U+{ord(char):04X} on line {lineno}, column {col}. "
                    "Probable cause: binary or terminal output pasted into the article"
                )
    return text


def _paragraphs(lines: Iterable[str]) -> list[str]:
    """Group lines into paragraphs at blank lines, each paragraph on one line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return [re.sub(r"\s+", " ", p) for p in paragraphs]


def parse_txt(text: str) -> tuple[dict[str, object], list[str]]:
    """A .txt article: no metadata; blocks are the headline then the paragraphs."""
    return {}, _paragraphs(text.split("\n"))


def front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    """Split a Markdown article into its YAML front matter (keys lower-cased) and its body.

    Raises:
        ContentError: the front matter is unclosed, not YAML, or not a mapping.
    """
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        raise ContentError(f"{path}: front matter opened with '---' is never closed")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: front matter must be 'key: value' lines")
    body = text[end + 4 :]
    return {str(k).lower(): v for k, v in meta.items()}, body.split("\n", 1)[
        1
    ] if "\n" in body else ""


def parse_md(text: str, path: Path) -> tuple[dict[str, object], list[str]]:
    """A Markdown article: optional YAML front matter, then blocks of plain text.

    A ``title`` in the front matter is the headline; otherwise the first block is.
    Inline markup is reduced to the words a listener should hear (link text, not URLs).
    """
    meta, body = front_matter(text, path)
    tokens = MarkdownIt("commonmark").parse(body)
    blocks: list[str] = []
    for token in tokens:
        if token.type != "inline":
            continue
        words = []
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        block = re.sub(r"\s+", " ", "".join(words)).strip()
        if block:
            blocks.append(block)
    if meta.get("title"):
        blocks.insert(0, re.sub(r"\s+", " ", str(meta["title"])).strip())
    return meta, blocks


def strip_debris(paragraphs: list[str], debris: Iterable[str]) -> list[str]:
    """Drop page furniture that ends an article pasted from a web page.

    A trailing paragraph is furniture when it is a known label, or a short phrase
    ending in a colon that introduces nothing ("Condividere su:", "مشاركة مع :").
    """
    known = {d.strip().rstrip(":").strip().casefold() for d in debris}
    kept = list(paragraphs)
    while kept:
        last = kept[-1].strip()
        label = last.rstrip(":").strip().casefold()
        if label in known or (last.endswith(":") and len(last.split()) <= 4):
            kept.pop()
        else:
            break
    return kept


def _check_words(blocks: list[str], path: Path) -> None:
    """Refuse a pasted blob: a word longer than any real one, measured as its script measures words.

    Chinese, Japanese, Thai, Lao, Khmer and Myanmar put no spaces between words, so a
    long run of their letters is ordinary text; only the runs of other scripts
    inside it are measured.
    """
    for block in blocks:
        for run in _URL.sub(" ", block).split():
            for word, spaceless in scripts.spaceless_runs(run):
                if spaceless or len(word) <= MAX_WORD_CHARS:
                    continue
                raise ContentError(
                    f"{path}: holds a 'word' of {len(word)} characters ({word[:20]}…), "
                    f"longer than any speakable word (limit {MAX_WORD_CHARS}). "
                    "Probable cause: an encoded blob or hash pasted into the text"
                )


def _meta_str(meta: dict[str, object], key: str) -> str | None:
    value = meta.get(key)
    return None if value is None else str(value).strip() or None


def read_article(path: Path, options: ReadOptions, is_language: Callable[[str], bool]) -> Article:
    """Read one article file.

    Raises:
        ContentError: the file is not a readable article; the message names the file and why.
    """
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise ContentError(
                f"{path}: is {size:,} bytes; an article may be at most {options.max_bytes:,}. "
                "Probable cause: not an article (a log, an export or a whole document)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read: {exc.strerror}") from exc
    text = clean_text(decode(data, path), path)
    if not text.strip():
        raise ContentError(f"{path}: is empty")
    meta, blocks = parse_md(text, path) if path.suffix == ".md" else parse_txt(text)
    blocks = strip_debris(blocks, options.debris)
    if not blocks:
        raise ContentError(f"{path}: has no text to speak")
    if len(blocks) == 1:
        raise ContentError(f"{path}: has a headline but no body (paragraphs follow a blank line)")
    _check_words(blocks, path)
    stem, name_language = split_name(path, is_language)
    meta_language = _meta_str(meta, "language") or _meta_str(meta, "lang")
    if meta_language is not None and not is_language(meta_language.lower()):
        raise ContentError(
            f"{path}: front matter language '{meta_language}' is not an ISO 639-1 code"
        )
    language = meta_language.lower() if meta_language else name_language
    source = "front matter" if meta_language else ("file name" if name_language else "")
    return Article(
        path=path,
        stem=stem,
        headline=blocks[0],
        paragraphs=tuple(blocks[1:]),
        language=language,
        language_source=source,
        date=_meta_str(meta, "date"),
        author=_meta_str(meta, "author"),
        summary=_meta_str(meta, "summary"),
    )


def article_files(folder: Path) -> list[Path]:
    """The article files of an edition folder, in name order (hidden files skipped)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    )


def edition_folders(content_dir: Path) -> list[Path]:
    """The editions under a content folder: its subfolders holding articles, or itself."""
    if not content_dir.is_dir():
        raise ContentError(f"{content_dir}: is not a folder of editions")
    if article_files(content_dir):
        return [content_dir]
    return [
        p
        for p in sorted(content_dir.iterdir())
        if p.is_dir() and not p.name.startswith(".") and article_files(p)
    ]


def read_edition_info(folder: Path) -> Edition:
    """The edition's title and date: from ``edition.toml`` if present, else its folder name."""
    match = _DATE_PREFIX.match(folder.name)
    date, rest = (match.group(1), match.group(2)) if match else (None, folder.name)
    title = re.sub(r"[-_]+", " ", rest).strip().capitalize() or folder.name
    info_path = folder / EDITION_FILE
    if info_path.is_file():
        try:
            info = tomllib.loads(info_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ContentError(f"{info_path}: is not valid TOML: {exc}") from exc
        title = str(info.get("title", title))
        date = str(info["date"]) if "date" in info else date
    return Edition(slug=slugify(folder.name, "edition"), title=title, date=date, path=folder)
