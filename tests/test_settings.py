"""Settings: the documented precedence, and the README's table read from the one place defaults live."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import REPO

from bulletins.errors import ConfigError
from bulletins.settings import Settings, resolve

README = REPO / "README.md"


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def test_readme_settings_table_matches_the_defaults() -> None:
    """Every setting is in the README's table, with the default Settings has."""
    section = README.read_text(encoding="utf-8").split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]*) \|", section, re.M))
    assert set(rows) == {f.name for f in fields(Settings)}
    for field in fields(Settings):
        default = getattr(Settings, field.name)
        if default is None or default == ():
            continue
        written = re.match(r"`([^`]*)`", rows[field.name].strip())
        assert written, field.name
        assert written.group(1) == _shown(default), field.name


@pytest.mark.parametrize(
    ("option", "env", "config", "expected"),
    [
        (80, "112", 128, 80),  # the option wins
        (None, "112", 128, 112),  # then the environment
        (None, None, 128, 128),  # then the config file
        (None, None, None, Settings.bitrate),  # then the default
    ],
)
def test_precedence_option_environment_file_default(
    tmp_path: Path, option: int | None, env: str | None, config: int | None, expected: int
) -> None:
    """A command-line option beats the environment, which beats bulletins.toml, which beats the default."""
    config_file = tmp_path / "bulletins.toml"
    config_file.write_text("" if config is None else f"bitrate = {config}\n", encoding="utf-8")
    environ = {"BULLETINS_BITRATE": env} if env else {}
    settings = resolve({"bitrate": option}, environ, config_file)
    assert settings.bitrate == expected


def test_the_config_file_in_the_content_folder_is_found(tmp_path: Path) -> None:
    """Without --config, the content folder's bulletins.toml is read; an environment value still beats it."""
    (tmp_path / "bulletins.toml").write_text(
        'publisher = "Surrey PCC"\nretries = 2\n', encoding="utf-8"
    )
    settings = resolve({"content_dir": tmp_path}, {"BULLETINS_RETRIES": "3"})
    assert (settings.publisher, settings.retries) == ("Surrey PCC", 3)


def test_a_bad_value_names_where_it_came_from(tmp_path: Path) -> None:
    """An invalid value is one error naming the setting and its source."""
    with pytest.raises(
        ConfigError, match=r"BULLETINS_TIMEOUT: 'timeout' has an invalid value 'soon'"
    ):
        resolve({}, {"BULLETINS_TIMEOUT": "soon"})


def test_cli_help_reads_its_defaults_from_settings() -> None:
    """`bulletins build --help` shows the defaults Settings has, not copies of them."""
    from typer.testing import CliRunner

    from bulletins.cli.app import app

    result = CliRunner().invoke(app, ["build", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for shown in (
        f"[default: {Settings.bitrate}]",
        f"[default: {Settings.loudness:g}]",
        f"[default: {Settings.true_peak:g}]",
        f"[default: {Settings.retries}]",
        f"[default: {Settings.concurrency}]",
        f"[default: {Settings.max_concurrency}]",
    ):
        assert shown in text, shown
