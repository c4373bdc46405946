"""og_devnet: a local OpenGradient network in-process: real EVM, real ONNX, virtual time."""

from .devnet import Devnet, Snapshot
from .errors import DevnetError, ModelError, PrecompileError, PriceDataError
from .log import InferenceLog, InferenceRecord
from .prices import Candles, PriceFeed

__all__ = [
    "Candles",
    "Devnet",
    "DevnetError",
    "InferenceLog",
    "InferenceRecord",
    "ModelError",
    "PrecompileError",
    "PriceDataError",
    "PriceFeed",
    "Snapshot",
]
