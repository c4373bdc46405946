"""One scenario, run by either Alpha client: the official ``opengradient`` or ``og_alpha``.

The compatibility suite runs this file with the Python of an official client's own venv
(``python driver.py opengradient < plan.json``: the plan's results as JSON on stdout) and
imports it in-process to run the very same plan with ``og_alpha``. Only the client differs:
the same code builds the inputs, calls the API, catches the errors (``except
ContractLogicError`` first) and encodes every result with its type, so the two outputs can be
compared field by field.

It depends on nothing but the standard library, numpy and web3, which both environments have.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import json
import sys
import time
import types
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
from eth_account import Account
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractLogicError, Web3Exception

CONSTANTS = (
    "DEFAULT_RPC_URL",
    "DEFAULT_API_URL",
    "DEFAULT_INFERENCE_CONTRACT_ADDRESS",
    "DEFAULT_SCHEDULER_ADDRESS",
    "PRECOMPILE_CONTRACT_ADDRESS",
    "INFERENCE_TX_TIMEOUT",
)


# --- the two clients behind one namespace --------------------------------------------------
def load_api(package: str) -> types.SimpleNamespace:
    """The Alpha module, the types module and what differs between the packages: where the
    constants, the bundled workflow ABI and the input conversion live."""
    if package == "opengradient":
        alpha = importlib.import_module("opengradient.client.alpha")
        kinds = importlib.import_module("opengradient.types")
        conversions = importlib.import_module("opengradient.client._conversions")
        homes = [alpha, importlib.import_module("opengradient")]
        with contextlib.suppress(ImportError):  # 0.7.5 keeps the defaults here
            homes.append(importlib.import_module("opengradient.defaults"))
        abi_dir = Path(alpha.__file__).resolve().parents[1] / "abi"
        workflow_abi = json.loads((abi_dir / "PriceHistoryInference.abi").read_text())
        to_model_input = conversions.convert_to_model_input
    elif package == "og_alpha":
        alpha = importlib.import_module("og_alpha.alpha")
        kinds = importlib.import_module("og_alpha.types")
        homes = [alpha, importlib.import_module("og_alpha")]
        workflow_abi = importlib.import_module("og_alpha.contracts").abi("PriceHistoryInference")
        to_model_input = importlib.import_module("og_alpha.wire").encode_model_input
    else:
        raise ValueError(f"unknown package {package!r}")
    return types.SimpleNamespace(
        package=package,
        alpha=alpha,
        types=kinds,
        homes=homes,
        workflow_abi=workflow_abi,
        to_model_input=to_model_input,
    )


def construct(api: types.SimpleNamespace, form: str, url: str, key: str) -> Any:
    """The client, built the way a user of the network builds it (``form``: "web3" is 0.7.5's
    and the API reference's, "key" is 1.1.4's), pointed at the node by its URL alone."""
    hub = _constant(api, "DEFAULT_INFERENCE_CONTRACT_ADDRESS")
    if form == "web3":
        web3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 120}))
        return api.alpha.Alpha(web3, Account.from_key(key), hub, url)
    return api.alpha.Alpha(
        private_key=key, rpc_url=url, inference_contract_address=hub, api_url=url
    )


def _constant(api: types.SimpleNamespace, name: str) -> Any:
    for home in api.homes:
        if hasattr(home, name):
            return getattr(home, name)
    raise AttributeError(f"{api.package} has no {name}")


# --- values in and out -----------------------------------------------------------------------
def decode_input(value: Any) -> Any:
    """A plan's tensor value: ``{"ndarray": {"dtype", "values"}}`` (0-d when values is a
    scalar), ``{"scalar": {"dtype", "value"}}`` for a numpy scalar, else the JSON value."""
    if isinstance(value, dict) and "ndarray" in value:
        spec = value["ndarray"]
        return np.array(spec["values"], dtype=spec["dtype"])
    if isinstance(value, dict) and "scalar" in value:
        spec = value["scalar"]
        return np.dtype(spec["dtype"]).type(spec["value"])
    return value


def encode(value: Any) -> Any:
    """``value`` as JSON that keeps its type: arrays with dtype and shape, dataclasses with
    their class and every field, scalars with their Python type."""
    if isinstance(value, np.ndarray):
        return {"ndarray": {"dtype": str(value.dtype), "shape": list(value.shape),
                            "values": encode_plain(value.tolist())}}  # fmt: skip
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"dataclass": type(value).__name__, "fields": fields}
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [encode(v) for v in value]}
    if isinstance(value, Enum):
        return {"enum": type(value).__name__, "name": value.name, "value": value.value}
    return {"type": type(value).__name__, "value": encode_plain(value)}


def plain(encoded: Any) -> Any:
    """The value of an ``encode``d one, without its types (arrays as nested lists)."""
    if not isinstance(encoded, dict):
        return encoded
    if "ndarray" in encoded:
        return encoded["ndarray"]["values"]
    if "dataclass" in encoded:
        return {k: plain(v) for k, v in encoded["fields"].items()}
    if "dict" in encoded:
        return {k: plain(v) for k, v in encoded["dict"].items()}
    for kind in ("list", "tuple"):
        if kind in encoded:
            return [plain(v) for v in encoded[kind]]
    return encoded["value"]


def encode_plain(value: Any) -> Any:
    """A plain value (what ``tolist`` gives) as JSON; non-JSON scalars by their repr."""
    if isinstance(value, dict):
        return {str(k): encode_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def describe_error(exc: BaseException, caught_by: str) -> dict[str, Any]:
    return {
        "error": {
            "class": type(exc).__name__,
            "mro": [f"{k.__module__}.{k.__qualname__}" for k in type(exc).__mro__],
            "message": str(exc),
            "caught_by": caught_by,
        }
    }


# --- the plan --------------------------------------------------------------------------------
class Runner:
    """Runs a plan's steps in order; ``save_as`` names a result (a workflow address) that
    later steps refer to as ``"$name"``."""

    def __init__(self, api: types.SimpleNamespace, url: str, key: str, form: str) -> None:
        self.api = api
        self.client = construct(api, form, url, key)
        self.web3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 120}))
        self.saved: dict[str, Any] = {}

    def ref(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            return self.saved[value[1:]]
        return value

    def step(self, op: dict[str, Any]) -> dict[str, Any]:
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):  # the official client prints
                value = getattr(self, "op_" + op["op"])(op)
        except ContractLogicError as exc:  # what code written for the reference catches
            result = describe_error(exc, "ContractLogicError")
        except Web3Exception as exc:
            result = describe_error(exc, "Web3Exception")
        except Exception as exc:  # noqa: BLE001 - recorded, the plan goes on
            result = describe_error(exc, "Exception")
        else:
            if op.get("save_as"):
                self.saved[op["save_as"]] = value
            result = {"value": encode(value)}
        result["printed"] = printed.getvalue()
        return result

    def kinds(self) -> Any:
        return self.api.types

    def query(self, spec: dict[str, Any]) -> Any:
        t = self.kinds()
        return t.HistoricalInputQuery(
            spec["base"], spec["quote"], spec["total_candles"], spec["candle_duration_in_mins"],
            t.CandleOrder[spec["order"]], [t.CandleType[c] for c in spec["candle_types"]],
        )  # fmt: skip

    # each op_ returns the API's own value, encoded by step()
    def op_infer(self, op: dict[str, Any]) -> Any:
        model_input = {name: decode_input(v) for name, v in op["input"].items()}
        mode = self.kinds().InferenceMode[op["mode"]]
        return self.client.infer(op["model"], mode, model_input)

    def op_new_workflow(self, op: dict[str, Any]) -> Any:
        schedule = op.get("schedule")
        params = None if schedule is None else self.kinds().SchedulerParams(**schedule)
        return self.client.new_workflow(
            op["model"], self.query(op["query"]), op["input_name"], params
        )

    def op_run_workflow(self, op: dict[str, Any]) -> Any:
        return self.client.run_workflow(self.ref(op["address"]))

    def op_read_workflow_result(self, op: dict[str, Any]) -> Any:
        return self.client.read_workflow_result(self.ref(op["address"]))

    def op_read_workflow_history(self, op: dict[str, Any]) -> Any:
        return self.client.read_workflow_history(self.ref(op["address"]), op["num"])

    def op_rpc(self, op: dict[str, Any]) -> Any:
        answer = self.web3.provider.make_request(op["method"], op.get("params", []))
        if "error" in answer:
            raise RuntimeError(f"{op['method']}: {answer['error']}")
        return answer["result"]

    def op_node_result(self, op: dict[str, Any]) -> Any:
        """The official client's own node-API reader and converter (what ``infer`` uses when
        the result is not on chain)."""
        conversions = importlib.import_module("opengradient.client._conversions")
        mode = self.kinds().InferenceMode[op["mode"]]
        raw = self.client._get_inference_result_from_node(op["inference_id"], mode)
        return conversions.convert_to_model_output(raw)

    def op_encode_input(self, op: dict[str, Any]) -> Any:
        numbers, strings = self.api.to_model_input(
            {name: decode_input(v) for name, v in op["input"].items()}
        )
        return {
            "numbers": [[n, [[int(v), int(d)] for v, d in values], [int(s) for s in shape]]
                        for n, values, shape in numbers],
            "strings": [[n, [str(s) for s in values]] for n, values in strings],
        }  # fmt: skip

    def op_describe(self, op: dict[str, Any]) -> Any:
        """The public surface: constants, class ABIs, the bundled workflow ABI, type fields,
        enums and SchedulerParams' behaviour."""
        t = self.kinds()
        before = int(time.time())
        end_time = t.SchedulerParams(60, 2).end_time
        after = int(time.time())
        return {
            "constants": {name: _constant(self.api, name) for name in CONSTANTS},
            "inference_abi": self.client.inference_abi,
            "precompile_abi": self.client.precompile_abi,
            "workflow_abi": self.api.workflow_abi,
            "fields": {
                name: [f.name for f in dataclasses.fields(getattr(t, name))]
                for name in ("ModelOutput", "InferenceResult", "SchedulerParams",
                             "HistoricalInputQuery")
            },  # fmt: skip
            "enums": {
                name: {m.name: m.value for m in getattr(t, name)}
                for name in ("InferenceMode", "CandleOrder", "CandleType")
            },
            "from_dict": [
                t.SchedulerParams.from_dict(d) for d in (None, {}, {"frequency": 5})
            ],
            "end_time": {"before": before, "end_time": end_time, "after": after},
            "query_abi": self.query(
                {"base": "ETH", "quote": "USD", "total_candles": 10, "candle_duration_in_mins": 1,
                 "order": "DESCENDING", "candle_types": ["OPEN", "CLOSE"]}
            ).to_abi_format(),
        }  # fmt: skip


def run_plan(package: str, plan: dict[str, Any]) -> list[dict[str, Any]]:
    runner = Runner(load_api(package), plan["url"], plan["key"], plan["form"])
    return [runner.step(op) for op in plan["steps"]]


def main() -> None:
    plan = json.load(sys.stdin)
    results = run_plan(sys.argv[1], plan)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
