"""Building: every edition's articles become one spoken, tagged bulletin per language.

This is the library's front door; the CLI only parses options and calls it. A build
reads and plans everything first, speaks every missing clip in one parallel pass,
then mixes and encodes the bulletins (several at once), skipping any whose file is
already up to date.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3

from . import __version__, content, feeds, history, language, segment
from .cache import ClipCache, clip_key, default_cache_dir
from .content import slugify
from .covers import make_cover
from .engines import ENGINES, Engine, EngineOptions
from .errors import (
    BulletinsError,
    ContentError,
    EngineUnavailable,
    LanguageError,
    SynthesisError,
)
from .files import article_path, atomic_output, bulletin_path, exclusive, sidecars
from .model import Article, Chapter, Edition, Episode, Segment
from .pacing import RetryPolicy
from .settings import Settings
from .synthesis import Job, Stats, SynthesisOptions, Synthesizer
from .tags import BUILD_TAG, TagInfo
from .voices import Profile, builtin_voices_dir, load_profiles, profile_for
from .workers import RenderJob, WorkerPool, render_bulletin

OnProgress = Callable[[str, int, int], None]
"""Called as (bulletin being made, segments ready, segments in all), and as
(``ARTICLES_PROGRESS``, articles ready, articles in all)."""
ARTICLES_PROGRESS = "all articles"


@dataclass
class Report:
    """What a build made and what went wrong, for the closing summary."""

    episodes: list[Episode] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    articles: int = 0
    synthesis: Stats = field(default_factory=Stats)

    @property
    def ok(self) -> bool:
        return not self.errors


class Voicing:
    """Chooses the engine for each language, and remembers what it found out.

    With ``auto``, a profile's engines are tried in its order of preference; the
    first that speaks the language and is usable here wins. An engine found
    unusable is reported once and not tried again in this build.
    """

    def __init__(self, settings: Settings, report: Report) -> None:
        self._choice = settings.engine
        self.options = EngineOptions(
            timeout_s=settings.timeout, gtts_endpoint=settings.gtts_endpoint
        )
        self._engines: dict[str, Engine] = {}
        self._unusable: dict[str, str] = {}
        self._report = report

    def engine(self, name: str) -> Engine:
        if name not in self._engines:
            self._engines[name] = ENGINES[name](self.options)
        return self._engines[name]

    def _candidates(self, profile: Profile) -> list[str]:
        if self._choice != "auto":
            return [self._choice]
        preferred = [name for name in profile.engines if name in ENGINES]
        return preferred + (["espeak"] if "espeak" not in preferred else [])

    def can_speak(self, profile: Profile) -> bool:
        """Whether some candidate engine has a voice for the language (asks no network)."""
        return any(self.engine(name).speaks(profile) for name in self._candidates(profile))

    def _usable(self, name: str) -> bool:
        if name in self._unusable:
            return False
        try:
            self.engine(name).check()
        except EngineUnavailable as exc:
            self._unusable[name] = str(exc)
            if self._choice == "auto":
                self._report.warnings.append(
                    f"{exc}; speaking with the next engine in each profile instead"
                )
            return False
        return True

    def choose(self, profile: Profile) -> Engine:
        """The engine that will speak this profile's language.

        Raises:
            EngineUnavailable: the chosen engine, or every candidate, cannot be used.
        """
        for name in self._candidates(profile):
            if self.engine(name).speaks(profile) and self._usable(name):
                return self.engine(name)
        reasons = "; ".join(self._unusable.values()) or "no engine has a voice for it"
        raise EngineUnavailable(f"no engine can speak {profile.english_name} here: {reasons}")


@dataclass
class ArticlePlan:
    """One article's script, the engine that speaks it, and its clips' cache keys."""

    article: Article
    engine: Engine
    segments: list[Segment]
    keys: list[str]
    note: str | None = None
    """Said in the summary and tags when the article was spoken unusually (a fallback)."""


@dataclass
class BulletinPlan:
    """One bulletin to make: an edition's articles in one language."""

    edition: Edition
    profile: Profile
    path: Path
    articles: list[ArticlePlan]
    kind: str = "bulletin"

    @property
    def label(self) -> str:
        return f"{self.edition.slug} [{self.profile.language}]"

    def article_plans(self, out_dir: Path) -> list[BulletinPlan]:
        """An episode of its own for each article, for listeners who cannot skip chapters."""
        return [
            BulletinPlan(
                self.edition,
                self.profile,
                article_path(
                    out_dir, self.edition.slug, slugify(item.article.stem), self.profile.language
                ),
                [item],
                kind="article",
            )
            for item in self.articles
        ]


def plan_article(article: Article, index: int, profile: Profile, engine: Engine) -> ArticlePlan:
    """Script an article for an engine and address each of its clips.

    Raises:
        ContentError: the article cannot be scripted (a word too long for the engine).
    """
    segments = segment.article_script(article, index, profile, engine.max_chars)
    version, voice = engine.version(), engine.voice_key(profile)
    keys = [clip_key(engine.name, version, voice, s.spoken) for s in segments]
    return ArticlePlan(article=article, engine=engine, segments=segments, keys=keys)


class _Pipeline:
    """One build's shared state: settings, profiles, engines, the detector and the report."""

    def __init__(self, settings: Settings, progress: OnProgress | None) -> None:
        self.settings = settings
        self.progress = progress
        self.report = Report()
        self.profiles = load_profiles([*settings.voices_dirs, builtin_voices_dir()])
        self.voicing = Voicing(settings, self.report)
        self.detector = language.build_detector()
        debris = tuple(d for p in self.profiles.values() for d in p.debris)
        self.read_options = content.ReadOptions(max_bytes=settings.max_article_bytes, debris=debris)
        self.workers = settings.workers or os.cpu_count() or 1

    def can_speak(self, code: str) -> bool:
        return self.voicing.can_speak(profile_for(code, self.profiles))

    def is_language(self, code: str) -> bool:
        return language.detectable(code) or code in self.profiles or self.can_speak(code)

    def read(self, folder: Path) -> tuple[Edition, list[Article]]:
        """Read an edition's articles; each bad one is reported and left out."""
        edition = content.read_edition_info(folder)
        articles: list[Article] = []
        seen: dict[tuple[str, str | None], Path] = {}
        for path in content.article_files(folder):
            try:
                article = content.read_article(path, self.read_options, self.is_language)
                article = language.identify(
                    article, self.detector, self.can_speak, self.settings.min_confidence
                )
            except BulletinsError as exc:
                self.report.errors.append(str(exc))
                continue
            key = (article.stem, article.language)
            if key in seen:
                self.report.errors.append(
                    f"{path}: is a second {article.language} version of '{article.stem}' "
                    f"(the first is {seen[key].name}); rename or remove one"
                )
                continue
            seen[key] = path
            articles.append(article)
        self.report.articles += len(articles)
        return edition, articles

    def plan(self, edition: Edition, code: str, articles: Sequence[Article]) -> BulletinPlan | None:
        """Choose the engine and script every article of one bulletin."""
        profile = profile_for(code, self.profiles)
        try:
            engine = self.voicing.choose(profile)
        except EngineUnavailable as exc:
            self.report.errors.extend(f"{article.path}: {exc}" for article in articles)
            return None
        planned = []
        for index, article in enumerate(articles):
            try:
                planned.append(plan_article(article, index, profile, engine))
            except ContentError as exc:
                self.report.errors.append(str(exc))
        path = bulletin_path(self.settings.out_dir, edition.slug, code)
        return BulletinPlan(edition, profile, path, planned) if planned else None

    def plan_edition(self, folder: Path) -> list[BulletinPlan]:
        """Read an edition and plan one bulletin per language it holds."""
        edition, articles = self.read(folder)
        languages: dict[str, list[Article]] = {}
        for article in articles:
            languages.setdefault(str(article.language), []).append(article)
        plans = (self.plan(edition, code, group) for code, group in languages.items())
        return [plan for plan in plans if plan is not None]

    def speak(self, plans: Sequence[BulletinPlan], synthesizer: Synthesizer) -> None:
        """Speak every missing clip; an article that fails is re-spoken offline or left out."""
        failures = synthesizer.run(self._jobs(plans), self._counter(plans))
        offline = self.voicing.engine("espeak") if self.settings.fallback == "offline" else None
        retry: list[BulletinPlan] = []
        for plan in plans:
            kept: list[ArticlePlan] = []
            for item in plan.articles:
                reasons = [failures[k] for k in item.keys if k in failures]
                if not reasons:
                    kept.append(item)
                elif (
                    offline is not None and not item.engine.offline and offline.speaks(plan.profile)
                ):
                    fallback = plan_article(
                        item.article, item.segments[0].article, plan.profile, offline
                    )
                    fallback.note = f"spoken offline by {offline.describe(plan.profile)} after {item.engine.name} failed: {reasons[0]}"
                    self.report.warnings.append(f"{item.article.path}: {fallback.note}")
                    kept.append(fallback)
                    retry.append(dataclasses.replace(plan, articles=[fallback]))
                else:
                    self.report.errors.append(f"{item.article.path}: {reasons[0]}")
            plan.articles = kept
        if retry:
            failures = synthesizer.run(self._jobs(retry), self._counter(retry))
            for plan in plans:
                for item in [i for i in plan.articles if any(k in failures for k in i.keys)]:
                    self.report.errors.append(
                        f"{item.article.path}: {failures[next(k for k in item.keys if k in failures)]}"
                    )
                    plan.articles.remove(item)

    @staticmethod
    def _jobs(plans: Sequence[BulletinPlan]) -> Iterator[Job]:
        for plan in plans:
            for item in plan.articles:
                for key, seg in zip(item.keys, item.segments, strict=True):
                    yield Job(
                        key=key,
                        text=seg.spoken,
                        engine=item.engine,
                        profile=plan.profile,
                        group=plan.label,
                    )

    def _counter(self, plans: Sequence[BulletinPlan]) -> Callable[[Job], None]:
        """Report progress per bulletin (segments ready) and overall (articles ready).

        A sentence that appears twice is spoken once, so progress follows unique clips.
        """
        waiting: dict[str, set[tuple[str, int]]] = {}
        left: dict[tuple[str, int], set[str]] = {}
        for plan in plans:
            for number, item in enumerate(plan.articles):
                left[(plan.label, number)] = set(item.keys)
                for key in item.keys:
                    waiting.setdefault(key, set()).add((plan.label, number))
        totals = {p.label: len({k for i in p.articles for k in i.keys}) for p in plans}
        done = dict.fromkeys(totals, 0)
        articles_done = 0

        def advance(job: Job) -> None:
            nonlocal articles_done
            owners = waiting.pop(job.key, set())
            for label in {label for label, _number in owners}:
                done[label] += 1
                if self.progress is not None:
                    self.progress(label, done[label], totals[label])
            for owner in owners:
                left[owner].discard(job.key)
                if not left[owner]:
                    articles_done += 1
                    if self.progress is not None:
                        self.progress(ARTICLES_PROGRESS, articles_done, len(left))

        return advance


def _build_key(plan: BulletinPlan, info: TagInfo, settings: Settings) -> str:
    """A digest of everything that shapes a bulletin's file: equal digests, equal files."""
    material = [
        __version__,
        settings.bitrate,
        settings.sample_rate,
        dataclasses.astuple(dataclasses.replace(info, chapters=())),
        [
            [(k, s.pause_after_ms, s.article) for k, s in zip(i.keys, i.segments, strict=True)]
            for i in plan.articles
        ],
    ]
    return hashlib.sha256(
        json.dumps(material, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _existing(path: Path, key: str) -> tuple[int, tuple[Chapter, ...]] | None:
    """The duration and chapters of ``path`` when it was built from exactly ``key``."""
    if not all(p.is_file() for p in sidecars(path).values()):
        return None
    try:
        audio = MP3(path)
    except (MutagenError, OSError):
        return None
    tags = audio.tags
    if tags is None or [str(t) for t in tags.getall(f"TXXX:{BUILD_TAG}")] != [key]:
        return None
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    return round(audio.info.length * 1000), tuple(
        Chapter(str(c.sub_frames["TIT2"]), c.start_time, c.end_time) for c in chapters
    )


def _tag_info(plan: BulletinPlan, settings: Settings) -> TagInfo:
    articles = [item.article for item in plan.articles]
    titles = [a.headline or plan.edition.title for a in articles]
    summaries = [a.summary for a in articles if a.summary]
    voices = sorted({item.engine.describe(plan.profile) for item in plan.articles})
    notes = [f"{i.article.stem}: {i.note}" for i in plan.articles if i.note]
    return TagInfo(
        title=titles[0] if len(articles) == 1 else plan.edition.title,
        artist=settings.publisher,
        album=settings.bulletin,
        language=plan.profile.iso639_2,
        description=" ".join(summaries) if summaries else " · ".join(titles),
        spoken_text="\n\n".join(a.text for a in articles),
        chapters=(),
        date=plan.edition.date or next((a.date for a in articles if a.date), None),
        voice="; ".join(voices + notes),
    )


def start_bulletin(
    plan: BulletinPlan, cache: ClipCache, settings: Settings, pool: WorkerPool
) -> Callable[[], Episode]:
    """Start writing one bulletin, unless its file is already exactly this bulletin.

    Returns:
        A function that waits for the file and gives its Episode.
    """
    info = _tag_info(plan, settings)
    key = _build_key(plan, info, settings)
    existing = _existing(plan.path, key)
    job = RenderJob(
        path=plan.path,
        segments=tuple(s for item in plan.articles for s in item.segments),
        keys=tuple(k for item in plan.articles for k in item.keys),
        cache_root=cache.root,
        info=info,
        titles=tuple(item.article.headline or plan.edition.title for item in plan.articles),
        build_key=key,
        bitrate=f"{settings.bitrate}k",
        sample_rate=settings.sample_rate,
        language=plan.profile.language,
    )
    future = pool.submit(render_bulletin, job) if existing is None else None

    def finish() -> Episode:
        if future is not None:
            duration_ms, chapters = future.result()
        elif existing is not None:
            duration_ms, chapters = existing
        return Episode(
            edition=plan.edition,
            language=plan.profile.language,
            articles=tuple(item.article for item in plan.articles),
            path=plan.path,
            duration_ms=duration_ms,
            chapters=chapters,
            engine="+".join(sorted({i.engine.name for i in plan.articles})),
            voice=info.voice or "",
            spoken_text=info.spoken_text,
            rebuilt=future is not None,
            kind=plan.kind,
        )

    return finish


@contextmanager
def _clip_cache(settings: Settings) -> Iterator[ClipCache]:
    if settings.cache:
        yield ClipCache(settings.cache_dir or default_cache_dir())
    else:
        with tempfile.TemporaryDirectory(prefix="bulletins-clips-") as folder:
            yield ClipCache(Path(folder))


def _synthesis_options(settings: Settings, options: EngineOptions) -> SynthesisOptions:
    return SynthesisOptions(
        concurrency=settings.concurrency,
        max_concurrency=settings.max_concurrency,
        retry=RetryPolicy(retries=settings.retries),
        engine_options=options,
    )


def build(settings: Settings, progress: OnProgress | None = None) -> Report:
    """Build one bulletin per edition and language found under ``settings.content_dir``.

    A bad article is reported in ``Report.errors`` and left out; the others still build.

    Raises:
        ContentError: the content folder does not exist or holds no articles.
        VoiceError: a voice profile is invalid.
    """
    pipeline = _Pipeline(settings, progress)
    folders = content.edition_folders(settings.content_dir)
    if not folders:
        raise ContentError(f"{settings.content_dir}: holds no articles (.txt or .md files)")
    with WorkerPool(pipeline.workers) as pool, ExitStack() as stack:
        pool.start()  # the workers start while the content is read and planned
        plans = [plan for folder in folders for plan in pipeline.plan_edition(folder)]
        stack.enter_context(exclusive(settings.out_dir))
        cache = stack.enter_context(_clip_cache(settings))
        options = _synthesis_options(settings, pipeline.voicing.options)
        synthesizer = stack.enter_context(Synthesizer(options, cache, pool))
        pipeline.speak(plans, synthesizer)
        pipeline.report.synthesis = synthesizer.stats
        # Bulletins are mixed and encoded side by side in the worker processes; the
        # longest start first, so that no worker is left with one long bulletin at the end.
        everything = [
            p
            for plan in plans
            if plan.articles
            for p in [plan, *plan.article_plans(settings.out_dir)]
        ]
        ready = sorted(everything, key=lambda p: -sum(len(i.keys) for i in p.articles))
        started = {plan.path: start_bulletin(plan, cache, settings, pool) for plan in ready}
        for plan in everything:
            if plan.path not in started:
                continue
            try:
                pipeline.report.episodes.append(started[plan.path]())
            except BulletinsError as exc:
                pipeline.report.errors.append(str(exc))
            except BrokenProcessPool as exc:
                pipeline.report.errors.append(
                    f"{plan.path}: the worker process writing it died: {exc}"
                )
        publish(pipeline, settings)
    return pipeline.report


def publish(pipeline: _Pipeline, settings: Settings) -> None:
    """Record the build's episodes in the history and rewrite the feeds from it."""
    out_dir = settings.out_dir
    known = {r.guid: r for r in history.episodes(out_dir)}
    records = []
    for episode in pipeline.report.episodes:
        stem = episode.articles[0].stem if episode.kind == "article" else ""
        guid = history.guid_for(episode.kind, episode.edition.slug, stem, episode.language)
        dated = episode.edition.date or next((a.date for a in episode.articles if a.date), None)
        earlier = known.get(guid)
        files = {k: str(p.relative_to(out_dir)) for k, p in sidecars(episode.path).items()}
        info_title = (
            episode.articles[0].headline if len(episode.articles) == 1 else episode.edition.title
        )
        records.append(
            history.Record(
                guid=guid,
                kind=episode.kind,
                edition=episode.edition.slug,
                article=stem,
                language=episode.language,
                title=info_title or episode.edition.title,
                description=next((a.summary for a in episode.articles if a.summary), None)
                or " · ".join(a.headline for a in episode.articles),
                published=str(
                    dated or (earlier.published if earlier else date.today().isoformat())
                ),
                audio=str(episode.path.relative_to(out_dir)),
                bytes=episode.path.stat().st_size,
                duration_ms=episode.duration_ms,
                vtt=files["vtt"],
                srt=files["srt"],
                chapters=files["chapters"] if episode.kind == "bulletin" else "",
                updated=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
    history.record(out_dir, records)
    write_feeds(settings, pipeline.profiles, pipeline.report.warnings)


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
    return removed


def say(text: str, code: str | None, path: Path, settings: Settings) -> Episode:
    """Speak one text into an MP3 at ``path``, in ``code`` or the language detected.

    Raises:
        LanguageError: the language cannot be told or spoken.
        EngineUnavailable: no engine can speak it here.
        SynthesisError: the engine failed.
    """
    pipeline = _Pipeline(settings, None)
    paragraphs = tuple(content.strip_debris(content.parse_txt(text)[1], ()))
    if not paragraphs:
        raise LanguageError("there is no text to speak")
    article = Article(
        path=Path("<text>"),
        stem="say",
        headline="",
        paragraphs=paragraphs,
        language=code,
        language_source="option" if code else "",
    )
    article = language.identify(
        article, pipeline.detector, pipeline.can_speak, settings.min_confidence
    )
    profile = profile_for(str(article.language), pipeline.profiles)
    edition = Edition(slug="say", title=paragraphs[0][:80], date=None, path=Path("."))
    plan = BulletinPlan(
        edition,
        profile,
        path,
        [plan_article(article, 0, profile, pipeline.voicing.choose(profile))],
    )
    with (
        _clip_cache(settings) as cache,
        WorkerPool(1) as pool,
        Synthesizer(_synthesis_options(settings, pipeline.voicing.options), cache, pool) as synth,
    ):
        pipeline.speak([plan], synth)
        if not plan.articles:
            raise SynthesisError(pipeline.report.errors[0])
        return start_bulletin(plan, cache, settings, pool)()
