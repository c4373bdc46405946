"""The JSON-RPC handler of ``og devnet``: method table -> Devnet, with no transport in it.

Standard ``eth_*``/``net_*``/``web3_*`` calls go through the same web3 pipeline the
in-process provider uses, so in-process and HTTP clients see the same answers; anvil/hardhat
dev methods and ``og_*`` controls are served here. Every call that changes state is written
to the journal (when there is one) before its answer leaves, so an acknowledged call survives
a crash.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from hexbytes import HexBytes
from web3.datastructures import NamedElementOnion

from .devnet import Devnet, Snapshot
from .errors import DevnetError
from .journal import Journal

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SERVER_ERROR = -32000
INTERNAL_ERROR = -32603
MAX_BATCH = 1000

# Calls that change state: journaled, and replayed in order on restart.
MUTATING = frozenset(
    {
        "eth_sendRawTransaction",
        "eth_sendTransaction",
        "evm_mine",
        "evm_increaseTime",
        "evm_setNextBlockTimestamp",
        "evm_snapshot",
        "evm_revert",
        "anvil_setBalance",
        "hardhat_setBalance",
        "anvil_mine",
        "og_addModel",
        "og_setCandles",
        "og_advanceTime",
    }
)


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def to_json(value: Any, key: str = "") -> Any:
    """web3-pipeline results to JSON-RPC: quantities as hex, bytes as 0x-hex."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if key == "logsBloom":
            return "0x" + value.to_bytes(256, "big").hex()
        return hex(value)
    if isinstance(value, (bytes, bytearray, HexBytes)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {k: to_json(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v, key) for v in value]
    return value


def _quantity(value: Any, name: str) -> int:
    try:
        if isinstance(value, str):
            return int(value, 16) if value.startswith("0x") else int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    except ValueError:
        pass
    raise RpcError(INVALID_PARAMS, f"{name} must be a quantity (hex string or integer)")


def _params(params: Any, count: int, method: str) -> list[Any]:
    if not isinstance(params, list) or len(params) < count:
        raise RpcError(INVALID_PARAMS, f"{method} takes {count} parameter(s)")
    return params


class RpcHandler:
    """Answers JSON-RPC request bodies against one Devnet, one call at a time."""

    def __init__(self, devnet: Devnet, journal: Journal | None = None) -> None:
        self.devnet = devnet
        self.journal = journal
        self.lock = threading.RLock()
        self._snapshots: dict[str, Snapshot] = {}
        # Requests arrive as JSON; ENS name resolution would treat a log filter's single
        # address string as a name to resolve (and fail), and there is no ENS here.
        onion = NamedElementOnion(
            [
                (m, n)
                for m, n in devnet.web3.middleware_onion.middleware
                if n != "ens_name_to_address"
            ]
        )
        self._request_func = devnet.web3.provider.request_func(devnet.web3, onion)
        self._methods: dict[str, Callable[[list[Any]], Any]] = {
            "evm_snapshot": self._evm_snapshot,
            "evm_revert": self._evm_revert,
            "evm_mine": self._evm_mine,
            "anvil_mine": self._anvil_mine,
            "evm_increaseTime": self._evm_increase_time,
            "evm_setNextBlockTimestamp": self._evm_set_next_block_timestamp,
            "anvil_setBalance": self._set_balance,
            "hardhat_setBalance": self._set_balance,
            "og_addModel": self._og_add_model,
            "og_listModels": self._og_list_models,
            "og_setCandles": self._og_set_candles,
            "og_advanceTime": self._og_advance_time,
            "og_setResultsViaApi": self._og_set_results_via_api,
            "og_now": lambda p: hex(self.devnet.now),
            "eth_maxPriorityFeePerGas": lambda p: hex(10**9),
            "web3_clientVersion": lambda p: "og-devnet/0.1.0",
        }

    # --- bodies --------------------------------------------------------------------------
    def handle_body(self, body: bytes) -> bytes | None:
        """A request body (single or batch) to a response body (None for notifications)."""
        try:
            return self._handle_body(body)
        except Exception as exc:  # noqa: BLE001 - a bug must not take the node down
            return _dump(_error(None, INTERNAL_ERROR, f"internal error: {exc!r}"))

    def _handle_body(self, body: bytes) -> bytes | None:
        try:
            request = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _dump(_error(None, PARSE_ERROR, f"parse error: {exc}"))
        if isinstance(request, list):
            if not request:
                return _dump(_error(None, INVALID_REQUEST, "empty batch"))
            if len(request) > MAX_BATCH:
                return _dump(_error(None, INVALID_REQUEST, f"batch larger than {MAX_BATCH}"))
            answers = [a for a in (self.handle(r) for r in request) if a is not None]
            return _dump(answers) if answers else None
        answer = self.handle(request)
        return None if answer is None else _dump(answer)

    def handle(self, request: Any) -> dict[str, Any] | None:
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return _error(None, INVALID_REQUEST, "invalid request: need an object with a method")
        request_id = request.get("id")
        method, params = request["method"], request.get("params", [])
        if params is None:
            params = []
        if not isinstance(params, (list, dict)):
            return _error(request_id, INVALID_PARAMS, "params must be an array")
        try:
            result = self.call(method, params)
        except RpcError as exc:
            return _error(request_id, exc.code, exc.message, exc.data)
        if "id" not in request:
            return None
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    # --- calls ---------------------------------------------------------------------------
    def call(self, method: str, params: Any, *, journal: bool = True) -> Any:
        """Run one method; journal it if it changed state. Raises RpcError."""
        with self.lock:
            result = self._dispatch(method, params)
            if journal and self.journal is not None and method in MUTATING:
                self.journal.append(method, params)
            return result

    def _dispatch(self, method: str, params: Any) -> Any:
        own = self._methods.get(method)
        if own is not None:
            try:
                return own(params if isinstance(params, list) else [params])
            except RpcError:
                raise
            except DevnetError as exc:
                raise RpcError(SERVER_ERROR, str(exc)) from None
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                raise RpcError(INVALID_PARAMS, f"{method}: bad params ({exc})") from None
        try:
            response = self._request_func(method, params)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise RpcError(INVALID_PARAMS, f"{method}: bad params ({exc})") from None
        except Exception as exc:  # noqa: BLE001 - keep serving whatever a call raises
            raise RpcError(SERVER_ERROR, f"{method}: {exc}") from None
        if "error" in response:
            err = response["error"]
            code = err.get("code", SERVER_ERROR)
            if code == METHOD_NOT_FOUND and not method.startswith(("eth_", "net_", "web3_")):
                err = {**err, "message": f"method {method} not found"}
            raise RpcError(code, err.get("message", "error"), err.get("data"))
        return to_json(response.get("result"))

    # --- dev methods ---------------------------------------------------------------------
    def _evm_snapshot(self, params: list[Any]) -> str:
        snapshot_id = hex(len(self._snapshots) + 1)
        self._snapshots[snapshot_id] = self.devnet.snapshot()
        return snapshot_id

    def _evm_revert(self, params: list[Any]) -> bool:
        key = hex(_quantity(_params(params, 1, "evm_revert")[0], "snapshot id"))
        snapshot = self._snapshots.get(key)
        if snapshot is None:
            return False
        self.devnet.revert(snapshot)
        # like anvil: a snapshot is used up by reverting to it, and so are later ones
        for k in [k for k in self._snapshots if int(k, 16) >= int(key, 16)]:
            del self._snapshots[k]
        return True

    def _evm_mine(self, params: list[Any]) -> str:
        timestamp = _quantity(params[0], "timestamp") if params and params[0] is not None else None
        self.devnet.mine_block([], timestamp)
        return "0x0"

    def _anvil_mine(self, params: list[Any]) -> None:
        blocks = _quantity(params[0], "blocks") if params else 1
        if not 0 < blocks <= 10_000:
            raise RpcError(INVALID_PARAMS, "anvil_mine: blocks must be 1..10000")
        self.devnet.mine(blocks)

    def _evm_increase_time(self, params: list[Any]) -> str:
        seconds = _quantity(_params(params, 1, "evm_increaseTime")[0], "seconds")
        if seconds < 0:
            raise RpcError(INVALID_PARAMS, "evm_increaseTime: seconds must be >= 0")
        pending = self.devnet.backend.pending_timestamp
        self.devnet.backend.set_pending_timestamp(pending + seconds)
        return hex(seconds)

    def _evm_set_next_block_timestamp(self, params: list[Any]) -> None:
        t = _quantity(_params(params, 1, "evm_setNextBlockTimestamp")[0], "timestamp")
        if t <= self.devnet.now:
            raise RpcError(
                INVALID_PARAMS, f"timestamp {t} must be after the latest block's {self.devnet.now}"
            )
        self.devnet.backend.set_pending_timestamp(t)

    def _set_balance(self, params: list[Any]) -> None:
        address, value = _params(params, 2, "setBalance")[:2]
        self.devnet.set_balance(address, _quantity(value, "balance"))

    # --- og_* controls -------------------------------------------------------------------
    def _og_add_model(self, params: list[Any]) -> str:
        data_b64 = _params(params, 1, "og_addModel")[0]
        cid = params[1] if len(params) > 1 else None
        try:
            data = base64.b64decode(data_b64, validate=True)
        except (ValueError, TypeError):
            raise RpcError(INVALID_PARAMS, "og_addModel: the model must be base64") from None
        return self.devnet.models.add(data, cid)

    def _og_list_models(self, params: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "cid": m.cid,
                "size": m.size,
                "inputs": m.describe_inputs(),
                "outputs": list(m.outputs),
            }
            for m in self.devnet.models.list()
        ]

    def _og_set_candles(self, params: list[Any]) -> int:
        base, quote, duration, rows = _params(params, 4, "og_setCandles")[:4]
        return self.devnet.prices.set_candles(base, quote, int(duration), rows)

    def _og_set_results_via_api(self, params: list[Any]) -> bool:
        flag = _params(params, 1, "og_setResultsViaApi")[0]
        if not isinstance(flag, bool):
            raise RpcError(INVALID_PARAMS, "og_setResultsViaApi takes true or false")
        self.devnet.results_via_api = flag
        return flag

    def _og_advance_time(self, params: list[Any]) -> dict[str, int]:
        seconds = _quantity(_params(params, 1, "og_advanceTime")[0], "seconds")
        runs = self.devnet.advance(seconds)
        return {"runs": runs, "timestamp": self.devnet.now, "block": self.devnet.block_number}


def _error(request_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def _dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
