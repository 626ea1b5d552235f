"""Each stage's options, made from the one resolved Settings value.

Below the command line and the build no module sees Settings: each stage is handed
the small value it needs, built here, so a stage can be called (and tested) alone and
every default stays written once, in Settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bulletins.settings import Settings

if TYPE_CHECKING:
    from bulletins.audio.mixing import Encoding
    from bulletins.books import BookOptions
    from bulletins.cache import LanguageMemory
    from bulletins.episodes.assembly import EpisodeOptions
    from bulletins.episodes.plans import Announcing
    from bulletins.ingest.fetch import FetchOptions
    from bulletins.profiles.profile import Profile
    from bulletins.publish.options import PublishOptions
    from bulletins.speech.choice import EngineChoice
    from bulletins.speech.engines.base import EngineOptions
    from bulletins.speech.synthesis import SynthesisOptions
    from bulletins.text.content import ReadOptions
    from bulletins.text.language import Identification

# Each function loads its stage when it is first called, not when the command line starts.


def profiles(settings: Settings) -> dict[str, Profile]:
    """The language profiles: the configured folders first, then the built-in ones.

    Raises:
        VoiceError: a profile cannot be read.
    """
    from bulletins.profiles.profile import builtin_voices_dir, load_profiles

    return load_profiles([*settings.voices_dirs, builtin_voices_dir()])


def read_options(settings: Settings, profiles: dict[str, Profile]) -> ReadOptions:
    from bulletins.text.content import ReadOptions

    debris = tuple(d for p in profiles.values() for d in p.debris)
    return ReadOptions(max_bytes=settings.max_article_bytes, debris=debris)


def identification(settings: Settings, memory: LanguageMemory | None = None) -> Identification:
    from bulletins.text.language import Identification

    return Identification(settings.min_confidence, memory=memory)


def language_memory(settings: Settings) -> LanguageMemory | None:
    """Where each article's language is remembered between builds: the cache, unless it is off."""
    from bulletins.cache import LanguageMemory, local_folder

    return LanguageMemory(local_folder(settings.cache_dir)) if settings.cache else None


def engine_options(settings: Settings) -> EngineOptions:
    from bulletins.speech.engines.base import EngineOptions

    return EngineOptions(
        timeout_s=settings.timeout,
        gtts_endpoint=settings.gtts_endpoint,
        piper_voices=settings.piper_voices,
    )


def engine_choice(settings: Settings) -> EngineChoice:
    from bulletins.speech.choice import EngineChoice

    return EngineChoice(settings.engine, engine_options(settings))


def synthesis_options(settings: Settings) -> SynthesisOptions:
    from bulletins.speech.synthesis import SynthesisOptions
    from bulletins.speech.throttle import RetryPolicy

    return SynthesisOptions(
        concurrency=settings.concurrency,
        max_concurrency=settings.max_concurrency,
        retry=RetryPolicy(retries=settings.retries),
        engine_options=engine_options(settings),
    )


def encoding(settings: Settings) -> Encoding:
    from bulletins.audio.mixing import Encoding

    return Encoding(
        f"{settings.bitrate}k", settings.sample_rate, settings.loudness, settings.true_peak
    )


def announcing(settings: Settings) -> Announcing:
    from bulletins.episodes.plans import Announcing

    return Announcing(settings.bulletin, settings.disclose_voice)


def episode_options(settings: Settings) -> EpisodeOptions:
    from bulletins.episodes.assembly import EpisodeOptions

    return EpisodeOptions(encoding(settings), settings.publisher, settings.bulletin)


def book_options(settings: Settings) -> BookOptions:
    from bulletins.books import BookOptions

    return BookOptions(encoding(settings), settings.publisher, settings.bulletin)


def publish_options(settings: Settings) -> PublishOptions:
    from bulletins.publish.options import PublishOptions

    return PublishOptions(
        out_dir=settings.out_dir,
        bulletin=settings.bulletin,
        publisher=settings.publisher,
        base_url=settings.base_url,
        cover=settings.cover,
        feed_items=settings.feed_items,
        owner_email=settings.owner_email,
        update_frequency=settings.update_frequency,
    )


def fetch_options(settings: Settings) -> FetchOptions:
    from bulletins.ingest.fetch import FetchOptions

    return FetchOptions(
        timeout=settings.timeout,
        max_bytes=settings.max_page_bytes,
        allow_private=settings.allow_private,
        max_items=settings.max_feed_items,
        feed_timeout=settings.feed_timeout,
    )
