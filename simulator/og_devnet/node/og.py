"""The devnet's own controls over JSON-RPC (``og_*``): models, prices, the clock, faults,
the inference log and scheduled-run reports, so that a Foundry, Hardhat or remote Python
user can do what ``Devnet`` does in-process."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..log import InferenceRecord, ScheduledRun
from .errors import invalid_params
from .params import at, lenient_quantity

if TYPE_CHECKING:
    from .core import Node


def record_json(record: InferenceRecord | ScheduledRun) -> dict[str, Any]:
    if isinstance(record, ScheduledRun):
        return {"kind": "scheduled_run", **record.__dict__}
    output = record.output
    return {
        "kind": "inference",
        "inference_id": record.inference_id,
        "precompile": record.precompile,
        "model_cid": record.model_cid,
        "mode": record.mode,
        "inputs": {k: _jsonable(v) for k, v in record.inputs.items()},
        "output": None
        if output is None
        else {k: _jsonable(v) for k, v in output.numbers.items()}
        | {k: list(v) for k, v in output.strings.items()},
        "error": record.error,
        "simulation": record.simulation,
        "transaction_hash": record.transaction_hash,
        "block_number": record.block_number,
        "block_time": record.block_time,
    }


def _jsonable(value: Any) -> Any:
    tolist = getattr(value, "tolist", None)
    return tolist() if tolist is not None else value


class Og:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.devnet = node.devnet

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {
            "og_addModel": self.add_model,
            "og_listModels": self.list_models,
            "og_setCandles": self.set_candles,
            "og_advanceTime": self.advance_time,
            "og_setResultsViaApi": self.set_results_via_api,
            "og_now": lambda p: hex(self.devnet.now),
            "og_failModel": self.fail_model,
            "og_setOutput": self.set_output,
            "og_priceGap": self.price_gap,
            "og_clearFaults": lambda p: self.devnet.faults.clear(),
            "og_inferenceLog": self.inference_log,
            "og_scheduledRuns": self.scheduled_runs,
        }

    def add_model(self, p: list[Any]) -> str:
        data_b64 = at(p, 0, "model (base64)")
        cid = at(p, 1, "cid", required=False)
        try:
            data = base64.b64decode(data_b64, validate=True)
        except (ValueError, TypeError):
            raise invalid_params("og_addModel: the model must be base64") from None
        return self.devnet.models.add(data, cid)

    def list_models(self, p: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "cid": m.cid,
                "size": m.size,
                "inputs": m.describe_inputs(),
                "outputs": list(m.outputs),
            }
            for m in self.devnet.models.list()
        ]

    def set_candles(self, p: list[Any]) -> int:
        base, quote = at(p, 0, "base"), at(p, 1, "quote")
        duration, rows = at(p, 2, "candle duration"), at(p, 3, "rows")
        return self.devnet.prices.set_candles(
            base, quote, lenient_quantity(duration, "candle duration"), rows
        )

    def set_results_via_api(self, p: list[Any]) -> bool:
        flag = at(p, 0, "flag")
        if not isinstance(flag, bool):
            raise invalid_params("og_setResultsViaApi takes true or false")
        self.devnet.results_via_api = flag
        return flag

    def advance_time(self, p: list[Any]) -> dict[str, Any]:
        seconds = lenient_quantity(at(p, 0, "seconds"), "seconds")
        options = at(p, 1, "options", required=False) or {}
        if not isinstance(options, dict):
            raise invalid_params(
                'og_advanceTime options must be an object like {"raiseOnFailure": true}'
            )
        report = self.devnet.advance(seconds, raise_on_failure=bool(options.get("raiseOnFailure")))
        return {**report.to_json(), "timestamp": self.devnet.now, "block": self.devnet.block_number}

    # --- faults --------------------------------------------------------------------------------
    def fail_model(self, p: list[Any]) -> None:
        reason = at(p, 1, "reason", required=False)
        self.devnet.faults.fail_model(at(p, 0, "cid"), reason or "injected fault")

    def set_output(self, p: list[Any]) -> None:
        outputs = at(p, 1, "outputs")
        if not isinstance(outputs, dict):
            raise invalid_params("og_setOutput takes a CID and an object of output name to value")
        self.devnet.faults.set_output(at(p, 0, "cid"), outputs)

    def price_gap(self, p: list[Any]) -> None:
        base, quote = at(p, 0, "base"), at(p, 1, "quote")
        start = lenient_quantity(at(p, 2, "start"), "start")
        end = lenient_quantity(at(p, 3, "end"), "end")
        self.devnet.faults.price_gap(base, quote, start, end)

    # --- what ran ------------------------------------------------------------------------------
    def inference_log(self, p: list[Any]) -> list[dict[str, Any]]:
        options = at(p, 0, "options", required=False) or {}
        records = list(self.devnet.inference_log)
        if not options.get("includeSimulations"):
            records = [r for r in records if isinstance(r, ScheduledRun) or not r.simulation]
        limit = options.get("last")
        if isinstance(limit, int) and limit >= 0:
            records = records[-limit:] if limit else []
        return [record_json(r) for r in records]

    def scheduled_runs(self, p: list[Any]) -> list[dict[str, Any]]:
        failed_only = bool((at(p, 0, "options", required=False) or {}).get("failedOnly"))
        return [
            record_json(r)
            for r in self.devnet.inference_log.scheduled_runs(failed_only=failed_only)
        ]
