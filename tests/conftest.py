"""Shared test helpers: fixture paths and direct onnxruntime runs to compare against."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODELS = FIXTURES / "models"


def run_onnx(name: str, feeds: dict[str, Any]) -> dict[str, Any]:
    """Run a fixture model directly with onnxruntime: the reference every test compares to."""
    session = ort.InferenceSession(str(MODELS / name), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, feeds), strict=True))


def float32_round_trip(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype(np.float32)


@pytest.fixture
def models_dir() -> Path:
    return MODELS
