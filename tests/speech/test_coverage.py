"""`bulletins languages`: each language's identification, punctuation, voices and announcements; the README's copy."""

from __future__ import annotations

import json
import re

from conftest import REPO
from typer.testing import CliRunner

from bulletins import options
from bulletins.cli.app import app
from bulletins.settings import Settings
from bulletins.speech.coverage import languages, markdown

README = REPO / "README.md"


def rows_by_code() -> dict[str, dict[str, object]]:
    result = CliRunner().invoke(app, ["languages", "--json"])
    assert result.exit_code == 0, result.output
    return {row["code"]: row for row in json.loads(result.stdout)}


def test_json_describes_each_profile_language() -> None:
    """The JSON names how each language is identified, where its sentences end and which voices speak it."""
    rows = rows_by_code()
    assert {"ti", "zh-hans", "zh-hant", "yue", "so", "ckb", "prs"} <= set(rows)
    assert rows["pa"]["identified"] == "script"
    assert rows["ti"]["identified"] == "script + CLD2"
    assert rows["prs"]["identified"].startswith("declared only")
    assert rows["fa"]["identified"] == "declared only (cannot be told from Dari)"
    assert rows["zh-hans"]["identified"] == "as Chinese, then by its characters"
    assert rows["zh-hans"]["sentence_ends"] == "。 ！ ？ ｡ ． ! ?"
    assert rows["ti"]["offline"] == "espeak ti" and rows["ti"]["online"] == ""
    assert rows["zh-hant"]["online"] == "gtts zh-TW"
    assert rows["so"]["offline"] == rows["so"]["online"] == ""
    assert rows["it"]["announcements"] == "yes"
    assert rows["ps"]["announcements"] == "no"
    assert rows["ti"]["announcements"] == "opening only"


def test_table_lists_every_language_with_all() -> None:
    """--all adds the languages without a profile, named in English and in themselves."""
    result = CliRunner().invoke(app, ["languages", "--all", "--json"])
    assert result.exit_code == 0
    rows = {row["code"]: row for row in json.loads(result.stdout)}
    assert len(rows) > 100
    assert rows["hy"]["native"] == "Հայերեն" and rows["hy"]["identified"] == "script"
    assert rows["hy"]["sentence_ends"] == "։ ՞ ՜"
    assert rows["th"]["sentence_ends"] == "space between phrases"


def test_readme_carries_the_same_table() -> None:
    """The README's language table is what `bulletins languages --markdown` prints."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- languages:.*?-->\n(.*?)<!-- /languages -->", text, re.S)
    assert found, "the README has no language table"
    settings = Settings()
    rows = languages(
        options.profiles(settings),
        options.engine_choice(settings),
        options.identification(settings),
    )
    assert found.group(1) == markdown(rows)
