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
from bulletins.publish.serve import serving

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
