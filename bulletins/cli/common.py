"""What every command shares: the consoles, one-line errors, the shared options, settings."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..engines import ENGINES
from ..errors import BulletinsError
from ..settings import Settings, resolve


# Messages are never wrapped: a log line from a scheduled run must keep a file's path whole.
# Written to a file or a pipe (no terminal to fit), the summary table gets room for whole
# paths instead of rich's 80 columns; COLUMNS still sets the width when given.
def _out() -> Console:
    wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
    return Console(soft_wrap=True, width=wide)


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


def _fail(exc: BulletinsError, code: int) -> typer.Exit:
    _err().print(f"[red]error:[/red] {escape(str(exc))}")
    return typer.Exit(code)


EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        "-e",
        help=f"auto, or one of: {', '.join(ENGINES)}. \\[default: {Settings.engine}]",
        show_default=False,
    ),
]
VoicesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--voices", help="A folder of voice profiles that override the built-in ones (repeatable)."
    ),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Clip cache folder. \\[default: the user's cache folder]",
        show_default=False,
    ),
]
RateOption = Annotated[
    int | None,
    typer.Option(
        "--rate",
        help="Speaking rate in words a minute, for every language. \\[default: each profile's]",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="A bulletins.toml file. \\[default: CONTENT_DIR/bulletins.toml]"),
]


def _settings(config: Path | None, **options: object) -> Settings:
    try:
        return resolve(options, os.environ, config, tuple(ENGINES))
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc


OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help=f"Output folder. \\[default: {Settings.out_dir}]", show_default=False
    ),
]

# The options of `bulletins build`; each help reads its default from Settings.
ContentDirArgument = Annotated[
    Path | None,
    typer.Argument(
        help=f"Folder of editions. \\[default: {Settings.content_dir}]", show_default=False
    ),
]
BitrateOption = Annotated[
    int | None,
    typer.Option(help=f"MP3 bitrate in kb/s. \\[default: {Settings.bitrate}]", show_default=False),
]
LoudnessOption = Annotated[
    float | None,
    typer.Option(
        help=f"Integrated loudness of every episode, LUFS. \\[default: {Settings.loudness:g}]",
        show_default=False,
    ),
]
TruePeakOption = Annotated[
    float | None,
    typer.Option(
        help=f"Highest true peak, dBTP. \\[default: {Settings.true_peak:g}]", show_default=False
    ),
]
PublisherOption = Annotated[str | None, typer.Option(help="Publisher, for the artist tag.")]
BulletinOption = Annotated[
    str | None, typer.Option(help="Name of the bulletin series, for the album tag.")
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        help="Offline voice processes and bulletins encoded at once. \\[default: one per core]",
        show_default=False,
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        help=f"Requests to the online voice in flight at first. \\[default: {Settings.concurrency}]",
        show_default=False,
    ),
]
MaxConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        help=f"Most requests in flight once the server keeps up. \\[default: {Settings.max_concurrency}]",
        show_default=False,
    ),
]
RetriesOption = Annotated[
    int | None,
    typer.Option(
        help=f"Retries of a refused request. \\[default: {Settings.retries}]",
        show_default=False,
    ),
]
FallbackOption = Annotated[
    str | None,
    typer.Option(
        help=f"'offline': re-speak an article the online voice fails with eSpeak NG. \\[default: {Settings.fallback}]",
        show_default=False,
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        help="URL the output folder is published at; feeds are written when it is set.",
        show_default=False,
    ),
]
CoverOption = Annotated[
    Path | None,
    typer.Option(
        help="Square JPEG or PNG cover for every feed. \\[default: one drawn per language]",
        show_default=False,
    ),
]
CacheOption = Annotated[
    bool | None,
    typer.Option(
        "--cache/--no-cache",
        help="Reuse clips spoken before. \\[default: cache]",
        show_default=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]
AsJsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help="Print the summary as JSON on standard output, for scheduled runs."
    ),
]
