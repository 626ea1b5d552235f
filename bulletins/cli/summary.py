"""The build's closing summary, as a table or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from bulletins.model import Episode, EpisodeKind, Problem, clock

if TYPE_CHECKING:
    from bulletins.build import Report


def judged(episode: Episode) -> bool:
    """Whether an episode's rate is judged: its words are counted and its language has a target."""
    return bool(episode.words and episode.rate_target[1])


def report_json(report: Report) -> dict[str, object]:
    """The build summary as plain data."""
    stats = report.synthesis
    return {
        "ok": report.ok,
        "unchanged": report.unchanged,
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
                # No target, and no verdict, for a language without a measured rate.
                "words_per_minute_target": list(e.rate_target) if judged(e) else None,
                "rate": (e.rate_verdict or "within target") if judged(e) else None,
                "loudness_lufs": round(e.loudness.integrated, 1) if e.loudness else None,
                "true_peak_dbtp": round(e.loudness.true_peak, 1) if e.loudness else None,
            }
            for e in report.episodes
        ],
        "talking_books": [
            {
                "edition": b.edition,
                "language": b.language,
                "daisy": str(b.daisy),
                "daisy_bytes": b.daisy_bytes,
                "epub": str(b.epub),
                "epub_bytes": b.epub_bytes,
                "duration_s": round(b.duration_ms / 1000, 3),
                "rebuilt": b.rebuilt,
            }
            for b in report.books
        ],
        "segments": {
            "spoken": stats.spoken,
            "cached": stats.cached,
            "failed": stats.failed,
            "retries": stats.retries,
        },
        "pieces": {"encoded": report.encoded},
        "cluster": None
        if report.cluster is None
        else {
            "address": report.cluster.address,
            "workers": report.cluster.workers,
            "tasks": report.cluster.tasks,
            "retried": report.cluster.retried,
        },
        "warnings": [_problem(p) for p in report.warnings],
        "errors": [_problem(p) for p in report.errors],
    }


def _problem(problem: Problem) -> dict[str, str | None]:
    """A problem as --json gives it: the file it concerns, the stage, and the one-line message."""
    return {
        "path": None if problem.path is None else str(problem.path),
        "stage": str(problem.stage),
        "message": problem.message,
    }


def _books(report: Report, out: Console, out_dir: Path) -> None:
    table = Table(title=f"Talking books in {out_dir}", title_justify="left")
    for column in ("book", "lang", "format", "size", "duration", "status"):
        table.add_column(column, overflow="fold")
    for book in report.books:
        for path, size, kind in (
            (book.daisy, book.daisy_bytes, "DAISY 2.02"),
            (book.epub, book.epub_bytes, "EPUB 3"),
        ):
            table.add_row(
                str(path.relative_to(out_dir)),
                book.language,
                kind,
                f"{size / 1e6:.1f} MB",
                clock(book.duration_ms),
                "written" if book.rebuilt else "up to date",
            )
    out.print(table)


def _rate(episode: Episode) -> str:
    """An episode's rate as heard, and whether it is outside its language's target."""
    if not episode.words:
        return "-"
    verdict = episode.rate_verdict
    low, high = episode.rate_target
    return (
        f"{episode.words_per_minute:.0f} {verdict} ({low}-{high})"
        if verdict
        else f"{episode.words_per_minute:.0f}"
    )


def _paced(report: Report) -> str | None:
    """A line on the episodes heard outside their language's target rate, if any."""
    outside = [e for e in report.episodes if e.rate_verdict]
    if not outside:
        return None
    languages = sorted({e.language for e in outside})
    return (
        f"{len(outside)} episode(s) heard outside their language's rate ({', '.join(languages)}): "
        "ask for a faster or slower rate (--rate, or 'rate' in a copy of the language's voice profile, in a folder given with --voices)"
    )


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
                _rate(episode),
                f"{episode.loudness.integrated:.1f}" if episode.loudness else "-",
                f"{episode.loudness.true_peak:.1f}" if episode.loudness else "-",
                "written" if episode.rebuilt else "up to date",
            )
        out.print(table)
    if report.books:
        _books(report, out, out_dir)
    languages = {e.language for e in report.episodes}
    bulletins = [e for e in report.episodes if e.kind == EpisodeKind.BULLETIN]
    if report.unchanged:
        out.print(
            f"nothing has changed since the last build: its {len(report.episodes)} episode(s), "
            "feeds and pages are up to date; "
            f"{len(report.warnings)} warning(s), {len(report.errors)} error(s)",
            highlight=False,
        )
    else:
        out.print(
            f"{report.articles} article(s) read, {sum(len(e.articles) for e in bulletins)} spoken; "
            f"{len(bulletins)} bulletin(s) and {len(report.episodes) - len(bulletins)} article episode(s) "
            f"in {len(languages)} language(s); "
            f"{len(report.warnings)} warning(s), {len(report.errors)} error(s); "
            f"segments: {report.synthesis.spoken} spoken, {report.synthesis.cached} from the cache; "
            f"pieces: {report.encoded} encoded",
            highlight=False,
        )
    if report.cluster is not None:
        cluster = report.cluster
        out.print(
            f"cluster {cluster.address}: {cluster.workers} worker(s), {cluster.tasks} task(s) run, "
            f"{cluster.retried} retried after their worker died",
            highlight=False,
        )
    paced = _paced(report)
    if paced:
        err.print(f"note: {paced}", highlight=False)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    for error in report.errors:
        err.print(f"[red]error:[/red] {error}")
