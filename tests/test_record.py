"""The build record: a re-run with nothing changed reads, speaks and writes nothing, and
any change to what a build reads, or to what it wrote, runs the build whole."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_settings
from typer.testing import CliRunner

from bulletins.build import Report, build, pipeline
from bulletins.build.record import RECORD
from bulletins.cli.app import app
from bulletins.errors import EngineUnavailable
from bulletins.speech.engines.google import GoogleEngine

EDITION = "2026-05-community-safety-assembly"


def files(out: Path) -> dict[Path, tuple[bytes, int]]:
    """Every output file but the lock: its bytes and its modification time."""
    return {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and p.name != ".bulletins.lock"
    }


def summary(report: Report) -> list[tuple[object, ...]]:
    return [
        (e.path, e.kind, e.language, e.duration_ms, e.chapters, e.words, e.loudness, e.title)
        for e in report.episodes
    ]


def stand_in(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """From now on, stand in for the pipeline, recording the builds that reach it."""
    reached: list[Path] = []

    def run(settings: object, progress: object, inputs: str) -> Report:
        reached.append(settings.out_dir)  # type: ignore[attr-defined]
        return Report()

    monkeypatch.setattr(pipeline, "run", run)
    return reached


def test_a_rerun_with_nothing_changed_reads_speaks_and_writes_nothing(
    content: Path, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second build answers from the record: the same episodes, marked up to date,
    the same publishing warning, and not one output file touched."""
    settings = build_settings(content, tmp_path)
    first = build(settings)
    assert first.ok and first.episodes and not first.unchanged
    assert [w.message for w in first.warnings] == [
        "no base_url is set, so no feeds were written (set it to where the output folder is published)"
    ]
    before = files(settings.out_dir)

    def boom(*args: object) -> Report:
        raise AssertionError("the pipeline ran")

    monkeypatch.setattr(pipeline, "run", boom)
    again = build(settings)
    assert again.unchanged and again.ok
    assert summary(again) == summary(first)
    assert [e.rebuilt for e in again.episodes] == [False] * len(first.episodes)
    assert again.warnings == first.warnings
    assert again.synthesis.spoken == 0 and again.encoded == 0
    assert files(settings.out_dir) == before


def test_the_command_says_nothing_has_changed(
    content: Path, tmp_path: Path, runner: CliRunner
) -> None:
    """In its summary and in --json, and with every output file as it was."""
    out = tmp_path / "audio"
    command = ["build", str(content), "-o", str(out), "-e", "tone"]
    command += ["--cache-dir", str(tmp_path / "cache"), "--json"]
    first = json.loads(runner.invoke(app, command).stdout)
    assert first["ok"] is True and first["unchanged"] is False
    before = files(out)
    again = json.loads(runner.invoke(app, command).stdout)
    assert again["unchanged"] is True and again["ok"] is True
    assert [b["path"] for b in again["bulletins"]] == [b["path"] for b in first["bulletins"]]
    assert [b["duration_s"] for b in again["bulletins"]] == [
        b["duration_s"] for b in first["bulletins"]
    ]
    assert {b["rebuilt"] for b in again["bulletins"]} == {False}
    table = runner.invoke(app, command[:-1])
    assert table.exit_code == 0, table.output
    episodes = len(first["bulletins"])
    assert f"nothing has changed since the last build: its {episodes} episode(s)" in table.stdout
    assert files(out) == before


def edit_article(content: Path, out: Path) -> None:
    article = content / EDITION / "community-safety-assembly.it.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\n\nUn paragrafo in più.\n", "utf-8")


def add_article(content: Path, out: Path) -> None:
    shutil.copy(
        content / EDITION / "community-safety-assembly.it.txt", content / EDITION / "extra.it.txt"
    )


def delete_transcript(content: Path, out: Path) -> None:
    next(out.rglob("*.it.vtt")).unlink()


def change_page(content: Path, out: Path) -> None:
    page = next(out.rglob("*.html"))
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")


def change_profile(content: Path, out: Path) -> None:
    voices = content.parent / "voices"
    voices.mkdir(exist_ok=True)
    (voices / "it.toml").write_text('code = "it"\nrate_wpm = 150\n', encoding="utf-8")


@pytest.mark.parametrize(
    "change", [edit_article, add_article, delete_transcript, change_page, change_profile]
)
def test_any_change_to_what_a_build_reads_or_wrote_runs_it_whole(
    content: Path,
    tmp_path: Path,
    change: Callable[[Path, Path], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An article edited or added, an output deleted or edited, a voice profile changed."""
    (content.parent / "voices").mkdir()
    settings = build_settings(content, tmp_path, voices_dirs=(content.parent / "voices",))
    assert build(settings).ok
    reached = stand_in(monkeypatch)
    assert build(settings).unchanged and reached == []
    change(content, settings.out_dir)
    build(settings)
    assert reached == [settings.out_dir]


def test_a_changed_setting_runs_the_build_whole(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(build_settings(content, tmp_path)).ok
    reached = stand_in(monkeypatch)
    assert build(build_settings(content, tmp_path)).unchanged
    build(build_settings(content, tmp_path, bitrate=64))
    assert reached == [tmp_path / "audio"]


def test_a_build_with_errors_keeps_no_record_and_its_errors_are_reported_again(
    content: Path, tmp_path: Path
) -> None:
    """An article that cannot be built is tried, and reported, on every run."""
    (content / EDITION / "broken.it.txt").write_bytes(b"\xff\xfe not UTF-8 \xff")
    settings = build_settings(content, tmp_path)
    first = build(settings)
    assert first.errors and not (settings.out_dir / RECORD).exists()
    again = build(settings)
    assert not again.unchanged
    assert [e.message for e in again.errors] == [e.message for e in first.errors]


def test_an_engine_found_unusable_is_checked_again_on_each_rerun(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Google's voice unreachable: `auto` spoke with eSpeak NG, and a re-run answers from
    the record only while Google stays unreachable; once it answers, the build runs."""
    reachable = False

    def check(self: GoogleEngine) -> None:
        if not reachable:
            raise EngineUnavailable("Google's voice is not reachable at the test's address")

    monkeypatch.setattr(GoogleEngine, "check", check)
    settings = build_settings(content, tmp_path, engine="auto")
    first = build(settings)
    reached = stand_in(monkeypatch)
    # Offline: SVOX Pico reads the Italian where it is installed, eSpeak NG the rest.
    offline = {"espeak", "pico"} if shutil.which("pico2wave") else {"espeak"}
    assert first.ok and {e.engine for e in first.episodes} == offline
    assert first.unusable == ("gtts",)
    again = build(settings)
    assert again.unchanged and reached == []
    assert [w.message for w in again.warnings] == [w.message for w in first.warnings]
    reachable = True
    build(settings)
    assert reached == [settings.out_dir]


def test_the_same_build_from_another_folder_answers_from_the_record(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler runs the command from its own folder: with the same folders named, it
    is the same build; the same relative names from another folder are another build."""
    (tmp_path / "here").mkdir()
    shutil.copytree(content, tmp_path / "here" / "content")
    monkeypatch.chdir(tmp_path / "here")
    relative = build_settings(Path("content"), Path("."))
    assert not relative.content_dir.is_absolute() and not relative.out_dir.is_absolute()
    assert build(relative).ok
    reached = stand_in(monkeypatch)
    monkeypatch.chdir(tmp_path)
    absolute = build_settings(tmp_path / "here" / "content", tmp_path / "here")
    assert build(absolute).unchanged and reached == []
    assert (tmp_path / "content" / EDITION).is_dir()  # the same articles, another folder
    build(relative)
    assert reached == [Path("audio")]


def test_a_proof_listening_after_the_build_leaves_the_rerun_a_rerun(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`bulletins check` writes its hearings in the output folder after a build: that is
    not a change to what the build made, and the re-run still answers from the record."""
    settings = build_settings(content, tmp_path)
    assert build(settings).ok
    (settings.out_dir / ".bulletins-check.json").write_text("{}", encoding="utf-8")
    reached = stand_in(monkeypatch)
    assert build(settings).unchanged and reached == []


def test_a_file_changed_in_place_is_caught_after_a_build_that_left_its_folder_alone(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build records an unchanged folder from the last record, without looking at its
    files again; a file changed in place there since is still caught by the re-run, and
    the build that follows records the folder afresh."""
    settings = build_settings(content, tmp_path)
    assert build(settings).ok
    # A file of the talking book, which a build that finds the book up to date leaves alone.
    smil = next(settings.out_dir.glob(f"{EDITION}/*.it.daisy/s01.smil"))
    folder = smil.parent
    folder_time = folder.stat().st_mtime_ns
    with smil.open("a", encoding="utf-8") as file:
        file.write("\n")
    assert folder.stat().st_mtime_ns == folder_time
    # A new edition, from a folder of its own: its build leaves the first edition's
    # folder as it was.
    added = tmp_path / "next" / "2026-06-next-edition"
    added.mkdir(parents=True)
    shutil.copy(content / EDITION / "community-safety-assembly.it.txt", added / "news.it.txt")
    settings = build_settings(added.parent, tmp_path)
    assert build(settings).ok
    assert folder.stat().st_mtime_ns == folder_time
    assert smil.read_text(encoding="utf-8").endswith("\n\n")
    real = pipeline.run
    reached = stand_in(monkeypatch)
    assert not build(settings).unchanged and reached == [settings.out_dir]
    monkeypatch.setattr(pipeline, "run", real)
    assert build(settings).ok
    reached = stand_in(monkeypatch)
    assert build(settings).unchanged and reached == []
