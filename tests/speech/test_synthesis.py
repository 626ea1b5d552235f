"""Synthesis against the loopback fake: retries, backoff, the concurrency limit and cache hits."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from bulletins.audio.loudness import integrated
from bulletins.cache import ClipCache, clip_key
from bulletins.errors import AudioError
from bulletins.model import Audio
from bulletins.options import synthesis_options
from bulletins.profiles.profile import Profile, builtin_voices_dir, load_profiles
from bulletins.settings import Settings
from bulletins.speech.engines.base import EngineOptions
from bulletins.speech.engines.espeak import EspeakEngine
from bulletins.speech.engines.google import GoogleEngine
from bulletins.speech.synthesis import Job, Synthesizer
from bulletins.speech.throttle import RetryPolicy
from bulletins.testing import FakeGoogle, Reply
from bulletins.workers import WorkerPool

IT = load_profiles([builtin_voices_dir()])["it"]
TEXTS = [f"Frase numero {n}, detta dalla voce di prova." for n in range(12)]


def jobs(engine: GoogleEngine | EspeakEngine, texts: list[str] = TEXTS) -> list[Job]:
    return [
        Job(
            key=clip_key(engine.name, engine.version(), engine.voice_key(IT), t),
            text=t,
            engine=engine,
            profile=IT,
            group=n // 4,
        )
        for n, t in enumerate(texts)
    ]


def synthesizer(
    fake: FakeGoogle, cache: Path, retries: int = 4, **options: int
) -> tuple[Synthesizer, GoogleEngine]:
    engine_options = EngineOptions(gtts_endpoint=fake.url, timeout_s=0.5)
    settings = replace(
        synthesis_options(Settings()),
        retry=RetryPolicy(retries=retries, base_s=0.01, cap_s=0.05),
        engine_options=engine_options,
        seed=7,
        **options,
    )
    return Synthesizer(settings, ClipCache(cache), WorkerPool(1)), GoogleEngine(engine_options)


def test_all_clips_land_in_the_cache_and_a_rerun_asks_nothing(
    fake_google: FakeGoogle, tmp_path: Path
) -> None:
    """Every text is requested once; a second run is served from the cache without a request."""
    synth, engine = synthesizer(fake_google, tmp_path)
    with synth:
        assert synth.run(jobs(engine)) == {}
        assert sorted(r.text for r in fake_google.requests) == sorted(TEXTS)
        assert synth.stats.spoken == len(TEXTS)
        # Asked again within the same build, the clips are neither requested nor counted twice.
        assert synth.run(jobs(engine)) == {}
        assert (synth.stats.spoken, synth.stats.cached) == (len(TEXTS), 0)
    rerun, engine = synthesizer(fake_google, tmp_path)  # the next build
    with rerun:
        assert rerun.run(jobs(engine)) == {}
    assert len(fake_google.requests) == len(TEXTS)
    assert (rerun.stats.spoken, rerun.stats.cached) == (0, len(TEXTS))
    assert all(ClipCache(tmp_path).get(job.key) is not None for job in jobs(engine))


def test_concurrency_stays_within_the_limit(tmp_path: Path) -> None:
    """With a slow server, requests overlap up to the configured maximum and never beyond."""
    with FakeGoogle(latency_s=0.1) as fake:
        synth, engine = synthesizer(fake, tmp_path, concurrency=2, max_concurrency=3)
        with synth:
            assert synth.run(jobs(engine)) == {}
        assert fake.peak_in_flight == 3


def test_429_without_retry_after_is_retried(fake_google: FakeGoogle, tmp_path: Path) -> None:
    """A 429 is retried after a backoff and the clip still arrives."""
    fake_google.when(TEXTS[0], Reply(status=429))
    synth, engine = synthesizer(fake_google, tmp_path, retries=2)
    with synth:
        failures = synth.run(jobs(engine, TEXTS[:1]))
    assert [r.status for r in fake_google.requests] == [429, 429, 429]
    assert "answered 429" in next(iter(failures.values())) and "gave up after 2 retries" in next(
        iter(failures.values())
    )


def test_retry_after_is_waited_for(fake_google: FakeGoogle, tmp_path: Path) -> None:
    """After '429 Retry-After: 1' the same text is asked again no sooner than a second later."""
    fake_google.reply(Reply(status=429, headers=(("Retry-After", "1"),)))
    synth, engine = synthesizer(fake_google, tmp_path)
    with synth:
        assert synth.run(jobs(engine, TEXTS[:1])) == {}
    first, second = fake_google.requests
    assert (first.status, second.status, first.text) == (429, 200, second.text)
    assert second.at - first.at >= 1.0
    assert synth.stats.retries == 1


def test_server_errors_and_timeouts_are_retried(fake_google: FakeGoogle, tmp_path: Path) -> None:
    """503 and a timeout are each retried and then succeed."""
    fake_google.reply(Reply(status=503), Reply(delay_s=1.0))
    synth, engine = synthesizer(fake_google, tmp_path, concurrency=1, max_concurrency=1)
    with synth:
        assert synth.run(jobs(engine, TEXTS[:1])) == {}
    assert [r.status for r in fake_google.requests] == [503, 200, 200]
    assert synth.stats.retries == 2


def test_empty_answer_fails_only_its_text(fake_google: FakeGoogle, tmp_path: Path) -> None:
    """A 200 with no audio is not retried; the other texts are unaffected."""
    fake_google.when("numero 3,", Reply(audio=False))
    synth, engine = synthesizer(fake_google, tmp_path)
    with synth:
        failures = synth.run(jobs(engine))
    assert len(failures) == 1 and "no audio" in next(iter(failures.values()))
    assert sum(r.text == TEXTS[3] for r in fake_google.requests) == 1
    assert synth.stats.spoken == len(TEXTS) - 1


def test_connection_refused_fails_after_retries(tmp_path: Path) -> None:
    """With nothing listening, every text fails after its retries, with the reason."""
    with FakeGoogle() as fake:
        url = fake.url
    options = EngineOptions(gtts_endpoint=url, timeout_s=0.5)
    engine = GoogleEngine(options)
    settings = replace(
        synthesis_options(Settings()),
        retry=RetryPolicy(retries=2, base_s=0.01),
        engine_options=options,
    )
    with Synthesizer(settings, ClipCache(tmp_path), WorkerPool(1)) as synth:
        failures = synth.run(jobs(engine, TEXTS[:3]))
    assert len(failures) == 3
    assert all(
        "could not be reached" in f and "gave up after 2 retries" in f for f in failures.values()
    )


def test_overloaded_server_lowers_concurrency_and_nothing_fails(tmp_path: Path) -> None:
    """When the server refuses more than 3 at once, the limit drops and every clip still arrives."""
    with FakeGoogle(latency_s=0.05, overload_above=3) as fake:
        synth, engine = synthesizer(fake, tmp_path, retries=8, concurrency=4, max_concurrency=8)
        with synth:
            assert synth.run(jobs(engine, [f"Testo {n}." for n in range(40)])) == {}
        refused = sum(r.status == 429 for r in fake.requests)
    assert refused > 0
    assert synth.stats.retries == refused
    assert synth.stats.lowest_limit is not None and synth.stats.lowest_limit < 4


def test_offline_engine_in_worker_processes(tmp_path: Path) -> None:
    """Two worker processes speak eSpeak NG clips into the cache, the same as in-process ones."""
    engine = EspeakEngine()
    texts = [f"Frase numero {n}." for n in range(30)]
    with (
        WorkerPool(2) as pool,
        Synthesizer(synthesis_options(Settings()), ClipCache(tmp_path / "two"), pool) as synth,
    ):
        assert synth.run(jobs(engine, texts)) == {}
    with Synthesizer(
        synthesis_options(Settings()), ClipCache(tmp_path / "one"), WorkerPool(1)
    ) as synth:
        assert synth.run(jobs(engine, texts)) == {}
    # eSpeak NG carries a little state from call to call, so compare lengths, not samples.
    for job in jobs(engine, texts):
        two, one = (
            ClipCache(tmp_path / "two").get(job.key),
            ClipCache(tmp_path / "one").get(job.key),
        )
        assert two is not None and one is not None
        assert abs(two.duration_ms - one.duration_ms) < 0.05 * one.duration_ms


def test_offline_engine_speaks_the_same_clip_again_and_again(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A long run in one process, with voices looked up between clips, gives sound clips throughout.

    eSpeak NG must be initialised once per process: initialising it again corrupts its
    phoneme tables, and clips come out garbled or quiet with "Invalid instruction" on stderr.
    """
    engine = EspeakEngine()
    en = load_profiles([builtin_voices_dir()])["en"]
    first = engine.synthesize("Sentence number one, spoken by the test voice.", IT)

    def loudness(clip: Audio) -> float:
        measured = integrated(clip.pcm, clip.sample_rate)
        assert measured is not None
        return measured

    for _ in range(40):
        assert engine.speaks(IT) and engine.speaks(en)
        engine.describe(en)
        engine.synthesize("A second voice between two Italian sentences.", en)
        again = engine.synthesize("Sentence number one, spoken by the test voice.", IT)
        assert abs(again.duration_ms - first.duration_ms) < 0.05 * first.duration_ms
        assert abs(loudness(again) - loudness(first)) < 1
    assert "Invalid instruction" not in capfd.readouterr().err


def test_answers_are_finished_outside_the_request_limit(tmp_path: Path) -> None:
    """Decoding and re-timing an answer does not hold its place among the requests in flight.

    With one request allowed at a time, the first answer's finishing waits until a second
    request has been answered: it can only happen if the first let go of the limit.
    """
    with FakeGoogle() as fake:
        synth, _ = synthesizer(fake, tmp_path, concurrency=1, max_concurrency=1)
        overlapped: list[bool] = []

        class Slow(GoogleEngine):
            def finish(self, data: bytes, text: str, profile: Profile) -> Audio:
                if text == TEXTS[0]:
                    deadline = time.monotonic() + 5
                    while len(fake.requests) < 2 and time.monotonic() < deadline:
                        time.sleep(0.01)
                    overlapped.append(len(fake.requests) >= 2)
                return super().finish(data, text, profile)

        engine = Slow(EngineOptions(gtts_endpoint=fake.url, timeout_s=2))
        with synth:
            assert synth.run(jobs(engine, TEXTS[:2])) == {}
        assert fake.peak_in_flight == 1
    assert overlapped == [True]


def test_online_clips_are_decoded_and_retimed_in_this_process(
    fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Google's MP3 becomes a clip at the profile's pace without an ffmpeg process per clip."""
    import subprocess

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args}")

    engine = GoogleEngine(EngineOptions(gtts_endpoint=fake_google.url, timeout_s=2))
    text = "Una frase abbastanza lunga da misurare il ritmo della voce di prova, parola per parola."
    answer = engine.fetch(text, IT)  # the fake encodes its answer with ffmpeg: before the patch
    monkeypatch.setattr(subprocess, "run", no_process)
    monkeypatch.setattr(subprocess, "Popen", no_process)
    natural = engine.finish(answer, text, replace(IT, rate_wpm=10_000))
    slower = engine.finish(answer, text, replace(IT, rate_wpm=60))
    assert natural.sample_rate == slower.sample_rate == 24000
    # The tempo range caps both; the slower clip is the longer, at the same pitch's rate.
    assert len(slower.pcm) > 1.3 * len(natural.pcm)


def test_an_answer_that_is_not_audio_fails_its_clip(fake_google: FakeGoogle) -> None:
    """Bytes the decoder cannot read are one clear AudioError, not a crash."""
    engine = GoogleEngine(EngineOptions(gtts_endpoint=fake_google.url, timeout_s=2))
    with pytest.raises(AudioError, match="could not decode the audio"):
        engine.finish(b"<html>not audio</html>" * 40, "Una frase.", IT)
