"""Fetching web pages and feeds with care: only http(s), public addresses, bounded time and size.

Ingesting follows links found in other people's feeds, so every address is checked
before it is fetched, and again after every redirect, and every connection is checked
for the address it really reached: a feed must not be able to point bulletins at a
file on this machine or a service on the local network.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import requests

from bulletins import __version__
from bulletins.deadline import Deadline, watched_adapter
from bulletins.errors import SourceError

USER_AGENT = f"bulletins/{__version__} (turns news articles into spoken audio bulletins)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/x-rss+xml",  # unregistered, but what many servers (and Python's mimetypes) send
    "application/x-atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
# Feeds are often served with a generic type; the body decides then.
LOOSE_TYPES = ("text/plain", "application/octet-stream")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)
# The HTML standard reads these labels as windows-1252, as every browser does:
# pages that say ISO-8859-1 routinely hold curly quotes and dashes from 0x80 to 0x9F.
_WINDOWS_1252_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}


@dataclass(frozen=True)
class FetchOptions:
    """The limits every request is held to."""

    timeout: float
    """Seconds for the whole answer, not just for each read."""
    max_bytes: int
    """Largest body accepted: a news page is well under a megabyte."""
    allow_private: bool
    """Fetch from loopback and private networks too (an intranet, or tests)."""
    max_redirects: int = 5
    max_items: int = 100
    """Most items read from one feed."""
    feed_timeout: float = 300.0
    """Seconds for one feed and the pages of its items; each page also keeps ``timeout``."""


@dataclass(frozen=True)
class Response:
    """A fetched body and what its headers said about it."""

    url: str
    """The address it came from, after redirects."""
    data: bytes
    media_type: str
    """Lower case, without parameters; empty when the server did not say."""
    charset: str | None
    language: str | None
    """The Content-Language header, when sent."""


def check_address(url: str, allow_private: bool) -> None:
    """Refuse an address that is not http(s), or that leads to this machine or a private network.

    Raises:
        SourceError: the address may not be fetched; the message says why.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        shown = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        raise SourceError(f"{url}: only http and https addresses are fetched (this has {shown})")
    if not parts.hostname:
        raise SourceError(f"{url}: has no host name")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{url}: the host cannot be found ({exc})") from exc
    for info in infos:
        refusal = _refusal(str(info[4][0]))
        if refusal:
            raise SourceError(f"{url}: {refusal}")


def _refusal(ip: str) -> str | None:
    """Why an IP address is not fetched from, or None when it is a public one."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # an IPv6 scope ("%eth0") is no part of it
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_global and not address.is_multicast:
        return None
    kind = "a loopback" if address.is_loopback else "a private or reserved"
    return (
        f"leads to {address}, {kind} address; such addresses are refused "
        "unless fetching from private networks is allowed (--allow-private)"
    )


class _Refused(Exception):
    """A connection reached an address that is not fetched from."""


class _CheckedPeer:
    """Checks the address a connection actually reached, before any request is sent on it.

    The host name was checked before the request, but a name can resolve to another
    address a moment later (DNS rebinding: a public answer for the check, a loopback
    one for the connection). urllib3 opens every new connection in ``_new_conn``;
    the peer of the socket it returns is the address the request would go to. Unless
    private addresses are allowed, a connection is refused unless it reaches a public
    address. Through a proxy (``HTTPS_PROXY``), the proxy connects, and only the check
    of the name before the request applies.
    """

    allow_private: bool

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        refusal = None if self.allow_private else _refusal(str(sock.getpeername()[0]))
        if refusal:
            sock.close()
            raise _Refused(refusal)
        return sock


def fetch(url: str, options: FetchOptions, accept: tuple[str, ...]) -> Response:
    """GET ``url``, following at most ``options.max_redirects`` redirects, each checked first.

    ``accept`` lists the media types wanted; a body of another type is refused
    unless the server named none or a generic one.

    Raises:
        SourceError: the address is refused, the server failed or was too slow, the
            body is too large or of the wrong type; the message names the address.
    """
    with Deadline(options.timeout) as watch:
        return _fetch(url, options, accept, watch)


def _fetch(url: str, options: FetchOptions, accept: tuple[str, ...], watch: Deadline) -> Response:
    deadline = watch.deadline
    headers = {"User-Agent": USER_AGENT, "Accept": ", ".join([*accept, "*/*;q=0.1"])}
    with requests.Session() as session:
        adapter = watched_adapter((_CheckedPeer,), {"allow_private": options.allow_private})
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        for _ in range(options.max_redirects + 1):
            check_address(url, options.allow_private)
            try:
                response = session.get(
                    url,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=max(0.1, deadline - time.monotonic()),
                )
            except _Refused as exc:
                raise SourceError(f"{url}: {exc}") from exc
            except requests.Timeout as exc:
                raise SourceError(_slow(url, options)) from exc
            except requests.RequestException as exc:
                if watch.passed:
                    raise SourceError(_slow(url, options)) from exc
                raise SourceError(f"{url}: could not be fetched ({_reason(exc)})") from exc
            with response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                return _read(url, response, options, accept, watch)
    raise SourceError(
        f"{url}: more than {options.max_redirects} redirects; the address is not fetched"
    )


def _read(
    url: str,
    response: requests.Response,
    options: FetchOptions,
    accept: tuple[str, ...],
    watch: Deadline,
) -> Response:
    if response.status_code != 200:
        raise SourceError(
            f"{url}: the server answered {response.status_code} {response.reason}".rstrip()
        )
    media_type, charset = parse_content_type(response.headers.get("Content-Type", ""))
    if media_type and media_type not in accept and media_type not in LOOSE_TYPES:
        raise SourceError(f"{url}: is {media_type}, not {_kinds(accept)}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > options.max_bytes:
        raise SourceError(_too_big(url, options))
    body = bytearray()
    try:
        # Small blocks: the deadline is checked between them, so a server that
        # trickles its answer byte by byte is cut off near the deadline too.
        for block in response.iter_content(chunk_size=8192):
            body += block
            if len(body) > options.max_bytes:
                raise SourceError(_too_big(url, options))
            if watch.passed:
                raise SourceError(_slow(url, options))
    except requests.Timeout as exc:
        raise SourceError(_slow(url, options)) from exc
    except requests.RequestException as exc:
        if watch.passed:
            raise SourceError(_slow(url, options)) from exc
        raise SourceError(f"{url}: the answer broke off ({_reason(exc)})") from exc
    if watch.fired:
        # The deadline shut the socket, and a server that sent no length looks done.
        raise SourceError(_slow(url, options))
    return Response(
        url=url,
        data=bytes(body),
        media_type=media_type,
        charset=charset,
        language=response.headers.get("Content-Language"),
    )


def parse_content_type(value: str) -> tuple[str, str | None]:
    """``text/html; charset=UTF-8`` → (``text/html``, ``UTF-8``)."""
    media_type, _, parameters = value.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, parameter_value = parameter.partition("=")
        if name.strip().lower() == "charset" and parameter_value.strip():
            charset = parameter_value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None when the label names no known encoding."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, header_charset: str | None) -> str:
    """Decode an HTML page: byte order mark, valid UTF-8, the HTTP header, ``<meta>``, then the bytes.

    Browsers trust the declarations first; here valid UTF-8 comes before them,
    because a page saved or re-served as UTF-8 often keeps a stale ``<meta>`` for
    its old single-byte charset, and non-ASCII text in windows-1256 or
    windows-1252 is practically never valid UTF-8 by chance. A page that declares
    nothing is recognised from its bytes; as a last resort it is read as
    windows-1252, which never fails.
    """
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    meta = _META_CHARSET.search(data[:4096])
    declared = [_codec(header_charset), _codec(meta.group(1).decode("ascii") if meta else None)]
    for label in declared:
        if label is not None:
            try:
                return data.decode(label)
            except UnicodeDecodeError:
                continue  # a wrong declaration: the bytes themselves decide below
    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None:
        return str(guess)
    return data.decode("cp1252", errors="replace")


def _kinds(accept: tuple[str, ...]) -> str:
    wanted = []
    if any(t in HTML_TYPES for t in accept):
        wanted.append("a web page")
    if any(t in FEED_TYPES for t in accept):
        wanted.append("an RSS or Atom feed")
    return " or ".join(wanted) or ", ".join(accept)


def _too_big(url: str, options: FetchOptions) -> str:
    return (
        f"{url}: is larger than {options.max_bytes:,} bytes, more than a news page or feed; "
        "it is not fetched (raise --max-bytes if it is right)"
    )


def _slow(url: str, options: FetchOptions) -> str:
    return f"{url}: did not answer in full within {options.timeout:g} s (--timeout)"


def _reason(exc: requests.RequestException) -> str:
    cause = exc.__context__ or exc.__cause__
    text = str(cause or exc)
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
