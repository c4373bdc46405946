"""Bounded model work: no model, however small or cheap in gas, holds the node for long.

Findings from the reliability issue, each a test that failed before the fix: a 33 KB Loop of
2**62 iterations (~30k gas) held the node's lock for ever from one ``eth_call``; loading a
model of many nodes took minutes and gigabytes; a tiny sparse tensor became gigabytes once
onnxruntime made it dense. The runs here are stopped by the time budget (onnxruntime's
``RunOptions.terminate``), or refused before onnxruntime sees the model. The heavy versions
(the real sizes, the default budget over HTTP) are in ``fuzz/test_heavy_models.py``.

A run that never ends is the bug: the waits here are hang guards (a failing test must end),
never measured times.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from eth_account import Account
from onnx import TensorProto, helper, numpy_helper
from web3.exceptions import ContractLogicError

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceMode, wire
from og_devnet import Devnet, DevnetError, ModelError, model_files, model_runs
from og_devnet.cid import ipfs_cid_v0
from og_devnet.model_runs import Busy, OverBudget, Runner
from og_devnet.models import ModelHub
from tests.devnet.test_hostile_models import model_bytes
from tests.devnet.test_hostile_models import tensor as value

F32, I64, BOOL = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
HANG_GUARD = 120  # seconds: only reached if the bug is back


def endless_loop(iterations: int = 2**62) -> bytes:
    """y = x + 1, ``iterations`` times: a Loop whose trip count is a constant."""
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Add", ["acc_in", "one"], ["acc_out"]),
        ],
        "body",
        [value("i", I64, []), value("cond_in", BOOL, []), value("acc_in", F32, [1, 3])],
        [value("cond_out", BOOL, []), value("acc_out", F32, [1, 3])],
        [numpy_helper.from_array(np.array([1.0], np.float32), "one")],
    )
    trips = numpy_helper.from_array(np.array(iterations, np.int64), "trips")
    keep_going = numpy_helper.from_array(np.array(True), "keep_going")
    return model_bytes(
        [helper.make_node("Loop", ["trips", "keep_going", "x"], ["y"], body=body)],
        [value("x", F32, [1, 3])],
        [value("y", F32, [1, 3])],
        [trips, keep_going],
    )


def chain_of(nodes: int) -> bytes:
    """``nodes`` Neg nodes in a row: load time and memory grow with the count."""
    graph = [
        helper.make_node("Neg", ["x" if i == 0 else f"t{i}"], [f"t{i + 1}"])
        for i in range(nodes - 1)
    ]
    graph.append(helper.make_node("Identity", [f"t{nodes - 1}" if nodes > 1 else "x"], ["y"]))
    return model_bytes(graph, [value("x", F32, [1])], [value("y", F32, [1])])


def nested_functions(levels: int, calls: int) -> bytes:
    """f0 is one Neg; f(k) calls f(k-1) ``calls`` times; the graph calls f(levels) once: a
    file of a few hundred bytes that onnxruntime inlines into calls**levels nodes."""
    functions = [
        helper.make_function(
            "local",
            "f0",
            ["a"],
            ["b"],
            [helper.make_node("Neg", ["a"], ["b"])],
            [helper.make_opsetid("", 17)],
        )
    ]
    for level in range(1, levels + 1):
        body = [
            helper.make_node(
                f"f{level - 1}",
                ["a" if i == 0 else f"v{i}"],
                ["b" if i == calls - 1 else f"v{i + 1}"],
                domain="local",
            )
            for i in range(calls)
        ]
        functions.append(
            helper.make_function(
                "local",
                f"f{level}",
                ["a"],
                ["b"],
                body,
                [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)],
            )
        )
    return model_bytes(
        [helper.make_node(f"f{levels}", ["x"], ["y"], domain="local")],
        [value("x", F32, [1])],
        [value("y", F32, [1])],
        functions=functions,
    )


def sparse_square(side: int) -> bytes:
    """A sparse initializer of one stored value that is ``side`` x ``side`` once dense."""
    values = numpy_helper.from_array(np.array([1.0], np.float32), "w")
    indices = numpy_helper.from_array(np.array([0], np.int64), "w_indices")
    sparse = helper.make_sparse_tensor(values, indices, [side, side])
    return model_bytes(
        [
            helper.make_node("ReduceSum", ["w"], ["total"], keepdims=0),
            helper.make_node("Add", ["x", "total"], ["y"]),
        ],
        [value("x", F32, [1])],
        [value("y", F32, [1])],
        sparse_initializer=[sparse],
    )


def in_thread(call: Callable[[], Any]) -> Any:
    """Run ``call`` on a daemon thread and return what it returned or raise what it raised;
    fail (instead of hanging the suite) if it has not ended after HANG_GUARD seconds."""
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append(("ok", call()))
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.append(("error", exc))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert outcome, "the call never ended: a model run held the node"
    kind, result = outcome[0]
    if kind == "error":
        raise result
    return result


def state(devnet: Devnet) -> tuple[int, int]:
    address = devnet.accounts[0].address
    return devnet.block_number, devnet.web3.eth.get_transaction_count(address)


# --- finding 6: a run that never ends ------------------------------------------------------------
def test_an_endless_loop_is_stopped_at_the_time_limit_and_reverts_naming_it() -> None:
    devnet = Devnet(model_timeout=0.5)
    cid = devnet.models.add(endless_loop())
    data = wire.encode_hub_run(cid, 0, wire.encode_model_input({"x": [[1.0, 2.0, 3.0]]}))
    call = {"from": devnet.accounts[0].address, "to": INFERENCE_HUB_ADDRESS, "data": data}
    before = state(devnet)
    with pytest.raises(ContractLogicError) as info:
        in_thread(lambda: devnet.web3.eth.call(call))
    assert (
        f"model {cid} ran past the devnet's limit of 0.5 s per inference and was stopped; "
        "raise it with Devnet(model_timeout=SECONDS), `og devnet --model-timeout SECONDS` "
        "or OG_MODEL_TIMEOUT"
    ) in str(info.value)
    assert state(devnet) == before
    record = devnet.inference_log[-1]
    assert record.model_cid == cid and "ran past the devnet's limit" in (record.error or "")
    # the node is free: another model runs at once, on the same devnet
    linear = devnet.models.add(_linear())
    result = devnet.alpha().infer(linear, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    np.testing.assert_allclose(result.model_output["y"], [[6.0]])


def test_a_mined_transaction_running_an_endless_loop_fails_and_the_chain_moves_on() -> None:
    devnet = Devnet(model_timeout=0.3)
    cid = devnet.models.add(endless_loop())
    sender = devnet.accounts[0]
    data = wire.encode_hub_run(cid, 0, wire.encode_model_input({"x": [[1.0, 2.0, 3.0]]}))
    raw = Account.sign_transaction(
        {
            "to": INFERENCE_HUB_ADDRESS,
            "data": data,
            "gas": 2_000_000,
            "nonce": 0,
            "gasPrice": devnet.web3.eth.gas_price,
            "chainId": devnet.chain_id,
            "value": 0,
        },
        sender.key,
    ).raw_transaction
    tx_hash = in_thread(lambda: devnet.web3.eth.send_raw_transaction(raw))
    receipt = devnet.web3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 0 and receipt["logs"] == []
    assert devnet.block_number == 1


def test_the_time_limit_is_a_setting_checked_when_set() -> None:
    hub = ModelHub(run_timeout=2)
    assert hub.run_timeout == 2.0
    hub.run_timeout = 0.25
    assert hub.run_timeout == 0.25
    for bad in (0, -1, float("inf"), "1", True):
        with pytest.raises(DevnetError, match="model_timeout must be"):
            hub.run_timeout = bad  # type: ignore[assignment]
    assert hub.run_timeout == 0.25
    assert ModelHub().run_timeout == 5.0  # the default: a few seconds


def test_runs_past_the_budget_that_cannot_be_stopped_are_left_behind_and_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One operator cannot be interrupted (onnxruntime checks ``terminate`` between them):
    the caller stops waiting and the run finishes in the background. While MAX_STRAGGLERS of
    those are still running, new runs are refused at once instead of piling up."""
    monkeypatch.setattr(model_runs, "MAX_STRAGGLERS", 2)
    release = threading.Event()
    runner = Runner()
    stopped: list[bool] = []

    def stubborn(options: Any) -> str:  # ignores terminate, as one long operator does
        release.wait(HANG_GUARD)
        return "late"

    for _ in range(2):
        with pytest.raises(OverBudget) as info:
            runner.run(stubborn, 0.05)
        stopped.append(info.value.stopped)
    assert stopped == [False, False] and runner.stragglers() == 2
    with pytest.raises(Busy) as busy:
        runner.run(lambda options: "never started", 10)
    assert busy.value.count == 2
    release.set()
    assert in_thread(lambda: _when_idle(runner)) == 0
    assert runner.run(lambda options: options.terminate, 10) is False  # a fresh RunOptions


def test_a_run_that_honours_terminate_is_stopped_not_left_behind() -> None:
    runner = Runner()
    hub = ModelHub()
    cid = hub.add(endless_loop())
    session = hub.get(cid).session
    feeds = {"x": np.ones((1, 3), np.float32)}
    with pytest.raises(OverBudget) as info:
        in_thread(lambda: runner.run(lambda options: session.run(None, feeds, options), 0.2))
    assert info.value.stopped is True and runner.stragglers() == 0


def test_model_errors_still_come_back_as_themselves() -> None:
    runner = Runner()

    def fails(options: Any) -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        runner.run(fails, 10)
    assert runner.run(lambda options: 42, 10) == 42


# --- finding 7: loading that explodes ------------------------------------------------------------
def test_a_model_of_too_many_nodes_is_refused_before_it_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(model_files, "MAX_MODEL_NODES", 100)
    assert ModelHub().add(chain_of(100))
    with pytest.raises(ModelError) as info:
        ModelHub().add(chain_of(101))
    assert str(info.value) == (
        "the model's graph has 101 nodes; the devnet loads at most 100: loading time and "
        "memory grow with nodes"
    )


def test_nested_functions_count_as_the_nodes_they_expand_to() -> None:
    """A few hundred bytes that onnxruntime would inline into 10**6 nodes (minutes, GBs)."""
    bomb = nested_functions(levels=6, calls=10)
    assert len(bomb) < 2000
    with pytest.raises(
        ModelError,
        match=r"the model has 1000000 nodes once its subgraphs and model-local functions are expanded \(every call inlined\); the devnet loads at most 50000",
    ):
        in_thread(lambda: ModelHub().add(bomb))
    assert model_files.expanded_nodes(onnx.load_model_from_string(bomb)) == 10**6


def test_a_model_with_functions_is_inlined_before_loading_and_computes_the_same() -> None:
    """onnxruntime's own inlining of nested functions grows with the square of the result
    (38,416 nodes from 1.5 KB: 29 s); onnx inlines them first, and the results agree."""
    data = nested_functions(levels=2, calls=3)  # 9 negations: y = -x
    hub = ModelHub()
    cid = hub.add(data)
    x = np.array([1.5], np.float32)
    np.testing.assert_array_equal(hub.run(cid, {"x": x})["y"], -x)
    direct = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(direct.run(None, {"x": x})[0], -x)
    assert cid == ipfs_cid_v0(data)  # the model is known by its file, not the inlined form


def test_a_function_that_calls_itself_is_refused() -> None:
    loop = helper.make_function(
        "local",
        "f",
        ["a"],
        ["b"],
        [helper.make_node("f", ["a"], ["b"], domain="local")],
        [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)],
    )
    data = model_bytes(
        [helper.make_node("f", ["x"], ["y"], domain="local")],
        [value("x", F32, [1])],
        [value("y", F32, [1])],
        functions=[loop],
    )
    with pytest.raises(ModelError, match="model-local function 'f' calls itself"):
        ModelHub().add(data)


def test_a_sparse_tensor_counts_at_its_dense_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """onnxruntime makes sparse initializers dense at load: 148 bytes of [20000, 20000]
    became 1.6 GB and 10 s. Its dense size counts against the model size limit."""
    monkeypatch.setattr(model_files, "MAX_MODEL_BYTES", 4 * 512 * 512)
    hub = ModelHub()
    assert hub.add(sparse_square(512))  # exactly at the limit
    with pytest.raises(ModelError) as info:
        hub.add(sparse_square(513))
    assert str(info.value) == (
        f"the model's sparse tensors take {4 * 513 * 513} bytes once made dense (onnxruntime "
        f"does so when it loads them); the limit is {4 * 512 * 512}, as for a model file"
    )
    assert len(hub) == 1


# --- finding 15: a CID names its content ----------------------------------------------------------
def test_og_add_model_cannot_bind_a_cid_to_other_bytes_nor_take_a_control_character() -> None:
    import base64

    devnet = Devnet()
    linear = devnet.node.request("og_addModel", [base64.b64encode(_linear()).decode()])
    other = base64.b64encode(endless_loop(3)).decode()
    for cid in (linear, f"{linear}\n", "Qm\x1b[2J", "anything"):
        with pytest.raises(Exception, match="is not this model's CID") as info:
            devnet.node.request("og_addModel", [other, cid])
        assert "\x1b" not in str(info.value)  # shown escaped, never raw
    assert [m["cid"] for m in devnet.node.request("og_listModels", [])] == [linear]
    result = devnet.alpha().infer(linear, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    np.testing.assert_allclose(result.model_output["y"], [[6.0]])  # still the model it names


def _linear() -> bytes:
    """y = x @ [1, 1, 1]: sums its three inputs."""
    weights = numpy_helper.from_array(np.ones((3, 1), np.float32), "w")
    return model_bytes(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [value("x", F32, [1, 3])],
        [value("y", F32, [1, 1])],
        [weights],
    )


def _when_idle(runner: Runner) -> int:
    while runner.stragglers():
        threading.Event().wait(0.01)
    return runner.stragglers()
