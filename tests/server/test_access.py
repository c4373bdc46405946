"""Who may call ``og devnet``: what a web page, a rebound DNS name or a stranger on the
network can and cannot make it do (as geth: --http.vhosts, --http.corsdomain, JSON content
type), and the optional bearer token. Clients that send what nodes expect keep working.

The policy is tested on og devnet's server in a thread (``node``, ``served_factory``); the
real command for its options reaching that policy and for the warning it prints."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from web3 import HTTPProvider, Web3

from og_devnet.server import DevnetHTTPServer
from tests.conftest import Og
from tests.server.conftest import Node, Served, start_node

CHAIN_ID = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}'
OK = {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"}
APP = "http://localhost:5173"
EVIL = "https://evil.example"


def call(
    node: Node | Served,
    headers: dict[str, str],
    *,
    method: str = "POST",
    body: bytes | None = CHAIN_ID,
    path: str = "/",
) -> tuple[int, dict[str, str], object]:
    """One request with exactly these headers (plus Content-Length); status, headers, JSON."""
    parts = urlsplit(node.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest(method, path, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        answer = conn.getresponse()
        raw = answer.read()
        return answer.status, dict(answer.getheaders()), json.loads(raw) if raw else None
    finally:
        conn.close()


JSON = {"Content-Type": "application/json"}


def message(answer: object) -> str:
    assert isinstance(answer, dict)
    return str(answer["error"]["message"])


# --- Host (DNS rebinding) -----------------------------------------------------------------
@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost:8545", "LOCALHOST", "[::1]:8545", "192.0.2.7:8545"]
)
def test_loopback_names_and_ip_addresses_are_accepted_hosts(node: Served, host: str) -> None:
    assert call(node, {**JSON, "Host": host})[::2] == (200, OK)


def test_a_rebound_name_is_refused_and_the_message_names_the_flag(node: Served) -> None:
    status, _, answer = call(node, {**JSON, "Host": "attacker.example:8545"})
    assert status == 403
    assert "--allow-host attacker.example" in message(answer)


def test_allow_host_adds_names(served_factory: Callable[..., Served]) -> None:
    node = served_factory(allow_hosts=("devnet.internal", "other.internal"))
    for name in ("devnet.internal", "other.internal:80"):
        assert call(node, {**JSON, "Host": name})[::2] == (200, OK)
    assert call(node, {**JSON, "Host": "third.internal"})[0] == 403


# --- Origin and CORS ------------------------------------------------------------------------
def test_no_cors_headers_and_pages_are_refused_by_default(node: Served) -> None:
    status, headers, _ = call(node, JSON)
    assert status == 200 and not any(h.lower().startswith("access-control") for h in headers)
    status, headers, answer = call(node, {**JSON, "Origin": EVIL})
    assert status == 403 and "--cors https://evil.example" in message(answer)
    assert "Access-Control-Allow-Origin" not in headers
    preflight = {
        "Origin": EVIL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    status, headers, _ = call(node, preflight, method="OPTIONS", body=None)
    assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_cors_allows_exactly_the_given_origin(served_factory: Callable[..., Served]) -> None:
    node = served_factory(cors=(APP,))
    preflight = {"Origin": APP, "Access-Control-Request-Method": "POST"}
    status, headers, _ = call(node, preflight, method="OPTIONS", body=None)
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == APP
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]
    status, headers, answer = call(node, {**JSON, "Origin": APP})
    assert (status, answer, headers["Access-Control-Allow-Origin"]) == (200, OK, APP)
    status, headers, _ = call(node, {**JSON, "Origin": EVIL})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers


# --- Content-Type -------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_posts_must_say_application_json(node: Served, content_type: str | None) -> None:
    """A page can POST text/plain or a form cross-origin without a preflight."""
    headers = {} if content_type is None else {"Content-Type": content_type}
    status, _, answer = call(node, headers)
    assert status == 415
    assert answer["error"]["code"] == -32600  # type: ignore[index]
    assert "Content-Type: application/json" in message(answer)


def test_json_content_type_with_parameters_is_accepted(node: Served) -> None:
    headers = {"Content-Type": "application/json; charset=UTF-8"}
    assert call(node, headers)[::2] == (200, OK)


# --- token ----------------------------------------------------------------------------------
def test_token_is_required_when_given(served_factory: Callable[..., Served]) -> None:
    node = served_factory(token="s3cret-token")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}):
        status, answer_headers, answer = call(node, {**JSON, **headers})
        assert status == 401 and "Authorization: Bearer" in message(answer)
        assert answer_headers["WWW-Authenticate"].startswith("Bearer")
    assert call(node, {**JSON, "Authorization": "Bearer s3cret-token"})[::2] == (200, OK)
    # web3's request_kwargs headers replace its defaults: give the content type too
    headers = {**JSON, "Authorization": "Bearer s3cret-token"}
    web3 = Web3(HTTPProvider(node.url, request_kwargs={"headers": headers}))
    assert web3.eth.chain_id == 31337


def test_token_from_the_environment_and_the_public_bind_warning() -> None:
    node = start_node("--host", "0.0.0.0", env={"OG_DEVNET_TOKEN": "from-env"})
    try:
        assert "every dev method" in node.banner and "Authorization: Bearer" in node.banner
        assert call(node, JSON)[0] == 401
        assert call(node, {**JSON, "Authorization": "Bearer from-env"})[::2] == (200, OK)
    finally:
        node.kill()


def test_public_bind_without_token_says_how_to_add_one(
    og: Og, monkeypatch: pytest.MonkeyPatch
) -> None:
    """og devnet's main() in-process, its server returning as soon as it is ready (the
    warning with a token, from the process, is the test above)."""

    def ready_then_stop(server: DevnetHTTPServer, *args: Any, on_ready: Any, **kw: Any) -> None:
        on_ready()
        server.server_close()

    monkeypatch.setattr(DevnetHTTPServer, "serve_forever", ready_then_stop)
    ran = og("devnet", "--host", "0.0.0.0", "--port", "0")
    assert ran.code == 0 and "Chain id            31337" in ran.out
    assert ran.err.startswith("WARNING: binding 0.0.0.0: every dev method")
    assert "--token TOKEN" in ran.err


# --- other methods, and the clients that must keep working ---------------------------------
def test_other_http_methods_are_refused(node: Served) -> None:
    status, headers, answer = call(node, JSON, method="PUT")
    assert status == 405 and headers["Allow"] == "POST, GET, OPTIONS"
    assert "PUT" in message(answer)


def test_web3_http_provider_works_unchanged(node: Served) -> None:
    web3 = Web3(HTTPProvider(node.url))
    assert web3.eth.chain_id == 31337
    assert web3.eth.get_block("latest")["number"] == 0


def test_websocket_handshakes_from_pages_need_cors_too(
    served_factory: Callable[..., Served],
) -> None:
    """Browsers open WebSockets cross-origin without any preflight: Origin is the only guard."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    node = served_factory(cors=(APP,))
    url = "ws" + node.url.removeprefix("http")
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=EVIL, open_timeout=30)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
    for origin in (APP, None):  # the allowed page, and a program (which sends no Origin)
        with connect(url, origin=origin, open_timeout=30) as ws:  # type: ignore[arg-type]
            ws.send(CHAIN_ID.decode())
            assert json.loads(ws.recv(timeout=30)) == OK


# --- the command's options ----------------------------------------------------------------
def test_og_devnet_applies_its_access_and_limit_options(node_factory: Callable[..., Node]) -> None:
    """--allow-host, --cors, --token, --max-request-bytes and --idle-timeout, given to the
    command, are the policy and limits its server applies (each in detail above, and in
    test_http_hardening.py)."""
    node = node_factory(
        "--allow-host", "devnet.internal", "--cors", APP, "--token", "s3cret-token",
        "--max-request-bytes", "4096", "--idle-timeout", "0.5",
    )  # fmt: skip
    token = {**JSON, "Authorization": "Bearer s3cret-token"}
    assert call(node, JSON)[0] == 401
    assert call(node, {**token, "Host": "devnet.internal"})[::2] == (200, OK)
    assert call(node, {**token, "Host": "third.internal"})[0] == 403
    status, headers, answer = call(node, {**token, "Origin": APP})
    assert (status, answer, headers["Access-Control-Allow-Origin"]) == (200, OK, APP)
    assert call(node, {**token, "Origin": EVIL})[0] == 403
    status, _, answer = call(node, token, body=b"[" + b" " * 5000 + b"]")
    assert status == 413 and "exceeds the limit of 4096" in message(answer)
    parts = urlsplit(node.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as conn:
        conn.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert conn.recv(65536) == b""  # closed by the node once its idle timeout passed
