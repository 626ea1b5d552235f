"""The command line end to end: build, say and voices, read back from the files they write."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import closed_port, write
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from bulletins.cli.app import app
from bulletins.episodes.tags import VOICE_TAG
from bulletins.testing import FakeGoogle

EDITION = "2026-05-community-safety-assembly"


def bulletin(out: Path, language: str) -> Path:
    return out / EDITION / f"{EDITION}.{language}.mp3"


def no_partial_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_build_sample_edition_offline(runner: CliRunner, content: Path, tmp_path: Path) -> None:
    """auto falls back to eSpeak NG once, and writes an Italian and an Arabic bulletin, tagged."""
    out = tmp_path / "audio"
    result = runner.invoke(
        app,
        ["build", str(content), "--out", str(out)],
        env={"BULLETINS_GTTS_ENDPOINT": closed_port()},
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Google's voice is not reachable") == 1
    assert "2 bulletin(s) and 2 article episode(s) in 2 language(s)" in result.stdout
    for language, code3, headline in (
        ("it", "ita", "I servizi si impegnano"),
        ("ar", "ara", "تلتزم الخدمات"),
    ):
        audio = MP3(bulletin(out, language))
        assert audio.info.length > 60
        assert (audio.info.sample_rate, audio.info.channels, audio.info.bitrate) == (
            44100,
            1,
            96000,
        )
        tags = audio.tags
        assert isinstance(tags, ID3) and tags.version == (2, 4, 0)
        assert str(tags["TLAN"]) == code3
        assert str(tags["TALB"]) == "Surrey Community Safety News"
        assert str(tags["TPE1"]) == "Office of the Police and Crime Commissioner for Surrey"
        assert str(tags["TDRC"]) == "2026-05"
        assert str(tags["TIT2"]).startswith(headline)
        # The article's voice; the Arabic bulletin also names the English one that reads "Surrey".
        # Offline, SVOX Pico reads Italian and English where it is installed (CI installs it).
        voices = tags[f"TXXX:{VOICE_TAG}"].text[0].split("; ")
        pico = shutil.which("pico2wave") is not None
        italian = "SVOX Pico" if pico else "eSpeak NG 1.52.0, voice it"
        english = "SVOX Pico" if pico else "eSpeak NG 1.52.0, voice en-gb"
        wanted = [italian] if language == "it" else ["eSpeak NG 1.52.0, voice ar", english]
        assert len(voices) == len(wanted), voices
        assert all(any(v.startswith(w) for v in voices) for w in wanted), voices
        assert headline in tags.getall("USLT")[0].text
        chapters = tags.getall("CHAP")
        assert len(chapters) == 1 and str(chapters[0].sub_frames["TIT2"]).startswith(headline)
        assert chapters[0].start_time == 0
        assert abs(chapters[0].end_time / 1000 - audio.info.length) < 0.1
        assert tags.getall("CTOC")[0].child_element_ids == ["chp1"]
    assert no_partial_files(out)


def test_build_with_google_voice(runner: CliRunner, content: Path, tmp_path: Path) -> None:
    """With Google's voice reachable, auto uses it for both languages, with each language's code (and English for "Surrey" in Arabic)."""
    out = tmp_path / "audio"
    with FakeGoogle() as fake:
        result = runner.invoke(
            app,
            ["build", str(content), "--out", str(out), "--quiet"],
            env={"BULLETINS_GTTS_ENDPOINT": fake.url},
        )
        requests = fake.requests
    assert result.exit_code == 0, result.output
    assert {r.lang for r in requests} == {"it", "ar", "en"}
    assert {r.text for r in requests if r.lang == "en"} == {
        "Surrey",
        "Surrey.",
        "Surrey Community Safety News",
    }
    assert all(len(r.text) <= 100 for r in requests)
    for language in ("it", "ar"):
        tags = MP3(bulletin(out, language)).tags
        assert tags is not None and tags[f"TXXX:{VOICE_TAG}"].text[0].startswith(
            f"Google Translate voice {language}"
        )


BAD_FILES: dict[str, bytes] = {
    "empty.txt": b"",
    "spaces.txt": b"   \n\n  ",
    "latin1.txt": "Città\n\nUna città più sicura per tutti.\n".encode("latin-1"),
    "binary.txt": bytes(range(256)) * 4,
    "control.txt": b"Title\n\nEscape \x1b[31m codes.\n",
    "headline.txt": b"Just a headline\n",
    "word.txt": b"Title\n\n" + b"z" * 5000 + b"\n",
    "notice.zu.txt": b"Isaziso\n\nUmphakathi uhlangene ukuxoxa ngokuphepha.\n",
    "unclear.txt": b"OK\n\nok ok ok\n",
}


def test_bad_articles_fail_alone(runner: CliRunner, content: Path, tmp_path: Path) -> None:
    """Each bad file gets one error line naming it; the sample still builds; exit 1; no traceback."""
    edition = content / EDITION
    for name, data in BAD_FILES.items():
        write(edition / name, data)
    write(edition / "huge.txt", b"Title\n\n" + b"parola " * 200_000)
    out = tmp_path / "audio"
    result = runner.invoke(app, ["build", str(content), "--out", str(out), "--engine", "espeak"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    for name in [*BAD_FILES, "huge.txt"]:
        assert sum(str(edition / name) in line for line in errors) == 1, (name, result.stderr)
    assert len(errors) == len(BAD_FILES) + 1
    assert "Traceback" not in result.output
    assert bulletin(out, "it").is_file() and bulletin(out, "ar").is_file()
    assert sorted(p.name for p in (out / EDITION).glob("*.mp3")) == [
        f"{EDITION}.ar.mp3",
        f"{EDITION}.it.mp3",
    ]
    assert no_partial_files(out)


def test_failed_rebuild_keeps_earlier_output(
    runner: CliRunner, content: Path, tmp_path: Path
) -> None:
    """When an article turns bad, its earlier bulletin stays byte for byte as it was."""
    out = tmp_path / "audio"
    assert (
        runner.invoke(app, ["build", str(content), "--out", str(out), "-e", "tone", "-q"]).exit_code
        == 0
    )
    before = bulletin(out, "it").read_bytes()
    (content / EDITION / "community-safety-assembly.it.txt").write_bytes(b"\x00\x01binary")
    result = runner.invoke(app, ["build", str(content), "--out", str(out), "-e", "tone", "-q"])
    assert result.exit_code == 1
    assert "is a binary file" in result.stderr
    assert bulletin(out, "it").read_bytes() == before
    assert no_partial_files(out)


def test_markup_and_path_titles_are_safe(runner: CliRunner, tmp_path: Path) -> None:
    """Titles that look like paths or markup stay intact in the tags and never shape file names."""
    content = tmp_path / "content"
    headline = '../../etc/passwd <script>alert("x")</script> & "news"'
    write(
        content / "Édition spéciale" / "../x.en.txt".replace("../", ""),
        f"{headline}\n\nThe council met on Monday and agreed the budget.\n",
    )
    out = tmp_path / "audio"
    result = runner.invoke(app, ["build", str(content), "--out", str(out), "-e", "tone", "-q"])
    assert result.exit_code == 0, result.output
    # The episodes (the talking book's own MP3s, inside its .daisy folder, aside).
    files = sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*.mp3") if ".daisy" not in p.parent.name
    )
    assert files == [
        "edition-speciale/articles/x.en.mp3",
        "edition-speciale/edition-speciale.en.mp3",
    ]
    every = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    assert all(name.isascii() and ".." not in name for name in every)
    tags = MP3(out / files[1]).tags
    assert tags is not None and str(tags["TIT2"]) == headline


def test_say(runner: CliRunner, tmp_path: Path) -> None:
    """say speaks one text, detecting its language, into a tagged MP3."""
    out = tmp_path / "hello.mp3"
    result = runner.invoke(
        app,
        [
            "say",
            "Buongiorno a tutti, questa è una prova del sistema.",
            "-o",
            str(out),
            "-e",
            "espeak",
        ],
    )
    assert result.exit_code == 0, result.output
    tags = MP3(out).tags
    assert tags is not None and str(tags["TLAN"]) == "ita"
    assert MP3(out).info.length > 1


def test_say_refuses_unclear_language(runner: CliRunner, tmp_path: Path) -> None:
    """say with text too short to identify asks for --lang, and writes nothing."""
    out = tmp_path / "x.mp3"
    result = runner.invoke(app, ["say", "ok", "-o", str(out), "-e", "espeak"])
    assert result.exit_code == 1
    assert "cannot tell its language" in result.stderr
    assert not out.exists()


def test_voices_lists_profiles(runner: CliRunner) -> None:
    """voices shows each shipped profile with the engines that can speak it."""
    result = runner.invoke(app, ["voices"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("Italiano", "العربية", "English"):
        assert name in result.stdout
    assert "espeak" in result.stdout


@pytest.mark.parametrize("command", [[], ["build"], ["say"], ["voices"]])
def test_help(runner: CliRunner, command: list[str]) -> None:
    """Every command explains itself."""
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_bad_setting_is_a_usage_error(runner: CliRunner, content: Path) -> None:
    """An invalid option value is one line and exit 2."""
    result = runner.invoke(app, ["build", str(content), "--bitrate", "100"])
    assert result.exit_code == 2
    assert "bitrate 100 kb/s is not an MP3 bitrate" in result.stderr


def test_python_dash_m(tmp_path: Path) -> None:
    """python -m bulletins runs the same command line."""
    result = subprocess.run(
        [sys.executable, "-m", "bulletins", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("bulletins ")


def test_missing_content_folder(runner: CliRunner, tmp_path: Path) -> None:
    """A content folder that does not exist is one clear error."""
    result = runner.invoke(app, ["build", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "nowhere: is not a folder of editions" in result.stderr
    assert shutil.which  # keep shutil import honest for readers of this file


def test_summary_and_pages_show_the_same_duration(
    runner: CliRunner, content: Path, tmp_path: Path
) -> None:
    """The build's summary and each episode's page show one duration, in whole seconds elapsed."""
    import json
    import re

    out = tmp_path / "audio"
    result = runner.invoke(app, ["build", str(content), "--out", str(out), "-e", "tone", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    result = runner.invoke(app, ["build", str(content), "--out", str(out), "-e", "tone"])
    for episode in summary["bulletins"]:
        seconds = int(episode["duration_s"])
        shown = f"{seconds // 60}:{seconds % 60:02d}"
        page = Path(episode["path"]).with_suffix(".html")
        html = page.read_text(encoding="utf-8")
        assert re.search(rf'<span dir="ltr">{shown}</span>', html), (shown, page)
        assert shown in result.stdout
