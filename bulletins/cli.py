"""The command line: parse options, resolve settings, call the library, report."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from . import __version__, history
from .build import Report, build, say
from .cache import ClipCache, default_cache_dir
from .engines import ENGINES
from .errors import BulletinsError
from .fetch import FetchOptions
from .ingest import ingest
from .model import EpisodeKind, clock
from .publish import remove_episodes
from .serve import make_server
from .settings import Settings, resolve
from .voicing import Voicing

app = typer.Typer(
    help="Turn written news into accessible spoken audio bulletins.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


def report_json(report: Report) -> dict[str, object]:
    """The build summary as plain data."""
    stats = report.synthesis
    return {
        "ok": report.ok,
        "articles_read": report.articles,
        "bulletins": [
            {
                "path": str(e.path),
                "edition": e.edition.slug,
                "language": e.language,
                "articles": [str(a.path) for a in e.articles],
                "engine": e.engine,
                "voice": e.voice,
                "duration_s": round(e.duration_ms / 1000, 3),
                "chapters": [
                    {"title": c.title, "start_s": c.start_ms / 1000, "end_s": c.end_ms / 1000}
                    for c in e.chapters
                ],
                "rebuilt": e.rebuilt,
                "kind": e.kind,
                "words": e.words,
                "words_per_minute": round(e.words_per_minute, 1) if e.words else None,
                "loudness_lufs": round(e.loudness.integrated, 1) if e.loudness else None,
                "true_peak_dbtp": round(e.loudness.true_peak, 1) if e.loudness else None,
            }
            for e in report.episodes
        ],
        "segments": {
            "spoken": stats.spoken,
            "cached": stats.cached,
            "failed": stats.failed,
            "retries": stats.retries,
        },
        "pieces": {"encoded": report.encoded},
        "warnings": report.warnings,
        "errors": report.errors,
    }


def _summary(report: Report, out: Console, err: Console, out_dir: Path) -> None:
    if report.episodes:
        table = Table(title=f"Bulletins in {out_dir}", title_justify="left")
        columns = ("episode", "lang", "articles", "engine", "duration", "wpm", "LUFS", "dBTP")
        for column in (*columns, "status"):
            table.add_column(column, overflow="fold")
        for episode in report.episodes:
            table.add_row(
                str(episode.path.relative_to(out_dir)),
                episode.language,
                str(len(episode.articles)),
                episode.engine,
                clock(episode.duration_ms),
                f"{episode.words_per_minute:.0f}" if episode.words else "-",
                f"{episode.loudness.integrated:.1f}" if episode.loudness else "-",
                f"{episode.loudness.true_peak:.1f}" if episode.loudness else "-",
                "written" if episode.rebuilt else "up to date",
            )
        out.print(table)
    languages = {e.language for e in report.episodes}
    bulletins = [e for e in report.episodes if e.kind == EpisodeKind.BULLETIN]
    out.print(
        f"{report.articles} article(s) read, {sum(len(e.articles) for e in bulletins)} spoken; "
        f"{len(bulletins)} bulletin(s) and {len(report.episodes) - len(bulletins)} article episode(s) "
        f"in {len(languages)} language(s); "
        f"{len(report.warnings)} warning(s), {len(report.errors)} error(s); "
        f"segments: {report.synthesis.spoken} spoken, {report.synthesis.cached} from the cache; "
        f"pieces: {report.encoded} encoded",
        highlight=False,
    )
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    for error in report.errors:
        err.print(f"[red]error:[/red] {error}")


@app.command("build")
def build_command(
    content_dir: Annotated[
        Path | None,
        typer.Argument(
            help=f"Folder of editions. \\[default: {Settings.content_dir}]", show_default=False
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=f"Output folder. \\[default: {Settings.out_dir}]",
            show_default=False,
        ),
    ] = None,
    engine: EngineOption = None,
    voices: VoicesOption = None,
    bitrate: Annotated[
        int | None,
        typer.Option(
            help=f"MP3 bitrate in kb/s. \\[default: {Settings.bitrate}]", show_default=False
        ),
    ] = None,
    rate: RateOption = None,
    loudness: Annotated[
        float | None,
        typer.Option(
            help=f"Integrated loudness of every episode, LUFS. \\[default: {Settings.loudness:g}]",
            show_default=False,
        ),
    ] = None,
    true_peak: Annotated[
        float | None,
        typer.Option(
            help=f"Highest true peak, dBTP. \\[default: {Settings.true_peak:g}]", show_default=False
        ),
    ] = None,
    publisher: Annotated[str | None, typer.Option(help="Publisher, for the artist tag.")] = None,
    bulletin: Annotated[
        str | None, typer.Option(help="Name of the bulletin series, for the album tag.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Offline voice processes and bulletins encoded at once. \\[default: one per core]",
            show_default=False,
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            help=f"Requests to the online voice in flight at first. \\[default: {Settings.concurrency}]",
            show_default=False,
        ),
    ] = None,
    max_concurrency: Annotated[
        int | None,
        typer.Option(
            help=f"Most requests in flight once the server keeps up. \\[default: {Settings.max_concurrency}]",
            show_default=False,
        ),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(
            help=f"Retries of a refused request. \\[default: {Settings.retries}]",
            show_default=False,
        ),
    ] = None,
    fallback: Annotated[
        str | None,
        typer.Option(
            help=f"'offline': re-speak an article the online voice fails with eSpeak NG. \\[default: {Settings.fallback}]",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="URL the output folder is published at; feeds are written when it is set.",
            show_default=False,
        ),
    ] = None,
    cover: Annotated[
        Path | None,
        typer.Option(
            help="Square JPEG or PNG cover for every feed. \\[default: one drawn per language]",
            show_default=False,
        ),
    ] = None,
    cache_dir: CacheDirOption = None,
    cache: Annotated[
        bool | None,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse clips spoken before. \\[default: cache]",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the summary as JSON on standard output, for scheduled runs."
        ),
    ] = False,
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
        concurrency=concurrency,
        max_concurrency=max_concurrency,
        retries=retries,
        fallback=fallback,
        cache_dir=cache_dir,
        cache=cache,
        base_url=base_url,
        cover=cover,
    )
    out, err = _out(), _err()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or as_json or not err.is_terminal,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        try:
            report = build(settings, progress)
        except BulletinsError as exc:
            raise _fail(exc, 2) from exc
    if as_json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    elif quiet:
        for error in report.errors:
            err.print(f"[red]error:[/red] {error}")
    else:
        _summary(report, out, err, settings.out_dir)
    if not report.ok:
        raise typer.Exit(1)


@app.command("say")
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


@app.command("ingest")
def ingest_command(
    source: Annotated[
        str, typer.Argument(help="An article page or an RSS/Atom feed: its URL, or a saved file.")
    ],
    edition: Annotated[
        str, typer.Option("--edition", help="The edition folder the articles go into.")
    ],
    content_dir: Annotated[
        Path | None,
        typer.Option(
            "--content",
            help=f"Folder of editions. \\[default: {Settings.content_dir}]",
            show_default=False,
        ),
    ] = None,
    allow_private: Annotated[
        bool | None,
        typer.Option(
            "--allow-private/--public-only",
            help="Fetch from loopback and private networks too (an intranet). \\[default: public only]",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help=f"Seconds allowed for each page or feed. \\[default: {Settings.timeout:g}]",
            show_default=False,
        ),
    ] = None,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            help=f"Largest page or feed fetched, in bytes. \\[default: {Settings.max_page_bytes}]",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Bring articles in from the web: a page becomes one article, a feed one per item.

    Articles are written to CONTENT/EDITION as Markdown with front matter, the format
    'build' reads. Ingesting a feed again adds only new items and rewrites changed ones.
    Exits 1 when any item failed (the others are still written), 2 when the source
    itself could not be read.
    """
    settings = _settings(
        config,
        content_dir=content_dir,
        allow_private=allow_private,
        timeout=timeout,
        max_page_bytes=max_bytes,
    )
    out, err = _out(), _err()
    try:
        report = ingest(source, edition, settings.content_dir, FetchOptions.from_settings(settings))
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc
    for item in report.items:
        out.print(
            f"{item.status:9} {item.path} ({item.language or 'language to detect'}) {item.title}",
            highlight=False,
            markup=False,
        )
    for error in report.errors:
        err.print(f"[red]error:[/red] {escape(error)}")
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("added", "updated", "unchanged"))
    failed = f"; {len(report.errors)} failed" if report.errors else ""
    out.print(f"{report.edition}: {counts}{failed}", highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)


voices_app = typer.Typer(
    help="List the voice profiles, or install a voice.", invoke_without_command=True
)
app.add_typer(voices_app, name="voices")


@voices_app.callback()
def voices_command(
    context: typer.Context,
    voices: VoicesOption = None,
    config: ConfigOption = None,
    all_voices: Annotated[
        bool, typer.Option("--all", help="Also list every voice of every engine.")
    ] = False,
) -> None:
    """List the voice profiles and which engines can speak each language here."""
    from .voices import builtin_voices_dir, load_profiles

    if context.invoked_subcommand is not None:
        return
    settings = _settings(config, voices_dirs=voices)
    try:
        profiles = load_profiles([*settings.voices_dirs, builtin_voices_dir()])
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc
    out = _out()
    voicing = Voicing(settings, [])
    table = Table(title="Voice profiles", title_justify="left")
    for column in (
        "language",
        "name",
        "engines (preferred first)",
        "gTTS",
        "eSpeak NG",
        "Piper",
        "rate",
        "profile",
    ):
        table.add_column(column)
    for code, profile in sorted(profiles.items()):
        speaking = [
            n for n in profile.engines if n in ENGINES and voicing.engine(n).speaks(profile)
        ]
        table.add_row(
            code,
            profile.name,
            ", ".join(speaking) or "none",
            f"{profile.gtts_lang} ({profile.gtts_tld})",
            str(profile.espeak_voice),
            profile.piper_voice or "-",
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
            for voice in voicing.engine(name).voices():
                listing.add_row(voice.engine, voice.language, voice.voice, voice.description)
        out.print(listing)


@app.command("languages")
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
    from .coverage import COLUMNS, languages, markdown

    settings = _settings(config, voices_dirs=voices)
    try:
        rows = languages(settings, every)
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


@voices_app.command("install")
def voices_install_command(
    name: Annotated[str, typer.Argument(help="A Piper voice, like en_US-joe-medium.")],
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="Folder to put it in. \\[default: the Piper voices folder]",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Download a Piper voice from Piper's voice collection (needs the internet)."""
    from .engines.piper import install_voice

    settings = _settings(config, piper_voices=to)
    try:
        installed = install_voice(
            name, settings.piper_voices, settings.piper_voices_url, settings.timeout
        )
    except BulletinsError as exc:
        raise _fail(exc, 1) from exc
    _out().print(f"installed {installed.name}: {installed.model}", highlight=False)


cache_app = typer.Typer(help="Inspect or empty the clip cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def cache_info(cache_dir: CacheDirOption = None, config: ConfigOption = None) -> None:
    """Show where the cache is, how many clips and encoded pieces it holds, and their size."""
    settings = _settings(config, cache_dir=cache_dir)
    info = ClipCache(settings.cache_dir or default_cache_dir()).info()
    _out().print(
        f"{info.path}: {info.entries} clip(s), {info.pieces} encoded piece(s), {info.bytes / 1e6:.1f} MB",
        highlight=False,
    )


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDirOption = None, config: ConfigOption = None) -> None:
    """Delete every clip and encoded piece in the cache; the next build speaks and encodes everything again."""
    settings = _settings(config, cache_dir=cache_dir)
    info = ClipCache(settings.cache_dir or default_cache_dir()).clear()
    _out().print(
        f"{info.path}: deleted {info.entries} clip(s), {info.pieces} encoded piece(s), {info.bytes / 1e6:.1f} MB",
        highlight=False,
    )


episodes_app = typer.Typer(
    help="List or remove published episodes (the feeds' history).", no_args_is_help=True
)
app.add_typer(episodes_app, name="episodes")
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help=f"Output folder. \\[default: {Settings.out_dir}]", show_default=False
    ),
]


@episodes_app.command("list")
def episodes_list(out_dir: OutOption = None, config: ConfigOption = None) -> None:
    """List every episode the feeds publish, newest first."""
    settings = _settings(config, out_dir=out_dir)
    table = Table(title=f"Episodes in {settings.out_dir}", title_justify="left")
    for column in ("published", "edition", "kind", "lang", "duration", "title", "file"):
        table.add_column(column, overflow="fold")
    for record in history.episodes(settings.out_dir):
        state = "" if (settings.out_dir / record.audio).is_file() else " (missing)"
        table.add_row(
            record.published,
            record.edition,
            record.kind,
            record.language,
            clock(record.duration_ms),
            record.title,
            record.audio + state,
        )
    _out().print(table)


@episodes_app.command("remove")
def episodes_remove(
    edition: Annotated[str, typer.Argument(help="The edition's folder name (its slug).")],
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Only this language.")] = None,
    out_dir: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Remove an edition's episodes from the history and the feeds (the files are kept)."""
    settings = _settings(config, out_dir=out_dir)
    try:
        removed = remove_episodes(settings, edition, lang)
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc
    if not removed:
        _err().print(
            f"[red]error:[/red] no episodes of edition '{edition}'"
            + (f" in '{lang}'" if lang else "")
        )
        raise typer.Exit(1)
    _out().print(
        f"removed {len(removed)} episode(s) of {edition} from the history and the feeds",
        highlight=False,
    )


@app.command("serve")
def serve_command(
    out_dir: OutOption = None,
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (another machine needs 0.0.0.0).")
    ] = "127.0.0.1",
    config: ConfigOption = None,
) -> None:
    """Preview the listening site, feeds and audio in a browser, as a web host would serve them."""
    settings = _settings(config, out_dir=out_dir)
    try:
        server = make_server(settings.out_dir, host, port)
    except (FileNotFoundError, OSError) as exc:
        _err().print(f"[red]error:[/red] cannot serve {settings.out_dir} on {host}:{port}: {exc}")
        raise typer.Exit(2) from exc
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    _out().print(
        f"serving {settings.out_dir} at http://{shown}:{server.server_address[1]}/ (Ctrl+C stops)",
        highlight=False,
    )
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def _version(value: bool) -> None:
    if value:
        _out().print(f"bulletins {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn written news into accessible spoken audio bulletins."""


def main() -> None:
    """Entry point of the ``bulletins`` console script."""
    app()
