"""Episodes: what each episode is made of, and writing it unless its file is already that episode."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3

from bulletins import __version__
from bulletins.atomic import atomic_output, write_text_atomic
from bulletins.audio.codec import LAME_QUALITY, ffmpeg_exe
from bulletins.audio.mixing import Encoding, joined
from bulletins.audio.pieces import PieceJob, render_piece_job
from bulletins.cache import PIECE_FORMAT, ClipCache, PieceCache, piece_key
from bulletins.episodes.plans import BulletinPlan, Spoken
from bulletins.episodes.tags import BUILD_TAG, TagInfo, read_loudness, write_tags
from bulletins.episodes.transcripts import chapter_title, chapters_json, cues, srt, webvtt
from bulletins.errors import AudioError, BulletinsError
from bulletins.model import (
    Chapter,
    Episode,
    Loudness,
    Piece,
    Problem,
    Segment,
    Stage,
)
from bulletins.outputs import free_bytes, sidecars
from bulletins.store import CacheRoot
from bulletins.text.scripts import SPACELESS
from bulletins.workers import Pool


@dataclass(frozen=True)
class EpisodeOptions:
    """How every episode of a build is encoded and tagged."""

    encoding: Encoding
    publisher: str
    """The artist and publisher tags."""
    bulletin: str
    """The series name: the album tag."""


FILES_FORMAT = 2
"""The format of an episode's tags, transcripts and chapters: a change rewrites every
episode once (2: WebVTT without header lines, chapter titles at most 51 characters)."""


def _build_key(spoken: Spoken, info: TagInfo, encoding: Encoding) -> str:
    """A digest of everything that shapes a bulletin's file: equal digests, equal files."""
    material = [
        __version__,
        PIECE_FORMAT,
        FILES_FORMAT,
        # kb/s as a number, as the digest has always had it: files built before stay up to date.
        encoding.kb_per_s,
        encoding.sample_rate,
        encoding.target,
        encoding.true_peak,
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


def _chapter_titles(plan: BulletinPlan) -> tuple[str, ...]:
    """The chapter titles, the same in the ID3 chapters and the chapters JSON."""
    return tuple(chapter_title(title) for title in _titles(plan))


def _voices(plan: BulletinPlan) -> list[str]:
    """The voices that speak an episode, each as its engine describes it."""
    return sorted(
        {item.engine.describe(plan.profile) for item in plan.articles}
        | {v.describe() for item in plan.articles for v in item.voices.values()}
        | {v.describe() for v in (plan.frame.voices.values() if plan.frame else ())}
    )


def _tag_info(plan: BulletinPlan, options: EpisodeOptions) -> TagInfo:
    articles = [item.article for item in plan.articles]
    titles = _titles(plan)
    summaries = [a.summary for a in articles if a.summary]
    voices = _voices(plan)
    notes = [f"{i.article.stem}: {i.note}" for i in plan.articles if i.note]
    return TagInfo(
        title=titles[0] if len(articles) == 1 else plan.edition.title,
        artist=options.publisher,
        album=options.bulletin,
        language=plan.profile.iso639_2,
        description=" ".join(summaries) if summaries else " · ".join(titles),
        spoken_text="\n\n".join(a.text for a in articles),
        chapters=(),
        date=plan.edition.date or next((a.date for a in articles if a.date), None),
        voice="; ".join(voices + notes),
    )


def _piece_jobs(
    runs: list[tuple[Spoken, bool]], cache_root: CacheRoot, encoding: Encoding
) -> list[PieceJob]:
    """The pieces an episode is joined from, in order.

    An article is a piece with no silence at either end, so the same piece serves its
    bulletin and its own episode. The pause after a stretch goes to the announcements
    beside it; between two articles with no announcement it is a piece of silence.
    """
    jobs: list[PieceJob] = []
    # The encoder's version and settings: another build may encode otherwise.
    encoder = f"{Path(ffmpeg_exe()).name} q{LAME_QUALITY}"

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


def piece_jobs(plan: BulletinPlan, cache_root: CacheRoot, encoding: Encoding) -> list[PieceJob]:
    """The pieces ``plan``'s episode is joined from, in order, as ``start_episodes`` makes
    them: the talking books are made of the same pieces (whole MP3 frames, their
    speech timed to the sample)."""
    return _piece_jobs(plan.runs(), cache_root, encoding)


class Pieces:
    """The pieces one build encodes, each started once, in the worker processes.

    An article's pieces can start as soon as their clips are spoken (``expect``, then
    ``clip_ready``), while the build still waits on the online voice for the others; the
    episodes then find them encoding already.
    """

    def __init__(self, cache_root: CacheRoot, encoding: Encoding, pool: Pool) -> None:
        self.cache_root = cache_root
        self.encoding = encoding
        self._pool = pool
        self._store = PieceCache(cache_root)
        self.futures: dict[str, Future[None]] = {}
        """Every piece started, by key."""
        self._expected: dict[str, tuple[PieceJob, set[str]]] = {}
        """Pieces to start once their clips are ready: each with the clips it still lacks."""
        self._waiting_on: dict[str, list[str]] = {}
        """For each clip, the expected pieces that say it."""

    def start(self, pieces: Iterable[PieceJob]) -> None:
        """Start each piece neither started nor in the piece cache, the longest first."""
        wanted = {p.key: p for p in pieces if p.key not in self.futures}
        for piece in sorted(wanted.values(), key=lambda p: -p.size):
            if piece.key in self._store:
                continue
            try:
                self.futures[piece.key] = self._pool.submit(
                    render_piece_job, piece, key=piece.task_key
                )
            except OSError as exc:
                # Inline, the encode has run already: a full disk fails its episodes, later.
                failed: Future[None] = Future()
                failed.set_exception(exc)
                self.futures[piece.key] = failed

    def expect(self, plans: Iterable[BulletinPlan]) -> None:
        """Note these bulletins' pieces, to start each when its last clip is ready.

        The plans carry the announcements they will be built with, so that those pieces
        too are encoded while the online voice still speaks the articles. With one
        worker, encoding runs here, so nothing could overlap: it waits for the speech
        to end, as before.
        """
        if self._pool.inline:
            return
        for plan in plans:
            for piece in piece_jobs(plan, self.cache_root, self.encoding):
                if piece.key in self._expected or piece.key in self._store:
                    continue
                if not piece.keys:
                    self.start([piece])  # silence alone: nothing to wait for
                    continue
                self._expected[piece.key] = (piece, set(piece.keys))
                for clip in set(piece.keys):
                    self._waiting_on.setdefault(clip, []).append(piece.key)

    def clip_ready(self, clip: str) -> None:
        """A clip is in the cache: start every expected piece that now has all of its own."""
        for key in self._waiting_on.pop(clip, []):
            piece, missing = self._expected[key]
            missing.discard(clip)
            if not missing:
                self.start([piece])


def start_episodes(
    plans: Sequence[BulletinPlan],
    cache: ClipCache,
    options: EpisodeOptions,
    pool: Pool,
    pieces: Pieces | None = None,
) -> tuple[list[Callable[[], Episode]], int, list[Problem]]:
    """Start writing each episode whose file is not already exactly that episode.

    Every piece the episodes need and the piece cache lacks is encoded once, in the
    worker processes, the longest first, so that no worker is left with one long
    piece at the end; an article shared by a bulletin and its own episode is one piece.
    ``pieces`` holds those started already (see ``Pieces.expect``).

    Returns:
        For each plan, a function that waits for its pieces, joins them into its file
        and gives its Episode; how many pieces were encoded for the build; and a warning
        when the disk clearly cannot hold the episodes to be written.
    """
    encoding = options.encoding
    pieces = pieces or Pieces(cache.root, encoding, pool)
    prepared = []
    needed: list[PieceJob] = []
    for plan in plans:
        info = _tag_info(plan, options)
        runs = plan.runs()
        spoken = [pair for part, _article in runs for pair in part]
        key = _build_key(spoken, info, encoding)
        existing = _existing(plan.path, key)
        jobs = _piece_jobs(runs, cache.root, encoding) if existing is None else []
        needed += jobs
        job = EpisodeJob(
            path=plan.path,
            segments=tuple(s for s, _ in spoken),
            pieces=tuple(p.key for p in jobs),
            cache_root=cache.root,
            info=info,
            titles=_chapter_titles(plan),
            build_key=key,
            language=plan.profile.language,
        )
        prepared.append((plan, job, existing))
    pieces.start(needed)
    futures = pieces.futures
    pending = [_Pending(plan, job, existing, futures) for plan, job, existing in prepared]
    writing = [(plan, job) for plan, job, existing in prepared if existing is None]
    return [p.finish for p in pending], len(futures), _room(writing, encoding)


def _room(writing: Sequence[tuple[BulletinPlan, EpisodeJob]], encoding: Encoding) -> list[Problem]:
    """A warning when the disk clearly cannot hold the episodes about to be written.

    Each episode's size is estimated from its words at its profile's rate and its
    pauses, at the bitrate. A file replaced needs room for its growth, and the
    largest for its new copy while the old one still stands.
    """
    if not writing:
        return []
    byte_rate = encoding.kb_per_s * 1000 / 8
    sizes = []
    for plan, job in writing:
        seconds = sum(
            60 * len(s.spoken.split()) / max(plan.profile.rate_wpm, 1) + s.pause_after_ms / 1000
            for s in job.segments
        )
        present = job.path.stat().st_size if job.path.is_file() else 0
        sizes.append((int(seconds * byte_rate), present))
    needed = sum(max(0, new - old) for new, old in sizes) + max(new for new, _ in sizes)
    folder = writing[0][1].path.parent
    free = free_bytes(folder)
    if free is None or free >= needed:
        return []
    message = (
        f"{folder}: the disk holding it has {free / 1e6:.1f} MB free, and the episodes to "
        f"write need about {needed / 1e6:.1f} MB; free some space, or the ones that do "
        "not fit fail (their earlier files stay)"
    )
    return [Problem(Stage.ASSEMBLE, message, folder, warning=True)]


@dataclass(frozen=True)
class _Pending:
    """An episode being written: its pieces are encoding, or it is already up to date."""

    plan: BulletinPlan
    job: EpisodeJob
    existing: RenderResult | None
    """What its file already is, when that is this episode; None when it must be written."""
    pieces: Mapping[str, Future[None]]
    """The pieces being encoded, by key, for all the episodes started together."""

    def finish(self) -> Episode:
        """Wait for its pieces, join them into its file, and give its Episode.

        Raises:
            AudioError: a piece of it could not be encoded.
        """
        if self.existing is not None:
            return _episode(self.plan, self.job, self.existing, rebuilt=False)
        for key in self.job.pieces:
            if key in self.pieces:
                try:
                    self.pieces[key].result()
                except BulletinsError as exc:
                    raise AudioError(f"{self.plan.path}: {exc}") from exc
        return _episode(self.plan, self.job, assemble_episode(self.job), rebuilt=True)


def _episode(plan: BulletinPlan, job: EpisodeJob, result: RenderResult, rebuilt: bool) -> Episode:
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
        narrator="; ".join(_voices(plan)),
        spoken_text=info.spoken_text,
        rebuilt=rebuilt,
        kind=plan.kind,
        # Chinese, Japanese and Thai have no spaces to count words between:
        # their rate is not reported rather than reported wrong.
        words=0
        if plan.profile.script in SPACELESS
        else sum(len(s.spoken.split()) for s in job.segments),
        rate_target=plan.profile.heard_rate,
        title=info.title,
        description=info.description,
        date=info.date,
    )


@dataclass(frozen=True)
class EpisodeJob:
    """Everything needed to join an episode's pieces into its file, and tag it."""

    path: Path
    segments: tuple[Segment, ...]
    """Everything it says, in order."""
    pieces: tuple[str, ...]
    """The piece cache keys of its pieces, in order."""
    cache_root: CacheRoot
    info: TagInfo
    """Its tags; the chapters are filled in from the audio."""
    titles: tuple[str, ...]
    """One chapter title per article, in order."""
    build_key: str
    language: str = "und"
    """ISO 639-1 code, for the transcripts."""


@dataclass(frozen=True)
class RenderResult:
    """What writing a bulletin found out about it."""

    duration_ms: int
    chapters: tuple[Chapter, ...]
    loudness: Loudness | None


def assemble_episode(job: EpisodeJob) -> RenderResult:
    """Join an episode's encoded pieces into its MP3, tag it and write its transcripts and chapters.

    The file is replaced only once it is complete.

    Raises:
        AudioError: a piece is missing from the piece cache.
    """
    store = PieceCache(job.cache_root)
    pieces: list[Piece] = []
    with atomic_output(job.path) as temporary:
        with temporary.open("wb") as file:
            for key in job.pieces:
                entry = store.get(key)
                if entry is None:
                    raise AudioError(
                        f"{job.path}: a piece of it is missing from the cache at {job.cache_root}"
                    )
                pieces.append(entry[0])
                file.write(entry[1])
        rendered = joined(pieces, job.segments)
        chapters = tuple(
            Chapter(title, start, end)
            for title, (start, end) in zip(job.titles, rendered.chapters_ms, strict=True)
        )
        write_tags(
            temporary,
            replace(job.info, chapters=chapters),
            build_key=job.build_key,
            loudness=rendered.loudness,
        )
        # The transcripts and chapters go into place first: once the new MP3 is
        # renamed into place, everything published beside it matches it.
        timed = cues(job.segments, rendered.speech_ms)
        files = sidecars(job.path)
        write_text_atomic(files["vtt"], webvtt(timed))
        write_text_atomic(files["srt"], srt(timed))
        write_text_atomic(files["chapters"], chapters_json(chapters))
    return RenderResult(rendered.duration_ms, chapters, rendered.loudness)
