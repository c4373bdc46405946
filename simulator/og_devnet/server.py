"""``og devnet``: the devnet behind an HTTP JSON-RPC endpoint, like anvil for OpenGradient.

The HTTP layer only moves bytes: POST bodies go to the node core (:class:`~og_devnet.node.Node`,
the same one ``devnet.web3`` talks to in-process), GETs under the node API path to the
node-API handler. The core's lock serialises calls into the devnet (the EVM is
single-threaded); the server answers many clients concurrently around it.
"""

from __future__ import annotations

import ipaddress
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from og_alpha.contracts import INFERENCE_HUB_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS

from .accounts import dev_key
from .boot import build
from .node import Node
from .node.core import _dump, _error
from .node.errors import INVALID_REQUEST

MAX_BODY = 64 * 1024 * 1024  # an og_addModel carries a base64 model


class _Handler(BaseHTTPRequestHandler):
    server: DevnetHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def do_OPTIONS(self) -> None:  # noqa: N802 - browsers' CORS preflight
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        with self.server.node.lock:
            status, body = self.server.node.devnet.node_api(self.path)
        self._send(status, body)

    def do_POST(self) -> None:  # noqa: N802
        try:
            length = int(self.headers.get("Content-Length", "-1"))
        except ValueError:
            length = -1
        if length < 0:
            self._send(411, _dump(_error(None, INVALID_REQUEST, "Content-Length required")))
            self.close_connection = True
            return
        if length > self.server.max_body:
            self._send(
                413,
                _dump(
                    _error(
                        None,
                        INVALID_REQUEST,
                        f"request body of {length} bytes exceeds the limit of {self.server.max_body}",
                    )
                ),
            )
            self.close_connection = True
            return
        body = self.rfile.read(length)
        answer = self.server.node.handle_body(body)
        self._send(200, answer if answer is not None else b"")


class DevnetHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        node: Node,
        host: str,
        port: int,
        *,
        verbose: bool = False,
        max_body: int = MAX_BODY,
    ) -> None:
        self.node = node
        self.verbose = verbose
        self.max_body = max_body
        super().__init__((host, port), _Handler)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def banner(server: DevnetHTTPServer, replayed: int) -> str:
    devnet = server.node.devnet
    host, port = server.server_address[:2]
    lines = [
        "og devnet: a local OpenGradient Alpha network (py-evm + onnxruntime)",
        "",
        "Dev accounts (10,000 ETH each). THESE KEYS ARE PUBLIC TEST KEYS: never use them on a",
        "real network.",
    ]
    for i, account in enumerate(devnet.accounts):
        lines.append(f"  ({i}) {account.address}  0x{dev_key(i).hex()}")
    lines += [
        "",
        f"Chain id            {devnet.chain_id}",
        f"Inference hub       {INFERENCE_HUB_ADDRESS}",
        f"Workflow scheduler  {WORKFLOW_SCHEDULER_ADDRESS}",
        "Precompiles         0x...F4 inference, 0x...F5 price feed",
        f"Chain time          {devnet.now} (block {devnet.block_number})",
        f"Models              {len(devnet.models)}"
        + "".join(f"\n  {m.cid}  {m.describe_inputs()}" for m in devnet.models.list()),
    ]
    if replayed:
        lines.append(f"State               replayed {replayed} journaled calls")
    lines += ["", f"Listening on http://{host}:{port}  (RPC and node API)", ""]
    return "\n".join(lines)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8545,
    models: str | None = None,
    prices: str | None = None,
    genesis_time: int | None = None,
    state: str | None = None,
    verbose: bool = False,
    max_body: int = MAX_BODY,
) -> int:
    if not _is_loopback(host):
        print(
            f"WARNING: binding {host}: anyone who can reach this address can use the dev "
            "accounts, whose keys are public.",
            file=sys.stderr,
        )
    node, replayed = build(models=models, prices=prices, genesis_time=genesis_time, state=state)
    server = DevnetHTTPServer(node, host, port, verbose=verbose, max_body=max_body)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        thread.start()
        print(banner(server, replayed), flush=True)
        thread.join()
    except KeyboardInterrupt:
        print("\nshutting down", flush=True)
    finally:
        server.shutdown()
        server.server_close()
        if node.journal is not None:
            node.journal.close()
    return 0


__all__ = ["DevnetHTTPServer", "banner", "build", "serve"]
