"""A web3 provider that answers through :class:`RpcHandler` in-process, byte for byte what
``og devnet`` answers over HTTP (and journaled the same way)."""

from __future__ import annotations

import json
from typing import Any

from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from .rpc import RpcHandler


class HandlerProvider(JSONBaseProvider):
    def __init__(self, rpc: RpcHandler) -> None:
        super().__init__()
        self.rpc = rpc
        self._id = 0

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self._id += 1
        request = json.loads(
            json.dumps(
                {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params},
                default=_default,
            )
        )
        return self.rpc.handle(request)  # type: ignore[return-value]

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True


def _default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    raise TypeError(f"cannot send {type(value).__name__} over JSON-RPC")
