"""Building: every edition's articles become one spoken, tagged bulletin per language.

This is the library's front door; the CLI only parses options and calls it. A build
reads and plans everything first, speaks every missing clip in one parallel pass,
then mixes and encodes the bulletins (several at once), skipping any whose file is
already up to date.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import content, language
from .cache import ClipCache, default_cache_dir
from .covers import check_cover
from .engines import Engine, EngineOptions
from .episodes import (
    ArticlePlan,
    BulletinPlan,
    Voice,
    frame_for,
    plan_article,
    start_episodes,
)
from .errors import (
    BulletinsError,
    ContentError,
    EngineUnavailable,
    LanguageError,
    SynthesisError,
    WriteError,
    cannot_write,
)
from .files import bulletin_path, exclusive
from .model import Article, Edition, Episode, Segment
from .pacing import RetryPolicy
from .publish import publish
from .settings import Settings
from .synthesis import Job, Stats, SynthesisOptions, Synthesizer
from .voices import Profile, builtin_voices_dir, load_profiles, profile_for
from .voicing import Voicing
from .workers import WorkerPool

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
    encoded: int = 0
    """Pieces of episodes (an article, the announcements between) mixed and encoded;
    the rest came from the cache, and episodes already up to date need none."""

    @property
    def ok(self) -> bool:
        return not self.errors


class _Pipeline:
    """One build's shared state: settings, profiles, engines, identification and the report."""

    def __init__(self, settings: Settings, progress: OnProgress | None) -> None:
        self.settings = settings
        self.progress = progress
        self.report = Report()
        self.profiles = load_profiles([*settings.voices_dirs, builtin_voices_dir()])
        self.voicing = Voicing(settings, self.report.warnings)
        self.identification = language.Identification(settings.min_confidence)
        debris = tuple(d for p in self.profiles.values() for d in p.debris)
        self.read_options = content.ReadOptions(max_bytes=settings.max_article_bytes, debris=debris)
        self.workers = settings.workers or os.cpu_count() or 1

    def can_speak(self, code: str) -> bool:
        return self.voicing.can_speak(self.profile(code))

    def is_language(self, code: str) -> bool:
        return language.known(code) or code in self.profiles

    def no_voice(self, code: str) -> str:
        return self.voicing.why_not(self.profile(code))

    def read(self, folder: Path) -> tuple[Edition, list[Article]]:
        """Read an edition's articles; each bad one is reported and left out."""
        edition = content.read_edition_info(folder)
        articles: list[Article] = []
        seen: dict[tuple[str, str | None], Path] = {}
        for path in content.article_files(folder):
            try:
                article = content.read_article(path, self.read_options, self.is_language)
                article = language.identify(
                    article, self.identification, self.can_speak, self.profiles, self.no_voice
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

    def profile(self, code: str) -> Profile:
        """The profile for a language, at the rate the settings ask for, if they do."""
        profile = profile_for(code, self.profiles)
        rate = self.settings.rate
        return profile if rate is None else dataclasses.replace(profile, rate_wpm=rate)

    def voice(self, code: str) -> Voice | None:
        """The voice for runs and paragraphs in ``code``, or None when none here speaks it."""
        profile = self.profile(code)
        try:
            engine = self.voicing.choose(profile)
        except EngineUnavailable:
            return None
        return Voice(engine, profile)

    def plan(self, edition: Edition, code: str, articles: Sequence[Article]) -> BulletinPlan | None:
        """Choose the engine and script every article of one bulletin."""
        profile = self.profile(code)
        try:
            engine = self.voicing.choose(profile)
        except EngineUnavailable as exc:
            self.report.errors.extend(f"{article.path}: {exc}" for article in articles)
            return None
        planned = []
        for index, article in enumerate(articles):
            try:
                planned.append(plan_article(article, index, profile, engine, self.voice))
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
                reason = _first_failure(item.keys, failures)
                if reason is None:
                    kept.append(item)
                elif (
                    offline is not None and not item.engine.offline and offline.speaks(plan.profile)
                ):
                    fallback = plan_article(
                        item.article,
                        item.segments[0].article,
                        plan.profile,
                        offline,
                        lambda code: (
                            Voice(offline, self.profile(code))
                            if offline.speaks(self.profile(code))
                            else None
                        ),
                    )
                    fallback.note = f"spoken offline by {offline.describe(plan.profile)} after {item.engine.name} failed: {reason}"
                    self.report.warnings.append(f"{item.article.path}: {fallback.note}")
                    kept.append(fallback)
                    retry.append(dataclasses.replace(plan, articles=[fallback]))
                else:
                    self.report.errors.append(f"{item.article.path}: {reason}")
            plan.articles = kept
        if retry:
            failures = synthesizer.run(self._jobs(retry), self._counter(retry))
            for plan in plans:
                for item in list(plan.articles):
                    reason = _first_failure(item.keys, failures)
                    if reason is not None:
                        self.report.errors.append(f"{item.article.path}: {reason}")
                        plan.articles.remove(item)

    def announce(self, plans: Sequence[BulletinPlan], synthesizer: Synthesizer) -> None:
        """Speak each bulletin's opening, article announcements and closing.

        A bulletin whose announcements cannot be spoken is still built, without them.
        """
        frames = {
            plan.path: frame_for(plan, self.settings.bulletin, self.voice)
            for plan in plans
            if plan.articles
        }
        jobs = [
            _job(key, seg, frames[plan.path].voices, plan.articles[0].engine, plan)
            for plan in plans
            if plan.path in frames
            for seg, key in frames[plan.path].pairs()
        ]
        failures = synthesizer.run(jobs)
        for plan in plans:
            if plan.path not in frames:
                continue
            reason = _first_failure([key for _, key in frames[plan.path].pairs()], failures)
            if reason is not None:
                self.report.warnings.append(
                    f"{plan.path}: built without its announcements: {reason}"
                )
            else:
                plan.frame = frames[plan.path]

    @staticmethod
    def _jobs(plans: Sequence[BulletinPlan]) -> Iterator[Job]:
        for plan in plans:
            for item in plan.articles:
                for key, seg in zip(item.keys, item.segments, strict=True):
                    yield _job(key, seg, item.voices, item.engine, plan)

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


def _job(
    key: str, seg: Segment, voices: Mapping[str, Voice], engine: Engine, plan: BulletinPlan
) -> Job:
    """The job that speaks one segment: by its own voice when it has one, else the bulletin's."""
    voice = voices.get(key) or Voice(engine, plan.profile)
    return Job(
        key=key, text=seg.spoken, engine=voice.engine, profile=voice.profile, group=plan.label
    )


def _first_failure(keys: Iterable[str], failures: Mapping[str, str]) -> str | None:
    """Why the first of these clips failed, or None when all of them were spoken."""
    return next((failures[key] for key in keys if key in failures), None)


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
    An episode that cannot be written (a full disk) is an error of its own, and keeps
    its earlier file.

    Raises:
        ContentError: the content folder does not exist or holds no articles.
        VoiceError: a voice profile is invalid.
        ConfigError: the configured cover is not one podcast directories accept.
        WriteError: the clip cache cannot be written, so nothing can be spoken.
    """
    try:
        return _build(settings, progress)
    except OSError as exc:
        raise WriteError(cannot_write(exc.filename or settings.out_dir, exc)) from exc


def _build(settings: Settings, progress: OnProgress | None) -> Report:
    if settings.cover is not None:
        check_cover(settings.cover)  # before any work, not after an hour of it
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
        pipeline.announce(plans, synthesizer)
        pipeline.report.synthesis = synthesizer.stats
        # Episodes are encoded in pieces, side by side in the worker processes.
        everything = [
            p
            for plan in plans
            if plan.articles
            for p in [plan, *plan.article_plans(settings.out_dir)]
        ]
        started, pipeline.report.encoded = start_episodes(everything, cache, settings, pool)
        for plan, finish in zip(everything, started, strict=True):
            try:
                pipeline.report.episodes.append(finish())
            except BulletinsError as exc:
                pipeline.report.errors.append(str(exc))
            except BrokenProcessPool as exc:
                pipeline.report.errors.append(
                    f"{plan.path}: the worker process writing it died: {exc}"
                )
            except OSError as exc:
                # A full disk: this episode keeps its earlier file; the others go on.
                pipeline.report.errors.append(cannot_write(exc.filename or plan.path, exc))
        try:
            pipeline.report.warnings.extend(
                publish(pipeline.report.episodes, pipeline.profiles, settings)
            )
        except OSError as exc:
            pipeline.report.errors.append(
                cannot_write(exc.filename or settings.out_dir, exc)
                + " (the feeds and pages were not all rewritten; the earlier ones stay)"
            )
    return pipeline.report


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
        article, pipeline.identification, pipeline.can_speak, pipeline.profiles, pipeline.no_voice
    )
    profile = pipeline.profile(str(article.language))
    edition = Edition(slug="say", title=paragraphs[0][:80], date=None, path=Path("."))
    plan = BulletinPlan(
        edition,
        profile,
        path,
        [plan_article(article, 0, profile, pipeline.voicing.choose(profile), pipeline.voice)],
    )
    with (
        _clip_cache(settings) as cache,
        WorkerPool(1) as pool,
        Synthesizer(_synthesis_options(settings, pipeline.voicing.options), cache, pool) as synth,
    ):
        pipeline.speak([plan], synth)
        if not plan.articles:
            raise SynthesisError(pipeline.report.errors[0])
        return start_episodes([plan], cache, settings, pool)[0][0]()
