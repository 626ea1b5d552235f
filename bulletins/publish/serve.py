"""A local preview of the output folder: the pages, feeds and audio, as a web host serves them.

Every file goes with the Content-Type podcast apps, Alexa and browsers expect of it
(``TYPES``), and transcripts and chapters with the header that lets a web player on
another site read them (``CROSS_ORIGIN``); the README shows the same for a real host.

Python's own file server answers every request with the whole file, and a browser
cannot seek in audio served that way; this one answers byte ranges (RFC 9110), so
the player's chapters and sentence jumps work as they will on the real host.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, cast
from urllib.parse import urlsplit

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
TYPES = (
    # The Podcasting 2.0 chapters format asks to be served as this type.
    (".chapters.json", "application/json+chapters"),
    (".mp3", "audio/mpeg"),
    (".vtt", "text/vtt; charset=utf-8"),
    (".srt", "application/x-subrip; charset=utf-8"),
    (".xml", "application/rss+xml; charset=utf-8"),
    (".opml", "text/x-opml; charset=utf-8"),
    # The Alexa briefings. JSON is UTF-8 by definition (RFC 8259) and takes no charset.
    (".json", "application/json"),
    (".html", "text/html; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".js", "text/javascript; charset=utf-8"),
    (".png", "image/png"),
)
"""The Content-Type of each kind of file bulletins writes, by how its name ends (the
first that matches): what a host should send, and some systems' tables lack."""
CROSS_ORIGIN = (".vtt", ".srt", ".chapters.json")
"""Files sent with ``Access-Control-Allow-Origin: *``: web players on other sites fetch
an episode's transcripts and chapters with JavaScript, which a browser lets them read
only when the host allows it."""


def content_type(name: str) -> str | None:
    """The Content-Type ``TYPES`` gives a file's name, or None."""
    name = name.lower()
    return next((kind for ending, kind in TYPES if name.endswith(ending)), None)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return content_type(Path(path).name) or super().guess_type(path)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.quiet:  # type: ignore[attr-defined]
            return
        super().log_message(format, *args)

    def send_head(self) -> BinaryIO | BytesIO | None:
        """A byte range of a file when one is asked for; otherwise the standard answer."""
        wanted = _RANGE.match(self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if wanted is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = wanted.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        elif last:
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = 0, size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return cast(BinaryIO, _Slice(handle, end - start + 1))

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        if urlsplit(self.path).path.lower().endswith(CROSS_ORIGIN):
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def copyfile(self, source: object, outputfile: object) -> None:
        if isinstance(source, _Slice):
            source.copy_to(outputfile)
        else:
            shutil.copyfileobj(source, outputfile)  # type: ignore[arg-type]


class _Slice:
    """The part of an open file that a range asked for."""

    def __init__(self, handle: object, length: int) -> None:
        self.handle = handle
        self.length = length

    def copy_to(self, out: object) -> None:
        left = self.length
        while left > 0:
            chunk = self.handle.read(min(left, 1 << 16))  # type: ignore[attr-defined]
            if not chunk:
                break
            out.write(chunk)  # type: ignore[attr-defined]
            left -= len(chunk)

    def close(self) -> None:
        self.handle.close()  # type: ignore[attr-defined]


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    quiet = False


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> _Server:
    """A server of ``folder`` on ``host:port`` (port 0: any free port)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder (build first)")
    handler = partial(_Handler, directory=os.fspath(folder))
    return _Server((host, port), handler)


@contextmanager
def serving(folder: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``folder`` in a background thread while the block runs; yields the base URL."""
    server = make_server(folder, host, port)
    server.quiet = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address, bound = server.server_address[:2]
        yield f"http://{address if isinstance(address, str) else address.decode()}:{bound}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
