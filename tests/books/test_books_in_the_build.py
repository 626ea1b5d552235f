"""Talking books in the build: turned off, and refused whole when their audio is missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import build_settings
from typer.testing import CliRunner

from bulletins.books import audio
from bulletins.build import build
from bulletins.cli.app import app
from bulletins.errors import AudioError

EDITION = "2026-05-community-safety-assembly"


def book_files(out: Path) -> list[Path]:
    folder = out / EDITION
    return sorted(
        p for p in folder.iterdir() if p.name.endswith((".daisy", ".daisy.zip", ".epub", ".tmp"))
    )


def test_no_talking_books(content: Path, tmp_path: Path, runner: CliRunner) -> None:
    """--no-talking-books makes none; by default --json lists both books of each bulletin."""
    out = tmp_path / "audio"
    common = ["build", str(content), "--out", str(out), "--engine", "tone", "--json"]
    done = runner.invoke(app, [*common, "--no-talking-books"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["talking_books"] == []
    assert book_files(out) == []
    done = runner.invoke(app, common)
    assert done.exit_code == 0, done.output
    listed = json.loads(done.stdout)["talking_books"]
    assert sorted(b["language"] for b in listed) == ["ar", "it"]
    for book in listed:
        assert Path(book["daisy"]).stat().st_size == book["daisy_bytes"]
        assert Path(book["epub"]).stat().st_size == book["epub_bytes"]


def test_missing_audio_writes_no_book(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A book whose audio cannot be had is not written at all, and the error names its edition."""
    settings = build_settings(content, tmp_path)
    assert build(settings).ok
    for path in book_files(settings.out_dir):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    # The encoded pieces are gone and cannot be made again (the episodes stay up to date).
    shutil.rmtree(tmp_path / "cache" / "pieces")

    def fails(job: object) -> None:
        raise AudioError("the clip for 'Surrey' is missing from the cache")

    monkeypatch.setattr(audio, "render_piece_job", fails)
    (settings.out_dir / ".bulletins-build.json").unlink()
    report = build(settings)
    assert not report.ok and report.books == []
    messages = [e.message for e in report.errors]
    assert len(messages) == 2
    assert all(
        m.startswith(f"{EDITION} [") and "no talking book was written" in m for m in messages
    )
    assert book_files(settings.out_dir) == []
