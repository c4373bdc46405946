"""Who may talk to ``og devnet`` over HTTP and WebSocket, and how much they may send.

Every dev method (``evm_revert``, ``anvil_setBalance``, ``og_addModel`` ...) is open to whoever
reaches the port, and the dev keys are public, so the node refuses what a web page could
send it behind the user's back, as geth does:

- the ``Host`` header must name an allowed host (``localhost`` and the bound name, plus
  ``--allow-host``; IP literals pass, since DNS rebinding needs a name): a page on a rebound
  name is refused (geth's ``--http.vhosts``);
- a request carrying ``Origin`` (browsers always send it cross-origin, and on WebSocket
  handshakes) must come from a ``--cors`` origin; no CORS headers are sent otherwise;
- a POST must say ``Content-Type: application/json``, which a page cannot send cross-origin
  without a preflight, which is refused;
- with ``--token`` every request must carry ``Authorization: Bearer TOKEN``.

Sizes are checked before the work they would cost: the body's length before it is read (and
while it is read, for chunked bodies), the number of JSON values before it is parsed (a
60 MB batch of small objects takes seconds of parsing, holding the interpreter, and over a GB).
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
from dataclasses import dataclass
from typing import Any

from .node.core import dump, error_response
from .node.errors import INVALID_REQUEST
from .serve_limits import MAX_BODY

# Upper bound on the values a body may hold (commas + brackets): 1M parse in ~0.3 s and
# ~100 MB; a batch of 1000 requests holds ~10k, a base64 model none.
MAX_JSON_VALUES = 1_000_000
JSON_TYPES = frozenset({"application/json", "application/json-rpc", "application/jsonrequest"})
LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class Refusal:
    """An HTTP status and the JSON-RPC error body that says why and what to do."""

    status: int
    message: str
    headers: tuple[tuple[str, str], ...] = ()

    def body(self) -> bytes:
        return dump(error_response(None, INVALID_REQUEST, self.message))


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)  # asked for the Host of every request
def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_name(header: str) -> str:
    """The name in a Host header, without port or IPv6 brackets, lowercased."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header[1:]
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def _origin(value: str) -> str:
    return value.strip().lower().rstrip("/")


@dataclass(frozen=True)
class Guard:
    """The node's access policy; ``check`` runs before any request is looked at."""

    hosts: frozenset[str] = LOOPBACK_NAMES
    origins: frozenset[str] = frozenset()
    token: str | None = None
    max_body: int = MAX_BODY
    max_json_values: int = MAX_JSON_VALUES

    @classmethod
    def for_bind(
        cls,
        bind_host: str,
        *,
        allow_hosts: tuple[str, ...] | list[str] = (),
        cors: tuple[str, ...] | list[str] = (),
        token: str | None = None,
        max_body: int = MAX_BODY,
    ) -> Guard:
        hosts = set(LOOPBACK_NAMES) | {host_name(h) for h in allow_hosts if h.strip()}
        bound = host_name(bind_host)
        if bound and not _is_ip(bound):
            hosts.add(bound)
        return cls(
            frozenset(hosts),
            frozenset(_origin(o) for o in cors if o.strip()),
            token or None,
            max_body,
        )

    # --- who -------------------------------------------------------------------------------
    def check(self, headers: Any, *, auth: bool = True) -> Refusal | None:
        """Host, Origin and (unless ``auth`` is false: a browser's preflight carries no
        credentials) token of a request; ``headers`` is a case-insensitive mapping."""
        host = headers.get("Host")
        if host is not None and not self.host_allowed(host):
            name = host_name(host)
            return Refusal(
                403,
                f"invalid host specified: '{name}' is not an allowed Host (DNS rebinding "
                f"protection); start og devnet with --allow-host {name} to accept it",
            )
        origin = headers.get("Origin")
        if origin is not None and not self.origin_allowed(origin):
            return Refusal(
                403,
                f"origin '{_origin(origin)}' is not allowed: start og devnet with "
                f"--cors {_origin(origin)} to let pages from it call the node",
            )
        if auth and self.token is not None:
            given = headers.get("Authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                value.strip().encode(), self.token.encode()
            ):
                return Refusal(
                    401,
                    "missing or wrong token: this node was started with --token; send "
                    "the header Authorization: Bearer TOKEN",
                    (("WWW-Authenticate", 'Bearer realm="og devnet"'),),
                )
        return None

    def host_allowed(self, header: str) -> bool:
        name = host_name(header)
        return not name or _is_ip(name) or "*" in self.hosts or name in self.hosts

    def origin_allowed(self, origin: str) -> bool:
        return "*" in self.origins or _origin(origin) in self.origins

    def cors_headers(self, origin: str | None) -> dict[str, str]:
        """The CORS headers for an allowed ``Origin`` (none without one)."""
        if origin is None or not self.origin_allowed(origin):
            return {}
        allowed = "*" if "*" in self.origins else origin.strip()
        return {"Access-Control-Allow-Origin": allowed, "Vary": "Origin"}

    def preflight(self, origin: str | None) -> Refusal | dict[str, str]:
        """A browser's OPTIONS preflight: the CORS answer, or why not."""
        if origin is None or not self.origin_allowed(origin):
            shown = _origin(origin) if origin else "ORIGIN"
            return Refusal(
                403,
                f"cross-origin requests are not allowed: start og devnet with --cors {shown}",
            )
        return {
            **self.cors_headers(origin),
            "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Authorization",
            "Access-Control-Max-Age": "600",
        }

    # --- what ------------------------------------------------------------------------------
    @staticmethod
    def content_type(value: str | None) -> Refusal | None:
        media = (value or "").split(";", 1)[0].strip().lower()
        if media in JSON_TYPES:
            return None
        shown = media or "none"
        return Refusal(
            415,
            f"invalid content type '{shown}': JSON-RPC requests must be sent with the "
            "header Content-Type: application/json",
        )

    def too_large(self, size: int, *, known: bool = True) -> Refusal:
        what = f"request body of {size} bytes" if known else f"request body of over {size} bytes"
        return Refusal(
            413,
            f"{what} exceeds the limit of {self.max_body} (start og devnet with "
            "--max-request-bytes to raise it)",
        )

    def json_budget(self, body: bytes) -> Refusal | None:
        """Refuse before parsing a body that could hold more values than allowed."""
        values = body.count(b",") + body.count(b"[") + body.count(b"{")
        if values <= self.max_json_values:
            return None
        return Refusal(
            413,
            f"request body holds up to {values} JSON values, over the limit of "
            f"{self.max_json_values}: send at most 1000 requests per batch and split "
            "large parameters",
        )


__all__ = ["MAX_BODY", "MAX_JSON_VALUES", "Guard", "Refusal", "host_name", "is_loopback"]
