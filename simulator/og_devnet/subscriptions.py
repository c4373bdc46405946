"""``eth_subscribe``/``eth_unsubscribe`` over WebSocket: newHeads, logs, newPendingTransactions.

The node calls its listeners (``chain.block_listeners``, ``node.transaction_listeners``) under
its lock, from whichever thread ran the call. The hub's listeners only serialise what the
subscriptions want (the chain cannot change under the lock, and nothing is done when nobody
listens) and hand the finished messages to the event loop; the loop puts them on each
connection's queue, in order with that connection's answers: a subscription's id always
reaches the client before its first notification, and a notification for a block before the
answer of the call that mined it (clients wait on that answer, then read what they watched).

Subscriptions belong to one connection and end with it. A client that stops reading is
disconnected once its queue is full instead of growing the node's memory (as geth does).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rlp

from .node.core import dump
from .node.errors import METHOD_NOT_FOUND, RpcError, invalid_params, server_error
from .node.logs import block_logs
from .node.params import LogFilter, log_filter
from .node.serialize import d, header

if TYPE_CHECKING:
    from eth.abc import BlockAPI

    from .node import Node

KINDS = ("newHeads", "logs", "newPendingTransactions")
METHODS = frozenset({"eth_subscribe", "eth_unsubscribe"})
QUEUE_LIMIT = 20_000  # messages waiting for one slow client before it is dropped
NOT_OVER_HTTP = (
    "notifications not supported: eth_subscribe needs a WebSocket connection "
    "(ws:// on the same port)"
)


@dataclass(frozen=True)
class Subscription:
    id: str
    kind: str
    session: Session
    criteria: LogFilter | None = None


class Session:
    """One WebSocket connection's outgoing messages, in order, and its subscriptions."""

    def __init__(self, send: Callable[[str], Any], close: Callable[[], Any]) -> None:
        self._send, self._close = send, close
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.ids: set[str] = set()
        self.overflowed = False

    def push(self, text: str) -> None:
        """Queue a message (event-loop thread). A client that lets QUEUE_LIMIT messages pile
        up is disconnected: its subscriptions must not hold the node's memory."""
        if self.overflowed:
            return
        if self.queue.qsize() >= QUEUE_LIMIT:
            self.overflowed = True
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(text)

    async def write(self) -> None:
        """Send queued messages until the session ends (``None``) or the socket fails."""
        try:
            while (text := await self.queue.get()) is not None:
                await self._send(text)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            await self._close()

    def end(self) -> None:
        self.queue.put_nowait(None)


class Hub:
    """Every subscription of one server; one pair of listeners on the node."""

    def __init__(self, node: Node, loop: asyncio.AbstractEventLoop) -> None:
        self.node, self.loop = node, loop
        self._subscriptions: dict[str, Subscription] = {}  # changed on the loop thread only
        self._current: tuple[Subscription, ...] = ()  # read by the node's threads
        self._ids = itertools.count(1)

    def __len__(self) -> int:
        return len(self._subscriptions)

    def attach(self) -> None:
        self.node.chain.block_listeners.append(self._on_block)
        self.node.transaction_listeners.append(self._on_transaction)

    def detach(self) -> None:
        if self._on_block in self.node.chain.block_listeners:
            self.node.chain.block_listeners.remove(self._on_block)
        if self._on_transaction in self.node.transaction_listeners:
            self.node.transaction_listeners.remove(self._on_transaction)

    # --- the methods (event-loop thread) --------------------------------------------------
    def call(self, session: Session | None, method: str, params: Any) -> Any:
        """Run eth_subscribe/eth_unsubscribe for a session (None: over HTTP); raises RpcError."""
        if session is None:
            raise RpcError(METHOD_NOT_FOUND, NOT_OVER_HTTP)
        if params is None:
            params = []
        if not isinstance(params, list):
            raise invalid_params(f"{method}: params must be an array (positional parameters)")
        if method == "eth_unsubscribe":
            return self.unsubscribe(session, params[0] if params else None)
        return self.subscribe(session, params)

    def subscribe(self, session: Session, params: list[Any]) -> str:
        kind = params[0] if params else None
        if kind not in KINDS:
            raise invalid_params(
                f"unknown subscription kind {json.dumps(kind)}: use newHeads, logs or "
                "newPendingTransactions"
            )
        criteria = None
        extra = params[1] if len(params) > 1 else None
        if kind == "logs":
            criteria = log_filter(extra)
            ranged = isinstance(extra, dict) and (extra.get("fromBlock") or extra.get("toBlock"))
            if criteria.block_hash is not None or ranged:
                raise invalid_params(
                    "a logs subscription takes address and topics only: it reports logs of "
                    "blocks mined from now on (use eth_getLogs for past blocks)"
                )
        elif kind == "newPendingTransactions" and extra not in (None, False):
            raise invalid_params(
                "newPendingTransactions gives transaction hashes only: subscribe without "
                "fullTransactions and read each with eth_getTransactionByHash"
            )
        elif kind == "newHeads" and len(params) > 1:
            raise invalid_params("newHeads takes no options")
        subscription_id = f"0x{next(self._ids):032x}"
        self._subscriptions[subscription_id] = Subscription(
            subscription_id, kind, session, criteria
        )
        session.ids.add(subscription_id)
        self._current = tuple(self._subscriptions.values())
        return subscription_id

    def unsubscribe(self, session: Session, subscription_id: Any) -> bool:
        found = (
            self._subscriptions.get(subscription_id) if isinstance(subscription_id, str) else None
        )
        if found is None or found.session is not session:
            raise server_error("subscription not found")
        self._remove([subscription_id])
        return True

    def drop(self, session: Session) -> None:
        """End every subscription of a closed connection."""
        self._remove(list(session.ids))

    def _remove(self, ids: list[str]) -> None:
        for subscription_id in ids:
            found = self._subscriptions.pop(subscription_id, None)
            if found is not None:
                found.session.ids.discard(subscription_id)
        self._current = tuple(self._subscriptions.values())

    # --- the listeners (node threads, under the node's lock) ------------------------------
    def _on_block(self, block: BlockAPI) -> None:
        subscriptions = self._current
        if not subscriptions:
            return
        out: list[tuple[Subscription, str]] = []
        head = None
        for sub in subscriptions:
            if sub.kind == "newHeads":
                if head is None:
                    head = header(block.header, size=len(rlp.encode(block)))
                out.append((sub, _notification(sub.id, head)))
            elif sub.kind == "logs" and sub.criteria is not None:
                for entry in block_logs(self.node.chain, block, sub.criteria):
                    out.append((sub, _notification(sub.id, entry)))
        if out:
            self.loop.call_soon_threadsafe(self._deliver, out)

    def _on_transaction(self, transaction_hash: bytes) -> None:
        subscriptions = self._current
        if not subscriptions:
            return
        text = d(transaction_hash)
        out = [
            (sub, _notification(sub.id, text))
            for sub in subscriptions
            if sub.kind == "newPendingTransactions"
        ]
        if out:
            self.loop.call_soon_threadsafe(self._deliver, out)

    def _deliver(self, out: list[tuple[Subscription, str]]) -> None:
        for sub, text in out:
            if sub.id in self._subscriptions:
                sub.session.push(text)


def _notification(subscription_id: str, result: Any) -> str:
    return dump(
        {
            "jsonrpc": "2.0",
            "method": "eth_subscription",
            "params": {"subscription": subscription_id, "result": result},
        }
    ).decode()


__all__ = ["KINDS", "METHODS", "NOT_OVER_HTTP", "Hub", "Session", "Subscription"]
