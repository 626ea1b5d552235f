"""Deadlines for whole answers over HTTP: ingest's fetches and the online voice's requests.

requests' timeout bounds each read from the socket, not the whole answer: a server
that sends a byte a second is never "timed out". A ``Deadline`` shuts the sockets of
one exchange down when its time is up, whatever the server is doing (headers or
body); the read blocked on them returns at once, and the caller reports the server as
too slow. Connections made by ``watched_adapter`` hand their socket to the deadline
current in the thread that uses them, new connections and reused ones alike.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from requests.adapters import HTTPAdapter

_current = threading.local()


class Deadline:
    """Shuts every socket of one exchange when its time is up; current in its thread while entered."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._shut)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` too at the deadline (at once, if it has passed)."""
        with self._lock:
            self._sockets.append(sock)
            fired = self._fired
        if fired:
            _shutdown(sock)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.deadline

    @property
    def fired(self) -> bool:
        """Whether the sockets were shut: what was read after that may be cut short."""
        return self._fired

    def _shut(self) -> None:
        with self._lock:
            self._fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def __enter__(self) -> Deadline:
        self._outer = getattr(_current, "deadline", None)
        _current.deadline = self
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _current.deadline = self._outer
        self.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def watch_current(sock: socket.socket | None) -> None:
    """Hand ``sock`` to the deadline current in this thread, if there is one."""
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class Watched:
    """A urllib3 connection whose socket the current deadline watches, each time it is used."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        # Watched from the moment it connects: a TLS handshake that drips is bounded too.
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        watch_current(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        # A connection reused from the pool is already connected: watch it for this request.
        watch_current(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


def watched_adapter(
    mixins: tuple[type, ...] = (), attributes: dict[str, object] | None = None
) -> HTTPAdapter:
    """A requests adapter whose connections the current deadline watches.

    ``mixins`` go before ``Watched`` in each connection class, with ``attributes`` set
    on it (ingest's check of the address a connection reached, and what it allows).
    """
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    extra = dict(attributes or {})
    http_conn = type("_Connection", (*mixins, Watched, HTTPConnection), extra)
    https_conn = type("_SecureConnection", (*mixins, Watched, HTTPSConnection), extra)
    pools = {
        "http": type("_Pool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("_SecurePool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }

    class _Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    return _Adapter()
