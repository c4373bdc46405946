"""``make demo`` / ``og demo``: the fixture models run on chain, and a scheduled workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from og_alpha import CandleOrder, CandleType, HistoricalInputQuery, InferenceMode, SchedulerParams

from .devnet import Devnet
from .table import fmt, table

# The fixture models: package data in a wheel (pyproject maps fixtures/models to
# og_devnet/demo_models), fixtures/models in a source checkout.
PACKAGED = Path(__file__).resolve().parent / "demo_models"
CHECKOUT = Path(__file__).resolve().parents[2] / "fixtures" / "models"

EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    ("linear.onnx", {"x": [[1.0, 2.0, 3.0]]}),
    (
        "ohlc.onnx",
        {
            "open_high_low_close": np.array(
                [[3300.5 + i, 3310.25 + i, 3295.0 + i, 3305.75 + i] for i in range(10)], np.float32
            )
        },
    ),
    ("text.onnx", {"text": ["hello, OpenGradient!"]}),
    ("two_outputs.onnx", {"x": [[0.5, -1.0, 3.0, 2.0]]}),
    ("classifier.onnx", {"features": [[1.0, 2.0]]}),
    ("int_model.onnx", {"n": [[1, -2, 3]]}),
]


def fixtures_dir() -> Path:
    """Where the fixture models are, installed or in a checkout."""
    for folder in (PACKAGED, CHECKOUT):
        if (folder / "linear.onnx").is_file():
            return folder
    raise SystemExit(
        f"the fixture models are in neither {PACKAGED} nor {CHECKOUT}: reinstall og-alpha-devkit"
    )


def run_inferences(devnet: Devnet) -> str:
    alpha = devnet.alpha()
    rows = []
    for name, model_input in EXAMPLES:
        cid = devnet.models.add(fixtures_dir() / name)
        result = alpha.infer(cid, InferenceMode.VANILLA, model_input)
        rows.append(
            [
                name,
                fmt(model_input, 40),
                fmt(result.model_output, 56),
                result.transaction_hash[:18] + "…",
            ]
        )
    return table(["model", "input", "output", "tx hash"], rows)


def run_workflow(devnet: Devnet) -> str:
    alpha = devnet.alpha()
    cid = devnet.models.add(fixtures_dir() / "ohlc.onnx")
    query = HistoricalInputQuery(
        "ETH",
        "USD",
        10,
        1,
        CandleOrder.ASCENDING,
        [CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE],
    )
    address = alpha.new_workflow(
        cid, query, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=2)
    )
    start = devnet.now
    runs = devnet.advance(30 * 60)
    history = alpha.read_workflow_history(address, 5)
    rows = [[i + 1, fmt(out.numbers, 40)] for i, out in enumerate(history)]
    head = (
        f"ETH/USD workflow {address} on ohlc.onnx, every 60 s for 2 h\n"
        f"advanced 30 min ({start} -> {devnet.now}): {len(runs)} scheduled runs\n"
        f"latest 5 results, most recent first:\n"
    )
    return head + table(["#", "output"], rows)


def main() -> None:
    devnet = Devnet()
    print("On-chain ONNX inference on an in-process devnet (py-evm + onnxruntime)\n")
    print(run_inferences(devnet))
    print()
    print(run_workflow(devnet))


if __name__ == "__main__":
    main()
