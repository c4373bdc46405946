"""The in-process web3 provider: requests go to the node core as parsed JSON, so
``devnet.web3`` gets byte for byte what ``og devnet`` answers over HTTP (it skips only the
JSON text). Parameters are made JSON-shaped first (bytes as 0x-hex, tuples as arrays), as
the HTTP provider's encoder would."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from web3.providers.base import BaseProvider
from web3.types import RPCEndpoint, RPCResponse

if TYPE_CHECKING:
    from .node import Node


def jsonable(value: Any) -> Any:
    """``value`` as JSON would carry it."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


class DevnetProvider(BaseProvider):
    """A web3 provider answered by a :class:`~og_devnet.node.Node` in this process."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self._id = 0

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self._id += 1
        request = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": jsonable(params)}
        return self.node.handle(request)  # type: ignore[return-value]

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse]:
        return [self.make_request(method, params) for method, params in requests]

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True
