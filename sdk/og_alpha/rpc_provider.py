"""web3's ``HTTPProvider``, parsing the node's answers within the JSON depth bound, over a
lighter HTTP client where it can be.

py-evm and py_ecc raise the interpreter's recursion limit in every process that imports
them (``og_alpha`` does, through eth-account), and web3 decodes each JSON-RPC answer with
``json.loads``: a node answering 80 KB of ``[`` overflows the stack and the process dies.
This provider parses answers with :mod:`og_alpha.jsonsafe` instead (NaN accepted, as web3's
decoder accepts it), and is otherwise web3's: the same request kwargs, retries and batches.
``Alpha(private_key, rpc_url=...)`` and ``connect()`` use it; a ``Web3`` passed to ``Alpha``
keeps the provider it was given.

Requests to a plain ``http://`` node go over one keep-alive ``http.client`` socket per thread
instead of a ``requests`` session: requests spends ~0.6 ms of CPU on each request (merging
settings, scanning the environment for proxies, urllib3's pool), several times what the
exchange itself costs, and an infer makes five. The fast path sends what requests sends
(its default headers and web3's) and fails as requests fails, with requests' exception
types around the socket's error, so web3's retries and the SDK's messages are unchanged.
Whatever it does not reproduce goes through requests as before: https, an explicit session,
request kwargs other than ``timeout`` and plain headers, a proxy or netrc credentials from the
environment, a URL with credentials or characters requests would requote, a redirect (sent
again through requests, which follows it) and, once a node has set a cookie, that thread's
requests (its requests session keeps the cookie and sends it).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import select
import socket
import threading
import zlib
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from eth_utils import to_text
from requests.cookies import MockRequest, MockResponse
from requests.structures import CaseInsensitiveDict
from requests.utils import get_environ_proxies, get_netrc_auth, requote_uri, select_proxy
from urllib3.exceptions import ProtocolError
from web3 import HTTPProvider
from web3._utils.http import DEFAULT_HTTP_TIMEOUT
from web3._utils.http_session_manager import HTTPSessionManager
from web3.exceptions import BadResponseFormat
from web3.types import RPCResponse

from . import jsonsafe

# What a requests session adds to every request (requests.utils.default_headers() but its
# User-Agent, which web3's headers replace), in the order it sends them.
SESSION_HEADERS = (("Accept-Encoding", "gzip, deflate"), ("Accept", "*/*"))
# Headers the fast path writes itself: a request that sets them goes through requests.
OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class AnswerOverLimit(BadResponseFormat):
    """The node's answer is beyond a bound of the SDK (JSON nested too deep): not decoded."""


class _Handover(Exception):
    """The answer is one requests handles differently (a redirect, a cookie): send through
    requests instead."""


class _Socket:
    """One keep-alive connection; closed when it is dropped (its thread ended, its provider
    was collected), so no socket is left for the garbage collector to warn about."""

    __slots__ = ("address", "sock")

    def __init__(self, address: tuple[str, int], sock: socket.socket) -> None:
        self.address, self.sock = address, sock

    def close(self) -> None:
        self.sock.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter shutdown
            self.sock.close()

    def dropped(self) -> bool:
        """The peer closed it (or sent what nobody asked for) since the last answer: as
        urllib3 does, a pooled connection readable between requests is not reused."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(0))


class FastSessionManager(HTTPSessionManager):
    """web3's session manager, with plain-HTTP POSTs over one ``http.client`` socket per
    thread (see the module's doc); everything else is requests' as before."""

    def __init__(self, explicit_session: requests.Session | None = None) -> None:
        super().__init__(explicit_session=explicit_session)
        self._local = threading.local()
        self._requests_only = explicit_session is not None
        self._targets: dict[str, tuple[str, int, str] | None] = {}

    def make_post_request(
        self, endpoint_uri: Any, data: bytes | dict[str, Any], **kwargs: Any
    ) -> bytes:
        uri = str(endpoint_uri)
        target = self._target(uri)
        headers = _plain_headers(kwargs) if target is not None else None
        timeouts = _timeouts(kwargs.get("timeout", DEFAULT_HTTP_TIMEOUT))
        if (
            target is None
            or headers is None
            or timeouts is None
            or self._requests_only
            or getattr(self._local, "cookies", False)
            or not isinstance(data, bytes)
            or _environment_applies(uri)
        ):
            return super().make_post_request(endpoint_uri, data, **kwargs)
        try:
            return self._post(uri, target, headers, data, timeouts)
        except _Handover:
            return super().make_post_request(endpoint_uri, data, **kwargs)

    # --- what the fast path takes -------------------------------------------------------------
    def _target(self, uri: str) -> tuple[str, int, str] | None:
        """(host, port, request target) of a plain-HTTP URL the fast path sends to as
        requests would; None for any other."""
        if uri not in self._targets:
            self._targets[uri] = _http_target(uri)
        return self._targets[uri]

    # --- the exchange -------------------------------------------------------------------------
    def _post(
        self,
        uri: str,
        target: tuple[str, int, str],
        headers: list[tuple[str, str]],
        body: bytes,
        timeouts: tuple[float | None, float | None],
    ) -> bytes:
        host, port, path = target
        lines = [f"POST {path} HTTP/1.1", f"Host: {_host_header(host, port)}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        connection = self._connection((host, port), timeouts[0])
        sock = connection.sock
        try:
            sock.settimeout(timeouts[1])
            sock.sendall(request)
            response = http.client.HTTPResponse(sock, method="POST")
            response.begin()
        except TimeoutError as exc:
            self._drop()
            raise requests.exceptions.ReadTimeout(
                f"{_host_header(host, port)}: read timed out (read timeout={timeouts[1]})"
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise requests.exceptions.ConnectionError(
                ProtocolError("Connection aborted.", exc)
            ) from exc
        try:
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            if isinstance(exc, TimeoutError):
                raise requests.exceptions.ConnectionError(exc) from exc
            raise requests.exceptions.ChunkedEncodingError(
                ProtocolError(f"Connection broken: {exc!r}", exc)
            ) from exc
        finally:
            response.close()
        if response.will_close:
            self._drop()
        status = response.status
        if 300 <= status < 400 and response.getheader("Location") is not None:
            raise _Handover  # requests follows it (a redirect is not an answer)
        if response.msg.get_all("Set-Cookie"):
            self._keep_cookies(uri, response)
        content = _decoded(content, response.getheader("Content-Encoding", ""))
        if status >= 400:
            answer = requests.Response()
            answer.status_code, answer.reason = status, response.reason
            answer.url = requests.Request("POST", uri).prepare().url or uri
            answer.headers = CaseInsensitiveDict(response.getheaders())
            answer._content = content
            answer.raise_for_status()
        return content

    def _keep_cookies(self, uri: str, response: http.client.HTTPResponse) -> None:
        """Cookies go into this thread's requests session, which sends them from now on
        (a load balancer's sticky session, say), as it would have had it sent this one."""
        session = self.cache_and_return_session(cast(Any, uri))
        prepared = requests.Request("POST", uri).prepare()
        session.cookies.extract_cookies(
            MockResponse(response.msg),  # type: ignore[arg-type]
            MockRequest(prepared),  # type: ignore[arg-type]
        )
        self._local.cookies = True
        self._drop()

    def _connection(self, address: tuple[str, int], timeout: float | None) -> _Socket:
        """This thread's connection to ``address``: the open one unless the peer dropped
        it, else a new one (failures as requests raises them)."""
        current: _Socket | None = getattr(self._local, "connection", None)
        if current is not None:
            if current.address == address and not current.dropped():
                return current
            self._drop()
        try:
            sock = socket.create_connection(address, timeout)
        except TimeoutError as exc:
            raise requests.exceptions.ConnectTimeout(
                f"{_host_header(*address)}: connection timed out (connect timeout={timeout})"
            ) from exc
        except OSError as exc:
            raise requests.exceptions.ConnectionError(
                f"{_host_header(*address)}: failed to establish a new connection: {exc}"
            ) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as urllib3 does
        self._local.connection = _Socket(address, sock)
        return cast(_Socket, self._local.connection)

    def _drop(self) -> None:
        connection: _Socket | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()


def _http_target(uri: str) -> tuple[str, int, str] | None:
    try:
        parts = urlsplit(uri)
        port = parts.port or 80
    except ValueError:
        return None
    host = parts.hostname
    if (
        parts.scheme.lower() != "http"
        or not host
        or "@" in parts.netloc  # credentials in the URL: requests' basic auth
        or not uri.isascii()
        or requote_uri(uri) != uri
        or any(c in uri for c in " \t\r\n")
    ):
        return None
    path = parts.path or "/"
    return host, port, path + (f"?{parts.query}" if parts.query else "")


def _host_header(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port == 80 else f"{shown}:{port}"


def _plain_headers(kwargs: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    """The headers requests would send for these request kwargs (a session's, then the
    request's), or None when the kwargs ask for more than a timeout and headers, or for
    headers the fast path does not write as requests would."""
    if not set(kwargs) <= {"headers", "timeout"}:
        return None
    given = kwargs.get("headers") or {}
    if not isinstance(given, Mapping):
        return None
    merged: dict[str, tuple[str, str]] = {k.lower(): (k, v) for k, v in SESSION_HEADERS}
    for name, value in given.items():
        if not isinstance(name, str) or not (value is None or isinstance(value, str)):
            return None
        if name.lower() in OWN_HEADERS or not name or not set(name) <= _TOKEN:
            return None
        if value is None:  # requests: a None value removes the session's header
            merged.pop(name.lower(), None)
        elif any(c in value for c in "\r\n\0") or value[:1] in (" ", "\t"):
            return None
        else:
            merged[name.lower()] = (name, value)
    if "accept-encoding" in merged and merged["accept-encoding"][1] != "gzip, deflate":
        return None
    return [*merged.values(), ("Connection", "keep-alive")]


def _timeouts(timeout: Any) -> tuple[float | None, float | None] | None:
    """(connect, read) timeouts as requests reads ``timeout``; None if not one it takes."""
    if timeout is None or _seconds(timeout):
        return timeout, timeout
    if isinstance(timeout, tuple) and len(timeout) == 2:
        connect, read = timeout
        if (connect is None or _seconds(connect)) and (read is None or _seconds(read)):
            return connect, read
    return None


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _environment_applies(uri: str) -> bool:
    """requests (``trust_env``) would take a proxy or netrc credentials from the environment
    for this request: it reads both on every request, so this is asked on every request."""
    if any(name[-6:].lower() == "_proxy" for name in os.environ) and (
        select_proxy(uri, get_environ_proxies(uri, no_proxy=None)) is not None
    ):
        return True
    return get_netrc_auth(uri) is not None


def _decoded(content: bytes, encoding: str) -> bytes:
    """The body, decoded as urllib3 decodes it (gzip and deflate; other codings as sent)."""
    coding = encoding.strip().lower()
    if not content or coding not in ("gzip", "x-gzip", "deflate"):
        return content
    try:
        if coding == "deflate":
            try:
                return zlib.decompress(content)
            except zlib.error:
                return zlib.decompress(content, -zlib.MAX_WBITS)  # raw deflate, as urllib3
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content)
    except zlib.error as exc:
        raise requests.exceptions.ContentDecodingError(
            f"Received response with content-encoding: {coding}, but failed to decode it.", exc
        ) from exc


class BoundedHTTPProvider(HTTPProvider):
    """``HTTPProvider`` whose answers are parsed by ``og_alpha.jsonsafe``, over
    :class:`FastSessionManager`."""

    def __init__(
        self,
        endpoint_uri: Any = None,
        request_kwargs: Any | None = None,
        session: Any | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(endpoint_uri, request_kwargs, session, **kwargs)
        self._request_session_manager = FastSessionManager(explicit_session=session)

    @staticmethod
    def decode_rpc_response(raw_response: bytes) -> RPCResponse:
        try:
            return cast(RPCResponse, jsonsafe.loads(to_text(raw_response), allow_nan=True))
        except jsonsafe.JSONLimitError as exc:
            raise AnswerOverLimit(
                f"{exc} (og_alpha.jsonsafe.MAX_DEPTH), as deeper nesting would overflow "
                "the interpreter's stack"
            ) from None
