"""The official ``opengradient`` client and ``og_alpha``, the same scenario on one ``og devnet``.

Each scenario runs twice from one chain snapshot: the official client first, then, after
``evm_revert``, ``og_alpha`` built in the same constructor form with the same key. The devnet is
deterministic, so both see the same blocks, times and candles, and every result must be the
same by value and type: outputs, dtypes, shapes, transaction hashes (so the same call data, gas,
gas price and nonce), workflow addresses, errors (a revert caught by ``except
ContractLogicError`` in both). After og_alpha's run the chain holds og_alpha's workflows at the
official run's addresses, and the official client reads them as it read its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from web3.logs import DISCARD

from og_alpha import INFERENCE_HUB_ADDRESS, Alpha, InferenceMode
from og_devnet.accounts import dev_key
from tests.compat.conftest import Node, Official, cid, inspector, ours, rpc
from tests.compat.driver import plain
from tests.compat.scenario import (
    INFER_CASES,
    assert_same,
    final_reads,
    infer_steps,
    is_revert,
    reversed_list,
    value,
    workflow_steps,
)
from tests.conftest import run_onnx

README = Path(__file__).resolve().parents[2] / "README.md"


def both(official: Official, node: Node, steps: list[dict[str, Any]]) -> tuple[list, list]:
    """(official's results, og_alpha's results) of ``steps``, each from the same snapshot."""
    snapshot = rpc(node.url, "evm_snapshot")
    theirs = official.run(node.url, steps)
    assert rpc(node.url, "evm_revert", [snapshot]) is True
    mine = ours(node.url, steps, official.form)
    assert len(theirs) == len(mine) == len(steps)
    return theirs, mine


def assert_onnxruntime(model: str, feeds: dict[str, Any], model_output: dict[str, Any]) -> None:
    """The official client's outputs are onnxruntime's, as it converts them: float32 numbers,
    str arrays, np.array of each JSON value."""
    expected = run_onnx(model, feeds)
    outputs = model_output["dict"]
    assert outputs.keys() == expected.keys()
    for name, want in expected.items():
        got = outputs[name]["ndarray"]
        if isinstance(want, np.ndarray) and want.dtype != object:
            assert (got["dtype"], tuple(got["shape"])) == ("float32", want.shape)
            np.testing.assert_array_equal(np.array(got["values"], np.float32), want)
        elif isinstance(want, np.ndarray):
            assert got["dtype"].startswith("<U") and got["values"] == want.tolist()
        else:  # ZipMap: list of {label: probability}
            assert got["dtype"] == "object" and len(got["values"]) == len(want)
            for row, ref in zip(got["values"], want, strict=True):
                assert {int(k): v for k, v in row.items()} == pytest.approx(dict(ref))


def test_inference_every_model_and_mode_is_the_same(official: Official, node: Node) -> None:
    steps = infer_steps()
    theirs, mine = both(official, node, steps)
    web3 = inspector(node.url)
    cases = {(cid(model), json.dumps(sent)): (model, feeds) for model, sent, feeds in INFER_CASES}
    for step, a, b in zip(steps, theirs, mine, strict=True):
        case = cases.get((step.get("model"), json.dumps(step.get("input"))))
        if step["op"] == "infer" and case:
            result = value(a)
            assert_same(result, value(b), f"{step['model']} {step['mode']}")
            # the official client gets what onnxruntime computes
            assert_onnxruntime(*case, result["fields"]["model_output"])
            tx = web3.eth.get_transaction("0x" + result["fields"]["transaction_hash"]["value"])
            assert tx["type"] == 0  # legacy, as both send
        elif step["op"] == "infer":  # the unknown model and the refused input
            assert is_revert(a) and is_revert(b), (a, b)
            assert a["error"]["class"] == "ContractLogicError"
            assert b["error"]["class"] == "InferenceError"
            assert "nothing was sent" in b["error"]["message"]
        else:
            assert_same(value(a), value(b))
    # the first inference through the node API: its event's output is empty (the fallback)
    fallback = [i for i, s in enumerate(steps) if s.get("params") == [True]][0] + 1
    tx_hash = "0x" + value(theirs[fallback])["fields"]["transaction_hash"]["value"]
    hub = web3.eth.contract(address=INFERENCE_HUB_ADDRESS, abi=Alpha.inference_abi)
    receipt = web3.eth.get_transaction_receipt(tx_hash)
    (event,) = hub.events.InferenceResult().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["output"]["numbers"] == []


def test_workflows_are_the_same_and_each_client_reads_the_others(
    official: Official, node: Node
) -> None:
    steps = workflow_steps()
    theirs, mine = both(official, node, steps)
    addresses = {}
    for step, a, b in zip(steps, theirs, mine, strict=True):
        where = f"{step['op']} {step.get('address', step.get('save_as', ''))}"
        if step["op"] == "run_workflow" and step["address"] == "$broken":
            # the official client sends the run (30M gas) and finds it reverted; og_alpha's
            # simulation reverts and it sends nothing: both ContractLogicErrors
            assert is_revert(a) and is_revert(b), (a, b)
            assert b["error"]["class"] == "WorkflowError"
            assert "unknown model CID 'QmNoSuchModel'" in b["error"]["message"]
        elif step["op"] == "read_workflow_history":
            # the reference's order, most recent first: the official client returns the
            # contract's (oldest first)
            assert_same(reversed_list(value(a)), value(b), where)
        else:
            assert_same(value(a), value(b), where)
        if "save_as" in step:
            addresses[step["save_as"]] = value(a)["value"]
    history = plain(value(theirs[4]))  # 10 scheduled runs, read after 600 s
    assert len(history) == 10 and len({h["numbers"]["price"][0] for h in history}) > 1

    # og_alpha's workflows now stand where the official ones stood: the official client
    # reads them exactly as it read its own (the same order, values and types)
    reads = final_reads(addresses["scheduled"], addresses["manual"])
    again = official.run(node.url, reads)
    for read, own, other in zip(reads, theirs[-len(reads) :], again, strict=True):
        assert_same(value(own), value(other), f"official {read['op']} of og_alpha's workflow")


def test_errors_each_client_raises_for_the_same_mistakes(official: Official, node: Node) -> None:
    """Reverts are ContractLogicErrors in both. Where og_alpha refuses bad input before
    sending, its error is a ValueError (the README lists these)."""
    no_contract = inspector(node.url).eth.account.from_key("0x" + "11" * 32).address
    steps = [
        {"op": "read_workflow_history", "address": no_contract, "num": 1},
        {"op": "read_workflow_result", "address": no_contract},
        {"op": "new_workflow", "model": cid("ohlc.onnx"), "query": {
            "base": "ETH", "quote": "USD", "total_candles": 10, "candle_duration_in_mins": 1,
            "order": "ASCENDING", "candle_types": ["OPEN"]}, "input_name": "x", "save_as": "w"},
        {"op": "read_workflow_history", "address": "$w", "num": 0},
    ]  # fmt: skip
    theirs, mine = both(official, node, steps)
    for a, b in zip(theirs[:2], mine[:2], strict=True):
        # the official client decodes the empty answer (web3's BadFunctionCallOutput);
        # og_alpha says there is no contract there
        assert a["error"]["caught_by"] == "Web3Exception", a
        assert is_revert(b) and "no workflow at" in b["error"]["message"]
    assert value(theirs[2]) == value(mine[2])
    assert is_revert(theirs[3]) and "Number of results must be positive" in str(theirs[3])
    assert mine[3]["error"]["class"] == "InputError" and "builtins.ValueError" in str(mine[3])


# --- the public surface ----------------------------------------------------------------------
def test_constants_types_and_abis_are_the_official_ones(official: Official, node: Node) -> None:
    (theirs,), (mine,) = both(official, node, [{"op": "describe"}])
    a, b = value(theirs)["dict"], value(mine)["dict"]
    for key in ("constants", "enums", "from_dict", "query_abi"):
        assert_same(a[key], b[key], key)
    fields_a, fields_b = plain(a["fields"]), plain(b["fields"])
    for name, official_fields in fields_a.items():  # ours may add fields after theirs
        assert fields_b[name][: len(official_fields)] == official_fields, name
    for times in (plain(a["end_time"]), plain(b["end_time"])):  # wall clock + 2 h
        assert times["before"] + 7200 <= times["end_time"] <= times["after"] + 7200
    # the bundled workflow contract's ABI: equal entry for entry
    assert sorted_entries(plain(b["workflow_abi"])) == sorted_entries(plain(a["workflow_abi"]))
    readme = README.read_text()
    for name in ("inference_abi", "precompile_abi"):
        network, devkit = plain(a[name]), plain(b[name])
        missing = [e for e in network if e not in devkit]
        assert all(e in network for e in devkit), f"{name}: og_alpha has entries the network lacks"
        assert len(devkit) + len(missing) == len(network)
        for entry in missing:  # entries the devnet does not implement are listed in the README
            assert re.search(rf"`{entry['name']}`", readme), f"{name}: {entry['name']} unlisted"
    assert {e["name"] for e in plain(b["inference_abi"])} == {"run", "InferenceResult"}
    assert {e["name"] for e in plain(b["precompile_abi"])} == {
        "runModelInference",
        "ModelInferenceEvent",
    }


def sorted_entries(abi: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(e, sort_keys=True) for e in abi)


ENCODE_CASES: list[dict[str, Any]] = [
    {"x": [[1.0, 2.0, 3.0]]},
    {"x": [[0.1, -2.5e-7, 100.0, 0.0, -0.0, 1e15, 1e-30, 123456.789]]},
    {"x": {"ndarray": {"dtype": "float32", "values": [[0.1, 0.2], [1e-45, 3.3e-38]]}}},
    {"x": {"ndarray": {"dtype": "float64", "values": 2.5}}},  # 0-d: shape []
    {"x": {"ndarray": {"dtype": "int64", "values": 7}}},
    {"n": [[1, -2, 3]], "m": {"ndarray": {"dtype": "int64", "values": [2**62, -(2**62)]}}},
    {"x": 1.5, "y": 3, "s": "hello"},  # Python scalars: [value]
    {"x": {"scalar": {"dtype": "float64", "value": 0.7}}},  # np.float64 is a float
    {"text": ["a", "b", "é"], "x": {"ndarray": {"dtype": "float32", "values": [[[1.5]]]}}},
]
# Beyond int64 once scaled: the official client builds an int64 array of the Numbers
# (OverflowError) and refuses Python ints numpy holds as objects (TypeError); og_alpha sends
# them (Numbers are int128 on the wire).
BEYOND_INT64 = [
    {"x": [1e30]},
    {"x": {"ndarray": {"dtype": "float32", "values": [3.4028235e38]}}},
    {"x": [2**70]},
]


@pytest.mark.parametrize("model_input", ENCODE_CASES, ids=range(len(ENCODE_CASES)))
def test_inputs_are_sent_as_the_official_client_sends_them(
    official: Official, node: Node, model_input: dict[str, Any]
) -> None:
    """Every tensor's Numbers and shape, as the official conversion gives them."""
    (theirs,), (mine,) = both(official, node, [{"op": "encode_input", "input": model_input}])
    assert plain(value(theirs)) == plain(value(mine))


@pytest.mark.parametrize("model_input", BEYOND_INT64, ids=range(len(BEYOND_INT64)))
def test_values_beyond_int64_are_sent_where_the_official_client_cannot(
    official: Official, node: Node, model_input: dict[str, Any]
) -> None:
    (theirs,), (mine,) = both(official, node, [{"op": "encode_input", "input": model_input}])
    assert theirs["error"]["class"] in ("OverflowError", "TypeError"), theirs
    ((name, numbers, shape),) = plain(value(mine))["numbers"]
    assert name == "x" and shape == [1] and len(numbers) == 1


def test_the_node_api_reader_of_the_official_client(official: Official, node: Node) -> None:
    """The official client's node-API reader on ``og devnet``'s node API, every mode: the
    output og_alpha's inference gave, and an HTTP 404 for an unknown id."""
    alpha = Alpha("0x" + dev_key(2).hex(), node.url, api_url=node.url)
    results = {
        mode: alpha.infer(cid("two_outputs.onnx"), mode, {"x": [[0.5, -1.0, 3.0, 2.0]]})
        for mode in InferenceMode
    }
    steps = [
        {"op": "node_result", "inference_id": result.inference_id, "mode": mode.name}
        for mode, result in results.items()
    ]
    steps.append({"op": "node_result", "inference_id": "0x" + "00" * 32, "mode": "VANILLA"})
    answers = official.run(node.url, steps)
    for result, answer in zip(results.values(), answers, strict=False):
        outputs = value(answer)["dict"]
        assert outputs.keys() == result.model_output.keys()
        for name, array in result.model_output.items():
            assert outputs[name]["ndarray"]["dtype"] == str(array.dtype)
            assert outputs[name]["ndarray"]["values"] == array.tolist()
    assert "HTTP 404" in answers[-1]["error"]["message"]
