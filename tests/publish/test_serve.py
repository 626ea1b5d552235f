"""The preview server sends each file with the Content-Type apps, speakers and browsers
expect, and lets web players on other sites read transcripts and chapters."""

from __future__ import annotations

import shutil
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from conftest import REPO, SEEDS, build_settings

from bulletins.build import build
from bulletins.publish.serve import CROSS_ORIGIN, TYPES, serving

EDITION = SEEDS["it"].parent.name
BULLETIN = f"{EDITION}/{EDITION}.it"
ARTICLE = f"{EDITION}/articles/community-safety-assembly.it"
# What each kind of file is served as, and whether another site's script may read it.
EXPECTED = [
    ("feeds/it/bulletins.xml", "application/rss+xml; charset=utf-8", False),
    ("feeds/ar/articles.xml", "application/rss+xml; charset=utf-8", False),
    ("feeds.opml", "text/x-opml; charset=utf-8", False),
    ("feeds/it/briefing.json", "application/json", False),
    (f"{BULLETIN}.chapters.json", "application/json+chapters", True),
    (f"{BULLETIN}.vtt", "text/vtt; charset=utf-8", True),
    (f"{ARTICLE}.srt", "application/x-subrip; charset=utf-8", True),
    (f"{BULLETIN}.mp3", "audio/mpeg", False),
    ("feeds/it/cover.png", "image/png", False),
    ("index.html", "text/html; charset=utf-8", False),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample edition built with feeds, once for the module."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(REPO / "content", root / "content")
    chosen = build_settings(root / "content", root, base_url="https://example.org/news")
    assert build(chosen).ok
    return chosen.out_dir


def headers(base: str, path: str, **sent: str) -> Message:
    request = urllib.request.Request(base + path, headers=sent)
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
        return answer.headers


@pytest.mark.parametrize(("path", "content_type", "cross_origin"), EXPECTED)
def test_each_file_is_served_with_its_type(
    served: Path, path: str, content_type: str, cross_origin: bool
) -> None:
    """The Content-Type of the whole file and of a byte range of it; CORS where a web
    player needs it, and nowhere else."""
    assert (served / path).is_file()
    with serving(served) as base:
        for sent in ({}, {"Range": "bytes=0-99"}):
            got = headers(base, path, **sent)
            assert got["Content-Type"] == content_type, sent
            assert got.get("Access-Control-Allow-Origin") == ("*" if cross_origin else None)


def test_the_readme_tells_a_host_the_same() -> None:
    """The README's hosting section gives every type the preview server sends, and the
    cross-origin header for the same files; its nginx, Apache and S3 examples set each
    type a host's own table may lack."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Serving the output folder", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    examples = [
        section.split(f"```{name}", 1)[1].split("```", 1)[0] for name in ("nginx", "apache", "sh")
    ]
    for ending, content_type in TYPES:
        kind, _, charset = content_type.partition("; ")
        assert f"`{content_type}`" in table or (kind in table and charset in table), ending
        if ending not in (".html", ".css", ".js", ".png"):
            assert all(kind in example for example in examples), ending
    for ending in CROSS_ORIGIN:
        row = next(line for line in table.splitlines() if f"`*{ending}`" in line)
        assert row.endswith("| `*` |"), row
    assert sum(example.count("Access-Control-Allow-Origin") for example in examples) == 3
