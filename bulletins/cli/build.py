"""`bulletins build` and `bulletins say`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bulletins.cli.common import (
    AsJsonOption,
    BaseUrlOption,
    BitrateOption,
    BulletinOption,
    CacheDirOption,
    CacheOption,
    ConcurrencyOption,
    ConfigOption,
    ContentDirArgument,
    CoverOption,
    DiscloseOption,
    EngineOption,
    FallbackOption,
    LoudnessOption,
    MaxConcurrencyOption,
    OutOption,
    PublisherOption,
    QuietOption,
    RateOption,
    RetriesOption,
    TruePeakOption,
    VoicesOption,
    WorkersOption,
    _err,
    _fail,
    _out,
    _settings,
    documented,
)
from bulletins.errors import BulletinsError, WriteError
from bulletins.settings import Settings

if TYPE_CHECKING:
    from rich.console import Console

    from bulletins.build import Report

TalkingBooksOption = Annotated[
    bool | None,
    documented(
        "--talking-books/--no-talking-books",
        help="Also make each bulletin a DAISY 2.02 book and an EPUB 3 with Media Overlays.",
        default="talking-books" if Settings.talking_books else "no-talking-books",
    ),
]

ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Run the offline voices and the encoding on a Dask cluster: its scheduler's "
        "address (tcp://host:8786) or scheduler file, or local:N for N worker processes "
        "here (pip install 'bulletins[dask]'). The cache must be one the workers share.",
    ),
]

CheckOption = Annotated[
    bool | None,
    documented(
        "--check/--no-check",
        help="Proof-listen each new episode with an offline recogniser (pip install "
        "'bulletins[check]'); one heard as another language, or mostly unintelligible, "
        "is kept out of the feeds.",
        default="no-check",
    ),
]

# The library, rich's progress bars and the summary load when a command runs, not when
# the command line starts, so `bulletins --help` answers at once.


def build_command(
    content_dir: ContentDirArgument = None,
    out_dir: OutOption = None,
    engine: EngineOption = None,
    voices: VoicesOption = None,
    bitrate: BitrateOption = None,
    rate: RateOption = None,
    loudness: LoudnessOption = None,
    true_peak: TruePeakOption = None,
    publisher: PublisherOption = None,
    bulletin: BulletinOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    concurrency: ConcurrencyOption = None,
    max_concurrency: MaxConcurrencyOption = None,
    retries: RetriesOption = None,
    fallback: FallbackOption = None,
    base_url: BaseUrlOption = None,
    cover: CoverOption = None,
    talking_books: TalkingBooksOption = None,
    check: CheckOption = None,
    cache_dir: CacheDirOption = None,
    cache: CacheOption = None,
    disclosure: DiscloseOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
    as_json: AsJsonOption = False,
) -> None:
    """Build one spoken bulletin per edition and language.

    Each folder under CONTENT_DIR is an edition of .txt and .md articles; translations
    share a name (assembly.it.txt, assembly.ar.txt). Exits 1 when any article failed
    (the others are still built), 2 on a usage or configuration error.
    """
    settings = _settings(
        config,
        content_dir=content_dir,
        out_dir=out_dir,
        engine=engine,
        voices_dirs=voices,
        bitrate=bitrate,
        rate=rate,
        loudness=loudness,
        true_peak=true_peak,
        publisher=publisher,
        bulletin=bulletin,
        workers=workers,
        cluster=cluster,
        concurrency=concurrency,
        max_concurrency=max_concurrency,
        retries=retries,
        fallback=fallback,
        cache_dir=cache_dir,
        cache=cache,
        base_url=base_url,
        cover=cover,
        talking_books=talking_books,
        check=check,
        disclose_voice=disclosure,
    )
    from bulletins.cli.summary import _summary, report_json

    out, err = _out(), _err()
    report = _build_with_progress(settings, err, show=not (quiet or as_json))
    if as_json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    elif quiet:
        for error in report.errors:
            err.print(f"[red]error:[/red] {error}")
    else:
        _summary(report, out, err, settings.out_dir)
    if not report.ok:
        raise typer.Exit(1)


def _build_with_progress(settings: Settings, err: Console, show: bool) -> Report:
    """Build, with a progress bar per bulletin on a terminal; a build that cannot start exits 2."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )

    from bulletins.build import build

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not show or not err.is_terminal,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        try:
            return build(settings, progress)
        except WriteError as exc:
            raise _fail(exc, 1) from exc  # a full disk: something failed, not the usage
        except BulletinsError as exc:
            raise _fail(exc, 2) from exc


def say_command(
    text: Annotated[
        str, typer.Argument(help="The text to speak; '-' reads it from standard input.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The MP3 file to write.")],
    lang: Annotated[
        str | None, typer.Option("--lang", "-l", help="ISO 639-1 code; detected when omitted.")
    ] = None,
    engine: EngineOption = None,
    voices: VoicesOption = None,
    rate: RateOption = None,
    config: ConfigOption = None,
) -> None:
    """Speak one text into an MP3 file."""
    from bulletins.build import say
    from bulletins.model import clock

    settings = _settings(config, engine=engine, voices_dirs=voices, rate=rate)
    if text == "-":
        text = sys.stdin.read()
    try:
        episode = say(text, lang.lower() if lang else None, output, settings)
    except BulletinsError as exc:
        raise _fail(exc, 1) from exc
    _out().print(
        f"{episode.path} ({episode.language}, {episode.engine}, {clock(episode.duration_ms)})",
        highlight=False,
    )
