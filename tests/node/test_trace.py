"""debug_traceTransaction / debug_traceCall with callTracer: nested calls down to the
precompiles, with reasons; tracing records and changes nothing."""

from __future__ import annotations

import pytest

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceMode, SchedulerParams
from og_alpha.wire import encode_hub_run, encode_model_input
from og_devnet import Devnet
from tests.conftest import MODELS
from tests.e2e.test_workflows import eth_query

from .conftest import Failure, Rpc

CALL_TRACER = {"tracer": "callTracer"}
F4 = "0x00000000000000000000000000000000000000F4"


def test_an_inference_is_traced_down_to_the_precompile(rpc: Rpc) -> None:
    devnet = rpc.devnet
    cid = devnet.models.add(MODELS / "linear.onnx")
    result = devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    log_size, head = len(devnet.inference_log), rpc("eth_blockNumber")
    trace = rpc("debug_traceTransaction", [result.transaction_hash, CALL_TRACER])
    receipt = rpc("eth_getTransactionReceipt", [result.transaction_hash])
    assert trace["type"] == "CALL" and trace["to"] == INFERENCE_HUB_ADDRESS
    assert trace["gasUsed"] == receipt["gasUsed"]
    (precompile,) = trace["calls"]
    assert precompile["to"] == F4 and "error" not in precompile
    # the hub logs exactly what 0xF4 returned (InferenceResult), and the call data is the request
    assert precompile["output"] == receipt["logs"][1]["data"]
    assert precompile["input"][-512:] == trace["input"][-512:]  # the hub forwards the tails
    assert (len(devnet.inference_log), rpc("eth_blockNumber")) == (log_size, head)


def test_trace_call_names_the_failing_frame(rpc: Rpc) -> None:
    data = encode_hub_run(
        "QmNoSuchModel", InferenceMode.VANILLA, encode_model_input({"x": [[1.0]]})
    )
    trace = rpc(
        "debug_traceCall",
        [{"to": INFERENCE_HUB_ADDRESS, "input": "0x" + data.hex()}, "latest", CALL_TRACER],
    )
    assert trace["error"] == "execution reverted"
    (precompile,) = trace["calls"]
    assert precompile["to"] == F4
    assert "QmNoSuchModel" in precompile["revertReason"]


def test_a_failed_scheduled_run_says_where_it_failed() -> None:
    devnet = Devnet()
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    devnet.alpha().new_workflow(
        cid,
        eth_query(pair=("DOGE", "EUR")),
        "open_high_low_close",
        SchedulerParams(frequency=60, duration_hours=1),
    )
    (run,) = devnet.advance(60).failed
    assert run.path is not None
    assert run.path.startswith("WorkflowScheduler → contract 0x")
    assert "PriceFeedPrecompile (0x…F5): unknown pair DOGE/EUR" in run.path


@pytest.mark.parametrize(
    "options", [None, {"tracer": "prestateTracer"}, {"tracer": "callTracer", "tracerConfig": 1}]
)
def test_unsupported_tracers_say_what_works(rpc: Rpc, options: object) -> None:
    rpc(
        "eth_sendTransaction",
        [{"from": rpc.devnet.accounts[0].address, "to": rpc.devnet.accounts[1].address}],
    )
    tx = rpc("eth_getBlockByNumber", ["latest", False])["transactions"][0]
    with pytest.raises(Failure) as failure:
        rpc("debug_traceTransaction", [tx] + ([options] if options is not None else []))
    assert failure.value.code == -32602 and "callTracer" in failure.value.message


def test_unknown_transaction(rpc: Rpc) -> None:
    with pytest.raises(Failure) as failure:
        rpc("debug_traceTransaction", ["0x" + "ab" * 32, CALL_TRACER])
    assert "not found" in failure.value.message


def test_sdk_errors_name_the_failing_frame() -> None:
    from og_alpha import InferenceError, WorkflowError

    devnet = Devnet()
    alpha = devnet.alpha()
    with pytest.raises(InferenceError) as failure:
        alpha.infer("QmNoSuchModel", InferenceMode.VANILLA, {"x": [[1.0]]})
    message = str(failure.value)
    assert "InferenceHub → InferencePrecompile (0x…F4): " in message
    assert "QmNoSuchModel" in message and "nothing was sent" in message
    cid = devnet.models.add(MODELS / "ohlc.onnx")
    workflow = alpha.new_workflow(cid, eth_query(pair=("DOGE", "EUR")), "open_high_low_close")
    with pytest.raises(WorkflowError) as failure:
        alpha.run_workflow(workflow)
    assert f"contract {workflow} → PriceFeedPrecompile (0x…F5): unknown pair DOGE/EUR" in str(
        failure.value
    )
