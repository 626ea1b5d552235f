"""Building: every edition's articles become one spoken, tagged bulletin per language.

This is the library's front door; the CLI only parses options and calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import content, language, mixing, segment, synthesis
from .engines import ENGINES, Engine, EngineOptions
from .errors import BulletinsError, ContentError, EngineUnavailable, LanguageError
from .files import atomic_output, bulletin_path
from .model import Article, Clip, Edition, Episode, Segment
from .settings import Settings
from .tags import TagInfo, write_tags
from .voices import Profile, builtin_voices_dir, load_profiles, profile_for

OnProgress = Callable[[str, int, int], None]
"""Called as (what is being spoken, segments done, segments in all)."""


@dataclass
class Report:
    """What a build made and what went wrong, for the closing summary."""

    episodes: list[Episode] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    articles: int = 0

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
        self._options = EngineOptions(
            timeout_s=settings.timeout, gtts_endpoint=settings.gtts_endpoint
        )
        self._engines: dict[str, Engine] = {}
        self._unusable: dict[str, str] = {}
        self._report = report

    def engine(self, name: str) -> Engine:
        if name not in self._engines:
            self._engines[name] = ENGINES[name](self._options)
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

    def can_speak(self, code: str) -> bool:
        return self.voicing.can_speak(profile_for(code, self.profiles))

    def is_language(self, code: str) -> bool:
        return language.detectable(code) or code in self.profiles or self.can_speak(code)

    def read(self, folder: Path) -> tuple[Edition, list[Article]]:
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

    def speak(
        self, articles: Sequence[Article], profile: Profile, engine: Engine, label: str
    ) -> tuple[list[Article], list[Clip]]:
        """Speak each article; an article that fails is reported and left out."""
        scripts: list[tuple[Article, list[Segment]]] = []
        for index, article in enumerate(articles):
            try:
                scripts.append(
                    (article, segment.article_script(article, index, profile, engine.max_chars))
                )
            except ContentError as exc:
                self.report.errors.append(str(exc))
        total = sum(len(script) for _, script in scripts)
        done = 0

        def advance(_clip: Clip) -> None:
            nonlocal done
            done += 1
            if self.progress is not None:
                self.progress(label, done, total)

        spoken: list[Article] = []
        clips: list[Clip] = []
        for article, script in scripts:
            try:
                clips.extend(synthesis.speak(script, engine, profile, advance))
            except BulletinsError as exc:
                self.report.errors.append(f"{article.path}: {exc}")
                continue
            spoken.append(article)
        return spoken, clips

    def bulletin(self, edition: Edition, code: str, articles: Sequence[Article]) -> None:
        profile = profile_for(code, self.profiles)
        try:
            engine = self.voicing.choose(profile)
        except EngineUnavailable as exc:
            for article in articles:
                self.report.errors.append(f"{article.path}: {exc}")
            return
        label = f"{edition.slug} [{code}]"
        spoken, clips = self.speak(articles, profile, engine, label)
        if not clips:
            return
        path = bulletin_path(self.settings.out_dir, edition.slug, code)
        episode = write_episode(edition, profile, spoken, clips, path, self.settings, engine)
        self.report.episodes.append(episode)


def write_episode(
    edition: Edition,
    profile: Profile,
    articles: Sequence[Article],
    clips: Sequence[Clip],
    path: Path,
    settings: Settings,
    engine: Engine,
) -> Episode:
    """Mix, encode and tag one bulletin, replacing ``path`` only once it is complete."""
    mix = mixing.mix(clips)
    titles = [article.headline or edition.title for article in articles]
    chapters = mixing.chapters(mix, titles)
    title = titles[0] if len(articles) == 1 else edition.title
    summaries = [a.summary for a in articles if a.summary]
    description = " ".join(summaries) if summaries else " · ".join(titles)
    spoken_text = "\n\n".join(article.text for article in articles)
    with atomic_output(path) as temporary:
        mixing.export(mix, temporary, f"{settings.bitrate}k", settings.sample_rate)
        write_tags(
            temporary,
            TagInfo(
                title=title,
                artist=settings.publisher,
                album=settings.bulletin,
                language=profile.iso639_2,
                description=description,
                spoken_text=spoken_text,
                chapters=chapters,
                date=edition.date or next((a.date for a in articles if a.date), None),
                voice=engine.describe(profile),
            ),
        )
    return Episode(
        edition=edition,
        language=profile.language,
        articles=tuple(articles),
        path=path,
        duration_ms=mix.duration_ms,
        chapters=chapters,
        engine=engine.name,
        voice=engine.describe(profile),
        spoken_text=spoken_text,
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
    for folder in folders:
        edition, articles = pipeline.read(folder)
        languages: dict[str, list[Article]] = {}
        for article in articles:
            languages.setdefault(str(article.language), []).append(article)
        for code, group in languages.items():
            pipeline.bulletin(edition, code, group)
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
        article, pipeline.detector, pipeline.can_speak, settings.min_confidence
    )
    profile = profile_for(str(article.language), pipeline.profiles)
    engine = pipeline.voicing.choose(profile)
    script = segment.article_script(article, 0, profile, engine.max_chars)
    clips = synthesis.speak(script, engine, profile)
    edition = Edition(slug="say", title=paragraphs[0][:80], date=None, path=Path("."))
    return write_episode(edition, profile, [article], clips, path, settings, engine)
