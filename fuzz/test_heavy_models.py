"""Bounded model work at the real sizes of the findings (``make fuzz``, not ``make test``).

The light versions are in ``tests/devnet/test_bounded_models.py``; these use the models as
found, which take seconds to build and, before the fix, minutes and gigabytes to load:

- a 211-byte model folding two 8192x8192 constants: 52 s and 900 MB at load, inside
  whatever call added it; now it loads at once, and its run is stopped at the time limit
  (the MatMul finishes in the background, the node answers meanwhile);
- a 28 MB model of 1,000,000 nodes: 236 s and 5.2 GB; now refused by its node count;
- nested model-local functions inlined to 100,000 nodes from 1.3 KB: 320 s; refused;
  38,416 nodes from 1.5 KB: 29 s in onnxruntime's inliner, now a few seconds;
- the Loop of 2**62 iterations against a served ``og devnet`` with its default time limit:
  the caller gets the revert, another client is answered, the node stays up.

The waits are hang guards, not measured times: the figures are printed for the report.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceError, InferenceMode, wire
from og_devnet import Devnet, ModelError
from og_devnet.model_sources import DEFAULT_RUN_TIMEOUT
from tests.devnet.test_bounded_models import chain_of, endless_loop, in_thread, nested_functions
from tests.devnet.test_hostile_models import model_bytes
from tests.devnet.test_hostile_models import tensor as value
from tests.server.conftest import start_node

F32 = TensorProto.FLOAT
FIGURES: list[str] = []


def constant_fold(side: int = 8192) -> bytes:
    """y = x + sum(ones(side, side) @ ones(side, side)): all of it constant but ``x``."""
    shape = numpy_helper.from_array(np.array([side, side], np.int64), "shape")
    one = numpy_helper.from_array(np.array([1.0], np.float32))
    return model_bytes(
        [
            helper.make_node("ConstantOfShape", ["shape"], ["ones"], value=one),
            helper.make_node("MatMul", ["ones", "ones"], ["square"]),
            helper.make_node("ReduceSum", ["square"], ["total"], keepdims=0),
            helper.make_node("Add", ["x", "total"], ["y"]),
        ],
        [value("x", F32, [1])],
        [value("y", F32, [1])],
        [shape],
    )


def timed(label: str, call: Any) -> Any:
    start = time.perf_counter()
    try:
        return in_thread(call)
    finally:
        FIGURES.append(f"{label}: {time.perf_counter() - start:.2f} s")


def test_a_constant_folding_bomb_loads_at_once_and_its_run_stops_at_the_limit() -> None:
    devnet = Devnet()
    data = constant_fold()
    assert len(data) < 250
    cid = timed("add 8192x8192 constant-folding model", lambda: devnet.models.add(data))
    with pytest.raises(
        InferenceError, match=f"ran past the devnet's limit of {DEFAULT_RUN_TIMEOUT:g} s"
    ):
        timed(
            "its inference (reverted at the limit)",
            lambda: devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [1.0]}),
        )
    # the MatMul is still finishing in the background; the node serves meanwhile
    linear = devnet.models.add(Path(__file__).parent.parent / "fixtures/models/linear.onnx")
    result = timed(
        "a normal inference right after",
        lambda: devnet.alpha().infer(linear, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]}),
    )
    np.testing.assert_allclose(result.model_output["y"], [[4.1]], rtol=1e-6)


def test_a_million_node_model_is_refused_by_its_node_count() -> None:
    data = chain_of(1_000_000)
    FIGURES.append(f"1,000,000-node model: {len(data) / 1e6:.1f} MB")
    with pytest.raises(ModelError, match="the model's graph has 1000000 nodes"):
        timed("add 1,000,000-node model (refused)", lambda: Devnet().models.add(data))


def test_nested_functions_are_refused_past_the_limit_and_inlined_fast_below_it() -> None:
    hub = Devnet().models
    with pytest.raises(ModelError, match="the model has 100000 nodes once"):
        timed(
            "add functions inlined to 100,000 nodes (refused)",
            lambda: hub.add(nested_functions(5, 10)),
        )
    data = nested_functions(4, 14)
    cid = timed("add functions inlined to 38,416 nodes", lambda: hub.add(data))
    assert len(onnx.load_model_from_string(data).graph.node) == 1
    outputs = hub.run(cid, {"x": np.array([2.0], np.float32)})
    np.testing.assert_array_equal(outputs["y"], [2.0])  # 38,416 negations


def _rpc(url: str, method: str, params: list[Any]) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def test_an_endless_loop_on_a_served_devnet_reverts_at_the_default_limit(tmp_path: Path) -> None:
    (tmp_path / "loop.onnx").write_bytes(endless_loop())
    node = start_node("--models", str(tmp_path))
    try:
        cid = _rpc(node.url, "og_listModels", [])["result"][0]["cid"]
        data = wire.encode_hub_run(cid, 0, wire.encode_model_input({"x": [[1.0, 2.0, 3.0]]}))
        call = {"to": INFERENCE_HUB_ADDRESS, "data": "0x" + bytes(data).hex()}
        answers: list[Any] = []
        other = threading.Thread(
            target=lambda: answers.append(_rpc(node.url, "eth_blockNumber", [])), daemon=True
        )
        start = time.perf_counter()
        looping = threading.Thread(
            target=lambda: answers.append(_rpc(node.url, "eth_call", [call, "latest"])), daemon=True
        )
        looping.start()
        time.sleep(0.5)  # let the loop take the node first (ordering, not a measurement)
        other.start()
        looping.join(120)
        other.join(120)
        FIGURES.append(f"served endless loop reverted after {time.perf_counter() - start:.2f} s")
        errors = [a["error"]["message"] for a in answers if "error" in a]
        assert any(f"ran past the devnet's limit of {DEFAULT_RUN_TIMEOUT:g} s" in e for e in errors)
        assert any(a.get("result") == "0x0" for a in answers)  # the other client was answered
        assert node.process.poll() is None
    finally:
        node.kill()


@pytest.fixture(scope="module", autouse=True)
def print_figures() -> Any:
    yield
    print("\nheavy model figures (2-CPU machine, not asserted):")
    for line in FIGURES:
        print(f"  {line}")
