"""The SDK's HTTP provider: its plain-HTTP fast path sends what requests sends and fails as
requests fails, and hands to requests what it does not reproduce."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from web3 import Web3

from og_alpha.rpc_provider import AnswerOverLimit, BoundedHTTPProvider


@dataclass
class Node:
    """A JSON-RPC endpoint that answers ``eth_chainId``, or what ``behaviour`` says."""

    behaviour: str = "ok"
    seen: list[dict[str, str]] = field(default_factory=list)
    connections: set[tuple[str, int]] = field(default_factory=set)
    url: str = ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    node: Node

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        node = self.server.node  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        node.seen.append({k.lower(): v for k, v in self.headers.items()})
        node.connections.add(self.client_address)
        request = json.loads(body)
        if isinstance(request, list):
            answer: Any = [
                {"jsonrpc": "2.0", "id": r["id"], "result": hex(r["id"])} for r in request
            ]
        else:
            answer = {"jsonrpc": "2.0", "id": request["id"], "result": "0x539"}
        data = json.dumps(answer).encode()
        behaviour = node.behaviour
        if behaviour == "drop":
            self.close_connection = True
            return
        if behaviour == "hang":
            threading.Event().wait(0.6)
            self.close_connection = True
            return
        status, headers = 200, {"Content-Type": "application/json"}
        if behaviour == "502":
            status, data = 502, b"<html>bad gateway</html>"
        elif behaviour == "gzip":
            data, headers["Content-Encoding"] = gzip.compress(data), "gzip"
        elif behaviour == "cookie" and "cookie" not in {k for s in node.seen for k in s}:
            headers["Set-Cookie"] = "sticky=abc; Path=/"
        elif behaviour == "redirect" and self.path == "/":
            status, data, headers["Location"] = 307, b"", node.url + "/moved"
        elif behaviour == "deep":
            data = b"[" * 80_000
        elif behaviour == "close":
            headers["Connection"] = "close"
            self.close_connection = True
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if behaviour == "cut":
            self.send_header("Content-Length", str(len(data) + 100))
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def node() -> Iterator[Node]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Node()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.node = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


TIMEOUT = 0.25  # the hanging node answers after 0.6 s


def fast(url: str) -> Web3:
    return Web3(BoundedHTTPProvider(url, request_kwargs={"timeout": TIMEOUT}))


def via_requests(url: str) -> Web3:
    """The same provider, forced through requests by an explicit session."""
    return Web3(
        BoundedHTTPProvider(url, request_kwargs={"timeout": TIMEOUT}, session=requests.Session())
    )


def no_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the fast path went through requests")

    monkeypatch.setattr(requests.Session, "request", refuse)


def test_plain_http_goes_over_one_kept_connection_without_requests(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    web3 = fast(node.url)
    no_requests(monkeypatch)
    assert [web3.eth.chain_id for _ in range(3)] == [1337] * 3
    assert len(node.connections) == 1


def test_it_sends_the_headers_requests_sends(node: Node) -> None:
    assert via_requests(node.url).eth.chain_id == fast(node.url).eth.chain_id
    by_requests, by_fast_path = node.seen
    assert by_fast_path == by_requests


def test_batches_go_over_it(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    web3 = fast(node.url)
    no_requests(monkeypatch)
    with web3.batch_requests() as batch:
        batch.add(web3.eth.get_balance("0x" + "11" * 20))
        batch.add(web3.eth.get_balance("0x" + "22" * 20))
        answers = batch.execute()
    assert len(answers) == 2


def test_one_provider_shared_by_threads(node: Node) -> None:
    provider = BoundedHTTPProvider(node.url, request_kwargs={"timeout": 5.0})
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for _ in range(10):
                answer = provider.make_request("eth_chainId", [])  # type: ignore[arg-type]
                assert answer["result"] == "0x539", answer
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_connection_the_node_closed_is_replaced(node: Node) -> None:
    web3 = fast(node.url)
    node.behaviour = "close"
    assert web3.eth.chain_id == 1337
    node.behaviour = "ok"
    assert [web3.eth.chain_id for _ in range(2)] == [1337, 1337]
    assert len(node.connections) == 2


FAULTS = {
    "502": requests.exceptions.HTTPError,
    "drop": requests.exceptions.ConnectionError,
    "cut": requests.exceptions.ChunkedEncodingError,
    "hang": requests.exceptions.ReadTimeout,
}


@pytest.mark.parametrize("behaviour", sorted(FAULTS))
def test_failures_are_requests_failures(node: Node, behaviour: str) -> None:
    """The same exception class (and, for an HTTP error, the same message) as requests
    raises: web3 retries by class, and the SDK's messages name the kind of failure."""
    node.behaviour = behaviour
    raised: list[BaseException] = []
    for make in (via_requests, fast):
        provider = make(node.url).provider
        with pytest.raises(requests.exceptions.RequestException) as caught:
            provider._make_request("og_nothing", b'{"jsonrpc":"2.0","id":1,"method":"x"}')  # type: ignore[attr-defined]
        raised.append(caught.value)
    assert [type(e) for e in raised] == [FAULTS[behaviour]] * 2
    if behaviour == "502":
        assert str(raised[1]) == str(raised[0])
        assert raised[1].response.status_code == 502  # type: ignore[attr-defined]


def refused_url() -> str:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_a_refused_connection_is_requests_connection_error() -> None:
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        fast(refused_url()).provider._make_request("og_nothing", b"{}")  # type: ignore[attr-defined]
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


def test_gzip_answers_are_decoded(node: Node) -> None:
    node.behaviour = "gzip"
    assert fast(node.url).eth.chain_id == 1337


def test_deep_answers_are_refused(node: Node) -> None:
    node.behaviour = "deep"
    with pytest.raises(AnswerOverLimit):
        fast(node.url).provider.make_request("eth_chainId", [])  # type: ignore[arg-type]


def test_a_redirect_is_followed_by_requests(node: Node) -> None:
    node.behaviour = "redirect"
    assert fast(node.url).eth.chain_id == 1337


def test_cookies_the_node_sets_are_sent_back(node: Node) -> None:
    node.behaviour = "cookie"
    web3 = fast(node.url)
    assert [web3.eth.chain_id for _ in range(2)] == [1337, 1337]
    assert "cookie" not in node.seen[0]
    assert node.seen[1]["cookie"] == "sticky=abc"


@pytest.mark.parametrize(
    "setting",
    [
        lambda mp, url, tmp: mp.setenv("HTTP_PROXY", url),
        lambda mp, url, tmp: mp.setenv("all_proxy", url),
        lambda mp, url, tmp: (
            (tmp / "netrc").write_text("machine 127.0.0.1 login user password secret\n"),
            mp.setenv("NETRC", str(tmp / "netrc")),
        ),
    ],
    ids=["HTTP_PROXY", "all_proxy", "netrc"],
)
def test_proxies_and_credentials_from_the_environment_go_through_requests(
    node: Node,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    setting: Callable[[pytest.MonkeyPatch, str, Path], Any],
) -> None:
    web3 = fast(node.url)
    used: list[str] = []
    request = requests.Session.request

    def spy(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        used.append(url)
        return request(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    setting(monkeypatch, node.url, tmp_path)  # the proxy is the node itself: it answers
    assert web3.eth.chain_id == 1337
    assert used


def test_no_proxy_for_the_node_keeps_the_fast_path(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    web3 = fast(node.url)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    no_requests(monkeypatch)
    assert web3.eth.chain_id == 1337


def test_other_request_kwargs_go_through_requests(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    kwargs = {"timeout": TIMEOUT, "verify": False}
    web3 = Web3(BoundedHTTPProvider(node.url, request_kwargs=kwargs))
    used: list[str] = []
    request = requests.Session.request
    monkeypatch.setattr(
        requests.Session,
        "request",
        lambda self, method, url, *a, **k: used.append(url) or request(self, method, url, *a, **k),
    )
    assert web3.eth.chain_id == 1337
    assert used == [node.url]
