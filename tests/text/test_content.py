"""Reading article files: formats, metadata, page debris and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS, write

from bulletins.errors import ContentError
from bulletins.settings import Settings
from bulletins.text.content import (
    ReadOptions,
    edition_folders,
    read_article,
    read_edition_info,
    slugify,
    split_name,
    strip_debris,
)
from bulletins.text.language import known

OPTIONS = ReadOptions(Settings().max_article_bytes, debris=("Condividere su", "مشاركة مع"))
BODY = "Il consiglio comunale si è riunito ieri sera.\n\nHa approvato il bilancio.\n"


def read(path: Path, options: ReadOptions = OPTIONS):
    return read_article(path, options, known)


def test_seed_txt_has_headline_paragraphs_and_no_share_label() -> None:
    """The Italian seed reads as its headline and eleven paragraphs, without 'Condividere su:'."""
    article = read(SEEDS["it"])
    assert article.headline.startswith("I servizi si impegnano")
    assert len(article.paragraphs) == 12
    assert article.paragraphs[-1].startswith("Potete vedere la nostra pagina")
    assert all("Condividere" not in p for p in article.paragraphs)
    assert (article.stem, article.language, article.language_source) == (
        "community-safety-assembly",
        "it",
        "file name",
    )


def test_arabic_seed_drops_its_share_label() -> None:
    """The Arabic seed's trailing 'مشاركة مع :' is page debris, not text."""
    article = read(SEEDS["ar"])
    assert article.paragraphs[-1].startswith("يمكنك أن ترى")
    assert not any("مشاركة مع" in p for p in article.paragraphs)


@pytest.mark.parametrize(
    ("paragraphs", "kept"),
    [
        (["Text.", "Condividere su:"], ["Text."]),
        (["Text.", "Share this:", "Print:"], ["Text."]),
        (["Text.", "Condividere su"], ["Text."]),
        (["Text.", "He said:"], ["Text."]),
        (
            ["Text.", "The council listed three priorities for the coming year:"],
            ["Text.", "The council listed three priorities for the coming year:"],
        ),
        (["Text.", "Last sentence."], ["Text.", "Last sentence."]),
    ],
)
def test_strip_debris(paragraphs: list[str], kept: list[str]) -> None:
    """Only short trailing labels and known furniture are dropped."""
    assert strip_debris(paragraphs, ("Condividere su",)) == kept


def test_markdown_front_matter_and_inline_markup(tmp_path: Path) -> None:
    """Front matter sets title, date, language, author, summary; link text is kept, URLs are not."""
    path = write(
        tmp_path / "notice.md",
        "---\ntitle: Bin collections change\ndate: 2026-05-02\nlanguage: en\nauthor: Waste team\n"
        "summary: New days from June.\n---\n\nCollections move to **Tuesdays**.\n\n"
        "See [the calendar](https://example.org/bins) for\nyour street.\n",
    )
    article = read(path)
    assert article.headline == "Bin collections change"
    assert article.paragraphs == (
        "Collections move to Tuesdays.",
        "See the calendar for your street.",
    )
    assert (article.date, article.language, article.author, article.summary) == (
        "2026-05-02",
        "en",
        "Waste team",
        "New days from June.",
    )
    assert article.language_source == "front matter"


def test_front_matter_language_wins_over_file_name(tmp_path: Path) -> None:
    """A language in the front matter overrides the one in the file name."""
    path = write(tmp_path / "notice.it.md", "---\nlanguage: ar\n---\n# Title\n\nBody text here.\n")
    assert read(path).language == "ar"


@pytest.mark.parametrize(
    ("name", "stem", "language"),
    [
        ("assembly.it.txt", "assembly", "it"),
        ("assembly.txt", "assembly", None),
        ("report.v2.txt", "report.v2", None),
        ("a.AR.md", "a", "ar"),
    ],
)
def test_split_name(name: str, stem: str, language: str | None) -> None:
    """The language in a file name is recognised only when it is a language code."""
    assert split_name(Path(name), known) == (stem, language)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("2026-05 Community Safety", "2026-05-community-safety"),
        ("../../etc/passwd", "etc-passwd"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("تلتزم الخدمات", "untitled"),
        ("Città più sicura", "citta-piu-sicura"),
        ("", "untitled"),
    ],
)
def test_slugify_is_safe_ascii(title: str, slug: str) -> None:
    """Any title becomes a safe ASCII name with no path separators."""
    assert slugify(title) == slug


BAD_INPUT = [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b"  \n\n\t \n", "is empty"),
    (
        "latin1.txt",
        "Città sicura\n\nUna città più sicura.\n".encode("latin-1"),
        "is not UTF-8 text (byte 0xe0 on line 1)",
    ),
    (
        "arabic-1256.txt",
        "تلتزم الخدمات بالاستجابة المشتركة\n\nعقدت أول جمعية أمان مجتمعية في المقاطعة في شهر مايو.\n".encode(
            "cp1256"
        ),
        "Probable cause: it looks like cp1256; save it as UTF-8",
    ),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file"),
    (
        "control.txt",
        b"Title\n\nText with a bell\x07 inside.\n",
        "control character U+0007 on line 3, column 17",
    ),
    ("headline.txt", b"Only a headline\n", "has a headline but no body"),
    (
        "word.txt",
        ("Title\n\nA " + "x" * 500 + " word.\n").encode(),
        "holds a 'word' of 500 characters",
    ),
    ("label.txt", b"Condividere su:\n", "has no text to speak"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_one_clear_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    """Each kind of bad file raises a ContentError that names the file and the cause."""
    path = write(tmp_path / name, data)
    with pytest.raises(ContentError) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    """A file over the size limit is refused with its size."""
    path = write(tmp_path / "huge.txt", "Title\n\n" + "parola " * 200_000)
    with pytest.raises(
        ContentError, match=r"huge.txt: is 1,400,007 bytes; an article may be at most 1,000,000"
    ):
        read(path)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    """A UTF-16 file with its byte order mark is text, not an error."""
    path = write(tmp_path / "notice.txt", ("Avviso\n\n" + BODY).encode("utf-16"))
    assert read(path).headline == "Avviso"


def test_crlf_and_form_feed_are_layout(tmp_path: Path) -> None:
    """Windows line ends and form feeds do not reach the text."""
    path = write(
        tmp_path / "notice.txt",
        b"Avviso\r\n\r\nPrima riga\r\nseconda riga.\f\r\nAltro paragrafo.\r\n",
    )
    article = read(path)
    assert article.paragraphs == ("Prima riga seconda riga.", "Altro paragrafo.")


def test_editions_are_subfolders_with_articles(tmp_path: Path) -> None:
    """Subfolders holding articles are editions; empty ones and hidden files are not."""
    write(tmp_path / "2026-05-news" / "a.txt", BODY)
    write(tmp_path / "2026-06-news" / ".draft.txt", BODY)
    (tmp_path / "empty").mkdir()
    assert edition_folders(tmp_path) == [tmp_path / "2026-05-news"]


def test_edition_info_from_name_and_file(tmp_path: Path) -> None:
    """An edition's date and title come from its folder name unless edition.toml says otherwise."""
    folder = tmp_path / "2026-05-community-safety-assembly"
    folder.mkdir()
    info = read_edition_info(folder)
    assert (info.slug, info.title, info.date) == (
        "2026-05-community-safety-assembly",
        "Community safety assembly",
        "2026-05",
    )
    write(folder / "edition.toml", 'title = "Assemblea"\ndate = "2026-05-14"\n')
    info = read_edition_info(folder)
    assert (info.title, info.date) == ("Assemblea", "2026-05-14")


LONG_RUNS = {
    "zh": "沃金市议会今天宣布从下周一起图书馆将延长开放时间周一至周五每天开放到晚上八点周六和周日开放到下午五点议会表示这一变化将为当地居民带来很大便利",
    "ja": "ウォーキング市議会は来週の月曜日から図書館の開館時間を延長すると発表しました平日は午後八時まで土曜日と日曜日は午後五時まで開館します",
    "th": "สภาเมืองวอคกิ้งประกาศว่าห้องสมุดจะเปิดให้บริการนานขึ้นตั้งแต่วันจันทร์หน้าเป็นต้นไปโดยวันธรรมดาจะเปิดถึงสองทุ่มและวันเสาร์อาทิตย์จะเปิดถึงห้าโมงเย็น",
}


@pytest.mark.parametrize("code", sorted(LONG_RUNS))
def test_scripts_without_spaces_are_not_huge_words(tmp_path: Path, code: str) -> None:
    """A long run of Chinese, Japanese or Thai letters is a sentence, not a pasted blob."""
    run = LONG_RUNS[code] * 2
    assert len(run) > 80 and " " not in run
    article = read(write(tmp_path / f"long.{code}.txt", f"{run[:12]}\n\n{run}\n".encode()))
    assert article.paragraphs == (run,)


def test_a_huge_latin_word_is_still_refused(tmp_path: Path) -> None:
    """A 10,000-character Latin 'word' is refused, also inside Chinese text."""
    path = write(tmp_path / "blob.txt", f"标题\n\n图书馆{'a' * 10_000}开放。\n".encode())
    with pytest.raises(ContentError, match=r"blob\.txt: holds a 'word' of 10000 characters"):
        read(path)
