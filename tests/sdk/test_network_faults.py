"""The SDK over real sockets that fail: refused, silent, dropped, cut off, receipts that never come.

A devnet is served over HTTP on loopback by ``og_devnet.server``; a small JSON-RPC proxy in
front of it applies one fault to one method. Every failure must end in an
``OpenGradientError`` subclass that says what happened and whether the transaction may have
been sent, with its hash; and the chain shows that no retry ever sent a second transaction.
"""

from __future__ import annotations

import json
import socket
import threading
import traceback
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from eth_account import Account
from eth_utils import keccak
from web3 import HTTPProvider, Web3
from web3.exceptions import TimeExhausted, TransactionNotFound, Web3Exception
from web3.providers.rpc.utils import ExceptionRetryConfiguration

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    Alpha,
    CandleOrder,
    CandleType,
    HistoricalInputQuery,
    InferenceMode,
    InputError,
    NetworkError,
    ReceiptTimeout,
    connect,
)
from og_alpha.networks import ENV
from og_devnet import Devnet
from og_devnet.accounts import dev_key
from og_devnet.server import DevnetHTTPServer
from tests.conftest import MODELS

KEY = dev_key(3)
SEND = "eth_sendRawTransaction"
RECEIPT = "eth_getTransactionReceipt"
ESTIMATE = "eth_estimateGas"
LINEAR_INPUT = {"x": [[1.0, 2.0, 3.0]]}
# web3's default retry policy, without the waiting: it resends every request, including
# eth_sendRawTransaction, after a timeout or an HTTP error (not after a dropped connection).
TRANSPORT_RETRIES = ExceptionRetryConfiguration(
    errors=(ConnectionError, requests.HTTPError, requests.Timeout), retries=2, backoff_factor=0
)
# Reached only against a node that will not answer: the devnet answers in milliseconds (each
# hanging case waits it out once per attempt, so it is kept short).
REQUEST_TIMEOUT = 0.5


# --- the faulty proxy ------------------------------------------------------------------------
@dataclass
class Fault:
    """What the proxy does to requests for one method, ``times`` times (None: always)."""

    action: str
    times: int | None = None


@dataclass
class FaultyProxy:
    """Forwards JSON-RPC bodies to ``upstream`` and applies :class:`Fault` s by method.

    Actions: ``drop_before`` closes the connection without forwarding; ``drop_after`` forwards,
    then closes without answering; ``cut_after`` forwards, then sends half the answer;
    ``http_502`` answers a gateway error without forwarding; ``garbage_after`` forwards, then
    answers an HTML page; ``null`` answers ``"result": null`` without forwarding; ``hang``
    never answers; ``hang_after`` forwards and never answers.
    """

    upstream: str
    faults: dict[str, Fault] = field(default_factory=dict)
    seen: list[tuple[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, method: str, action: str, times: int | None = None) -> None:
        self.faults[method] = Fault(action, times)

    def take(self, method: str, params: Any) -> str:
        """Record the request; the action to apply to it."""
        with self.lock:
            self.seen.append((method, params))
            fault = self.faults.get(method)
            if fault is None or fault.times == 0:
                return "pass"
            if fault.times is not None:
                fault.times -= 1
            return fault.action

    def params(self, method: str) -> list[Any]:
        return [p for m, p in self.seen if m == method]

    def forward(self, body: bytes) -> bytes:
        request = urllib.request.Request(
            self.upstream, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ProxyServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _answer(self, status: int, body: bytes, *, cut: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if cut else body)
        self.close_connection = cut

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        proxy = self.server.proxy
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = json.loads(body)
        action = proxy.take(request.get("method"), request.get("params"))
        if action == "hang":
            proxy.release.wait(timeout=30)
            self.close_connection = True
        elif action == "drop_before":
            self.close_connection = True
        elif action == "http_502":
            self._answer(502, b"<html>502 Bad Gateway</html>")
        elif action == "null":
            answer = {"jsonrpc": "2.0", "id": request.get("id"), "result": None}
            self._answer(200, json.dumps(answer).encode())
        else:
            self._forwarded(action, proxy.forward(body))

    def _forwarded(self, action: str, answer: bytes) -> None:
        if action == "drop_after":
            self.close_connection = True
        elif action == "hang_after":
            self.server.proxy.release.wait(timeout=30)
            self.close_connection = True
        elif action == "cut_after":
            self._answer(200, answer, cut=True)
        elif action == "garbage_after":
            self._answer(200, b"<html>upstream hiccup</html>")
        else:
            self._answer(200, answer)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, proxy: FaultyProxy) -> None:
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


def serve(server: ThreadingHTTPServer) -> tuple[str, Callable[[], None]]:
    """Serve in a daemon thread; (url, stop)."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    host, port = server.server_address[:2]
    return f"http://{host}:{port}", stop


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """``connect`` reads OG_* settings: none may leak in from the environment."""
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def devnet() -> Devnet:
    return Devnet()


@pytest.fixture
def cid(devnet: Devnet) -> str:
    return devnet.models.add(MODELS / "linear.onnx")


@pytest.fixture
def node_url(devnet: Devnet) -> Iterator[str]:
    """The devnet behind ``og devnet``'s own HTTP server, on a free loopback port."""
    url, stop = serve(DevnetHTTPServer(devnet.node, "127.0.0.1", 0))
    yield url
    stop()


@pytest.fixture
def proxy(node_url: str) -> Iterator[tuple[FaultyProxy, str]]:
    faulty = FaultyProxy(node_url)
    url, stop = serve(_ProxyServer(faulty))
    yield faulty, url
    faulty.release.set()
    stop()


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections (the kernel completes them) and never answers."""
    with closing(socket.create_server(("127.0.0.1", 0), backlog=64)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def closed_url() -> str:
    """A loopback port nobody listens on: connections are refused."""
    with closing(socket.create_server(("127.0.0.1", 0))) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def client(url: str, *, api_url: str | None = None, receipt_timeout: float = 10.0) -> Alpha:
    """An ``Alpha`` on ``url`` over HTTP, as a user builds one for a remote node."""
    provider = HTTPProvider(
        url,
        request_kwargs={"timeout": REQUEST_TIMEOUT},
        exception_retry_configuration=TRANSPORT_RETRIES,
    )
    return Alpha(
        Web3(provider),
        Account.from_key(KEY),
        INFERENCE_HUB_ADDRESS,
        api_url or url,
        receipt_timeout=receipt_timeout,
    )


# --- assertions --------------------------------------------------------------------------------
def sent_count(devnet: Devnet) -> int:
    """Transactions of the test account that are on chain."""
    return devnet.web3.eth.get_transaction_count(Account.from_key(KEY).address)


def assert_keyless(exc: BaseException) -> None:
    """Neither the message, the repr nor the printed traceback holds the private key."""
    text = f"{exc!s} {exc!r} " + "".join(traceback.format_exception(exc))
    for form in (KEY.hex(), "0x" + KEY.hex(), repr(KEY)):
        assert form.lower() not in text.lower()


def assert_nothing_sent(exc: NetworkError) -> None:
    assert isinstance(exc, Web3Exception)  # what code written for the official client catches
    assert not exc.may_have_been_sent
    assert exc.transaction_hash is None
    assert "nothing was sent" in str(exc)
    assert_keyless(exc)


def assert_may_have_been_sent(exc: NetworkError) -> None:
    assert isinstance(exc, Web3Exception)
    assert exc.may_have_been_sent
    assert exc.transaction_hash is not None
    assert f"the transaction {exc.transaction_hash} may have been sent" in str(exc)
    assert "check it before sending again" in str(exc)
    assert_keyless(exc)


def one_signed_transaction(proxy: FaultyProxy) -> str:
    """The hash of the one signed transaction the client sent, however often the transport
    resent it: a second, different one would be a second payment."""
    raws = {params[0] for params in proxy.params(SEND)}
    assert len(raws) == 1, f"{len(raws)} different transactions were sent"
    return "0x" + keccak(hexstr=raws.pop()).hex()


# --- no transaction involved: nothing was sent -------------------------------------------------
def test_refused_connection_says_nothing_was_sent(closed_url: str, cid: str) -> None:
    with pytest.raises(NetworkError) as info:
        client(closed_url).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    assert_nothing_sent(info.value)
    assert "refused the connection" in str(info.value)
    assert f"inference on {cid}" in str(info.value)


def test_node_that_never_answers_times_out_and_says_nothing_was_sent(
    silent_url: str, cid: str
) -> None:
    with pytest.raises(NetworkError) as info:
        client(silent_url).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    assert_nothing_sent(info.value)
    assert "timed out" in str(info.value)


@pytest.mark.parametrize(
    ("action", "what_happened"),
    [
        ("drop_before", "closed the connection without answering"),
        ("cut_after", "the answer was cut off"),
        ("http_502", "answered HTTP 502"),
        ("garbage_after", "not a JSON-RPC response"),
        ("hang", "timed out"),
    ],
)
def test_fault_before_sending_says_nothing_was_sent(
    proxy: tuple[FaultyProxy, str], devnet: Devnet, cid: str, action: str, what_happened: str
) -> None:
    faulty, url = proxy
    faulty.fail(ESTIMATE, action)
    with pytest.raises(NetworkError) as info:
        client(url).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    assert_nothing_sent(info.value)
    assert what_happened in str(info.value)
    assert faulty.params(SEND) == []
    assert sent_count(devnet) == 0


def test_reads_on_an_unreachable_node_are_network_errors(closed_url: str) -> None:
    alpha = client(closed_url)
    workflow = "0x" + "12" * 20
    for read in (
        lambda: alpha.read_workflow_result(workflow),
        lambda: alpha.read_workflow_history(workflow, 2),
        lambda: alpha.run_workflow(workflow),
    ):
        with pytest.raises(NetworkError) as info:
            read()
        assert_nothing_sent(info.value)
        assert "refused the connection" in str(info.value)


# --- the transaction may have been sent ---------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "lands", "what_happened"),
    [
        ("drop_after", True, "closed the connection without answering"),
        ("drop_before", False, "closed the connection without answering"),
        ("hang_after", True, "timed out"),
        ("hang", False, "timed out"),
        ("cut_after", True, "the answer was cut off"),
        ("garbage_after", True, "not a JSON-RPC response"),
        ("http_502", False, "answered HTTP 502"),
    ],
)
def test_send_that_fails_says_it_may_have_been_sent_and_never_sends_twice(
    proxy: tuple[FaultyProxy, str],
    devnet: Devnet,
    cid: str,
    action: str,
    lands: bool,
    what_happened: str,
) -> None:
    faulty, url = proxy
    faulty.fail(SEND, action)
    with pytest.raises(NetworkError) as info:
        client(url).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    exc = info.value
    assert_may_have_been_sent(exc)
    assert "while sending" in str(exc) and what_happened in str(exc)
    assert exc.transaction_hash == one_signed_transaction(faulty)
    assert sent_count(devnet) == (1 if lands else 0)
    if lands:
        mined = devnet.web3.eth.get_transaction_receipt(exc.transaction_hash)
        assert mined["status"] == 1
    else:
        with pytest.raises(TransactionNotFound):
            devnet.web3.eth.get_transaction(exc.transaction_hash)


@pytest.mark.parametrize("action", ["hang_after", "hang", "http_502"])
def test_send_the_transport_retries_lands_once(
    proxy: tuple[FaultyProxy, str], devnet: Devnet, cid: str, action: str
) -> None:
    """After one timeout or gateway error the transport resends the same bytes. When the first
    copy landed ("hang_after") the node refuses the second with "nonce too low", which must
    not make the SDK sign a new transaction with the next nonce: the inference succeeds with
    the one transaction on chain."""
    faulty, url = proxy
    faulty.fail(SEND, action, times=1)
    result = client(url).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    assert result.transaction_hash == one_signed_transaction(faulty)
    assert len(faulty.params(SEND)) == 2
    assert sent_count(devnet) == 1
    assert result.model_output["y"].tolist() == [[pytest.approx(4.1)]]


def test_receipt_that_never_comes_times_out_with_the_hash(
    proxy: tuple[FaultyProxy, str], devnet: Devnet, cid: str
) -> None:
    faulty, url = proxy
    faulty.fail(RECEIPT, "null")
    with pytest.raises(NetworkError) as info:
        client(url, receipt_timeout=0.5).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    exc = info.value
    assert_may_have_been_sent(exc)
    assert isinstance(exc, TimeExhausted) and isinstance(exc, ReceiptTimeout)  # web3's kind
    assert "no receipt" in str(exc) and "within 0.5 s" in str(exc)
    assert exc.transaction_hash == one_signed_transaction(faulty)
    assert sent_count(devnet) == 1
    assert devnet.web3.eth.get_transaction_receipt(exc.transaction_hash)["status"] == 1


def test_connect_takes_the_timeouts(
    proxy: tuple[FaultyProxy, str], devnet: Devnet, cid: str
) -> None:
    faulty, url = proxy
    faulty.fail(RECEIPT, "null")
    alpha = connect(url, "0x" + KEY.hex(), request_timeout=5, receipt_timeout=0.25)
    with pytest.raises(NetworkError) as info:
        alpha.infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    assert_may_have_been_sent(info.value)
    assert "within 0.25 s" in str(info.value)
    assert sent_count(devnet) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: connect("local", receipt_timeout=0),
        lambda: connect("local", request_timeout=-1),
        lambda: connect("local", request_timeout="5"),
        lambda: client("http://127.0.0.1:1", receipt_timeout=float("nan")),
        lambda: Alpha(
            Web3(), Account.from_key(KEY), INFERENCE_HUB_ADDRESS, "http://x", api_timeout=0
        ),
    ],
)
def test_timeouts_must_be_positive_seconds(make: Callable[[], Alpha]) -> None:
    with pytest.raises(InputError, match="timeout must be"):
        make()


@pytest.mark.parametrize(
    ("action", "what_happened"),
    [("hang", "timed out"), ("drop_before", "closed the connection without answering")],
)
def test_node_lost_while_waiting_for_the_receipt(
    proxy: tuple[FaultyProxy, str], devnet: Devnet, cid: str, action: str, what_happened: str
) -> None:
    faulty, url = proxy
    faulty.fail(RECEIPT, action)
    with pytest.raises(NetworkError) as info:
        client(url).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    exc = info.value
    assert_may_have_been_sent(exc)
    assert "while waiting for the receipt" in str(exc) and what_happened in str(exc)
    assert exc.transaction_hash == one_signed_transaction(faulty)
    assert sent_count(devnet) == 1


def test_node_api_that_never_answers_after_the_inference_was_mined(
    node_url: str, silent_url: str, devnet: Devnet, cid: str
) -> None:
    devnet.results_via_api = True  # the result is only served by the node API
    alpha = Alpha(
        Web3(HTTPProvider(node_url, request_kwargs={"timeout": 10})),
        Account.from_key(KEY),
        INFERENCE_HUB_ADDRESS,
        silent_url,
        api_timeout=REQUEST_TIMEOUT,
    )
    with pytest.raises(NetworkError) as info:
        alpha.infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    exc = info.value
    assert exc.may_have_been_sent
    assert exc.transaction_hash is not None
    assert f"transaction {exc.transaction_hash} was sent and mined" in str(exc)
    assert "timed out" in str(exc) and "do not send it again" in str(exc)
    assert_keyless(exc)
    assert sent_count(devnet) == 1
    assert devnet.web3.eth.get_transaction_receipt(exc.transaction_hash)["status"] == 1


# --- workflows go through the same send path ----------------------------------------------------
def eth_query() -> HistoricalInputQuery:
    types = [CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE]
    return HistoricalInputQuery("ETH", "USD", 10, 1, CandleOrder.ASCENDING, types)


def test_workflow_deployment_and_run_with_dropped_sends(
    proxy: tuple[FaultyProxy, str], devnet: Devnet
) -> None:
    faulty, url = proxy
    ohlc = devnet.models.add(MODELS / "ohlc.onnx")
    alpha = client(url)
    address = alpha.new_workflow(ohlc, eth_query(), "open_high_low_close")
    faulty.fail(SEND, "drop_after")
    with pytest.raises(NetworkError) as info:
        alpha.run_workflow(address)
    assert_may_have_been_sent(info.value)
    assert f"run of workflow {address}" in str(info.value)
    assert sent_count(devnet) == 2  # the deployment and one run
    assert not alpha.read_workflow_result(address).is_empty()  # the run did land
