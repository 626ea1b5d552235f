"""The build's pipeline: read, plan, speak, announce, assemble, publish.

``run`` lists the stages in order; each returns its values and its problems. It is
imported only when a build has work to do (see ``bulletins.build``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import TypeVar

from bulletins import options
from bulletins.build import record
from bulletins.build.report import OnProgress, Report
from bulletins.build.stages import Stages
from bulletins.cache import ClipCache, default_cache_dir, local_folder
from bulletins.episodes.assembly import Pieces, start_episodes
from bulletins.episodes.plans import BulletinPlan, plan_article
from bulletins.errors import (
    BulletinsError,
    ConfigError,
    ContentError,
    LanguageError,
    SynthesisError,
    cannot_write,
)
from bulletins.model import (
    Article,
    Edition,
    Episode,
    EpisodeKind,
    Problem,
    Stage,
    TalkingBook,
)
from bulletins.outputs import exclusive
from bulletins.publish.covers import check_cover
from bulletins.publish.publisher import publish
from bulletins.settings import Settings
from bulletins.speech.synthesis import Synthesizer
from bulletins.text import content, language
from bulletins.workers import Pool, WorkerPool

T = TypeVar("T")
# The modules holding the work that runs in worker processes: the forkserver imports
# them once, so each worker starts as a fork that has them already.
WORKER_MODULES = ("bulletins.speech.synthesis", "bulletins.audio.pieces")


def run(settings: Settings, progress: OnProgress | None, inputs: str) -> Report:
    """The whole build; ``inputs`` is the digest of what it reads, for its record."""
    if settings.cover is not None:
        check_cover(settings.cover)  # before any work, not after an hour of it
    stages = Stages(settings, progress)
    folders = content.edition_folders(settings.content_dir)
    if not folders:
        raise ContentError(f"{settings.content_dir}: holds no articles (.txt or .md files)")
    report = Report()
    # A cluster is reached first: a wrong address is a configuration error before any work.
    with _pool(settings, stages.workers) as pool, ExitStack() as stack:
        # The worker processes start with the first work they are given: a re-run with
        # nothing to speak or encode starts none.
        editions = [_noted(report, *stages.read(folder)) for folder in folders]
        report.articles = sum(len(articles) for _, articles in editions)
        stages.remember()
        plans = [
            plan
            for edition, articles in editions
            for plan in _noted(report, *stages.plan(edition, articles))
        ]
        stack.enter_context(exclusive(settings.out_dir))
        cache = stack.enter_context(_clip_cache(settings))
        synthesizer = stack.enter_context(
            Synthesizer(options.synthesis_options(settings), cache, pool)
        )
        # The worker processes encode each piece as soon as its clips are in, while the
        # online voice still speaks the rest.
        pieces = Pieces(cache.root, options.episode_options(settings).encoding, pool)
        pieces.expect(_episodes(stages.framed(plans), settings))

        def spoken(key: str) -> None:
            if key in cache:
                pieces.clip_ready(key)

        plans = _noted(report, *stages.speak(plans, synthesizer, spoken))
        plans = _noted(report, *stages.announce(plans, synthesizer))
        _noted(report, stages.unusable_engines(), None)
        report.unusable = stages.choice.unusable
        report.synthesis = synthesizer.stats
        report.episodes, report.encoded = _noted(
            report, *_assemble(plans, cache, settings, pool, pieces)
        )
        if settings.talking_books:
            report.books = _noted(report, *_books(plans, report.episodes, cache, settings))
        heard: list[Episode] = report.episodes
        failed: list[Episode] = []
        if settings.check:
            heard, failed = _noted(report, *_proof_listen(report.episodes, settings))
        _noted(report, _publish(heard, failed, stages, settings), None)
        report.cluster = pool.stats()
        record.keep(settings, report, inputs)
    return report


def _pool(settings: Settings, workers: int) -> AbstractContextManager[Pool]:
    """Where the offline voices and the encoding run: this machine's processes, or a cluster."""
    if settings.cluster is None:
        return WorkerPool(workers, WORKER_MODULES)
    try:
        from bulletins.build.cluster import ClusterPool
    except ImportError as exc:
        raise ConfigError(
            f"--cluster needs Dask ({exc.name} is not installed): pip install 'bulletins[dask]'"
        ) from exc
    return ClusterPool(settings.cluster, settings.timeout, WORKER_MODULES)


def _noted(report: Report, problems: Sequence[Problem], value: T) -> T:
    """File a stage's problems in the report, and pass on its value."""
    for problem in problems:
        (report.warnings if problem.warning else report.errors).append(problem)
    return value


def _episodes(plans: Sequence[BulletinPlan], settings: Settings) -> list[BulletinPlan]:
    """Every episode of these bulletins: each bulletin, then its articles' own episodes."""
    return [
        p for plan in plans if plan.articles for p in [plan, *plan.article_plans(settings.out_dir)]
    ]


def _assemble(
    plans: Sequence[BulletinPlan],
    cache: ClipCache,
    settings: Settings,
    pool: Pool,
    pieces: Pieces,
) -> tuple[list[Problem], tuple[list[Episode], int]]:
    """Encode and write every episode: each bulletin and its articles' own episodes."""
    everything = _episodes(plans, settings)
    started, encoded, problems = start_episodes(
        everything, cache, options.episode_options(settings), pool, pieces
    )
    episodes: list[Episode] = []
    for plan, finish in zip(everything, started, strict=True):
        try:
            episodes.append(finish())
        except BulletinsError as exc:
            problems.append(Problem(Stage.ASSEMBLE, str(exc), plan.path))
        except BrokenProcessPool as exc:
            message = f"{plan.path}: the worker process writing it died: {exc}"
            problems.append(Problem(Stage.ASSEMBLE, message, plan.path))
        except OSError as exc:
            # A full disk: this episode keeps its earlier file; the others go on.
            message = cannot_write(exc.filename or plan.path, exc)
            problems.append(Problem(Stage.ASSEMBLE, message, plan.path))
    return problems, (episodes, encoded)


def _books(
    plans: Sequence[BulletinPlan], episodes: Sequence[Episode], cache: ClipCache, settings: Settings
) -> tuple[list[Problem], list[TalkingBook]]:
    """A talking book of each bulletin that was written, from the same pieces."""
    from bulletins.books import write_books

    narrators = {e.path: e.narrator for e in episodes if e.kind is EpisodeKind.BULLETIN}
    return write_books(plans, narrators, cache.root, options.book_options(settings))


def _proof_listen(
    episodes: Sequence[Episode], settings: Settings
) -> tuple[list[Problem], tuple[list[Episode], list[Episode]]]:
    """Hear each episode: those to publish, and those that failed and are kept out of the
    feeds (none when failures are only warned of)."""
    from bulletins.proof import listen

    try:
        hearings = listen(
            [e.path for e in episodes],
            settings.out_dir,
            settings.whisper_model,
            local_folder(settings.cache_dir),
        )
    except BulletinsError as exc:
        # The recogniser cannot run: nothing is published unheard.
        return [Problem(Stage.CHECK, str(exc), settings.out_dir)], ([], [])
    warn = settings.check_failures == "warn"
    problems = [
        Problem(Stage.CHECK, f"{h.path}: {h.problem}", Path(h.path), warn)
        for h in hearings
        if h.problem is not None
    ]
    failed = set() if warn else {Path(h.path) for h in hearings if h.problem is not None}
    return problems, (
        [e for e in episodes if e.path not in failed],
        [e for e in episodes if e.path in failed],
    )


def _publish(
    episodes: Sequence[Episode],
    withheld: Sequence[Episode],
    stages: Stages,
    settings: Settings,
) -> list[Problem]:
    """Publish the episodes; withdraw those proof-listening failed, if published before."""
    try:
        return publish(episodes, stages.profiles, options.publish_options(settings), withheld)
    except OSError as exc:
        message = (
            cannot_write(exc.filename or settings.out_dir, exc)
            + " (the feeds and pages were not all rewritten; the earlier ones stay)"
        )
        return [Problem(Stage.PUBLISH, message, settings.out_dir)]


@contextmanager
def _clip_cache(settings: Settings) -> Iterator[ClipCache]:
    if settings.cache:
        cache = ClipCache(settings.cache_dir or default_cache_dir())
        cache.check()  # a bucket out of reach is a configuration error, before work
        yield cache
    else:
        with tempfile.TemporaryDirectory(prefix="bulletins-clips-") as folder:
            yield ClipCache(Path(folder))


def say(text: str, code: str | None, path: Path, settings: Settings) -> Episode:
    """``bulletins.build.say``: one text spoken into one MP3."""
    stages = Stages(settings, None)
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
        article, stages.identification, stages.can_speak, stages.profiles, stages.no_voice
    )
    profile = stages.profile(str(article.language))
    edition = Edition(slug="say", title=paragraphs[0][:80], date=None, path=Path("."))
    engine = stages.choice.choose(profile)
    plan = BulletinPlan(
        edition, profile, path, [plan_article(article, 0, profile, engine, stages.speaker)]
    )
    with (
        _clip_cache(settings) as cache,
        WorkerPool(1) as pool,
        Synthesizer(options.synthesis_options(settings), cache, pool) as synth,
    ):
        problems, [spoken] = stages.speak([plan], synth)
        if not spoken.articles:
            raise SynthesisError(str(problems[0]))
        episode_options = options.episode_options(settings)
        return start_episodes([spoken], cache, episode_options, pool)[0][0]()
