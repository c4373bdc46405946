"""A Python handle on a running ``og devnet``: the in-process ``Devnet``'s controls (clock,
models, prices, faults, the inference log, snapshots) over its ``og_*`` and dev methods.

    node = RemoteDevnet("http://127.0.0.1:8545")
    node.models.add("fixtures/models/linear.onnx")
    report = node.advance(3600)          # {"runs": 60, "succeeded": 60, "failed": [...], ...}
    node.faults.fail_model(cid, "model offline")

``og_alpha.connect("devnet")`` gives the same handle as ``alpha.devnet``.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from og_alpha import jsonsafe

from .errors import DevnetError


class RemoteError(DevnetError):
    """The node refused a control call, or could not be reached."""


class RemoteDevnet:
    def __init__(self, url: str = "http://127.0.0.1:8545", *, timeout: float = 120.0) -> None:
        self.url = url
        self.timeout = timeout
        self._id = 0
        self.models = _Models(self)
        self.prices = _Prices(self)
        self.faults = _Faults(self)

    def request(self, method: str, params: list[Any] | None = None) -> Any:
        self._id += 1
        body = json.dumps(
            {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or []}
        ).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = jsonsafe.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(
                f"{method}: og devnet at {self.url} could not be reached ({reason}); start it "
                "with `og devnet` or check the URL"
            ) from None
        if "error" in answer:
            raise RemoteError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result")

    # --- the clock -------------------------------------------------------------------------
    @property
    def now(self) -> int:
        return int(self.request("og_now"), 16)

    @property
    def block_number(self) -> int:
        return int(self.request("eth_blockNumber"), 16)

    def advance(self, seconds: int, *, raise_on_failure: bool = False) -> dict[str, Any]:
        """Move the node's clock, running due workflows; the report of the runs."""
        return dict(self.request("og_advanceTime", [seconds, {"raiseOnFailure": raise_on_failure}]))

    def mine(self, blocks: int = 1, interval: int | None = None) -> None:
        self.request("anvil_mine", [hex(blocks), hex(interval or 0)])

    def set_balance(self, address: str, wei: int) -> None:
        self.request("anvil_setBalance", [address, hex(wei)])

    # --- what ran --------------------------------------------------------------------------
    def inference_log(self, *, last: int | None = None, simulations: bool = False) -> list[dict]:
        options: dict[str, Any] = {"includeSimulations": simulations}
        if last is not None:
            options["last"] = last
        return list(self.request("og_inferenceLog", [options]))

    def scheduled_runs(self, *, failed_only: bool = False) -> list[dict[str, Any]]:
        return list(self.request("og_scheduledRuns", [{"failedOnly": failed_only}]))

    # --- snapshots -------------------------------------------------------------------------
    def snapshot(self) -> str:
        return str(self.request("evm_snapshot"))

    def revert(self, snapshot: str) -> bool:
        return bool(self.request("evm_revert", [snapshot]))

    def __repr__(self) -> str:
        return f"<RemoteDevnet {self.url}>"


class _Models:
    def __init__(self, node: RemoteDevnet) -> None:
        self._node = node

    def add(self, model: str | Path | bytes) -> str:
        data = model if isinstance(model, bytes) else Path(model).read_bytes()
        return str(self._node.request("og_addModel", [base64.b64encode(data).decode()]))

    def list(self) -> list[dict[str, Any]]:
        return list(self._node.request("og_listModels"))


class _Prices:
    def __init__(self, node: RemoteDevnet) -> None:
        self._node = node

    def set_candles(self, base: str, quote: str, duration_mins: int, rows: list[Any]) -> int:
        return int(self._node.request("og_setCandles", [base, quote, duration_mins, rows]))


class _Faults:
    def __init__(self, node: RemoteDevnet) -> None:
        self._node = node

    def fail_model(self, cid: str, reason: str = "injected fault") -> None:
        self._node.request("og_failModel", [cid, reason])

    def set_output(self, cid: str, outputs: dict[str, Any]) -> None:
        plain = {k: getattr(v, "tolist", lambda v=v: v)() for k, v in outputs.items()}
        self._node.request("og_setOutput", [cid, plain])

    def price_gap(self, base: str, quote: str, start: int, end: int) -> None:
        self._node.request("og_priceGap", [base, quote, start, end])

    def clear(self) -> None:
        self._node.request("og_clearFaults")
