"""og_devnet: a local OpenGradient network in-process: real EVM, real ONNX, virtual time.

Needs the ``devnet`` extra (``pip install 'og-alpha-devkit[devnet]'``). Without it this
package still imports, so that the pytest plugin and ``og`` can say so in one line (see
``og_devnet.extra``), and each of its names raises ``MissingExtraError`` naming the command.
"""

from typing import TYPE_CHECKING

from .extra import MissingExtraError, message, missing

_MISSING = missing()

if TYPE_CHECKING or not _MISSING:
    from .keccak import use_c_keccak

    use_c_keccak()  # before py-evm takes its first hash

    from .devnet import Devnet, Snapshot
    from .errors import DevnetError, ModelError, PrecompileError, PriceDataError
    from .log import InferenceLog, InferenceRecord
    from .prices import Candles, PriceFeed
else:

    def __getattr__(name: str) -> object:
        if name in __all__:
            raise MissingExtraError(message(f"og_devnet.{name}", _MISSING))
        raise AttributeError(f"module 'og_devnet' has no attribute {name!r}")


__all__ = [
    "Candles",
    "Devnet",
    "DevnetError",
    "InferenceLog",
    "InferenceRecord",
    "MissingExtraError",
    "ModelError",
    "PrecompileError",
    "PriceDataError",
    "PriceFeed",
    "Snapshot",
]
