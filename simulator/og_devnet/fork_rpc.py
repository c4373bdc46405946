"""The remote side of a fork: a JSON-RPC node read at one pinned block, and what it said.

Only standard methods are used (``eth_chainId``, ``eth_blockNumber``, ``eth_getBlockByNumber``,
``eth_getBalance``, ``eth_getTransactionCount``, ``eth_getCode``, ``eth_getStorageAt``), so
any Ethereum node will do: geth, anvil, another ``og devnet``, the Alpha Testnet. Calls that
belong together go in one JSON-RPC batch (an account is balance, nonce and code: one round
trip), over one kept-alive connection. A dropped connection, a timeout, HTTP 429/502/503/504
or a rate-limit error is retried with backoff; anything else, and a retry that still fails,
is a ``ForkError`` that names the node, the call and what to do.

What a pinned block holds never changes, so every answer is kept for the life of the process
(``Remote``): the second read of an account or slot costs a dict lookup; and, for a block the
user pinned, on disk for the next fork of it (fork_cache.py).
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from og_alpha import jsonsafe

from .errors import DevnetError

if TYPE_CHECKING:
    from .fork_cache import DiskCache

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
BACKOFF = 0.25  # seconds before the first retry; doubled for each next one
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # a block of code and storage answers, with room
_TRANSIENT_STATUS = {429, 502, 503, 504}
_RATE_LIMITED = re.compile(r"rate.?limit|too many requests|limit exceeded|try again", re.I)
# Errors nodes give for state they do not keep (geth, erigon, nethermind, anvil, og devnet).
_NO_STATE = re.compile(
    r"missing trie node|header not found|state.*(not available|pruned|unavailable)|"
    r"historical state|not an archive|unknown block|block not found|beyond the head",
    re.I,
)
_KEY_LIKE = re.compile(r"^[A-Za-z0-9_-]{24,}$")


class ForkError(DevnetError):
    """The remote node of a fork could not give what the devnet needed."""


class _Transient(Exception):
    """A failure worth retrying, in words."""


def shown_url(url: str) -> str:
    """``url`` with what may be a secret left out: user and password, the query, and a last
    path segment that looks like an API key (``https://eth.example/v2/<key>``)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = ("***@" if parts.username or parts.password else "") + host
    if parts.port is not None:
        netloc += f":{parts.port}"
    segments = parts.path.split("/")
    if segments and _KEY_LIKE.match(segments[-1]):
        segments[-1] = "***"
    return urlunsplit((parts.scheme, netloc, "/".join(segments), "***" if parts.query else "", ""))


def check_url(url: Any) -> str:
    """A fork URL as given, or an error saying what one must look like."""
    if isinstance(url, str):
        parts = urlsplit(url.strip())
        if parts.scheme in ("http", "https") and parts.hostname:
            return url.strip()
    shown = shown_url(url) if isinstance(url, str) else type(url).__name__
    raise ForkError(
        f"fork URL {shown!r} is not an http(s) URL of a JSON-RPC node: give one such as "
        "http://127.0.0.1:8545 or https://ogevmdevnet.opengradient.ai"
    )


class RpcClient:
    """JSON-RPC over HTTP(S) to one node: batches, a kept-alive connection, retries."""

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES
    ) -> None:
        self.url = check_url(url)
        self.shown = shown_url(self.url)
        parts = urlsplit(self.url)
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname or "", parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"Content-Type": "application/json", "User-Agent": "og-devnet-fork"}
        if parts.username or parts.password:
            token = f"{parts.username or ''}:{parts.password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
        self.timeout = timeout
        self.retries = retries
        self.requests = 0  # HTTP requests sent (what the cache saves is counted here)
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None

    def call(self, method: str, params: list[Any], what: str) -> Any:
        return self.batch([(method, params)], what)[0]

    def batch(self, calls: Sequence[tuple[str, list[Any]]], what: str) -> list[Any]:
        """The results of ``calls``, in order, sent as one request; ``what`` says in an error
        what the devnet was reading. A JSON-RPC error in any answer raises ``RemoteError``."""
        if len(calls) == 1:
            method, params = calls[0]
            body: Any = {"jsonrpc": "2.0", "id": 0, "method": method, "params": params}
        else:
            body = [
                {"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                for i, (m, p) in enumerate(calls)
            ]
        answer = self._post(json.dumps(body, separators=(",", ":")).encode(), what)
        answers = answer if isinstance(answer, list) else [answer]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        if len(calls) > 1 and set(by_id) != set(range(len(calls))):
            single = answers[0] if len(answers) == 1 and isinstance(answers[0], dict) else {}
            if "error" in single:  # a node that refuses batches: one call at a time
                return [self.batch([c], what)[0] for c in calls]
            raise ForkError(
                f"{self.shown} answered a batch of {len(calls)} calls ({what}) "
                "with a different number of answers; it is not a JSON-RPC node"
            )
        out = []
        for i, (method, _) in enumerate(calls):
            one = by_id.get(i)
            if one is None:
                raise ForkError(f"{self.shown} did not answer {method} ({what})")
            if "error" in one:
                error = one["error"] if isinstance(one["error"], dict) else {}
                raise RemoteError(
                    self.shown,
                    method,
                    what,
                    error.get("code"),
                    str(error.get("message", one["error"]))[:300],
                )
            if "result" not in one:
                raise ForkError(f"{self.shown} answered {method} ({what}) without a result")
            out.append(one["result"])
        return out

    def _post(self, body: bytes, what: str) -> Any:
        delay, last = BACKOFF, ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(delay)
                delay *= 2
            try:
                with self._lock:
                    status, data = self._send(body)
                if status in _TRANSIENT_STATUS:
                    raise _Transient(f"HTTP {status}")
                if status != 200:
                    raise ForkError(
                        f"{self.shown} answered HTTP {status} while the devnet was reading "
                        f"{what}; check the fork URL (it must be the node's JSON-RPC endpoint)"
                    )
                try:
                    answer = jsonsafe.loads(data)
                except (ValueError, UnicodeDecodeError):
                    raise ForkError(
                        f"{self.shown} answered {what} with something that is not JSON; "
                        "check the fork URL (it must be the node's JSON-RPC endpoint)"
                    ) from None
                if _rate_limited(answer):
                    raise _Transient("rate limited")
                return answer
            except _Transient as exc:
                last = str(exc)
        raise ForkError(
            f"cannot read {what} from the fork URL {self.shown}: {last} (tried "
            f"{self.retries + 1} times); check that the node is running and reachable"
        )

    def _send(self, body: bytes) -> tuple[int, bytes]:
        """One POST on the kept-alive connection (reopened once if the node closed it)."""
        for fresh in (False, True):
            try:
                if self._connection is None or fresh:
                    self._close()
                    self._connection = self._connect()
                self.requests += 1
                self._connection.request("POST", self._path, body, self._headers)
                response = self._connection.getresponse()
                length = response.getheader("Content-Length")
                if length and length.isdigit() and int(length) > MAX_ANSWER_BYTES:
                    self._close()
                    raise ForkError(
                        f"{self.shown} sent an answer of {length} bytes, over "
                        f"the {MAX_ANSWER_BYTES} allowed"
                    )
                data = response.read(MAX_ANSWER_BYTES + 1)
                if len(data) > MAX_ANSWER_BYTES:
                    self._close()
                    raise ForkError(
                        f"{self.shown} sent an answer over the {MAX_ANSWER_BYTES} bytes allowed"
                    )
                if response.will_close:
                    self._close()
                return response.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._close()
                if fresh:
                    raise _Transient("the connection was closed") from None
            except TimeoutError:
                self._close()
                raise _Transient(f"no answer within {self.timeout:g} s") from None
            except OSError as exc:
                self._close()
                raise _Transient(exc.strerror or type(exc).__name__) from None
            except http.client.HTTPException as exc:
                self._close()
                raise _Transient(f"malformed answer ({type(exc).__name__})") from None
        raise AssertionError("unreachable")

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout)
        connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        with self._lock:
            self._close()


def _rate_limited(answer: Any) -> bool:
    answers = answer if isinstance(answer, list) else [answer]
    for one in answers:
        error = one.get("error") if isinstance(one, dict) else None
        if isinstance(error, dict) and (
            error.get("code") in (-32005, 429) or _RATE_LIMITED.search(str(error.get("message")))
        ):
            return True
    return False


class RemoteError(ForkError):
    """The remote answered a call with a JSON-RPC error."""

    def __init__(self, url: str, method: str, what: str, code: Any, message: str) -> None:
        self.method, self.code, self.remote_message = method, code, message
        if _NO_STATE.search(message):
            text = (
                f"the fork URL {url} does not have what {what} needs ({method}: {message}): "
                "a node that is not an archive node keeps only recent blocks' state; fork a "
                "recent block (--fork-block-number) or use an archive node"
            )
        else:
            text = f"the fork URL {url} refused {method} ({what}): {message}"
        super().__init__(text)


# --- the pinned block ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RemoteAccount:
    balance: int
    nonce: int
    code: bytes

    @property
    def empty(self) -> bool:
        """EIP-161: no balance, nonce or code is the same as no account."""
        return not (self.balance or self.nonce or self.code)


def quantity(value: Any, what: str, url: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{1,64}", value):
        return int(value, 16)
    raise ForkError(f"{url} answered {what} with {json.dumps(value)[:80]}, not a quantity")


def data(value: Any, what: str, url: str) -> bytes:
    if isinstance(value, str) and re.fullmatch(r"0x([0-9a-fA-F]{2})*", value):
        return bytes.fromhex(value[2:])
    raise ForkError(f"{url} answered {what} with {json.dumps(value)[:80]}, not hex data")


class Remote:
    """A remote node's state at one block, read on demand and kept: immutable, so nothing
    read is ever read twice."""

    def __init__(self, client: RpcClient, block_number: int, disk: DiskCache | None = None) -> None:
        self.client = client
        self.block_number = block_number
        self.disk = disk
        self._tag = hex(block_number)
        self._accounts: dict[bytes, RemoteAccount] = {}
        self._codes: dict[bytes, bytes] = {}
        self._storage: dict[tuple[bytes, int], int] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.client.shown

    def account(self, address: bytes) -> RemoteAccount:
        found = self._accounts.get(address)
        if found is None:
            self.accounts([address])
            found = self._accounts[address]
        return found

    def accounts(self, addresses: Sequence[bytes]) -> None:
        """Read the accounts not read yet, all in one batch."""
        missing = list(dict.fromkeys(a for a in addresses if a not in self._accounts))
        if self.disk is not None:
            for address in list(missing):
                kept = self.disk.account(address)
                if kept is not None:
                    self._keep(address, RemoteAccount(*kept))
                    missing.remove(address)
        if not missing:
            return
        calls = []
        for address in missing:
            shown = to_checksum_address(address)
            calls += [
                ("eth_getBalance", [shown, self._tag]),
                ("eth_getTransactionCount", [shown, self._tag]),
                ("eth_getCode", [shown, self._tag]),
            ]
        what = (
            f"account {to_checksum_address(missing[0])}"
            if len(missing) == 1
            else f"{len(missing)} accounts"
        ) + f" at block {self.block_number}"
        answers = self.client.batch(calls, what)
        with self._lock:
            for i, address in enumerate(missing):
                balance, nonce, code = answers[3 * i : 3 * i + 3]
                account = RemoteAccount(
                    quantity(balance, "eth_getBalance", self.url),
                    quantity(nonce, "eth_getTransactionCount", self.url),
                    data(code, "eth_getCode", self.url),
                )
                self._keep(address, account)
                if self.disk is not None:
                    self.disk.put_account(address, account.balance, account.nonce, account.code)

    def _keep(self, address: bytes, account: RemoteAccount) -> None:
        self._accounts[address] = account
        if account.code:
            self._codes[keccak(account.code)] = account.code

    def code(self, address: bytes, code_hash: bytes) -> bytes | None:
        """The code whose hash is ``code_hash``, if it is ``address``'s on the remote."""
        found = self._codes.get(code_hash)
        if found is None and self.account(address).code:
            found = self._codes.get(code_hash)
        return found

    def storage(self, address: bytes, slot: int) -> int:
        key = (address, slot)
        found = self._storage.get(key)
        if found is None and self.disk is not None:
            found = self.disk.storage(address, slot)
            if found is not None:
                self._storage[key] = found
        if found is None:
            shown = to_checksum_address(address)
            value = self.client.call(
                "eth_getStorageAt",
                [shown, hex(slot), self._tag],
                f"storage slot {hex(slot)} of {shown} at block {self.block_number}",
            )
            found = quantity(value, "eth_getStorageAt", self.url)
            with self._lock:
                self._storage[key] = found
            if self.disk is not None:
                self.disk.put_storage(address, slot, found)
        return found

    def known(self) -> tuple[int, int]:
        """(accounts, storage slots) read so far."""
        return len(self._accounts), len(self._storage)
