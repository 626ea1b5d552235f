"""The stages of a build, each a call that takes plain values and returns its problems.

One ``Stages`` holds what every stage of one build shares: the profiles, the engine
choice and the identification, all made once from the settings.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from bulletins import options
from bulletins.build.report import ARTICLES_PROGRESS, OnProgress
from bulletins.episodes.plans import (
    ArticlePlan,
    BulletinPlan,
    Frame,
    Speaker,
    frame_for,
    plan_article,
)
from bulletins.errors import BulletinsError, ContentError, EngineUnavailable
from bulletins.model import Article, Edition, Problem, Segment, Stage
from bulletins.outputs import bulletin_path
from bulletins.profiles.profile import Profile, profile_for
from bulletins.settings import Settings
from bulletins.speech.engines.base import Engine
from bulletins.speech.synthesis import Job, Synthesizer
from bulletins.text import content, language

OnClip = Callable[[str], None]
"""Told of each clip (by cache key) as soon as it has been tried, spoken or not."""


class Stages:
    """One build's stages, over what they share: profiles, engine choice and identification."""

    def __init__(self, settings: Settings, progress: OnProgress | None) -> None:
        self.progress = progress
        self.profiles = options.profiles(settings)
        self.choice = options.engine_choice(settings)
        self.memory = options.language_memory(settings)
        self.identification = options.identification(settings, self.memory)
        self.read_options = options.read_options(settings, self.profiles)
        self.workers = settings.workers or os.cpu_count() or 1
        self._rate = settings.rate
        self._out_dir = settings.out_dir
        self._announcing = options.announcing(settings)
        self._fallback = settings.fallback

    def can_speak(self, code: str) -> bool:
        return self.choice.can_speak(self.profile(code))

    def is_language(self, code: str) -> bool:
        return language.known(code) or code in self.profiles

    def no_voice(self, code: str) -> str:
        return self.choice.why_not(self.profile(code))

    def profile(self, code: str) -> Profile:
        """The profile for a language, at the rate the settings ask for, if they do."""
        profile = profile_for(code, self.profiles)
        return (
            profile
            if self._rate is None
            else dataclasses.replace(profile, rate_wpm=self._rate, engine_rates={})
        )

    def speaker(self, code: str) -> Speaker | None:
        """The voice for runs and paragraphs in ``code``, or None when none here speaks it."""
        profile = self.profile(code)
        try:
            engine = self.choice.choose(profile)
        except EngineUnavailable:
            return None
        return Speaker(engine, profile)

    def remember(self) -> None:
        """Keep what identification found, so unchanged articles are not identified again."""
        if self.memory is not None:
            self.memory.save()

    def unusable_engines(self) -> list[Problem]:
        """Each engine that choosing found unusable here, which ``auto`` spoke without."""
        return [Problem(Stage.PLAN, line, warning=True) for line in self.choice.problems]

    def read(self, folder: Path) -> tuple[list[Problem], tuple[Edition, list[Article]]]:
        """Read an edition's articles and tell their languages; each bad one is left out."""
        edition = content.read_edition_info(folder)
        articles: list[Article] = []
        problems: list[Problem] = []
        seen: dict[tuple[str, str | None], Path] = {}
        for path in content.article_files(folder):
            try:
                article = content.read_article(path, self.read_options, self.is_language)
                article = language.identify(
                    article, self.identification, self.can_speak, self.profiles, self.no_voice
                )
            except BulletinsError as exc:
                problems.append(Problem(Stage.READ, str(exc), path))
                continue
            key = (article.stem, article.language)
            if key in seen:
                message = (
                    f"{path}: is a second {article.language} version of '{article.stem}' "
                    f"(the first is {seen[key].name}); rename or remove one"
                )
                problems.append(Problem(Stage.READ, message, path))
                continue
            seen[key] = path
            articles.append(article)
        return problems, (edition, articles)

    def plan(
        self, edition: Edition, articles: Sequence[Article]
    ) -> tuple[list[Problem], list[BulletinPlan]]:
        """One bulletin per language of the edition: its engine, and every article scripted."""
        languages: dict[str, list[Article]] = {}
        for article in articles:
            languages.setdefault(str(article.language), []).append(article)
        problems: list[Problem] = []
        plans = []
        for code, group in languages.items():
            found, plan = self._plan_bulletin(edition, code, group)
            problems += found
            if plan is not None:
                plans.append(plan)
        return problems, plans

    def _plan_bulletin(
        self, edition: Edition, code: str, articles: Sequence[Article]
    ) -> tuple[list[Problem], BulletinPlan | None]:
        profile = self.profile(code)
        try:
            engine = self.choice.choose(profile)
        except EngineUnavailable as exc:
            return [Problem(Stage.PLAN, f"{a.path}: {exc}", a.path) for a in articles], None
        planned = []
        problems = []
        for index, article in enumerate(articles):
            try:
                planned.append(plan_article(article, index, profile, engine, self.speaker))
            except ContentError as exc:
                problems.append(Problem(Stage.PLAN, str(exc), article.path))
        path = bulletin_path(self._out_dir, edition.slug, code)
        return problems, BulletinPlan(edition, profile, path, planned) if planned else None

    def speak(
        self,
        plans: Sequence[BulletinPlan],
        synthesizer: Synthesizer,
        on_clip: OnClip | None = None,
    ) -> tuple[list[Problem], list[BulletinPlan]]:
        """Speak every missing clip; an article that fails is re-spoken offline or left out.

        ``on_clip`` is called with each clip's key as soon as it has been tried, while the
        others are still being spoken.
        """
        # The announcements go in the same run, first: they are short, and their pieces
        # can then be encoded while the articles are spoken. When every article is
        # spoken, they are the ones ``announce`` says, and are in the cache already;
        # else ``announce`` speaks the few that differ.
        ahead = _announcement_jobs(self._frames(plans))
        jobs = itertools.chain(ahead, _jobs(plans))
        failures = synthesizer.run(jobs, _Progress(plans, self.progress, on_clip))
        offline = self.choice.engine("espeak") if self._fallback == "offline" else None
        problems: list[Problem] = []
        spoken: list[BulletinPlan] = []
        retry: list[BulletinPlan] = []
        for plan in plans:
            kept: list[ArticlePlan] = []
            for item in plan.articles:
                reason = _first_failure(item.keys, failures)
                path = item.article.path
                if reason is None:
                    kept.append(item)
                elif (
                    offline is not None and not item.engine.offline and offline.speaks(plan.profile)
                ):
                    fallback = self._offline(item, plan.profile, offline, reason)
                    problems.append(Problem(Stage.SPEAK, f"{path}: {fallback.note}", path, True))
                    kept.append(fallback)
                    retry.append(dataclasses.replace(plan, articles=[fallback]))
                else:
                    problems.append(Problem(Stage.SPEAK, f"{path}: {reason}", path))
            spoken.append(dataclasses.replace(plan, articles=kept))
        if not retry:
            return problems, spoken
        failures = synthesizer.run(_jobs(retry), _Progress(retry, self.progress, on_clip))
        for number, plan in enumerate(spoken):
            kept = []
            for item in plan.articles:
                reason = _first_failure(item.keys, failures)
                if reason is None:
                    kept.append(item)
                else:
                    path = item.article.path
                    problems.append(Problem(Stage.SPEAK, f"{path}: {reason}", path))
            spoken[number] = dataclasses.replace(plan, articles=kept)
        return problems, spoken

    def framed(self, plans: Sequence[BulletinPlan]) -> list[BulletinPlan]:
        """Each bulletin with the announcements it is built with when every article is spoken."""
        return [
            plan if frame is None else dataclasses.replace(plan, frame=frame)
            for plan, frame in self._frames(plans)
        ]

    def _frames(self, plans: Sequence[BulletinPlan]) -> list[tuple[BulletinPlan, Frame | None]]:
        """Each bulletin with what it says around its articles (None when it has no articles)."""
        return [
            (plan, frame_for(plan, self._announcing, self.speaker) if plan.articles else None)
            for plan in plans
        ]

    def _offline(
        self, item: ArticlePlan, profile: Profile, offline: Engine, reason: str
    ) -> ArticlePlan:
        """The article planned again for the offline voice, after the online one failed."""

        def voice_for(code: str) -> Speaker | None:
            other = self.profile(code)
            return Speaker(offline, other) if offline.speaks(other) else None

        index = item.segments[0].article
        replanned = plan_article(item.article, index, profile, offline, voice_for)
        note = f"spoken offline by {offline.describe(profile)} after {item.engine.name} failed: {reason}"
        return dataclasses.replace(replanned, note=note)

    def announce(
        self, plans: Sequence[BulletinPlan], synthesizer: Synthesizer
    ) -> tuple[list[Problem], list[BulletinPlan]]:
        """Speak each bulletin's opening, article announcements, closing and disclosure.

        A bulletin whose announcements cannot be spoken is still built, without them.
        """
        framed = self._frames(plans)
        failures = synthesizer.run(_announcement_jobs(framed))
        problems: list[Problem] = []
        announced = []
        for plan, frame in framed:
            if frame is None:
                announced.append(plan)
                continue
            reason = _first_failure([key for _, key in frame.pairs()], failures)
            if reason is None:
                announced.append(dataclasses.replace(plan, frame=frame))
            else:
                message = f"{plan.path}: built without its announcements: {reason}"
                problems.append(Problem(Stage.ANNOUNCE, message, plan.path, True))
                announced.append(plan)
        return problems, announced


def _announcement_jobs(framed: Sequence[tuple[BulletinPlan, Frame | None]]) -> list[Job]:
    return [
        _job(key, seg, frame.voices, plan.articles[0].engine, plan)
        for plan, frame in framed
        if frame is not None
        for seg, key in frame.pairs()
    ]


def _jobs(plans: Sequence[BulletinPlan]) -> Iterator[Job]:
    for plan in plans:
        for item in plan.articles:
            for key, seg in zip(item.keys, item.segments, strict=True):
                yield _job(key, seg, item.voices, item.engine, plan)


def _job(
    key: str, seg: Segment, voices: Mapping[str, Speaker], engine: Engine, plan: BulletinPlan
) -> Job:
    """The job that speaks one segment: by its own voice when it has one, else the bulletin's."""
    voice = voices.get(key) or Speaker(engine, plan.profile)
    return Job(
        key=key, text=seg.spoken, engine=voice.engine, profile=voice.profile, group=plan.label
    )


def _first_failure(keys: Iterable[str], failures: Mapping[str, str]) -> str | None:
    """Why the first of these clips failed, or None when all of them were spoken."""
    return next((failures[key] for key in keys if key in failures), None)


class _Progress:
    """Reports progress per bulletin (segments ready) and overall (articles ready).

    A sentence that appears twice is spoken once, so progress follows unique clips.
    """

    def __init__(
        self,
        plans: Sequence[BulletinPlan],
        progress: OnProgress | None,
        on_clip: OnClip | None = None,
    ) -> None:
        self._progress = progress
        self._on_clip = on_clip
        self._waiting: dict[str, set[tuple[str, int]]] = {}
        self._left: dict[tuple[str, int], set[str]] = {}
        for plan in plans:
            for number, item in enumerate(plan.articles):
                self._left[(plan.label, number)] = set(item.keys)
                for key in item.keys:
                    self._waiting.setdefault(key, set()).add((plan.label, number))
        self._totals = {p.label: len({k for i in p.articles for k in i.keys}) for p in plans}
        self._done = dict.fromkeys(self._totals, 0)
        self._articles_done = 0

    def __call__(self, job: Job) -> None:
        if self._on_clip is not None:
            self._on_clip(job.key)
        owners = self._waiting.pop(job.key, set())
        for label in {label for label, _number in owners}:
            self._done[label] += 1
            if self._progress is not None:
                self._progress(label, self._done[label], self._totals[label])
        for owner in owners:
            self._left[owner].discard(job.key)
            if not self._left[owner]:
                self._articles_done += 1
                if self._progress is not None:
                    self._progress(ARTICLES_PROGRESS, self._articles_done, len(self._left))
