"""Plans: what each episode will say, by which voice, before anything is spoken."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bulletins.cache import clip_key
from bulletins.model import Article, Edition, EpisodeKind, Segment
from bulletins.outputs import article_path
from bulletins.profiles.profile import Profile
from bulletins.speech.engines.base import Engine
from bulletins.text import segment
from bulletins.text.content import slugify


@dataclass(frozen=True)
class Speaker:
    """An engine speaking with one language's profile."""

    engine: Engine
    profile: Profile

    def key(self, text: str) -> str:
        """The cache key of ``text`` spoken by this voice."""
        engine = self.engine
        return clip_key(engine.name, engine.version(), engine.voice_key(self.profile), text)

    def describe(self) -> str:
        return self.engine.describe(self.profile)


SpeakerFor = Callable[[str], Speaker | None]
"""The voice for a language, or None when no engine here speaks it."""


def _addressed(
    segments: list[Segment], main: Speaker, voice_for: SpeakerFor | None
) -> tuple[list[str], dict[str, Speaker]]:
    """Each segment's cache key, and the voice of each key not spoken by ``main``.

    A segment in another language (a Latin name in Arabic) is spoken by that
    language's voice when there is one, else by the bulletin's own.
    """
    keys: list[str] = []
    others: dict[str, Speaker] = {}
    for item in segments:
        voice = (voice_for(item.language) if item.language and voice_for else None) or main
        key = voice.key(item.spoken)
        keys.append(key)
        if voice != main:
            others[key] = voice
    return keys, others


@dataclass(frozen=True)
class ArticlePlan:
    """One article's script, the engine that speaks it, and its clips' cache keys."""

    article: Article
    engine: Engine
    segments: list[Segment]
    keys: list[str]
    note: str | None = None
    """Said in the summary and tags when the article was spoken unusually (a fallback)."""
    voices: dict[str, Speaker] = field(default_factory=dict)
    """The voice of each clip (by key) spoken in another language than the article's."""


Spoken = list[tuple[Segment, str]]
"""Segments with their clips' cache keys."""


@dataclass(frozen=True)
class Announcing:
    """What every bulletin of a build says besides its profile's phrases."""

    bulletin: str
    """The series name, said in each opening."""
    disclose_voice: bool = True
    """End every episode with the profile's ``disclosure``: that a synthetic voice read it."""


@dataclass(frozen=True)
class Frame:
    """The announcements of a bulletin: an opening, one before each article, a closing,
    and the disclosure that a synthetic voice read it."""

    opening: Spoken
    before: list[Spoken]
    closing: Spoken
    voices: dict[str, Speaker] = field(default_factory=dict)
    """The voice of each clip (by key) spoken in another language (a series name in English)."""
    disclosure: Spoken = field(default_factory=list)
    """Said last, after the closing."""

    def pairs(self) -> Spoken:
        """Every announcement with its cache key, in speaking order."""
        before = (pair for part in self.before for pair in part)
        return [*self.opening, *before, *self.closing, *self.disclosure]

    def alone(self, article: int) -> Frame | None:
        """What an article's own episode says besides the article: the disclosure alone,
        as said after article ``article``; None when there is none.

        An article episode announces nothing (it starts with its headline), but a
        listener may hear it alone, so it too says that a synthetic voice read it.
        """
        if not self.disclosure:
            return None
        said = [(replace(s, article=article), key) for s, key in self.disclosure]
        keys = {key for _, key in said}
        voices = {key: voice for key, voice in self.voices.items() if key in keys}
        return Frame(opening=[], before=[[]], closing=[], voices=voices, disclosure=said)


@dataclass(frozen=True)
class BulletinPlan:
    """One bulletin to make: an edition's articles in one language."""

    edition: Edition
    profile: Profile
    path: Path
    articles: list[ArticlePlan]
    kind: EpisodeKind = EpisodeKind.BULLETIN
    frame: Frame | None = None
    """What the bulletin says around its articles, once they are known."""

    @property
    def label(self) -> str:
        return f"{self.edition.slug} [{self.profile.language}]"

    def runs(self) -> list[tuple[Spoken, bool]]:
        """What the episode says, in order, in stretches: each article (True) and the announcements between (False)."""
        frame = self.frame
        runs: list[tuple[Spoken, bool]] = []

        def add(spoken: Spoken, article: bool) -> None:
            if not spoken:
                return
            if runs and not article and not runs[-1][1]:
                runs[-1][0].extend(spoken)  # the opening and the first announcement: one stretch
            else:
                runs.append((list(spoken), article))

        add(frame.opening if frame else [], False)
        for number, item in enumerate(self.articles):
            add(frame.before[number] if frame else [], False)
            add(list(zip(item.segments, item.keys, strict=True)), True)
        add(frame.closing if frame else [], False)
        add(frame.disclosure if frame else [], False)
        return runs

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
                kind=EpisodeKind.ARTICLE,
                frame=self.frame.alone(item.segments[0].article) if self.frame else None,
            )
            for item in self.articles
        ]


def frame_for(
    plan: BulletinPlan, announcing: Announcing, voice_for: SpeakerFor | None = None
) -> Frame:
    """The announcements of a bulletin, in its language, from the phrases of its profile.

    Made once the bulletin's articles are final, so that "Article 2 of 5" counts the
    articles that are really in it. A phrase a profile leaves empty is not said.
    """
    profile, engine = plan.profile, plan.articles[0].engine
    pauses, count = profile.pauses, len(plan.articles)
    main = Speaker(engine, profile)
    voices: dict[str, Speaker] = {}
    # Numbers are said and shown in the language's own digits (۱۴ in Persian, ১৪ in Bengali).
    values = {
        "bulletin": announcing.bulletin,
        "date": profile.numerals(segment.spoken_date(plan.edition.date, profile)),
        "count": profile.numerals(count),
    }

    def say(role: str, article: int, sentence: int, pause_ms: int, **extra: object) -> Spoken:
        phrase = profile.phrases.get(role, "")
        if not phrase:
            return []
        text = phrase.format(**values, **extra)
        segments = segment.announcement(
            text, article, sentence, pause_ms, engine.max_chars, profile
        )
        keys, others = _addressed(segments, main, voice_for)
        voices.update(others)
        return list(zip(segments, keys, strict=True))

    indices = [item.segments[0].article for item in plan.articles]
    # The disclosure goes with the last article's chapter, as the closing does; a
    # paragraph's pause sets it apart from the closing without the gap between articles.
    disclosure = (
        say("disclosure", indices[-1], -5, pauses.article) if announcing.disclose_voice else []
    )
    return Frame(
        opening=say("opening", indices[0], -3, pauses.sentence)
        + say("contents", indices[0], -4, pauses.paragraph),
        before=[
            say("before_article", index, -1, pauses.sentence, number=profile.numerals(number))
            for number, index in enumerate(indices, 1)
        ],
        closing=say("closing", indices[-1], -2, pauses.paragraph if disclosure else pauses.article),
        voices=voices,
        disclosure=disclosure,
    )


def plan_article(
    article: Article,
    index: int,
    profile: Profile,
    engine: Engine,
    voice_for: SpeakerFor | None = None,
) -> ArticlePlan:
    """Script an article for an engine and address each of its clips.

    ``voice_for`` gives the voices for runs and paragraphs in other languages;
    without it, the article's voice speaks everything.

    Raises:
        ContentError: the article cannot be scripted (a word too long for the engine).
    """

    def paragraph_profile(code: str) -> Profile:
        voice = voice_for(code) if voice_for else None
        return voice.profile if voice else profile

    segments = segment.article_script(article, index, profile, engine.max_chars, paragraph_profile)
    keys, voices = _addressed(segments, Speaker(engine, profile), voice_for)
    return ArticlePlan(article=article, engine=engine, segments=segments, keys=keys, voices=voices)
