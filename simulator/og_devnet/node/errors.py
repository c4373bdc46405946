"""JSON-RPC error codes and the one exception every node method raises.

Codes and wording follow geth where clients depend on them: ``3`` with the revert data for
reverts, ``-32000`` for what the node refuses (nonce, funds, unknown filter), ``-32602`` for
malformed parameters, ``-32601`` for unknown methods.
"""

from __future__ import annotations

from typing import Any

from eth.exceptions import Revert, VMError
from eth_utils import to_checksum_address

from og_alpha.wire import decode_revert_reason

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000
EXECUTION_REVERTED = 3


class RpcError(Exception):
    """A JSON-RPC error answer: ``code``, ``message`` and optional ``data``."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def invalid_params(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)


def server_error(message: str) -> RpcError:
    return RpcError(SERVER_ERROR, message)


def execution_error(error: BaseException) -> RpcError:
    """The answer for a failed execution: a revert keeps code 3 and its data (as geth),
    other EVM failures (out of gas, invalid opcode...) say what stopped the call."""
    if isinstance(error, Revert):
        data = bytes(error.args[0]) if error.args and isinstance(error.args[0], bytes) else b""
        reason = decode_revert_reason(data)
        message = f"execution reverted: {reason}" if reason else "execution reverted"
        return RpcError(EXECUTION_REVERTED, message, "0x" + data.hex())
    if isinstance(error, VMError):
        text = str(error) or type(error).__name__
        return RpcError(SERVER_ERROR, f"execution failed: {without_reprs(text)}")
    return RpcError(SERVER_ERROR, f"execution failed: {without_reprs(str(error))}")


def without_reprs(text: str) -> str:
    """py-evm messages sometimes carry Python reprs of bytes; nodes never show those. A
    20-byte value is an address and is shown checksummed, as every tool shows addresses."""
    import re

    return re.sub(r"b'((?:[^'\\]|\\.)*)'", lambda m: _unrepr(m.group(1)), text)


def _unrepr(body: str) -> str:
    try:
        raw = bytes(body, "latin-1").decode("unicode_escape").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return "0x" + body
    return to_checksum_address(raw) if len(raw) == 20 else "0x" + raw.hex()
