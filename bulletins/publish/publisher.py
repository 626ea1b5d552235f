"""Publishing: a build's episodes go into the history, and the feeds are rewritten from it."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from bulletins.atomic import atomic_output
from bulletins.model import Episode, EpisodeKind, Problem, Stage
from bulletins.outputs import exclusive, sidecars
from bulletins.profiles.profile import Profile, profile_for
from bulletins.publish import feeds, history, podcast
from bulletins.publish.briefing import write_briefings
from bulletins.publish.covers import check_cover, make_cover
from bulletins.publish.manifest import Manifest
from bulletins.publish.opml import write_opml
from bulletins.publish.options import PublishOptions
from bulletins.publish.site import Written, write_site


def _stem(episode: Episode) -> str:
    """The article's stem for an article episode; empty for a bulletin."""
    return episode.articles[0].stem if episode.kind == EpisodeKind.ARTICLE else ""


def _guid(episode: Episode) -> str:
    return history.guid_for(episode.kind, episode.edition.slug, _stem(episode), episode.language)


def publish(
    episodes: Sequence[Episode],
    profiles: Mapping[str, Profile],
    options: PublishOptions,
    withheld: Sequence[Episode] = (),
) -> list[Problem]:
    """Record a build's episodes in the history and rewrite the feeds and pages from it.

    ``withheld`` are episodes written but not to be published (proof-listening failed
    them): any earlier version of them leaves the history, the feeds and the pages, as
    its audio is gone, until a build publishes them again.

    Returns:
        The problems, for the build's summary (no base_url, an episode left off the pages).
    """
    out_dir = options.out_dir
    stems = [_stem(e) for e in episodes]
    guids = [_guid(e) for e in episodes]
    # Only this build's episodes are looked up: the date an earlier build gave one stays.
    known = history.find(out_dir, guids)
    times = PublicationTimes(history.publication_times(out_dir))
    records = []
    for episode, stem, guid in zip(episodes, stems, guids, strict=True):
        earlier = known.get(guid)
        files = {k: str(p.relative_to(out_dir)) for k, p in sidecars(episode.path).items()}
        published = episode.date or (earlier.published if earlier else date.today().isoformat())
        records.append(
            history.Record(
                guid=guid,
                kind=episode.kind,
                edition=episode.edition.slug,
                article=stem,
                language=episode.language,
                title=episode.title,
                description=episode.description,
                published=published,
                audio=str(episode.path.relative_to(out_dir)),
                bytes=episode.path.stat().st_size,
                duration_ms=episode.duration_ms,
                vtt=files["vtt"],
                srt=files["srt"],
                chapters=files["chapters"] if episode.kind == EpisodeKind.BULLETIN else "",
                updated=datetime.now(UTC).isoformat(timespec="seconds"),
                published_at=earlier.published_at
                if earlier and earlier.published_at
                else times.take(episode.language, episode.kind, published),
                narrator=episode.narrator,
            )
        )
    history.record(out_dir, records)
    for record in history.forget(out_dir, [_guid(e) for e in withheld]):
        (out_dir / history.page_path(record)).unlink(missing_ok=True)
    return _rewrite(profiles, options)


class PublicationTimes:
    """Publication times for new episodes: never later than now, and each distinct from
    every other in its feed (AntennaPod and Apple order and merge items by them)."""

    def __init__(self, taken: set[tuple[str, str, str]], now: datetime | None = None) -> None:
        self._taken = taken
        self._now = (now or datetime.now(UTC)).replace(microsecond=0)

    def take(self, language: str, kind: str, published: str) -> str:
        """The time of a new episode of the day ``published`` (ISO date): 09:00 UTC that
        day, or now if that is later than now; a second earlier while that one is taken.
        The episodes of a build are taken in reading order, so each feed lists them in it."""
        day = date.fromisoformat(podcast.iso_day(published))
        when = min(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), self._now)
        while (language, str(kind), when.isoformat()) in self._taken:
            when -= timedelta(seconds=1)
        self._taken.add((language, str(kind), when.isoformat()))
        return when.isoformat()


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
        owner_email=options.owner_email,
        update_frequency=options.update_frequency,
    )
    written = feeds.write_feeds(options.out_dir, feed_settings, profiles, whole, manifest)
    problems = []
    if not options.owner_email and whole:
        problems.append(
            Problem(
                Stage.PUBLISH,
                "no owner_email is set, so the feeds name no owner: podcast hosts and directories cannot confirm who may move or import them (set owner_email)",
                warning=True,
            )
        )
    languages = sorted({path.parent.name for path in written})
    for folder in sorted({path.parent for path in written}):
        cover = folder / "cover.png"
        if options.cover is not None:
            check_cover(options.cover)
            with atomic_output(cover) as temporary:
                shutil.copyfile(options.cover, temporary)
        elif not cover.is_file():
            make_cover(cover, options.bulletin, profile_for(folder.name, profiles).name)
    listed = write_opml(options.out_dir, languages, profiles, feed_settings, whole, manifest)
    briefings, briefing_problems = write_briefings(
        options.out_dir, languages, feed_settings, whole, manifest
    )
    return [*written, *([listed] if listed else []), *briefings], problems + briefing_problems


def remove_episodes(
    profiles: Mapping[str, Profile], options: PublishOptions, edition: str, language: str | None
) -> list[history.Record]:
    """Drop an edition's episodes from the history, the feeds and the pages; their audio
    and transcripts stay where they are."""
    with exclusive(options.out_dir):
        removed = history.remove(options.out_dir, edition, language)
        for record in removed:
            (options.out_dir / history.page_path(record)).unlink(missing_ok=True)
        _rewrite(profiles, options)
    return removed
