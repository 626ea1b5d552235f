"""Publishing: a build's episodes go into the history, and the feeds are rewritten from it."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from . import feeds, history, site
from .covers import check_cover, make_cover
from .files import atomic_output, exclusive, sidecars
from .model import Episode, EpisodeKind
from .settings import Settings
from .voices import Profile, builtin_voices_dir, load_profiles, profile_for


def publish(
    episodes: Sequence[Episode], profiles: Mapping[str, Profile], settings: Settings
) -> list[str]:
    """Record a build's episodes in the history and rewrite the feeds and pages from it.

    Returns:
        The warnings, for the build's summary (no base_url, an episode left off the pages).
    """
    out_dir = settings.out_dir
    known = {r.guid: r for r in history.episodes(out_dir)}
    records = []
    for episode in episodes:
        stem = episode.articles[0].stem if episode.kind == EpisodeKind.ARTICLE else ""
        guid = history.guid_for(episode.kind, episode.edition.slug, stem, episode.language)
        earlier = known.get(guid)
        files = {k: str(p.relative_to(out_dir)) for k, p in sidecars(episode.path).items()}
        records.append(
            history.Record(
                guid=guid,
                kind=episode.kind,
                edition=episode.edition.slug,
                article=stem,
                language=episode.language,
                title=episode.title,
                description=episode.description,
                published=episode.date
                or (earlier.published if earlier else date.today().isoformat()),
                audio=str(episode.path.relative_to(out_dir)),
                bytes=episode.path.stat().st_size,
                duration_ms=episode.duration_ms,
                vtt=files["vtt"],
                srt=files["srt"],
                chapters=files["chapters"] if episode.kind == EpisodeKind.BULLETIN else "",
                updated=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
    history.record(out_dir, records)
    warnings: list[str] = []
    write_feeds(settings, profiles, warnings)
    write_site(settings, profiles, warnings)
    return warnings


def write_site(
    settings: Settings, profiles: Mapping[str, Profile], warnings: list[str]
) -> list[Path]:
    """Rewrite the listening pages from the history (after the feeds, which they link to)."""
    return site.write_site(
        settings.out_dir,
        profiles,
        settings.bulletin,
        settings.publisher,
        settings.base_url or "",
        warnings,
    )


def write_feeds(
    settings: Settings, profiles: Mapping[str, Profile], warnings: list[str]
) -> list[Path]:
    """Rewrite every feed (and any missing cover) from the history in the output folder."""
    if not settings.base_url:
        if history.episodes(settings.out_dir):
            warnings.append(
                "no base_url is set, so no feeds were written (set it to where the output folder is published)"
            )
        return []
    feed_settings = feeds.FeedSettings(
        base_url=settings.base_url, bulletin=settings.bulletin, publisher=settings.publisher
    )
    written = feeds.write_feeds(settings.out_dir, feed_settings, profiles)
    for folder in sorted({path.parent for path in written}):
        cover = folder / "cover.png"
        if settings.cover is not None:
            check_cover(settings.cover)
            with atomic_output(cover) as temporary:
                shutil.copyfile(settings.cover, temporary)
        elif not cover.is_file():
            make_cover(cover, settings.bulletin, profile_for(folder.name, profiles).name)
    return written


def remove_episodes(settings: Settings, edition: str, language: str | None) -> list[history.Record]:
    """Drop an edition's episodes from the history and the feeds; their files stay where they are."""
    with exclusive(settings.out_dir):
        removed = history.remove(settings.out_dir, edition, language)
        profiles = load_profiles([*settings.voices_dirs, builtin_voices_dir()])
        write_feeds(settings, profiles, [])
        write_site(settings, profiles, [])
    return removed
