"""`bulletins cache`, `bulletins episodes` and `bulletins serve`."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from bulletins.cli.common import (
    CacheDirOption,
    ConfigOption,
    OutOption,
    _err,
    _fail,
    _out,
    _settings,
)
from bulletins.errors import BulletinsError


def cache_info(cache_dir: CacheDirOption = None, config: ConfigOption = None) -> None:
    """Show where the cache is, how many clips and encoded pieces it holds, and their size."""
    from bulletins.cache import ClipCache, default_cache_dir

    settings = _settings(config, cache_dir=cache_dir)
    info = ClipCache(settings.cache_dir or default_cache_dir()).info()
    _out().print(
        f"{info.path}: {info.entries} clip(s), {info.pieces} encoded piece(s), {info.bytes / 1e6:.1f} MB",
        highlight=False,
    )


def cache_clear(cache_dir: CacheDirOption = None, config: ConfigOption = None) -> None:
    """Delete every clip and encoded piece in the cache; the next build speaks and encodes everything again."""
    from bulletins.cache import ClipCache, default_cache_dir

    settings = _settings(config, cache_dir=cache_dir)
    info = ClipCache(settings.cache_dir or default_cache_dir()).clear()
    _out().print(
        f"{info.path}: deleted {info.entries} clip(s), {info.pieces} encoded piece(s), {info.bytes / 1e6:.1f} MB",
        highlight=False,
    )


def episodes_list(out_dir: OutOption = None, config: ConfigOption = None) -> None:
    """List every episode the feeds publish, newest first."""
    from rich.table import Table

    from bulletins.model import clock
    from bulletins.publish import history

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


def episodes_remove(
    edition: Annotated[str, typer.Argument(help="The edition's folder name (its slug).")],
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Only this language.")] = None,
    out_dir: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Remove an edition's episodes from the history and the feeds (the files are kept)."""
    settings = _settings(config, out_dir=out_dir)
    try:
        from bulletins import options
        from bulletins.publish.publisher import remove_episodes

        profiles = options.profiles(settings)
        removed = remove_episodes(profiles, options.publish_options(settings), edition, lang)
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


def serve_command(
    out_dir: OutOption = None,
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (another machine needs 0.0.0.0).")
    ] = "127.0.0.1",
    config: ConfigOption = None,
) -> None:
    """Preview the listening site, feeds and audio in a browser, as a web host would serve them."""
    from bulletins.publish.serve import make_server

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
