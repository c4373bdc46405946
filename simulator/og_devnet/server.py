"""``og devnet``: the devnet behind a JSON-RPC endpoint (HTTP and WebSocket), like anvil.

The server only moves bytes: POST bodies and WebSocket messages go to the node core
(:class:`~og_devnet.node.Node`, the same one ``devnet.web3`` talks to in-process), GETs to the
node-API handler, ``eth_subscribe`` to the subscription hub. The core's lock serialises calls
into the devnet (the EVM is single-threaded); the server answers many clients concurrently
around it (og_devnet.http_app), within the access policy of og_devnet.http_guard.

:class:`DevnetHTTPServer` keeps ``socketserver``'s shape (``serve_forever`` in a thread,
``shutdown``, ``server_close``, ``server_address``) so tests can serve a devnet in-process.
"""

from __future__ import annotations

import asyncio
import resource
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from og_alpha.contracts import INFERENCE_HUB_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS

from .accounts import dev_key
from .boot import build
from .durations import iso
from .http_app import SILENT, App, Connections, NodeWorkers
from .http_guard import Guard, is_loopback
from .node import Node
from .serve_limits import IDLE_TIMEOUT, MAX_BODY
from .subscriptions import Hub

BACKLOG = 1024  # as anvil; the kernel caps it at net.core.somaxconn
# asyncio accepts up to its `backlog` argument per wake-up, before any connection is counted:
# a small burst keeps the bound on connections close to the file limit.
ACCEPT_BURST = 32
BODY_TIMEOUT = 120.0  # to send the body once its head has arrived
WORKERS = 8  # threads that run node calls (the node's lock lets one run at a time)
FD_RESERVE = 64  # descriptors for the journal, model files, the runtime and an accept burst


def default_max_connections() -> int:
    """1000, or fewer if the process may not open that many files."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(8, min(1000, soft - FD_RESERVE))


def _listen(host: str, port: int) -> socket.socket:
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, *_, address = sorted(infos, key=lambda info: info[0] != socket.AF_INET)[0]
    return socket.create_server(address[:2], family=family, backlog=BACKLOG)


class DevnetHTTPServer:
    """One node served on ``host:port`` (``port`` 0: a free one, see ``server_address``)."""

    def __init__(
        self,
        node: Node,
        host: str,
        port: int,
        *,
        verbose: bool = False,
        max_body: int = MAX_BODY,
        guard: Guard | None = None,
        max_connections: int | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.node = node
        self.verbose = verbose
        self.guard = guard or Guard.for_bind(host, max_body=max_body)
        self.max_connections = max_connections or default_max_connections()
        self.idle_timeout, self.body_timeout = idle_timeout, body_timeout
        self.socket = _listen(host, port)  # listening now: early clients wait in the backlog
        self.server_address = self.socket.getsockname()
        self.hub: Hub | None = None
        self.connections: Connections | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._quit = False
        self._guard_lock = threading.Lock()
        self._entered, self._done = threading.Event(), threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def serve_forever(
        self,
        poll_interval: float = 0.5,
        *,
        handle_signals: bool = False,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        """Serve until :meth:`shutdown` (or, with ``handle_signals``, SIGINT/SIGTERM; main
        thread only), calling ``on_ready`` once signals are handled and connections served.
        ``poll_interval`` is accepted for ``socketserver`` compatibility."""
        self._entered.set()
        try:
            asyncio.run(self._serve(handle_signals, on_ready))
        finally:
            self._done.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait for it (from another thread). As with
        ``socketserver``, a serve_forever that has yet to start returns at once when it does."""
        with self._guard_lock:
            self._quit = True
            loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not self._done.is_set():
            loop.call_soon_threadsafe(stop.set)
        if self._entered.wait(timeout=5.0):
            self._done.wait()

    def server_close(self) -> None:
        self.socket.close()

    async def _serve(self, handle_signals: bool, on_ready: Callable[[], None] | None) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        with self._guard_lock:
            if self._quit:  # shut down before it started: the socket may be closed already
                return
            self._loop, self._stop = loop, stop
        executor = NodeWorkers(WORKERS)
        hub = Hub(self.node, loop)
        app = App(
            self.node,
            self.guard,
            hub,
            executor,
            body_timeout=self.body_timeout,
            verbose=self.verbose,
        )
        connections = Connections(
            app.handle,
            max_connections=self.max_connections,
            keepalive_timeout=self.idle_timeout,
            logger=SILENT,
            access_log=None,
            auto_decompress=False,
        )
        app.connections, self.hub, self.connections = connections, hub, connections
        loop.set_exception_handler(self._loop_error)
        server = await loop.create_server(connections, sock=self.socket, backlog=ACCEPT_BURST)
        self.socket.listen(BACKLOG)  # asyncio re-listened with the burst size
        hub.attach()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        try:
            if on_ready is not None:
                on_ready()
            await stop.wait()
        finally:
            server.close()
            app.end_sessions()
            connections.close_idle()
            await connections.shutdown(2.0)
            hub.detach()
            await loop.run_in_executor(None, executor.shutdown)

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """asyncio's own errors (out of file descriptors on accept, a client gone mid-write):
        one line with -v, nothing otherwise; never a traceback, and never unbounded output
        into a pipe nobody reads."""
        if self.verbose:
            exc = context.get("exception")
            detail = f": {exc.strerror or exc}" if isinstance(exc, OSError) else ""
            print(f"og devnet: {context.get('message', 'error')}{detail}", file=sys.stderr)


def banner(server: DevnetHTTPServer, replayed: int) -> str:
    devnet = server.node.devnet
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
        *([f"Fork                {devnet.fork.describe()}"] if devnet.fork else []),
        f"Inference hub       {INFERENCE_HUB_ADDRESS}",
        f"Workflow scheduler  {WORKFLOW_SCHEDULER_ADDRESS}",
        "Precompiles         0x...F4 inference, 0x...F5 price feed",
        f"Chain time          {devnet.now} ({iso(devnet.now)}, block {devnet.block_number})",
        f"Models              {len(devnet.models)}"
        + "".join(f"\n  {m.cid}  {m.describe_inputs()}" for m in devnet.models.list()),
        "Price pairs         " + ", ".join(f"{b}/{q}" for b, q in devnet.prices.pairs()),
    ]
    if replayed:
        lines.append(f"State               replayed {replayed} journaled calls")
    ws = "ws" + server.url.removeprefix("http")
    lines += [
        "",
        f"Listening on {server.url}  (RPC and node API; WebSocket at {ws})",
        "",
    ]
    return "\n".join(lines)


def _warning(host: str, token: str | None) -> str:
    text = (
        f"WARNING: binding {host}: every dev method (evm_revert, anvil_setBalance, "
        "og_addModel, ...) is open to anyone who can reach this address, and the dev "
        "accounts' keys are public."
    )
    if token:
        return text + " Requests must carry Authorization: Bearer <your --token>."
    return text + " Give --token TOKEN (or OG_DEVNET_TOKEN) to require it on every request."


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8545,
    models: str | None = None,
    prices: str | None = None,
    pair: tuple[str, str] | None = None,
    genesis_time: int | None = None,
    state: str | None = None,
    verbose: bool = False,
    max_body: int = MAX_BODY,
    allow_hosts: tuple[str, ...] | list[str] = (),
    cors: tuple[str, ...] | list[str] = (),
    token: str | None = None,
    max_connections: int | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
    fork_url: str | None = None,
    fork_block_number: int | None = None,
) -> int:
    """Run ``og devnet`` until SIGINT or SIGTERM; the journal is closed on the way out."""
    if not is_loopback(host):
        print(_warning(host, token), file=sys.stderr, flush=True)
    guard = Guard.for_bind(host, allow_hosts=allow_hosts, cors=cors, token=token, max_body=max_body)
    node, replayed = build(
        models=models,
        prices=prices,
        pair=pair,
        genesis_time=genesis_time,
        state=state,
        fork_url=fork_url,
        fork_block_number=fork_block_number,
    )
    try:
        server = DevnetHTTPServer(
            node,
            host,
            port,
            verbose=verbose,
            guard=guard,
            max_connections=max_connections,
            idle_timeout=idle_timeout,
        )
        server.serve_forever(
            handle_signals=True, on_ready=lambda: print(banner(server, replayed), flush=True)
        )
        print("\nshutting down", flush=True)
        server.server_close()
    finally:
        if node.journal is not None:
            node.journal.close()
    return 0


__all__ = ["DevnetHTTPServer", "banner", "build", "default_max_connections", "serve"]
