"""The HTTP/WebSocket front of ``og devnet``: aiohttp's parser and event loop, the node in threads.

aiohttp parses HTTP (llhttp: chunked bodies, and it refuses a request with both
Content-Length and Transfer-Encoding rather than guess where it ends) and speaks WebSocket on
the same port. The node is synchronous and serialised by its lock, so node calls run in
worker threads (:class:`NodeWorkers`) and the loop stays free for other connections, WebSocket
notifications and timeouts; only quick reads (one, or a small batch of them) are answered on
the loop, when the node is free at that instant, since the hop to a thread and back costs
more than they do. Open connections are bounded; when the bound is reached, the connection that has
waited longest without a request in progress (idle, or trickling a request head) makes room,
so slow or idle clients cannot lock the others out. aiohttp's keep-alive timeout closes
connections that have not sent a complete request head in time.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import queue
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from aiohttp import WSMsgType, web
from aiohttp.web_protocol import RequestHandler

from og_alpha import jsonsafe

from .http_guard import Guard, Refusal
from .node import MAX_BATCH, Node
from .node.core import NOT_NOW, answer, dump, error_response
from .node.errors import INTERNAL_ERROR, INVALID_REQUEST
from .subscriptions import METHODS, Hub, Session

T = TypeVar("T")
WS_HEARTBEAT = 30.0  # ping idle WebSockets: a peer that vanished is found and its subscriptions end
# aiohttp's error pages and tracebacks must not reach users (nor the node's terminal).
SILENT = logging.getLogger("og_devnet.http")
SILENT.addHandler(logging.NullHandler())
SILENT.propagate = False
CLOSE_AFTER = frozenset({400, 408, 413})


def json_response(status: int, body: bytes, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=body, content_type="application/json", headers=headers)


def refuse(refusal: Refusal, extra: dict[str, str] | None = None) -> web.Response:
    response = json_response(
        refusal.status, refusal.body(), {**dict(refusal.headers), **(extra or {})}
    )
    if refusal.status in CLOSE_AFTER:
        response.force_close()
    return response


class _Protocol(RequestHandler):
    """aiohttp's connection handler, with malformed requests answered in JSON-RPC's words."""

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:
            raise ConnectionError("response already started")
        if status == 500:
            text, code = "internal server error", INTERNAL_ERROR
        else:
            first = (message or getattr(exc, "message", "") or "").strip().split("\n", 1)[0]
            text, code = f"bad HTTP request: {first.rstrip(':') or 'unreadable'}", INVALID_REQUEST
        response = json_response(status, dump(error_response(None, code, text)))
        response.force_close()
        return response


class Connections(web.Server):
    """aiohttp's low-level server with a bound on open connections."""

    def __init__(self, handler: Any, *, max_connections: int, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.max_connections = max_connections
        self._since: dict[RequestHandler, float] = {}  # open connections: idle since when
        self._busy: set[RequestHandler] = set()

    def __call__(self) -> RequestHandler:
        return _Protocol(self, loop=self._loop, **self._kwargs)

    def __len__(self) -> int:
        return len(self._since)

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        self._since[handler] = self._loop.time()
        if len(self._since) <= self.max_connections:
            return
        idle = [h for h in self._since if h is not handler and h not in self._busy]
        if idle:
            victim = min(idle, key=self._since.__getitem__)
            del self._since[victim]
            self._connections[victim].close()
            return
        del self._since[handler]
        body = dump(
            error_response(
                None,
                INVALID_REQUEST,
                f"too many open connections (the limit is {self.max_connections}): close "
                "some, or start og devnet with --max-connections",
            )
        )
        transport.write(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        transport.close()

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        super().connection_lost(handler, exc)
        self._since.pop(handler, None)
        self._busy.discard(handler)

    def close_idle(self) -> None:
        """Close every connection between requests, so that shutting down waits only for
        requests in progress (aiohttp's shutdown would wait its whole timeout on an idle
        keep-alive connection)."""
        for handler in [h for h in self._since if h not in self._busy]:
            handler.close()

    @contextmanager
    def busy(self, handler: RequestHandler) -> Iterator[None]:
        """A request is in progress on this connection: it is not idle, never evicted."""
        self._busy.add(handler)
        try:
            yield
        finally:
            self._busy.discard(handler)
            if handler in self._since:
                self._since[handler] = self._loop.time()


class NodeWorkers(Executor):
    """The threads that run node calls for the event loop.

    ``loop.run_in_executor`` with a ``ThreadPoolExecutor`` chains two futures per call (a
    concurrent one, with its lock and condition, and the loop's), which costs more than the
    quick node calls themselves; here a call is queued with the loop's future, and its
    outcome reaches the loop in one ``call_soon_threadsafe``, after whatever the call itself
    handed to the loop (subscription notifications come before the answer). As with
    ``run_in_executor``, a call whose caller was cancelled before it started is not run.
    The node's lock serialises the calls, whichever thread runs them.
    """

    def __init__(self, workers: int, name: str = "og-devnet-rpc") -> None:
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}_{i}", daemon=True)
            for i in range(workers)
        ]
        self._started = False
        self._closed = False
        self._guard = threading.Lock()
        # As a ThreadPoolExecutor's, the calls queued when the interpreter exits are run.
        atexit.register(_shutdown, weakref.ref(self))

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker thread, awaited on the running loop."""
        future = asyncio.get_running_loop().create_future()
        self._put((future.get_loop(), future, function, args))
        return await future

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        self._put((None, future, lambda: fn(*args, **kwargs), ()))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._guard:
            if self._closed:
                return
            self._closed = True
            started = self._started
        if started:
            for _ in self._threads:
                self._queue.put(None)
            if wait:
                for thread in self._threads:
                    thread.join()

    def _put(self, item: tuple[Any, ...]) -> None:
        with self._guard:
            if self._closed:
                raise RuntimeError("cannot schedule new calls after shutdown")
            if not self._started:
                self._started = True
                for thread in self._threads:
                    thread.start()
        self._queue.put(item)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            loop, future, function, args = item
            del item
            if future.cancelled() or (loop is None and not future.set_running_or_notify_cancel()):
                continue
            try:
                result, error = function(*args), None
            except BaseException as exc:  # noqa: BLE001 - the caller gets it
                result, error = None, exc
            if loop is None:
                if error is None:
                    future.set_result(result)
                else:
                    future.set_exception(error)
            else:
                with suppress(RuntimeError):  # the loop closed while the call ran
                    loop.call_soon_threadsafe(_settle, future, result, error)
            del loop, future, function, args, result, error


def _shutdown(workers: weakref.ref[NodeWorkers]) -> None:
    alive = workers()
    if alive is not None:
        alive.shutdown()


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class App:
    """Routes requests: POST to the node, GET to the node API or a WebSocket, OPTIONS to CORS."""

    def __init__(
        self,
        node: Node,
        guard: Guard,
        hub: Hub,
        executor: Executor,
        *,
        body_timeout: float,
        verbose: bool = False,
    ) -> None:
        self.node, self.guard, self.hub, self.executor = node, guard, hub, executor
        self.body_timeout = body_timeout
        self.verbose = verbose
        self.connections: Connections | None = None
        self.sessions: set[Session] = set()

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        if isinstance(self.executor, NodeWorkers):
            return await self.executor.run(function, *args)
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        assert self.connections is not None
        with self.connections.busy(request.protocol):
            try:
                response = await self._route(request)
            except (asyncio.CancelledError, ConnectionError):
                raise
            except Exception:  # noqa: BLE001 - a bug answers an error, never a traceback
                response = json_response(
                    500, dump(error_response(None, INTERNAL_ERROR, "internal server error"))
                )
        if self.verbose:
            print(
                f"{request.remote} {request.method} {request.path} {response.status}",
                file=sys.stderr,
                flush=True,
            )
        return response

    async def _route(self, request: web.BaseRequest) -> web.StreamResponse:
        method = request.method
        refusal = self.guard.check(request.headers, auth=method != "OPTIONS")
        if refusal is not None:
            return refuse(refusal)
        cors = self.guard.cors_headers(request.headers.get("Origin"))
        if method == "POST":
            return await self._post(request, cors)
        if method == "GET":
            if request.headers.get("Upgrade", "").lower() == "websocket":
                return await self._websocket(request)
            status, body = await self._run(self._node_api, request.raw_path)
            return json_response(status, body, cors)
        if method == "OPTIONS":
            answer = self.guard.preflight(request.headers.get("Origin"))
            if isinstance(answer, Refusal):
                return refuse(answer)
            return web.Response(status=204, headers=answer)
        return refuse(
            Refusal(
                405,
                f"method {method} not allowed: POST JSON-RPC requests, GET the node API",
                (("Allow", "POST, GET, OPTIONS"),),
            )
        )

    def _node_api(self, path: str) -> tuple[int, bytes]:
        with self.node.lock:
            return self.node.devnet.node_api(path)

    # --- HTTP JSON-RPC ---------------------------------------------------------------------
    async def _post(self, request: web.BaseRequest, cors: dict[str, str]) -> web.StreamResponse:
        refusal = self.guard.content_type(request.headers.get("Content-Type"))
        if refusal is not None:
            return refuse(refusal, cors)
        body = await self._read_body(request)
        if isinstance(body, Refusal):
            return refuse(body, cors)
        refusal = self.guard.json_budget(body)
        if refusal is not None:
            return refuse(refusal, cors)
        answer = await self.answer(body, None)
        return json_response(200, answer or b"", cors)

    async def _read_body(self, request: web.BaseRequest) -> bytes | Refusal:
        """The body, refused by its declared length before it is read, and by what has
        arrived while it is read (chunked bodies declare none)."""
        limit = self.guard.max_body
        length = request.content_length
        if length is not None and length > limit:
            return self.guard.too_large(length)
        content = request.content
        if content.is_eof():  # all of it came with the head: nothing to wait for
            body = content.read_nowait()
            return body if len(body) <= limit else self.guard.too_large(limit, known=False)
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                while chunk := await content.readany():
                    size += len(chunk)
                    if size > limit:
                        return self.guard.too_large(limit, known=False)
                    chunks.append(chunk)
        except TimeoutError:
            return Refusal(
                408, f"the request body did not arrive within {self.body_timeout:g} seconds"
            )
        return b"".join(chunks)

    # --- one body, over either transport ----------------------------------------------------
    async def answer(self, body: bytes, session: Session | None) -> bytes | None:
        """A request body to its answer: subscription methods go to the hub, every other
        request to the node (in a worker thread)."""
        if b"subscribe" not in body:
            now = self.node.answer_now(body)
            if now is not NOT_NOW:
                return now  # type: ignore[return-value]
            return await self._run(self.node.handle_body, body)
        try:
            request = jsonsafe.loads(body)
        except ValueError:
            return await self._run(self.node.handle_body, body)
        if isinstance(request, dict) and request.get("method") in METHODS:
            single = self._subscription_call(request, session)
            return None if single is None else dump(single)
        if not (
            isinstance(request, list)
            and 0 < len(request) <= MAX_BATCH
            and any(isinstance(r, dict) and r.get("method") in METHODS for r in request)
        ):
            return await self._run(self.node.handle_body, body)
        answers = []
        for item in request:
            if isinstance(item, dict) and item.get("method") in METHODS:
                one = self._subscription_call(item, session)
            else:
                one = await self._run(self.node.handle, item)
            if one is not None:
                answers.append(one)
        return dump(answers) if answers else None

    def _subscription_call(
        self, request: dict[str, Any], session: Session | None
    ) -> dict[str, Any] | None:
        """eth_subscribe/eth_unsubscribe in the node's envelope, answered by the hub here on
        the event loop (the node's lock may be held by an EVM call in a worker thread)."""
        return answer(request, lambda method, params: self.hub.call(session, method, params))

    # --- WebSocket --------------------------------------------------------------------------
    async def _websocket(self, request: web.BaseRequest) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=WS_HEARTBEAT, max_msg_size=self.guard.max_body)
        await ws.prepare(request)
        session = Session(ws.send_str, ws.close)
        self.sessions.add(session)
        writer = asyncio.create_task(session.write())
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    body = message.data.encode()
                elif message.type == WSMsgType.BINARY:
                    body = message.data
                else:
                    break
                refusal = self.guard.json_budget(body)
                answer = refusal.body() if refusal else await self.answer(body, session)
                if answer is not None:
                    session.push(answer.decode())
                if session.overflowed:
                    break
        finally:
            self.hub.drop(session)
            self.sessions.discard(session)
            session.end()
            await writer
        return ws

    def end_sessions(self) -> None:
        for session in list(self.sessions):
            session.end()


__all__ = ["App", "Connections", "NodeWorkers", "refuse"]
