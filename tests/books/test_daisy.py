"""The DAISY 2.02 books, read as a DAISY player reads them: the NCC, the SMIL files, the
content documents and the MP3s, checked with lxml and mutagen."""

from __future__ import annotations

import itertools
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, SEEDS, build_settings, write
from lxml import etree
from mutagen.mp3 import MP3

from bulletins.build import build
from bulletins.episodes.transcripts import read_webvtt

SAMPLE = "2026-05-community-safety-assembly"
SECOND = "2026-06-two-articles"
# A headline with markup, an ampersand, quotes, a right-to-left run and more words than
# any heading should have: it must come out as written, escaped, in every file.
HOSTILE_HEADLINE = (
    'Furti di biciclette <b>in aumento</b> & "consigli" della polizia: '
    "«حذار» dicono i volontari arabi di Guildford, che chiedono a tutti di chiudere "
    "la bicicletta con due lucchetti, di registrarla e di segnalare ogni furto"
)
SECOND_ARTICLE = (
    f"{HOSTILE_HEADLINE}\n\n"
    "La polizia del Surrey ha registrato più furti di biciclette questa primavera. "
    "Gli agenti chiedono ai ciclisti di usare due lucchetti.\n\n"
    "Chi vede un furto può chiamare il 101. In caso di emergenza, chiamate il 999.\n"
)
NS = {"x": "http://www.w3.org/1999/xhtml"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def add_second_edition(content: Path) -> None:
    """A later edition of two Italian articles: the sample's and one with a hostile headline."""
    write(content / SECOND / "community-safety-assembly.it.txt", SEEDS["it"].read_text("utf-8"))
    write(content / SECOND / "bike-theft.it.txt", SECOND_ARTICLE)


def build_books(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    add_second_edition(content)
    report = build(build_settings(content, root, publisher="Surrey PCC"))
    assert report.ok, report.errors
    assert len(report.books) == 3
    return root / "audio"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample edition (Italian, Arabic) and a two-article edition, built with the tone engine."""
    return build_books(tmp_path_factory.mktemp("books"))


def daisy(out: Path, edition: str, language: str) -> Path:
    return out / edition / f"{edition}.{language}.daisy"


BOOKS = [(SAMPLE, "it"), (SAMPLE, "ar"), (SECOND, "it")]


def parse(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes(), PARSER)


def meta(ncc: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in ncc.xpath("//x:head/x:meta[@name]", namespaces=NS):
        found.setdefault(element.get("name"), []).append(element.get("content"))
    return found


def clock_s(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def npt_s(value: str) -> float:
    match = re.fullmatch(r"npt=(\d+\.\d{3})s", value)
    assert match, value
    return float(match.group(1))


def smil_files(folder: Path) -> list[Path]:
    """The SMIL files in reading order: the order the NCC first links them."""
    ncc = parse(folder / "ncc.html")
    names = [a.get("href").split("#")[0] for a in ncc.xpath("//x:body//x:a", namespaces=NS)]
    return [folder / name for name in dict.fromkeys(names)]


def pars(smil: Path) -> Iterator[tuple[etree._Element, etree._Element, etree._Element | None]]:
    for par in parse(smil).iter("par"):
        yield par, par.find("text"), par.find("audio")


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_ncc_metadata_and_counts(out: Path, edition: str, language: str) -> None:
    """The NCC has every metadata field DAISY 2.02 makes mandatory, with true counts."""
    folder = daisy(out, edition, language)
    ncc = parse(folder / "ncc.html")
    found = meta(ncc)
    headings = ncc.xpath("//x:body/*[self::x:h1 or self::x:h2 or self::x:h3]", namespaces=NS)
    expected = {
        "dc:format": ["Daisy 2.02"],
        "dc:language": [language],
        "dc:creator": ["Surrey PCC"],
        "dc:publisher": ["Surrey PCC"],
        "ncc:charset": ["utf-8"],
        "ncc:multimediaType": ["audioFullText"],
        "ncc:pageFront": ["0"],
        "ncc:pageNormal": ["0"],
        "ncc:pageSpecial": ["0"],
        "ncc:tocItems": [str(len(headings))],
        "ncc:depth": [str(max(int(h.tag[-1]) for h in headings))],
        "ncc:files": [str(len(list(folder.iterdir())))],
    }
    for name, value in expected.items():
        assert found.get(name) == value, name
    for name in ("dc:title", "dc:date", "dc:identifier", "ncc:generator", "ncc:narrator"):
        assert len(found.get(name, [])) == 1 and found[name][0].strip(), name
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", found["dc:date"][0])
    assert "tone" in found["ncc:narrator"][0]
    assert ncc.xpath("string(//x:head/x:title)", namespaces=NS) == found["dc:title"][0]


def test_identifiers_are_distinct_and_stable(out: Path, tmp_path: Path) -> None:
    """Each edition and language has its own identifier, the same on every build."""
    ids = [meta(parse(daisy(out, *book) / "ncc.html"))["dc:identifier"][0] for book in BOOKS]
    assert len(set(ids)) == len(ids)
    again = build_books(tmp_path)
    assert ids == [meta(parse(daisy(again, *b) / "ncc.html"))["dc:identifier"][0] for b in BOOKS]
    for edition, language in BOOKS:
        name = f"{edition}.{language}"
        assert (out / edition / f"{name}.daisy.zip").read_bytes() == (
            again / edition / f"{name}.daisy.zip"
        ).read_bytes()
        assert (out / edition / f"{name}.epub").read_bytes() == (
            again / edition / f"{name}.epub"
        ).read_bytes()


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_heading_levels(out: Path, edition: str, language: str) -> None:
    """The title first, then each article and its paragraphs, never skipping a level."""
    ncc = parse(daisy(out, edition, language) / "ncc.html")
    body = ncc.find("x:body", NS)
    levels = [int(child.tag[-1]) for child in body]
    assert body[0].tag == f"{{{NS['x']}}}h1" and body[0].get("class") == "title"
    assert levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1
    articles = 2 if edition == SECOND else 1
    assert levels.count(2) == articles
    assert levels.count(3) >= articles


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_links_and_text_targets_resolve(out: Path, edition: str, language: str) -> None:
    """Every NCC link reaches a SMIL par; every par's text exists; each sentence is read once, in order."""
    folder = daisy(out, edition, language)
    ncc = parse(folder / "ncc.html")
    ids: dict[Path, set[str]] = {}
    for link in ncc.xpath("//x:body//x:a/@href", namespaces=NS):
        name, _, fragment = link.partition("#")
        smil = folder / name
        if smil not in ids:
            ids[smil] = {par.get("id") for par, _, _ in pars(smil)}
        assert fragment in ids[smil], link
    for smil in smil_files(folder):
        targets = [text.get("src") for _, text, _ in pars(smil)]
        documents = {t.split("#")[0] for t in targets}
        assert len(documents) == 1
        document = parse(folder / documents.pop())
        read = [el.get("id") for el in document.iter() if el.get("id", "").startswith("t")]
        # Every sentence of the content document is referenced once, in reading order.
        assert [t.split("#")[1] for t in targets] == read


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_clips_ascend_within_the_audio(out: Path, edition: str, language: str) -> None:
    """Clips ascend without overlapping, and the last ends within the MP3's real length."""
    folder = daisy(out, edition, language)
    for smil in smil_files(folder):
        clips = [
            (a.get("src"), npt_s(a.get("clip-begin")), npt_s(a.get("clip-end")))
            for _, _, a in pars(smil)
            if a is not None
        ]
        assert clips
        sources = {src for src, _, _ in clips}
        assert len(sources) == 1
        length = MP3(folder / sources.pop()).info.length
        previous = 0.0
        for _, begin, end in clips:
            assert previous <= begin < end
            previous = end
        assert previous <= length


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_time_totals_add_up(out: Path, edition: str, language: str) -> None:
    """Each SMIL's time and elapsed time, and the NCC's total, add up to the audio's length."""
    folder = daisy(out, edition, language)
    total = clock_s(meta(parse(folder / "ncc.html"))["ncc:totalTime"][0])
    elapsed = 0.0
    audio = 0.0
    for smil in smil_files(folder):
        head = {m.get("name"): m.get("content") for m in parse(smil).iter("meta")}
        assert abs(clock_s(head["ncc:totalElapsedTime"]) - elapsed) < 0.5
        elapsed += clock_s(head["ncc:timeInThisSmil"])
        audio += MP3(smil.with_suffix(".mp3")).info.length
    assert abs(total - elapsed) < 0.5
    assert abs(total - audio) < 0.5
    bulletin = MP3(out / edition / f"{edition}.{language}.mp3").info.length
    assert abs(total - bulletin) < 0.5


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_sentence_times_are_the_transcripts(out: Path, edition: str, language: str) -> None:
    """Each sentence is timed as the bulletin's WebVTT cue for it, within 10 ms."""
    folder = daisy(out, edition, language)
    timed = []
    for smil in smil_files(folder):
        head = {m.get("name"): m.get("content") for m in parse(smil).iter("meta")}
        start = clock_s(head["ncc:totalElapsedTime"])
        document = parse(folder / smil.with_suffix(".html").name)
        for _, text, audio in pars(smil):
            assert audio is not None
            element = document.xpath("//*[@id=$id]", id=text.get("src").split("#")[1])[0]
            begin, end = npt_s(audio.get("clip-begin")), npt_s(audio.get("clip-end"))
            timed.append(("".join(element.itertext()), start + begin, start + end))
    vtt = out / edition / f"{edition}.{language}.vtt"
    cues = read_webvtt(vtt.read_text("utf-8"))
    assert len(cues) == len(timed)
    for cue, (text, begin, end) in zip(cues, timed, strict=True):
        assert " ".join(text.split()) == " ".join(cue.text.split())
        assert abs(cue.start_ms / 1000 - begin) <= 0.010
        assert abs(cue.end_ms / 1000 - end) <= 0.010


def test_arabic_is_right_to_left(out: Path) -> None:
    """The Arabic book's documents say their language and direction."""
    folder = daisy(out, SAMPLE, "ar")
    for document in [folder / "ncc.html", *folder.glob("s*.html")]:
        root = parse(document)
        assert root.get("lang") == "ar"
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
        assert root.get("dir") == "rtl"
    italian = parse(daisy(out, SAMPLE, "it") / "s02.html")
    assert italian.get("dir") == "ltr" and italian.get("lang") == "it"


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_files_and_zip(out: Path, edition: str, language: str) -> None:
    """UTF-8 with an XML declaration, short lower-case ASCII names in reading order, a flat zip."""
    folder = daisy(out, edition, language)
    names = sorted(p.name for p in folder.iterdir())
    for name in names:
        assert re.fullmatch(r"[a-z0-9_.-]{1,64}", name), name
        if not name.endswith(".mp3"):
            data = (folder / name).read_bytes()
            assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
            data.decode("utf-8")
    order = [p.stem for p in smil_files(folder)]
    assert order == sorted(order)
    with zipfile.ZipFile(out / edition / f"{edition}.{language}.daisy.zip") as archive:
        entries = archive.namelist()
        assert entries[0] == "ncc.html"
        assert sorted(entries) == names
        assert all("/" not in entry for entry in entries)
        for entry in entries:
            assert archive.read(entry) == (folder / entry).read_bytes()


def test_hostile_headline_is_text(out: Path) -> None:
    """A headline with markup, quotes and Arabic comes out as written, in the NCC and the text."""
    folder = daisy(out, SECOND, "it")
    ncc = parse(folder / "ncc.html")
    labels = [" ".join(a.itertext()) for a in ncc.xpath("//x:h2/x:a", namespaces=NS)]
    assert HOSTILE_HEADLINE in labels
    documents = [parse(path) for path in sorted(folder.glob("s*.html"))]
    headings = ["".join(h.itertext()) for d in documents for h in d.xpath("//x:h2", namespaces=NS)]
    assert HOSTILE_HEADLINE in headings
    assert not any(d.xpath("//x:b", namespaces=NS) for d in documents)


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_page_links_the_books(out: Path, edition: str, language: str) -> None:
    """The bulletin's listening page links its DAISY zip and its EPUB, with their sizes."""
    import lxml.html

    path = out / edition / f"{edition}.{language}.html"
    page = lxml.html.fromstring(path.read_bytes())
    links = {a.get("href"): a.text_content() for a in page.xpath("//ul[@class='downloads']/li/a")}
    for suffix in (".daisy.zip", ".epub"):
        name = f"{edition}.{language}{suffix}"
        assert name in links
        size = (out / edition / name).stat().st_size
        assert f"{size / 1e6:.1f} MB" in links[name]
    assert page.xpath("//p[@class='books-hint']")
