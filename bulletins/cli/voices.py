"""`bulletins voices`, `bulletins voices install` and `bulletins languages`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bulletins.cli.common import ConfigOption, VoicesOption, _fail, _out, _settings, documented
from bulletins.errors import BulletinsError
from bulletins.speech.engines import ENGINES


def voices_command(
    context: typer.Context,
    voices: VoicesOption = None,
    config: ConfigOption = None,
    all_voices: Annotated[
        bool, typer.Option("--all", help="Also list every voice of every engine.")
    ] = False,
) -> None:
    """List the voice profiles and which engines can speak each language here."""
    from rich.table import Table

    from bulletins import options

    if context.invoked_subcommand is not None:
        return
    settings = _settings(config, voices_dirs=voices)
    try:
        profiles = options.profiles(settings)
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc
    out = _out()
    choice = options.engine_choice(settings)
    table = Table(title="Voice profiles", title_justify="left")
    for column in (
        "language",
        "name",
        "engines (preferred first)",
        "gTTS",
        "eSpeak NG",
        "Piper",
        "Pico",
        "rate",
        "profile",
    ):
        table.add_column(column)
    for code, profile in sorted(profiles.items()):
        speaking = [n for n in profile.engines if n in ENGINES and choice.engine(n).speaks(profile)]
        table.add_row(
            code,
            profile.name,
            ", ".join(speaking) or "none",
            f"{profile.gtts_lang} ({profile.gtts_tld})",
            str(profile.espeak_voice),
            profile.piper_voice or "-",
            profile.pico_voice or "-",
            f"{profile.rate_wpm} wpm",
            str(profile.source),
        )
    out.print(table)
    out.print(
        "Languages without a profile are spoken with defaults when an engine has a voice for them."
    )
    if all_voices:
        listing = Table(title="Engine voices", title_justify="left")
        for column in ("engine", "language", "voice", "description"):
            listing.add_column(column)
        for name in ENGINES:
            for voice in choice.engine(name).voices():
                listing.add_row(voice.engine, voice.language, voice.voice, voice.description)
        out.print(listing)


def languages_command(
    voices: VoicesOption = None,
    config: ConfigOption = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all", help="Every language bulletins knows, not only those with a profile."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON.")] = False,
    as_markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table as Markdown, as the README has it.")
    ] = False,
) -> None:
    """List each language: how it is identified, where sentences end, its voices, its announcements."""
    from rich.table import Table

    from bulletins import options
    from bulletins.speech.coverage import COLUMNS, languages, markdown

    settings = _settings(config, voices_dirs=voices)
    try:
        profiles = options.profiles(settings)
        choice = options.engine_choice(settings)
        rows = languages(profiles, choice, options.identification(settings), every)
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc
    if as_json:
        print(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
        return
    if as_markdown:
        print(markdown(rows), end="")
        return
    table = Table(title="Languages", title_justify="left")
    for column in COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*row.cells())
    _out().print(table)


def voices_install_command(
    name: Annotated[str, typer.Argument(help="A Piper voice, like en_US-joe-medium.")],
    to: Annotated[
        Path | None,
        documented("--to", help="Folder to put it in.", default="the Piper voices folder"),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Download a Piper voice from Piper's voice collection (needs the internet)."""
    from bulletins.speech.engines.piper import install_voice

    settings = _settings(config, piper_voices=to)
    try:
        installed = install_voice(
            name, settings.piper_voices, settings.piper_voices_url, settings.timeout
        )
    except BulletinsError as exc:
        raise _fail(exc, 1) from exc
    _out().print(f"installed {installed.name}: {installed.model}", highlight=False)
