"""The online engine: Google Translate's voice, through the gTTS library.

gTTS builds each request (its RPC format, its headers); this engine sends them
itself, because gTTS's own sender turns off TLS certificate checks and has no
timeout by default. Every request here verifies TLS and has a timeout.
"""

from __future__ import annotations

import base64
import re
import threading
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from bulletins.deadline import Deadline, watched_adapter
from bulletins.errors import EngineUnavailable, SynthesisError, TransientError
from bulletins.model import Audio
from bulletins.profiles.profile import Profile
from bulletins.speech.engines.base import EngineOptions, VoiceInfo
from bulletins.speech.throttle import parse_retry_after
from bulletins.text.scripts import is_spaceless

if TYPE_CHECKING:
    import requests

# gTTS, requests and the audio decoder load when the voice is first used, not when the
# command line starts: `bulletins --help` need not wait for them.

RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"
# Google's voice returns 24 kHz mono MP3; decoding at that rate avoids a resample.
SAMPLE_RATE = 24000
_AUDIO = re.compile(rb'jQ1olc","\[\\"(.*?)\\"]')


@cache
def _languages() -> dict[str, str]:
    from gtts.lang import tts_langs

    return dict(tts_langs())


def _gtts_version() -> str:
    from gtts import __version__

    return str(__version__)


def parse_response(body: bytes) -> bytes:
    """The MP3 bytes inside a batchexecute response, or b"" when it holds none."""
    match = _AUDIO.search(body)
    return base64.b64decode(match.group(1)) if match else b""


class GoogleEngine:
    """Google Translate's voice: natural, many languages, needs the internet."""

    name: ClassVar[str] = "gtts"
    max_chars: ClassVar[int] = 100
    """gTTS's ``GOOGLE_TTS_MAX_CHARS``: the most one request may carry (a test keeps them equal)."""
    offline: ClassVar[bool] = False

    def __init__(self, options: EngineOptions) -> None:
        self._options = options
        # One session per thread: requests does not promise a Session is thread-safe,
        # and the online pool calls synthesize from several threads at once.
        self._local = threading.local()

    @property
    def _session(self) -> requests.Session:
        import requests

        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            # Its connections are watched by each request's deadline (see synthesize).
            adapter = watched_adapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        return session

    def url(self, tld: str) -> str:
        base = self._options.gtts_endpoint or f"https://translate.google.{tld}"
        return base.rstrip("/") + RPC_PATH

    def version(self) -> str:
        return f"gtts {_gtts_version()}"

    def speaks(self, profile: Profile) -> bool:
        return bool(profile.gtts_lang) and profile.gtts_lang in _languages()

    def voice_key(self, profile: Profile) -> str:
        return f"{profile.gtts_lang}|{profile.gtts_tld}|{profile.rate_for(self.name)}"

    def describe(self, profile: Profile) -> str:
        return f"Google Translate voice {profile.gtts_lang} ({profile.gtts_tld}), via gTTS {_gtts_version()}"

    def check(self) -> None:
        import requests

        url = self.url("com")
        try:
            self._session.head(url, timeout=min(self._options.timeout_s, 5.0))
        except requests.RequestException as exc:
            raise EngineUnavailable(
                f"Google's voice is not reachable at {url}: {type(exc).__name__}"
            ) from exc

    def synthesize(self, text: str, profile: Profile) -> Audio:
        return self.finish(self.fetch(text, profile), text, profile)

    def fetch(self, text: str, profile: Profile) -> bytes:
        """Google's MP3 of ``text``: the requests, and nothing else (see ``finish``).

        Raises:
            TransientError: rate limited, server trouble, too slow or unreachable: retry.
            SynthesisError: refused, or answered without audio.
        """
        import requests
        from gtts import gTTS

        if not self.speaks(profile):
            raise SynthesisError(f"Google's voice does not speak '{profile.gtts_lang}'")
        tts = gTTS(
            text,
            lang=str(profile.gtts_lang),
            tld=profile.gtts_tld,
            lang_check=False,
            pre_processor_funcs=[],
        )
        url = self.url(profile.gtts_tld)
        audio = b""
        timeout = self._options.timeout_s
        slow = f"Google's voice did not answer in full within {timeout:g} s at {url}"
        for body in tts.get_bodies():
            # The timeout bounds the whole answer, not each read: a server that drips
            # its answer is given up on at the deadline, and the request is retried.
            with Deadline(timeout) as watch:
                try:
                    response = self._session.post(
                        url, data=body, headers=gTTS.GOOGLE_TTS_HEADERS, timeout=timeout
                    )
                    content = response.content
                except requests.Timeout as exc:
                    raise TransientError(slow) from exc
                except requests.RequestException as exc:
                    if watch.fired:
                        raise TransientError(slow) from exc
                    raise TransientError(
                        f"Google's voice could not be reached at {url}: {type(exc).__name__}"
                    ) from exc
                if watch.fired:
                    raise TransientError(slow)
            status = response.status_code
            if status == 429 or status >= 500:
                # Rate limiting and server trouble pass; the caller backs off and retries.
                raise TransientError(
                    f"Google's voice answered {status} {response.reason} for: {text[:60]}",
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            if status != 200:
                raise SynthesisError(
                    f"Google's voice answered {status} {response.reason} for: {text[:60]}"
                )
            part = parse_response(content)
            if not part:
                raise SynthesisError(
                    f"Google's voice answered with no audio for: {text[:60]}. "
                    "Probable cause: the service changed its format or refused the language"
                )
            audio += part
        return audio

    def finish(self, data: bytes, text: str, profile: Profile) -> Audio:
        """The clip from Google's MP3: decoded and brought to the profile's rate, in this process.

        Raises:
            AudioError: the MP3 cannot be decoded.
        """
        from bulletins.audio.codec import decode
        from bulletins.audio.mixing import fit_rate

        # Google's voice has no rate setting (only "slow"): the tempo is changed instead.
        # Words are counted between spaces; Chinese, Japanese and Thai put none between
        # words, so their clips keep Google's own pace rather than a miscounted one.
        words = 0 if is_spaceless(text) else len(text.split())
        return fit_rate(decode(data, SAMPLE_RATE, "mp3"), words, profile.rate_for(self.name))

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(self.name, code, code, name) for code, name in sorted(_languages().items())
        ]
