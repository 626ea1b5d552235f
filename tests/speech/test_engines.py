"""Engines: eSpeak NG offline, Google's voice against a loopback fake, and the tone engine."""

from __future__ import annotations

import socket
import time

import pytest

from bulletins.errors import EngineUnavailable, SynthesisError, TransientError
from bulletins.options import engine_options
from bulletins.profiles.profile import builtin_voices_dir, default_profile, load_profiles
from bulletins.settings import Settings
from bulletins.speech.engines import ENGINES
from bulletins.speech.engines.base import EngineOptions
from bulletins.speech.engines.espeak import EspeakEngine
from bulletins.speech.engines.google import GoogleEngine
from bulletins.speech.engines.tone import ToneEngine
from bulletins.testing import FakeGoogle, Reply

PROFILES = load_profiles([builtin_voices_dir()])


def test_registry_names_every_engine() -> None:
    """The registry maps each engine's name to its class."""
    assert {name: engine.name for name, engine in ENGINES.items()} == {
        "espeak": "espeak",
        "gtts": "gtts",
        "piper": "piper",
        "pico": "pico",
        "tone": "tone",
    }


@pytest.mark.parametrize("language", ["it", "ar", "en"])
def test_espeak_speaks_each_shipped_language(language: str) -> None:
    """eSpeak NG from the wheel speaks each profile's language at its own sample rate."""
    engine = EspeakEngine()
    assert engine.speaks(PROFILES[language])
    audio = engine.synthesize(
        {"it": "Buongiorno a tutti.", "ar": "صباح الخير للجميع.", "en": "Good morning, everyone."}[
            language
        ],
        PROFILES[language],
    )
    assert audio.sample_rate == 22050
    assert 500 < audio.duration_ms < 5000
    assert (
        max(
            abs(int.from_bytes(audio.pcm[i : i + 2], "little", signed=True))
            for i in range(0, len(audio.pcm), 2)
        )
        > 1000
    )


def test_espeak_voices_differ_by_language() -> None:
    """The same letters spoken by the Italian and the English voice give different audio."""
    engine = EspeakEngine()
    assert (
        engine.synthesize("Alberto", PROFILES["it"]).pcm
        != engine.synthesize("Alberto", PROFILES["en"]).pcm
    )


def test_espeak_unknown_voice() -> None:
    """A profile naming a voice eSpeak NG lacks is not spoken, and says so."""
    profile = default_profile("zu")
    engine = EspeakEngine()
    assert not engine.speaks(profile)
    with pytest.raises(SynthesisError, match="eSpeak NG has no voice 'zu'"):
        engine.synthesize("Sawubona", profile)


def test_tone_engine_is_deterministic() -> None:
    """The test engine gives the same samples for the same text, longer for longer text."""
    engine = ToneEngine()
    first = engine.synthesize("one two three", PROFILES["it"])
    assert first == engine.synthesize("one two three", PROFILES["it"])
    assert (
        engine.synthesize("one two three four five six", PROFILES["it"]).duration_ms
        > first.duration_ms
    )


def google(fake: FakeGoogle, timeout: float = 2.0) -> GoogleEngine:
    return GoogleEngine(EngineOptions(gtts_endpoint=fake.url, timeout_s=timeout))


def test_google_speaks_through_the_real_protocol(fake_google: FakeGoogle) -> None:
    """A sentence goes out as one batchexecute request in the profile's language and comes back as audio."""
    audio = google(fake_google).synthesize("Buongiorno a tutti, benvenuti.", PROFILES["it"])
    assert [(r.text, r.lang) for r in fake_google.requests] == [
        ("Buongiorno a tutti, benvenuti.", "it")
    ]
    assert audio.sample_rate == 24000
    assert 1000 < audio.duration_ms < 3000


@pytest.mark.parametrize(
    ("reply", "kind", "message", "retry_after"),
    [
        (Reply(status=500), TransientError, "answered 500", None),
        (Reply(status=429, headers=(("Retry-After", "7"),)), TransientError, "answered 429", 7.0),
        (Reply(status=429), TransientError, "answered 429", None),
        (Reply(delay_s=1.5), TransientError, "did not answer in full within 0.5 s", None),
        (Reply(audio=False), SynthesisError, "answered with no audio", None),
        (Reply(status=403), SynthesisError, "answered 403", None),
    ],
)
def test_google_failures(
    fake_google: FakeGoogle,
    reply: Reply,
    kind: type[SynthesisError],
    message: str,
    retry_after: float | None,
) -> None:
    """Refusals worth retrying are TransientErrors carrying Retry-After; the rest are final."""
    fake_google.reply(reply)
    with pytest.raises(SynthesisError, match=message) as caught:
        google(fake_google, timeout=0.5).synthesize("Buongiorno.", PROFILES["it"])
    assert type(caught.value) is kind
    assert getattr(caught.value, "retry_after", None) == retry_after


def test_google_connection_refused() -> None:
    """A closed port is reported as unreachable, by check() and by synthesize()."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = GoogleEngine(EngineOptions(gtts_endpoint=f"http://127.0.0.1:{port}", timeout_s=1))
    with pytest.raises(EngineUnavailable, match="not reachable"):
        engine.check()
    with pytest.raises(SynthesisError, match="could not be reached"):
        engine.synthesize("Buongiorno.", PROFILES["it"])


def test_google_languages_are_known_offline() -> None:
    """Whether Google speaks a language is known without asking the network."""
    engine = GoogleEngine(engine_options(Settings()))
    assert engine.speaks(PROFILES["ar"]) and engine.speaks(PROFILES["it"])
    assert not engine.speaks(default_profile("zu"))


def test_the_online_request_limit_is_gtts_own() -> None:
    """Each request carries at most what gTTS allows in one."""
    from gtts import gTTS

    assert GoogleEngine.max_chars == gTTS.GOOGLE_TTS_MAX_CHARS


def test_a_server_that_drips_its_answer_is_given_up_on_at_the_timeout(
    fake_google: FakeGoogle,
) -> None:
    """The timeout bounds the whole answer: a byte a second is abandoned within it and a second."""
    fake_google.reply(Reply(drip_s=1.0))
    started = time.monotonic()
    with pytest.raises(TransientError, match="did not answer in full within 2 s"):
        google(fake_google, timeout=2).synthesize("Buongiorno.", PROFILES["it"])
    assert time.monotonic() - started < 3
