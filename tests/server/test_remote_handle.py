"""RemoteDevnet: the in-process controls on a running og devnet, over JSON-RPC."""

from __future__ import annotations

import pytest

from og_alpha import InferenceError, InferenceMode, SchedulerParams
from og_devnet.remote import RemoteDevnet, RemoteError
from tests.conftest import MODELS
from tests.e2e.test_workflows import eth_query

from .conftest import Served


def test_remote_controls_drive_a_running_node(node: Served) -> None:
    from og_alpha import connect

    remote = RemoteDevnet(node.url)
    cid = remote.models.add(MODELS / "linear.onnx")
    assert [m["cid"] for m in remote.models.list()] == [cid]
    alpha = connect("devnet", rpc_url=node.url, api_url=node.url)
    assert isinstance(alpha.devnet, RemoteDevnet) and alpha.devnet.url == node.url
    result = alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    (record,) = remote.inference_log()
    assert record["transaction_hash"] == result.transaction_hash
    assert record["model_cid"] == cid and record["error"] is None

    snapshot = remote.snapshot()
    remote.faults.fail_model(cid, "model offline")
    with pytest.raises(InferenceError, match="model offline"):
        alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    assert remote.revert(snapshot) is True
    alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})

    ohlc = remote.models.add(MODELS / "ohlc.onnx")
    alpha.new_workflow(
        "QmNoSuchModel",
        eth_query(),
        "open_high_low_close",
        SchedulerParams(frequency=60, duration_hours=1),
    )
    alpha.new_workflow(
        ohlc, eth_query(), "open_high_low_close", SchedulerParams(frequency=60, duration_hours=1)
    )
    before = remote.now
    report = remote.advance(120)
    assert (report["runs"], report["succeeded"], len(report["failed"])) == (4, 2, 2)
    assert "QmNoSuchModel" in report["failed"][0]["error"]
    assert report["timestamp"] == remote.now == before + 120
    assert len(remote.scheduled_runs(failed_only=True)) == 2


def test_an_unreachable_node_is_one_clear_error() -> None:
    with pytest.raises(RemoteError, match="could not be reached"):
        RemoteDevnet("http://127.0.0.1:9", timeout=2).advance(1)
