"""og_devnet: a local OpenGradient network in-process: real EVM, real ONNX, virtual time."""

from .keccak import use_c_keccak

use_c_keccak()

from .devnet import Devnet, Snapshot  # noqa: E402 - after the hasher is chosen
from .errors import DevnetError, ModelError, PrecompileError, PriceDataError  # noqa: E402
from .log import InferenceLog, InferenceRecord  # noqa: E402
from .prices import Candles, PriceFeed  # noqa: E402

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
