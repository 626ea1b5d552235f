"""Settings: one frozen value, resolved once from every place a setting can come from.

Precedence, highest first: command-line option > environment variable
(``BULLETINS_<NAME>``) > config file (``bulletins.toml``) > default. Per-language
choices (voices, rate, pauses) live in the voice profiles, below all of these.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, get_type_hints

from bulletins.errors import ConfigError

CONFIG_NAME = "bulletins.toml"
ENV_PREFIX = "BULLETINS_"
# MP3 (MPEG-1 Layer III) allows only these bitrates for 32 to 48 kHz audio.
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
MP3_RATES = (32000, 44100, 48000)


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know besides the content and the profiles."""

    content_dir: Path = Path("content")
    """Folder of editions (or one edition's folder)."""
    out_dir: Path = Path("audio")
    """Where bulletins are written."""
    engine: str = "auto"
    """An engine name, or ``auto``: each profile's preferred engine that is usable here."""
    voices_dirs: tuple[Path, ...] = ()
    """Folders of voice profiles that override the built-in ones."""
    bitrate: int = 96
    """MP3 bitrate in kb/s: 96 kb/s mono is transparent for speech."""
    sample_rate: int = 44100
    """Of the MP3s, Hz: 44.1 kHz is the rate every podcast player and car stereo plays natively."""
    rate: int | None = None
    """Speaking rate in words per minute for every language; None means each profile's."""
    loudness: float = -16.0
    """Integrated loudness of every episode, LUFS (BS.1770, mono as dual-mono): -16 is the
    loudness Apple, Spotify and the AES recommend for speech podcasts."""
    true_peak: float = -2.0
    """Highest true peak of every episode, dBTP (measured 4x oversampled, as BS.1770 does):
    -2 satisfies Amazon's Alexa Flash Briefing, which asks for -2, and with it the -1
    that Apple Podcasts and EBU R 128 ask of delivered files."""
    bulletin: str = "News bulletin"
    """The series name: the album tag, and later the feed's title."""
    publisher: str = "bulletins"
    """Who publishes the bulletins: the artist and publisher tags."""
    disclose_voice: bool = True
    """Every episode ends by saying, in its language, that a synthetic voice read it
    (the profile's ``disclosure`` phrase): Apple asks for synthetic voices to be
    disclosed in the audio as well as in the feed."""
    min_confidence: float = 0.5
    """Lowest language-detection confidence accepted without a declared language."""
    max_article_bytes: int = 1_000_000
    timeout: float = 20.0
    """Seconds before any network request is abandoned."""
    max_page_bytes: int = 5_000_000
    """Largest web page or feed ``ingest`` fetches."""
    allow_private: bool = False
    """``ingest`` may fetch from loopback and private networks (an intranet)."""
    max_feed_items: int = 100
    """Most items ``ingest`` reads from one feed: the first in the feed's order, which
    lists the newest first."""
    feed_timeout: float = 300.0
    """Seconds ``ingest`` gives one feed, the pages of its items included."""
    gtts_endpoint: str | None = None
    """Base URL used instead of Google's (a proxy or a local fake)."""
    piper_voices: Path | None = None
    """Folder of Piper voice models; None means the user's data folder."""
    piper_voices_url: str | None = None
    """Where ``voices install`` downloads Piper voices from; None means Piper's own collection."""
    workers: int = 0
    """Processes for offline engines and bulletins encoded at once; 0 means one per core."""
    cluster: str | None = None
    """A Dask scheduler to run the offline voices and the encoding on (``tcp://host:8786``,
    or a scheduler file; ``local:N`` starts N worker processes here): needs the ``dask``
    extra. None runs them in this machine's worker processes."""
    concurrency: int = 4
    """Requests to an online voice in flight at first."""
    max_concurrency: int = 8
    """The most requests in flight once the server has accepted many."""
    retries: int = 5
    """Tries after the first for a request the server refused or dropped."""
    cache_dir: Path | str | None = None
    """Clip cache folder, or an ``s3://bucket/prefix`` every worker of a cluster reaches;
    None means the user's cache folder."""
    cache: bool = True
    """False speaks everything afresh into a cache that is deleted afterwards."""
    fallback: str = "none"
    """``offline``: an article the online voice fails is re-spoken by eSpeak NG."""
    base_url: str | None = None
    """The URL the output folder is published at; feeds are written only when it is set."""
    cover: Path | None = None
    """A square JPEG or PNG (1400 to 3000 px) for every feed; else one is drawn per language."""
    talking_books: bool = True
    """Make each bulletin a DAISY 2.02 book and an EPUB 3 with Media Overlays, beside its MP3."""
    feed_items: int = 300
    """The newest episodes each feed lists, as most podcast hosts do; the pages and the
    history keep them all."""
    owner_email: str | None = None
    """The feeds' owner's e-mail address (itunes:owner, podcast:locked): where podcast
    hosts and directories confirm who may move or import the feeds."""
    check: bool = False
    """Proof-listen each new episode after the build (``build --check``; needs the
    ``check`` extra): one heard as another language, or mostly unintelligible, is kept
    out of the feeds until it is fixed."""
    check_failures: str = "error"
    """What a failed proof-listening is: ``error`` (kept out of the feeds, exit status 1)
    or ``warn`` (reported, published)."""
    whisper_model: Path | None = None
    """A Whisper model folder for faster-whisper (CTranslate2's conversion); None means
    Whisper base from the ``check`` extra's packages."""
    update_frequency: str | None = None
    """How often new editions come, as an iCalendar RRULE (``FREQ=DAILY``,
    ``FREQ=WEEKLY;BYDAY=MO``), for podcast:updateFrequency."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(name: str, raw: Any, where: str) -> Any:
    kind = get_type_hints(Settings)[name]
    try:
        if kind == tuple[Path, ...]:
            items = raw.split(os.pathsep) if isinstance(raw, str) else list(raw)
            return tuple(Path(item) for item in items if str(item))
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in _TRUE | _FALSE:
                return str(raw).lower() in _TRUE
            raise ValueError(raw)
        if raw in (None, ""):
            return None
        if kind in (Path, Path | None):
            return Path(raw)
        if kind == Path | str | None:
            # An S3 URL stays text: a path would fold its "//".
            return str(raw) if str(raw).startswith("s3://") else Path(raw)
        if kind in (int, int | None) and not isinstance(raw, bool):
            return int(raw)
        if kind is float:
            return float(raw)
        if kind in (str, str | None):
            return str(raw)
        raise TypeError(kind)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: '{name}' has an invalid value {raw!r}") from exc


def _validate(settings: Settings, engines: tuple[str, ...]) -> Settings:
    if settings.engine != "auto" and settings.engine not in engines:
        raise ConfigError(f"unknown engine '{settings.engine}' (choose auto, {', '.join(engines)})")
    if settings.bitrate not in MP3_BITRATES:
        raise ConfigError(
            f"bitrate {settings.bitrate} kb/s is not an MP3 bitrate ({', '.join(map(str, MP3_BITRATES))})"
        )
    if settings.sample_rate not in MP3_RATES:
        raise ConfigError(f"sample rate {settings.sample_rate} Hz is not one of {MP3_RATES}")
    if settings.rate is not None and not 80 <= settings.rate <= 400:
        raise ConfigError(f"rate must be between 80 and 400 words a minute, not {settings.rate}")
    if not -36 <= settings.loudness <= -8:
        raise ConfigError(f"loudness must be between -36 and -8 LUFS, not {settings.loudness}")
    if not -9 <= settings.true_peak <= 0:
        raise ConfigError(f"true_peak must be between -9 and 0 dBTP, not {settings.true_peak}")
    if not 0 <= settings.min_confidence <= 1:
        raise ConfigError(f"min_confidence must be between 0 and 1, not {settings.min_confidence}")
    if settings.base_url and not re.match(r"^https?://[\x21-\x7e]+$", settings.base_url):
        raise ConfigError(f"base_url must be an ASCII http(s) URL, not {settings.base_url!r}")
    if settings.gtts_endpoint and not re.match(r"^https?://", settings.gtts_endpoint):
        raise ConfigError(f"gtts_endpoint must be an http(s) URL, not {settings.gtts_endpoint!r}")
    if settings.piper_voices_url and not re.match(r"^https?://", settings.piper_voices_url):
        raise ConfigError(
            f"piper_voices_url must be an http(s) URL, not {settings.piper_voices_url!r}"
        )
    if settings.fallback not in ("none", "offline"):
        raise ConfigError(f"fallback must be 'none' or 'offline', not {settings.fallback!r}")
    if settings.timeout <= 0:
        raise ConfigError(f"timeout must be more than 0 seconds, not {settings.timeout}")
    if settings.owner_email and not re.match(
        r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$", settings.owner_email
    ):
        raise ConfigError(f"owner_email must be an e-mail address, not {settings.owner_email!r}")
    if settings.update_frequency and not re.match(
        r"^FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[A-Za-z0-9,:+-]+)*$",
        settings.update_frequency,
    ):
        raise ConfigError(
            f"update_frequency must be an iCalendar RRULE such as FREQ=DAILY, not {settings.update_frequency!r}"
        )
    if settings.check_failures not in ("error", "warn"):
        raise ConfigError(
            f"check_failures must be 'error' or 'warn', not {settings.check_failures!r}"
        )
    if settings.feed_items < 1:
        raise ConfigError(f"feed_items must be at least 1, not {settings.feed_items}")
    if settings.max_feed_items < 1:
        raise ConfigError(f"max_feed_items must be at least 1, not {settings.max_feed_items}")
    if settings.feed_timeout <= 0:
        raise ConfigError(f"feed_timeout must be more than 0 seconds, not {settings.feed_timeout}")
    if settings.max_page_bytes < 1:
        raise ConfigError(f"max_page_bytes must be at least 1, not {settings.max_page_bytes}")
    if settings.cluster and not settings.cluster.startswith("local:") and not settings.cache:
        raise ConfigError(
            "a cluster's workers write into a cache the build reads: give one they share "
            "(--cache-dir) rather than --no-cache"
        )
    if settings.cluster is not None and settings.cluster.startswith("local:"):
        count = settings.cluster.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(f"cluster local:N needs N of 1 or more, not {settings.cluster!r}")
    for name in ("workers", "retries"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"{name} must not be negative")
    if not 1 <= settings.concurrency <= settings.max_concurrency:
        raise ConfigError(
            f"concurrency must be at least 1 and at most max_concurrency ({settings.max_concurrency})"
        )
    return settings


def read_config(path: Path) -> dict[str, Any]:
    """Read a ``bulletins.toml`` file.

    Raises:
        ConfigError: it is unreadable, not TOML, or names an unknown setting.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: is not valid TOML: {exc}") from exc
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return data


def resolve(
    options: Mapping[str, Any],
    environ: Mapping[str, str],
    config_path: Path | None = None,
    engines: tuple[str, ...] = (),
) -> Settings:
    """Resolve every setting by the documented precedence.

    Args:
        options: command-line values; None means "not given".
        environ: the environment (``os.environ``).
        config_path: an explicit config file; else ``$BULLETINS_CONFIG``, else
            ``bulletins.toml`` in the content folder when there is one.
        engines: known engine names, to validate ``engine``.

    Raises:
        ConfigError: a value is invalid; the message says which and where it came from.
    """
    explicit = config_path or (
        Path(environ[ENV_PREFIX + "CONFIG"]) if environ.get(ENV_PREFIX + "CONFIG") else None
    )
    content_dir = (
        options.get("content_dir")
        or environ.get(ENV_PREFIX + "CONTENT_DIR")
        or Settings.content_dir
    )
    config: dict[str, Any] = {}
    where = "config"
    if explicit is not None:
        config, where = read_config(explicit), str(explicit)
    elif (Path(content_dir) / CONFIG_NAME).is_file():
        path = Path(content_dir) / CONFIG_NAME
        config, where = read_config(path), str(path)
    values: dict[str, Any] = {}
    for field in fields(Settings):
        env_name = ENV_PREFIX + field.name.upper()
        if options.get(field.name) is not None:
            values[field.name] = _convert(field.name, options[field.name], "option")
        elif environ.get(env_name):
            values[field.name] = _convert(field.name, environ[env_name], env_name)
        elif field.name in config:
            values[field.name] = _convert(field.name, config[field.name], where)
    return _validate(Settings(**values), engines)
