"""An HTTP GET with a deadline for the whole fetch and a maximum size for the answer.

``urllib``'s ``timeout`` bounds each socket wait, not the fetch: a server that sends one
byte every 1.5 s kept a fetch with a 2 s timeout busy for a minute, headers included (each
header line is read a byte at a time until its newline). And ``read()`` of an answer that
says ``Content-Length: 1000000000`` allocates the gigabyte before the first byte arrives.

Here a timer shuts the fetch's sockets down when the deadline passes, whatever the fetch is
doing then (connecting through a proxy, reading the status line, the headers or the body,
following a redirect), so the blocked read returns at once; the body is read in chunks and
refused as soon as it (or its ``Content-Length``) is over the limit. Proxies from the
environment, redirects and TLS are urllib's own. Name resolution is outside the deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

CHUNK = 64 * 1024


class DeadlineExceeded(TimeoutError):
    """The whole answer did not arrive within the deadline."""


class ResponseTooLarge(ValueError):
    """The answer is (or says it is) larger than the limit."""


class _Deadline:
    """Shuts down every socket of one fetch when its time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self.ends - time.monotonic(), 0.001)

    def connect(self, address: tuple[str, int], timeout: Any, source: Any = None) -> socket.socket:
        """``socket.create_connection``, within what is left of the deadline, and watched.

        The timer shuts down a duplicate of the socket: shutdown acts on the connection, so
        it also ends reads on the TLS socket that wraps (and takes over) this one."""
        sock = socket.create_connection(address, self.remaining(), source)
        with self._lock:
            watched = sock.dup()
            self._sockets.append(watched)
            if self.expired:
                _shut(watched)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other end
        sock.shutdown(socket.SHUT_RDWR)


def _watched(base: type[http.client.HTTPConnection], deadline: _Deadline) -> Any:
    def make(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        connection = base(*args, **kwargs)
        connection._create_connection = deadline.connect  # type: ignore[attr-defined]
        return connection

    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPConnection, self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = _watched(http.client.HTTPSConnection, self.deadline)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


def get(
    url: str, *, timeout: float, max_bytes: int, headers: Mapping[str, str] | None = None
) -> bytes:
    """The body of ``GET url``, all of it within ``timeout`` seconds and at most
    ``max_bytes`` long.

    Raises ``DeadlineExceeded`` (a ``TimeoutError``) or ``ResponseTooLarge`` (a
    ``ValueError``), and otherwise what ``urllib.request.urlopen`` raises (``HTTPError``
    for an HTTP error status, ``URLError``, ``OSError``, ``http.client.HTTPException``).
    """
    deadline = _Deadline(timeout)
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with opener.open(request, timeout=timeout) as response:
            body = _body(response, max_bytes)
    except (OSError, http.client.HTTPException):
        if deadline.expired:  # the timer cut the connection: that is the news
            raise DeadlineExceeded(f"its answer did not arrive within {timeout:g} s") from None
        raise
    finally:
        deadline.close()
    if deadline.expired:  # the timer may have cut a body without a length short
        raise DeadlineExceeded(f"its answer did not arrive within {timeout:g} s")
    return body


def _body(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"its answer is {int(declared)} bytes (Content-Length); the limit is {max_bytes}"
        )
    body = bytearray()
    while chunk := response.read(CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise ResponseTooLarge(f"its answer is over the limit of {max_bytes} bytes")
    return bytes(body)
