"""Publishing: a build's episodes go into the history, and the feeds are rewritten from it."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from bulletins.atomic import atomic_output
from bulletins.model import Episode, EpisodeKind, Problem, Stage
from bulletins.outputs import exclusive, sidecars
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish import history, podcast
from bulletins.publish.briefing import write_briefings
from bulletins.publish.covers import check_cover, make_cover
from bulletins.publish.manifest import Manifest
from bulletins.publish.opml import write_opml
from bulletins.publish.options import PublishOptions
from bulletins.publish.pages import page_path
from bulletins.publish.site import Written, write_site


def publish(
    episodes: Sequence[Episode], profiles: Mapping[str, Profile], options: PublishOptions
) -> list[Problem]:
    """Record a build's episodes in the history and rewrite the feeds and pages from it.

    Returns:
        The problems, for the build's summary (no base_url, an episode left off the pages).
    """
    out_dir = options.out_dir
    stems = [
        episode.articles[0].stem if episode.kind == EpisodeKind.ARTICLE else ""
        for episode in episodes
    ]
    guids = [
        history.guid_for(e.kind, e.edition.slug, stem, e.language)
        for e, stem in zip(episodes, stems, strict=True)
    ]
    # Only this build's episodes are looked up: the date an earlier build gave one stays.
    known = history.find(out_dir, guids)
    records = []
    for episode, stem, guid in zip(episodes, stems, guids, strict=True):
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
    return _rewrite(profiles, options)


def _rewrite(profiles: Mapping[str, Profile], options: PublishOptions) -> list[Problem]:
    """Rewrite the feeds, then the listening pages (which link to them), from the history.

    Only what changed is written: the manifest says what each page and feed item was
    written from, and the files' stamps say whether an episode's files changed since.
    """
    # Only episodes whose files are all there, whole, are listed anywhere.
    whole, stamps = [], {}
    for record in history.episodes(options.out_dir):
        found = history.whole_files(options.out_dir, record)
        if found is not None:
            whole.append(record)
            stamps[record.guid] = found
    manifest = Manifest(options.out_dir)
    _, feed_problems = write_feeds(profiles, options, whole, manifest)
    _, page_problems = write_site(options.out_dir, profiles, options, whole, stamps, manifest)
    manifest.save()
    return feed_problems + page_problems


def write_feeds(
    profiles: Mapping[str, Profile],
    options: PublishOptions,
    whole: Sequence[history.Record],
    manifest: Manifest,
) -> Written:
    """Rewrite every feed (and any missing cover), the feed list and the Alexa briefings
    from the history in the output folder."""
    if not options.base_url:
        problems = []
        if whole:
            problems.append(
                Problem(
                    Stage.PUBLISH,
                    "no base_url is set, so no feeds were written (set it to where the output folder is published)",
                    warning=True,
                )
            )
        return [], problems
    feed_settings = podcast.FeedSettings(
        base_url=options.base_url,
        bulletin=options.bulletin,
        publisher=options.publisher,
        items=options.feed_items,
    )
    feeds = podcast.write_feeds(options.out_dir, feed_settings, profiles, whole, manifest)
    languages = sorted({path.parent.name for path in feeds})
    for folder in sorted({path.parent for path in feeds}):
        cover = folder / "cover.png"
        if options.cover is not None:
            check_cover(options.cover)
            with atomic_output(cover) as temporary:
                shutil.copyfile(options.cover, temporary)
        elif not cover.is_file():
            make_cover(cover, options.bulletin, profile_for(folder.name, profiles).name)
    listed = write_opml(options.out_dir, languages, profiles, feed_settings, whole, manifest)
    briefings, problems = write_briefings(
        options.out_dir, languages, feed_settings, whole, manifest
    )
    return [*feeds, *([listed] if listed else []), *briefings], problems


def remove_episodes(
    profiles: Mapping[str, Profile], options: PublishOptions, edition: str, language: str | None
) -> list[history.Record]:
    """Drop an edition's episodes from the history, the feeds and the pages; their audio
    and transcripts stay where they are."""
    with exclusive(options.out_dir):
        removed = history.remove(options.out_dir, edition, language)
        for record in removed:
            (options.out_dir / page_path(record)).unlink(missing_ok=True)
        _rewrite(profiles, options)
    return removed
