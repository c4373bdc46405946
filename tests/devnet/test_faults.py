"""Fault injection checks its arguments when the fault is set, with the devnet's error type.

A fault with a misspelled CID or output name used to be accepted and never fire (or break
at inference, far from the typo); ``price_gap`` with its ends swapped raised a bare
``ValueError``. Each now raises a ``DevnetError`` naming the problem, and leaves the faults
as they were.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from og_alpha import InferenceError, InferenceMode
from og_devnet import Devnet, DevnetError, PriceDataError
from tests.conftest import MODELS


@pytest.fixture
def cids(og_devnet: Devnet) -> dict[str, str]:
    return {
        name: og_devnet.models.add(MODELS / f"{name}.onnx")
        for name in ("linear", "two_outputs", "classifier")
    }


@pytest.mark.parametrize(
    ("cid", "problem"),
    [
        (
            "QmNope",
            "fail_model: unknown model CID 'QmNope': no model with that id is on this devnet",
        ),
        (42, "fail_model: cid must be a string, got int"),
    ],
)
def test_fail_model_needs_a_model_the_devnet_has(og_devnet: Devnet, cid: Any, problem: str) -> None:
    before = og_devnet.faults.state()
    with pytest.raises(DevnetError) as info:
        og_devnet.faults.fail_model(cid)
    assert str(info.value).startswith(problem)
    assert og_devnet.faults.state() == before


def test_fail_model_needs_a_reason(og_devnet: Devnet, cids: dict[str, str]) -> None:
    for reason in ("", "  ", None, 7):
        with pytest.raises(DevnetError, match="fail_model: reason must be a non-empty string"):
            og_devnet.faults.fail_model(cids["linear"], reason)  # type: ignore[arg-type]
    og_devnet.faults.fail_model(cids["linear"], "down for maintenance")
    with pytest.raises(InferenceError, match="down for maintenance"):
        og_devnet.alpha().infer(cids["linear"], InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})


@pytest.mark.parametrize(
    ("model", "outputs", "problem"),
    [
        ("linear", {"nope": [[1.0]]}, "model {cid} has no output 'nope'; its outputs are y"),
        ("linear", {"y": [[1.0]], "z": [2.0]}, "model {cid} has no output 'z'; its outputs are y"),
        (
            "two_outputs",
            {"scores": [[1.0, 2.0, 3.0, 4.0]]},
            "model {cid} returns scores, argmax; give a value for each (missing: argmax)",
        ),
        ("linear", [[1.0]], "outputs must be a dict of output name to value, got list"),
        ("linear", {"y": [[1.0], [2.0, 3.0]]}, "model {cid}: "),
        ("linear", {"y": [[float("nan")]]}, "model {cid}: "),
    ],
    ids=["unknown", "extra", "missing", "not a dict", "ragged", "not finite"],
)
def test_set_output_must_be_what_the_model_could_return(
    og_devnet: Devnet, cids: dict[str, str], model: str, outputs: Any, problem: str
) -> None:
    cid = cids[model]
    before = og_devnet.faults.state()
    with pytest.raises(DevnetError) as info:
        og_devnet.faults.set_output(cid, outputs)
    assert str(info.value).startswith("set_output: " + problem.format(cid=cid))
    assert og_devnet.faults.state() == before


def test_set_output_on_an_unknown_cid_is_refused(og_devnet: Devnet) -> None:
    with pytest.raises(DevnetError, match="set_output: unknown model CID 'QmNope'"):
        og_devnet.faults.set_output("QmNope", {"y": [1.0]})


def test_a_valid_fixed_output_is_what_the_inference_returns(
    og_devnet: Devnet, cids: dict[str, str]
) -> None:
    og_devnet.faults.set_output(
        cids["two_outputs"], {"scores": [[9.0, 8.0, 7.0, 6.0]], "argmax": [0]}
    )
    result = og_devnet.alpha().infer(
        cids["two_outputs"], InferenceMode.VANILLA, {"x": [[0.0, 0.0, 0.0, 0.0]]}
    )
    np.testing.assert_array_equal(result.model_output["scores"], [[9.0, 8.0, 7.0, 6.0]])
    np.testing.assert_array_equal(result.model_output["argmax"], [0])
    # a non-tensor output (ZipMap) takes a JSON value
    og_devnet.faults.set_output(cids["classifier"], {"label": [2], "probabilities": [{"2": 1.0}]})
    result = og_devnet.alpha().infer(
        cids["classifier"], InferenceMode.VANILLA, {"features": [[1.0, 2.0]]}
    )
    assert result.model_output["probabilities"] == [{"2": 1.0}]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("ETH", "USD", 200, 100), r"price_gap: end must be after start, got \[200, 100\)"),
        (("ETH", "USD", 100, 100), r"price_gap: end must be after start, got \[100, 100\)"),
        (("ETH", "USD", "100", 200), "price_gap: start must be a unix time in seconds"),
        (("ETH", "USD", 100, 2.5), "price_gap: end must be a unix time in seconds"),
        (("ETH", "USD", True, 200), "price_gap: start must be a unix time in seconds"),
        (("", "USD", 100, 200), "a pair needs two non-empty symbols"),
        ((None, "USD", 100, 200), "a pair needs two non-empty symbols"),
    ],
)
def test_price_gap_checks_its_arguments(og_devnet: Devnet, args: tuple, problem: str) -> None:
    before = og_devnet.faults.state()
    with pytest.raises(PriceDataError, match=problem) as info:
        og_devnet.faults.price_gap(*args)
    assert isinstance(info.value, DevnetError) and isinstance(info.value, ValueError)
    assert og_devnet.faults.state() == before


def test_price_gap_normalizes_the_pair(og_devnet: Devnet) -> None:
    og_devnet.faults.price_gap(" eth ", "usd", og_devnet.now - 600, og_devnet.now)
    assert og_devnet.faults.gaps("ETH", "USD") == [(og_devnet.now - 600, og_devnet.now)]
