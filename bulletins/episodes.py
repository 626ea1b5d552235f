"""Episodes: what each episode is made of, and writing it unless its file is already that episode."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3

from . import __version__, segment
from .cache import PIECE_FORMAT, ClipCache, PieceCache, clip_key, piece_key
from .codec import ffmpeg_exe
from .content import slugify
from .engines import Engine
from .errors import AudioError, BulletinsError
from .files import article_path, sidecars
from .mixing import Encoding
from .model import Article, Chapter, Edition, Episode, EpisodeKind, Segment
from .scripts import SPACELESS
from .settings import Settings
from .tags import BUILD_TAG, TagInfo, read_loudness
from .voices import Profile
from .workers import (
    EpisodeJob,
    PieceJob,
    RenderResult,
    WorkerPool,
    assemble_episode,
    render_piece_job,
)


@dataclass(frozen=True)
class Voice:
    """An engine speaking with one language's profile."""

    engine: Engine
    profile: Profile

    def key(self, text: str) -> str:
        """The cache key of ``text`` spoken by this voice."""
        engine = self.engine
        return clip_key(engine.name, engine.version(), engine.voice_key(self.profile), text)

    def describe(self) -> str:
        return self.engine.describe(self.profile)


VoiceFor = Callable[[str], Voice | None]
"""The voice for a language, or None when no engine here speaks it."""


def _addressed(
    segments: list[Segment], main: Voice, voice_for: VoiceFor | None
) -> tuple[list[str], dict[str, Voice]]:
    """Each segment's cache key, and the voice of each key not spoken by ``main``.

    A segment in another language (a Latin name in Arabic) is spoken by that
    language's voice when there is one, else by the bulletin's own.
    """
    keys: list[str] = []
    others: dict[str, Voice] = {}
    for item in segments:
        voice = (voice_for(item.language) if item.language and voice_for else None) or main
        key = voice.key(item.spoken)
        keys.append(key)
        if voice != main:
            others[key] = voice
    return keys, others


@dataclass
class ArticlePlan:
    """One article's script, the engine that speaks it, and its clips' cache keys."""

    article: Article
    engine: Engine
    segments: list[Segment]
    keys: list[str]
    note: str | None = None
    """Said in the summary and tags when the article was spoken unusually (a fallback)."""
    voices: dict[str, Voice] = field(default_factory=dict)
    """The voice of each clip (by key) spoken in another language than the article's."""


Spoken = list[tuple[Segment, str]]
"""Segments with their clips' cache keys."""


@dataclass
class Frame:
    """The announcements of a bulletin: an opening, one before each article, a closing."""

    opening: Spoken
    before: list[Spoken]
    closing: Spoken
    voices: dict[str, Voice] = field(default_factory=dict)
    """The voice of each clip (by key) spoken in another language (a series name in English)."""

    def pairs(self) -> Spoken:
        """Every announcement with its cache key, in speaking order."""
        return [*self.opening, *(pair for part in self.before for pair in part), *self.closing]


@dataclass
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
            )
            for item in self.articles
        ]


def frame_for(plan: BulletinPlan, bulletin: str, voice_for: VoiceFor | None = None) -> Frame:
    """The announcements of a bulletin, in its language, from the phrases of its profile.

    Made once the bulletin's articles are final, so that "Article 2 of 5" counts the
    articles that are really in it. A phrase a profile leaves empty is not said.
    """
    profile, engine = plan.profile, plan.articles[0].engine
    pauses, count = profile.pauses, len(plan.articles)
    main = Voice(engine, profile)
    voices: dict[str, Voice] = {}
    # Numbers are said and shown in the language's own digits (۱۴ in Persian, ১৪ in Bengali).
    values = {
        "bulletin": bulletin,
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
    return Frame(
        opening=say("opening", indices[0], -3, pauses.sentence)
        + say("contents", indices[0], -4, pauses.paragraph),
        before=[
            say("before_article", index, -1, pauses.sentence, number=profile.numerals(number))
            for number, index in enumerate(indices, 1)
        ],
        closing=say("closing", indices[-1], -2, pauses.article),
        voices=voices,
    )


def plan_article(
    article: Article,
    index: int,
    profile: Profile,
    engine: Engine,
    voice_for: VoiceFor | None = None,
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
    keys, voices = _addressed(segments, Voice(engine, profile), voice_for)
    return ArticlePlan(article=article, engine=engine, segments=segments, keys=keys, voices=voices)


def _build_key(spoken: Spoken, info: TagInfo, settings: Settings) -> str:
    """A digest of everything that shapes a bulletin's file: equal digests, equal files."""
    material = [
        __version__,
        PIECE_FORMAT,
        settings.bitrate,
        settings.sample_rate,
        settings.loudness,
        settings.true_peak,
        dataclasses.astuple(dataclasses.replace(info, chapters=())),
        [(k, s.pause_after_ms, s.article) for s, k in spoken],
    ]
    return hashlib.sha256(
        json.dumps(material, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _existing(path: Path, key: str) -> RenderResult | None:
    """The duration, chapters and loudness of ``path`` when it was built from exactly ``key``."""
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
    return RenderResult(
        round(audio.info.length * 1000),
        tuple(Chapter(str(c.sub_frames["TIT2"]), c.start_time, c.end_time) for c in chapters),
        read_loudness(tags),
    )


def _titles(plan: BulletinPlan) -> list[str]:
    """One chapter title per article: its headline (the edition's title if it has none)."""
    return [item.article.headline or plan.edition.title for item in plan.articles]


def _tag_info(plan: BulletinPlan, settings: Settings) -> TagInfo:
    articles = [item.article for item in plan.articles]
    titles = _titles(plan)
    summaries = [a.summary for a in articles if a.summary]
    voices = sorted(
        {item.engine.describe(plan.profile) for item in plan.articles}
        | {v.describe() for item in plan.articles for v in item.voices.values()}
        | {v.describe() for v in (plan.frame.voices.values() if plan.frame else ())}
    )
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


def _piece_jobs(
    runs: list[tuple[Spoken, bool]], cache_root: Path, encoding: Encoding
) -> list[PieceJob]:
    """The pieces an episode is joined from, in order.

    An article is a piece with no silence at either end, so the same piece serves its
    bulletin and its own episode. The pause after a stretch goes to the announcements
    beside it; between two articles with no announcement it is a piece of silence.
    """
    jobs: list[PieceJob] = []
    encoder = Path(ffmpeg_exe()).name  # names its version: another build may encode otherwise

    def add(spoken: Spoken, lead_ms: int, tail_ms: int) -> None:
        segments = tuple(s for s, _ in spoken)
        keys = tuple(k for _, k in spoken)
        material = [
            __version__,
            encoder,
            keys,
            [s.pause_after_ms for s in segments[:-1]],
            lead_ms,
            tail_ms,
            dataclasses.astuple(encoding),
        ]
        jobs.append(
            PieceJob(piece_key(material), segments, keys, lead_ms, tail_ms, cache_root, encoding)
        )

    for number, (spoken, article) in enumerate(runs):
        before = runs[number - 1] if number else None
        after = runs[number + 1] if number + 1 < len(runs) else None
        lead = before[0][-1][0].pause_after_ms if before and not article else 0
        tail = spoken[-1][0].pause_after_ms if after and not article and after[1] else 0
        add(spoken, lead, tail)
        if article and after and after[1] and spoken[-1][0].pause_after_ms:
            add([], spoken[-1][0].pause_after_ms, 0)
    return jobs


def start_episodes(
    plans: Sequence[BulletinPlan], cache: ClipCache, settings: Settings, pool: WorkerPool
) -> tuple[list[Callable[[], Episode]], int]:
    """Start writing each episode whose file is not already exactly that episode.

    Every piece the episodes need and the piece cache lacks is encoded once, in the
    worker processes, the longest first, so that no worker is left with one long
    piece at the end; an article shared by a bulletin and its own episode is one piece.

    Returns:
        For each plan, a function that waits for its pieces, joins them into its file
        and gives its Episode; and how many pieces are being encoded.
    """
    encoding = Encoding(
        f"{settings.bitrate}k", settings.sample_rate, settings.loudness, settings.true_peak
    )
    store = PieceCache(cache.root)
    prepared = []
    needed: dict[str, PieceJob] = {}
    for plan in plans:
        info = _tag_info(plan, settings)
        runs = plan.runs()
        spoken = [pair for part, _article in runs for pair in part]
        key = _build_key(spoken, info, settings)
        existing = _existing(plan.path, key)
        pieces = _piece_jobs(runs, cache.root, encoding) if existing is None else []
        for piece in pieces:
            if piece.key not in needed and piece.key not in store:
                needed[piece.key] = piece
        job = EpisodeJob(
            path=plan.path,
            segments=tuple(s for s, _ in spoken),
            pieces=tuple(p.key for p in pieces),
            cache_root=cache.root,
            info=info,
            titles=tuple(_titles(plan)),
            build_key=key,
            language=plan.profile.language,
        )
        prepared.append((plan, job, existing))
    futures = {
        piece.key: pool.submit(render_piece_job, piece)
        for piece in sorted(needed.values(), key=lambda p: -p.size)
    }

    def finisher(
        plan: BulletinPlan, job: EpisodeJob, existing: RenderResult | None
    ) -> Callable[[], Episode]:
        def finish() -> Episode:
            if existing is None:
                for key in job.pieces:
                    if key in futures:
                        try:
                            futures[key].result()
                        except BulletinsError as exc:
                            raise AudioError(f"{plan.path}: {exc}") from exc
                result = assemble_episode(job)
            else:
                result = existing
            info = job.info
            return Episode(
                edition=plan.edition,
                language=plan.profile.language,
                articles=tuple(item.article for item in plan.articles),
                path=plan.path,
                duration_ms=result.duration_ms,
                chapters=result.chapters,
                loudness=result.loudness,
                engine="+".join(sorted({i.engine.name for i in plan.articles})),
                voice=info.voice or "",
                spoken_text=info.spoken_text,
                rebuilt=existing is None,
                kind=plan.kind,
                # Chinese, Japanese and Thai have no spaces to count words between:
                # their rate is not reported rather than reported wrong.
                words=0
                if plan.profile.script in SPACELESS
                else sum(len(s.spoken.split()) for s in job.segments),
                title=info.title,
                description=info.description,
                date=info.date,
            )

        return finish

    return [finisher(plan, job, existing) for plan, job, existing in prepared], len(futures)
