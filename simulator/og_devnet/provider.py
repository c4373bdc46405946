"""The in-process web3 provider: eth-tester's endpoints, with errors shaped like a node's.

web3's own ``EthereumTesterProvider`` raises eth-tester exceptions straight through, so a
revert looks different in-process than over HTTP. This provider answers with JSON-RPC error
objects instead (code 3 + revert data for reverts, as geth does), so the SDK, and anyone's
code, handles one shape of failure on every network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth.exceptions import Revert, VMError
from eth_abi import decode
from eth_tester.exceptions import TransactionFailed, ValidationError
from eth_utils.toolz import compose
from web3.providers.eth_tester import EthereumTesterProvider
from web3.providers.eth_tester.middleware import (
    transaction_result_formatter,
    transaction_result_remapper,
)
from web3.types import RPCEndpoint, RPCResponse

from og_alpha.wire import ERROR_STRING

METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_ERROR = -32000


def rpc_error(code: int, message: str, data: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return error


def revert_error(exc: BaseException) -> dict[str, Any]:
    """A JSON-RPC error object for a failed execution."""
    cause = exc.args[0] if exc.args else exc
    if isinstance(cause, Revert):
        data = bytes(cause.args[0]) if cause.args else b""
        reason = ""
        if data[:4] == ERROR_STRING:
            try:
                reason = ": " + decode(["string"], data[4:])[0]
            except Exception:  # noqa: BLE001
                reason = ""
        return rpc_error(3, f"execution reverted{reason}", "0x" + data.hex())
    if isinstance(cause, VMError):
        return rpc_error(SERVER_ERROR, f"execution failed: {cause}")
    return rpc_error(3, f"execution reverted: {cause}", "0x")


def normalise_message(message: str) -> str:
    """py-evm says "Invalid transaction nonce: Expected 3, but got 1"; nodes say "nonce too
    low". Clients retry on the node wording, so answer with it."""
    lower = message.lower()
    if "nonce" in lower and "expected" in lower:
        try:
            expected = int(lower.split("expected")[1].split(",")[0].strip())
            got = int(lower.split("got")[1].strip().split()[0].strip("."))
            return ("nonce too low: " if got < expected else "nonce too high: ") + message
        except (IndexError, ValueError):
            return "invalid nonce: " + message
    return message


def _y_parity_named(transaction: Any) -> Any:
    """eth-tester says ``y_parity``, which web3's renaming misses; nodes say ``yParity``."""
    if isinstance(transaction, dict) and "y_parity" in transaction:
        transaction = dict(transaction)
        transaction["yParity"] = transaction.pop("y_parity")
    return transaction


# A transaction object named as nodes name it (``blockHash``, ``input``, ``yParity``...).
_node_named = compose(transaction_result_remapper, transaction_result_formatter, _y_parity_named)


def _transactions_named(endpoint: Any, name: Callable[[Any], Any]) -> Any:
    """web3's eth-tester layer renames the fields of some answers but not of every transaction
    object: not those of a full block's transactions, nor by block and index, nor ``y_parity``.
    """

    def answer(tester: Any, params: Any) -> Any:
        result = endpoint(tester, params)
        if isinstance(result, dict) and isinstance(result.get("transactions"), list):
            full = [name(t) if isinstance(t, dict) else t for t in result["transactions"]]
            return {**result, "transactions": full}
        return name(result) if isinstance(result, dict) else result

    return answer


class DevnetProvider(EthereumTesterProvider):
    """eth-tester's endpoints with this devnet's chain id and node-shaped errors."""

    def __init__(self, ethereum_tester: Any, chain_id: int) -> None:
        from web3.providers.eth_tester.defaults import API_ENDPOINTS

        endpoints = {ns: dict(methods) for ns, methods in API_ENDPOINTS.items()}
        endpoints["eth"]["chainId"] = lambda *_: chain_id  # eth-tester answers a constant
        endpoints["net"]["version"] = lambda *_: str(chain_id)
        eth = endpoints["eth"]
        for name in (
            "getBlockByNumber",
            "getBlockByHash",
            "getTransactionByBlockHashAndIndex",
            "getTransactionByBlockNumberAndIndex",
        ):
            eth[name] = _transactions_named(eth[name], _node_named)
        # web3 renames this answer itself, all but y_parity
        eth["getTransactionByHash"] = _transactions_named(
            eth["getTransactionByHash"], _y_parity_named
        )
        super().__init__(ethereum_tester, endpoints)

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        request_id = self._current_request_id
        self._current_request_id += 1
        namespace, _, endpoint = method.partition("_")
        delegator = (self.api_endpoints or {}).get(namespace, {}).get(endpoint)
        if delegator is None:
            return self._error(
                request_id, rpc_error(METHOD_NOT_FOUND, f"method {method} not found")
            )
        try:
            result = delegator(self.ethereum_tester, params)
        except NotImplementedError:
            return self._error(
                request_id, rpc_error(METHOD_NOT_FOUND, f"method {method} not implemented")
            )
        except TransactionFailed as exc:
            return self._error(request_id, revert_error(exc))
        except (ValidationError, ValueError, TypeError, KeyError) as exc:
            message = normalise_message(str(exc))
            # nonce and balance problems are the node's (-32000, as geth answers); anything
            # else eth-tester validates is a malformed parameter
            code = SERVER_ERROR if "nonce" in message or "fund" in message else INVALID_PARAMS
            return self._error(request_id, rpc_error(code, message))
        except Exception as exc:  # noqa: BLE001 - py-evm's own ValidationError and friends
            return self._error(request_id, rpc_error(SERVER_ERROR, normalise_message(str(exc))))
        return {"id": request_id, "jsonrpc": "2.0", "result": result}  # type: ignore[typeddict-item]

    @staticmethod
    def _error(request_id: int, error: dict[str, Any]) -> RPCResponse:
        return {"id": request_id, "jsonrpc": "2.0", "error": error}  # type: ignore[typeddict-item]
