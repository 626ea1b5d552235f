"""Test doubles shipped with bulletins, for its own tests and for users checking their setups.

- The ``tone`` engine (:class:`bulletins.engines.tone.ToneEngine`) speaks without speech.
- :class:`FakeGoogle` is a local stand-in for Google's speech endpoint: it speaks the
  real batchexecute protocol on loopback and answers with real MP3 audio, and can be
  told to fail the way the real service does.
- :class:`DaskCluster` starts a Dask scheduler and workers on loopback with the ``dask``
  commands, to try ``build --cluster`` on one machine.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from types import TracebackType
from typing import Any

from bulletins.audio.codec import encode_mp3
from bulletins.profiles.profile import default_profile
from bulletins.speech.engines.google import RPC_PATH
from bulletins.speech.engines.tone import ToneEngine

__all__ = ["DaskCluster", "FakeGoogle", "Reply", "ToneEngine"]


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the fake: a status, headers, and whether it carries audio."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    audio: bool = True
    delay_s: float = 0.0
    """Wait this long before answering (longer than a client's timeout: a timeout)."""
    drip_s: float = 0.0
    """Send the whole answer, status line to last byte, one byte every this many seconds:
    a server no read timeout ever catches."""


@dataclass
class Request:
    """What the fake received: the text and language of one synthesis request."""

    text: str
    lang: str
    speed: object
    at: float
    """time.monotonic() when it arrived."""
    status: int = 200
    """What the fake answered."""


@dataclass
class _State:
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)
    latency_s: float = 0.0
    overload_above: int | None = None
    rules: list[tuple[str, Reply]] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    mp3_cache: dict[int, bytes] = field(default_factory=dict)


def _mp3_for(text: str, state: _State) -> bytes:
    """Real MP3 audio as long as the text would take to say: 24 kHz mono, like Google's."""
    words = max(1, len(text.split()))
    with state.lock:
        cached = state.mp3_cache.get(words)
    if cached is not None:
        return cached
    audio = ToneEngine().synthesize(text, default_profile("en"))
    with TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp3"
        encode_mp3([audio.pcm], audio.sample_rate, path, bitrate="32k", output_rate=24000)
        data = path.read_bytes()
    with state.lock:
        state.mp3_cache[words] = data
    return data


def batchexecute_body(mp3: bytes | None) -> bytes:
    """A batchexecute response as Google sends it: an XSSI guard, then length-prefixed JSON."""
    payload = json.dumps([base64.b64encode(mp3).decode()]) if mp3 is not None else "null"
    compact = (",", ":")
    envelope = json.dumps(
        [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 42]], separators=compact
    )
    tail = json.dumps([["e", 4, None, None, len(envelope)]], separators=compact)
    return f")]}}'\n\n{len(envelope)}\n{envelope}\n{len(tail)}\n{tail}\n".encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_HEAD(self) -> None:
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        rpc = json.loads(form["f.req"][0])
        text, lang, speed, _ = json.loads(rpc[0][0][1])
        with state.lock:
            state.in_flight += 1
            state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
            ruled = next((r for needle, r in state.rules if needle in text), None)
            if ruled is not None:
                reply = ruled
            elif state.replies:
                reply = state.replies.popleft()
            elif state.overload_above is not None and state.in_flight > state.overload_above:
                reply = Reply(status=429)
            else:
                reply = Reply()
            state.requests.append(Request(text, lang, speed, time.monotonic(), reply.status))
        counted = True

        def answered() -> None:
            # A request is in flight until its answer is handed over: counted down
            # before the last write, since the client may send its next request as soon
            # as it has the whole answer, before this thread runs on.
            nonlocal counted
            if counted:
                counted = False
                with state.lock:
                    state.in_flight -= 1

        try:
            time.sleep(state.latency_s + reply.delay_s)
            body = batchexecute_body(_mp3_for(text, state) if reply.audio else None)
            if self.path != RPC_PATH:
                reply, body = Reply(status=404), b"Not Found"
            if reply.drip_s:
                self._drip(reply, body)
                return
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            answered()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer
        finally:
            answered()

    def _drip(self, reply: Reply, body: bytes) -> None:
        head = (
            f"HTTP/1.1 {reply.status} OK\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.close_connection = True
        for byte in head.encode() + body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(reply.drip_s)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class FakeGoogle:
    """Google's speech endpoint on 127.0.0.1, for tests: ``with FakeGoogle() as fake: fake.url``.

    Answers succeed with audio unless replies are scripted with :meth:`reply`.
    """

    def __init__(self, latency_s: float = 0.0, overload_above: int | None = None) -> None:
        """
        Args:
            latency_s: how long every answer takes, like a distant server.
            overload_above: answer 429 whenever more requests than this are in flight.
        """
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State(latency_s=latency_s, overload_above=overload_above)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give bulletins as ``gtts_endpoint``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[Request]:
        return list(self._server.state.requests)

    @property
    def peak_in_flight(self) -> int:
        return self._server.state.peak_in_flight

    def reply(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order, then succeed again."""
        with self._server.state.lock:
            self._server.state.replies.extend(replies)

    def when(self, text_contains: str, reply: Reply) -> None:
        """Answer every request whose text contains ``text_contains`` with ``reply``."""
        with self._server.state.lock:
            self._server.state.rules.append((text_contains, reply))

    def __enter__(self) -> FakeGoogle:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class DaskCluster:
    """A Dask scheduler and its workers on 127.0.0.1, each a process started with the
    ``dask scheduler`` and ``dask worker`` commands as an operator starts them (one
    process and one thread a worker), for trying ``build --cluster`` (needs the ``dask``
    extra). ``start`` waits until every worker has joined; ``stop`` ends them all.
    """

    def __init__(
        self,
        folder: Path,
        workers: int,
        preload: Path | None = None,
        env: Mapping[str, str] | None = None,
        scheduler_env: Mapping[str, str] | None = None,
    ) -> None:
        """``preload`` is a module each worker loads as it starts (``dask worker
        --preload``); ``env`` is added to every process's environment, ``scheduler_env``
        to the scheduler's (its settings: ``DASK_DISTRIBUTED__SCHEDULER__…``)."""
        self.folder = folder
        self.workers = workers
        self._preload = preload
        self._env = {**os.environ, **(env or {})}
        self._scheduler_env = dict(scheduler_env or {})
        self._processes: list[subprocess.Popen[bytes]] = []
        self.address = ""
        self.client: Any = None

    def start(self) -> DaskCluster:
        from distributed import Client

        dask = Path(sys.executable).parent / "dask"
        self.folder.mkdir(parents=True, exist_ok=True)
        scheduler_file = self.folder / "scheduler.json"
        command = [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
        self._spawn(
            "scheduler", [*command, "--scheduler-file", scheduler_file], self._scheduler_env
        )
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file():
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the Dask scheduler did not start: see {self.folder}")
            time.sleep(0.1)
        self.address = json.loads(scheduler_file.read_text())["address"]
        for number in range(self.workers):
            command = [dask, "worker", self.address, "--nworkers", "1", "--nthreads", "1"]
            command += ["--no-dashboard", "--host", "127.0.0.1", "--name", f"worker-{number}"]
            command += ["--local-directory", self.folder / f"worker-{number}"]
            if self._preload is not None:
                command += ["--preload", self._preload]
            self._spawn(f"worker-{number}", command, {})
        self.client = Client(self.address, timeout=60)
        self.client.wait_for_workers(self.workers, timeout=120)
        return self

    def _spawn(self, name: str, command: list[Any], env: Mapping[str, str]) -> None:
        with (self.folder / f"{name}.log").open("wb") as log:
            self._processes.append(
                subprocess.Popen(
                    [str(part) for part in command],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**self._env, **env},
                )
            )

    def worker_pids(self) -> dict[str, int]:
        """Each worker process's id, by its address."""
        return dict(self.client.run(os.getpid))

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        for process in reversed(self._processes):
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def __enter__(self) -> DaskCluster:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
