"""The ``bulletins`` application: the commands, one module per family, assembled.

Help is plain text (``rich_markup_mode=None``): no box drawing for a screen reader to
read out, and none of rich's formatting to load before the help can be printed.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bulletins import __version__
from bulletins.cli.build import build_command, say_command
from bulletins.cli.check import check_command
from bulletins.cli.ingest import ingest_command
from bulletins.cli.manage import (
    cache_clear,
    cache_info,
    episodes_list,
    episodes_remove,
    serve_command,
)
from bulletins.cli.voices import languages_command, voices_command, voices_install_command

__all__ = ["app"]

app = typer.Typer(
    help="Turn written news into accessible spoken audio bulletins.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

app.command("build")(build_command)
app.command("say")(say_command)
app.command("check")(check_command)
app.command("ingest")(ingest_command)
app.command("languages")(languages_command)
app.command("serve")(serve_command)


def _family(
    help: str, *, no_args_is_help: bool = False, invoke_without_command: bool = False
) -> typer.Typer:
    """A family of subcommands, its help plain text like the application's."""
    return typer.Typer(
        help=help,
        no_args_is_help=no_args_is_help,
        invoke_without_command=invoke_without_command,
        rich_markup_mode=None,
    )


voices_app = _family("List the voice profiles, or install a voice.", invoke_without_command=True)
app.add_typer(voices_app, name="voices")
voices_app.callback()(voices_command)
voices_app.command("install")(voices_install_command)

cache_app = _family("Inspect or empty the clip cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
cache_app.command("info")(cache_info)
cache_app.command("clear")(cache_clear)

episodes_app = _family(
    "List or remove published episodes (the feeds' history).", no_args_is_help=True
)
app.add_typer(episodes_app, name="episodes")
episodes_app.command("list")(episodes_list)
episodes_app.command("remove")(episodes_remove)


def _version(value: bool) -> None:
    if value:
        print(f"bulletins {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn written news into accessible spoken audio bulletins."""
