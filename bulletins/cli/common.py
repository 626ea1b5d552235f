"""What every command shares: the consoles, one-line errors, the shared options, settings."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bulletins.errors import BulletinsError
from bulletins.settings import Settings, resolve
from bulletins.speech.engines import ENGINES

if TYPE_CHECKING:
    from rich.console import Console


def documented(*names: str, help: str, default: object) -> Any:
    """An option whose help ends with its default, as read from ``Settings`` by the caller."""
    return typer.Option(*names, help=_with_default(help, default), show_default=False)


def documented_argument(*, help: str, default: object) -> Any:
    """An argument whose help ends with its default."""
    return typer.Argument(help=_with_default(help, default), show_default=False)


def _with_default(help: str, default: object) -> str:
    return f"{help} [default: {default}]"


# Messages are never wrapped: a log line from a scheduled run must keep a file's path whole.
# Written to a file or a pipe (no terminal to fit), the summary table gets room for whole
# paths instead of rich's 80 columns; COLUMNS still sets the width when given.
def _out() -> Console:
    from rich.console import Console

    wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
    return Console(soft_wrap=True, width=wide)


def _err() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, highlight=False)


def _fail(exc: BulletinsError, code: int) -> typer.Exit:
    from rich.markup import escape

    _err().print(f"[red]error:[/red] {escape(str(exc))}")
    return typer.Exit(code)


EngineOption = Annotated[
    str | None,
    documented(
        "--engine", "-e", help=f"auto, or one of: {', '.join(ENGINES)}.", default=Settings.engine
    ),
]
VoicesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--voices",
        metavar="<path>",
        help="A folder of voice profiles that override the built-in ones (repeatable).",
    ),
]
CacheDirOption = Annotated[
    str | None,
    documented(
        "--cache-dir",
        help="Clip cache folder, or s3://bucket/prefix (pip install 'bulletins[s3]').",
        default="the user's cache folder",
    ),
]
RateOption = Annotated[
    int | None,
    documented(
        "--rate",
        help="Speaking rate in words a minute, for every language.",
        default="each profile's",
    ),
]
ConfigOption = Annotated[
    Path | None,
    documented("--config", help="A bulletins.toml file.", default="CONTENT_DIR/bulletins.toml"),
]


def _settings(config: Path | None, **options: object) -> Settings:
    try:
        return resolve(options, os.environ, config, tuple(ENGINES))
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc


OutOption = Annotated[
    Path | None,
    documented("--out", "-o", help="Output folder.", default=Settings.out_dir),
]

# The options of `bulletins build`; each help reads its default from Settings.
ContentDirArgument = Annotated[
    Path | None,
    documented_argument(help="Folder of editions.", default=Settings.content_dir),
]
BitrateOption = Annotated[
    int | None,
    documented(help="MP3 bitrate in kb/s.", default=Settings.bitrate),
]
LoudnessOption = Annotated[
    float | None,
    documented(
        help="Integrated loudness of every episode, LUFS.", default=f"{Settings.loudness:g}"
    ),
]
TruePeakOption = Annotated[
    float | None,
    documented(help="Highest true peak, dBTP.", default=f"{Settings.true_peak:g}"),
]
PublisherOption = Annotated[str | None, typer.Option(help="Publisher, for the artist tag.")]
BulletinOption = Annotated[
    str | None, typer.Option(help="Name of the bulletin series, for the album tag.")
]
WorkersOption = Annotated[
    int | None,
    documented(
        help="Offline voice processes and bulletins encoded at once.", default="one per core"
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    documented(
        help="Requests to the online voice in flight at first.", default=Settings.concurrency
    ),
]
MaxConcurrencyOption = Annotated[
    int | None,
    documented(
        help="Most requests in flight once the server keeps up.", default=Settings.max_concurrency
    ),
]
RetriesOption = Annotated[
    int | None,
    documented(help="Retries of a refused request.", default=Settings.retries),
]
FallbackOption = Annotated[
    str | None,
    documented(
        help="'offline': re-speak an article the online voice fails with eSpeak NG.",
        default=Settings.fallback,
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
    documented(help="Square JPEG or PNG cover for every feed.", default="one drawn per language"),
]
CacheOption = Annotated[
    bool | None,
    documented("--cache/--no-cache", help="Reuse clips spoken before.", default="cache"),
]
DiscloseOption = Annotated[
    bool | None,
    documented(
        "--disclosure/--no-disclosure",
        help="End every episode by saying, in its language, that a synthetic voice read it.",
        default="disclosure" if Settings.disclose_voice else "no-disclosure",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]
AsJsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help="Print the summary as JSON on standard output, for scheduled runs."
    ),
]
