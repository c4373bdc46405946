"""og_devnet: a local OpenGradient network in-process: real EVM, real ONNX, virtual time.

Needs the ``devnet`` extra (``pip install 'og-alpha-devkit[devnet]'``). Without it this
package still imports, so that the pytest plugin and ``og`` can say so in one line (see
``og_devnet.extra``), and each of its names raises ``MissingExtraError`` naming the command.

The names below are loaded on first use (``og_alpha.lazy``): importing the package, as ``og``,
the pytest plugin and ``python -m og_devnet`` do, loads neither py-evm, onnxruntime nor web3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from og_alpha.lazy import lazy_exports

from . import deferred, extra

deferred.install()  # py_ecc's BLS12-381 tables on first use, not on import (see the module)

if TYPE_CHECKING:
    from .devnet import Devnet, Snapshot
    from .errors import DevnetError, ModelError, PrecompileError, PriceDataError
    from .extra import MissingExtraError
    from .log import InferenceLog, InferenceRecord
    from .prices import Candles, PriceFeed

# Each public name and the submodule that defines it.
_SOURCES = {
    "devnet": ("Devnet", "Snapshot"),
    "errors": ("DevnetError", "ModelError", "PrecompileError", "PriceDataError"),
    "extra": ("MissingExtraError",),
    "log": ("InferenceLog", "InferenceRecord"),
    "prices": ("Candles", "PriceFeed"),
}

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


def _require_extra(name: str) -> None:
    """Every name but ``MissingExtraError`` needs the devnet extra: without it, that error."""
    if name != "MissingExtraError":
        extra.require(f"og_devnet.{name}")


__getattr__, __dir__ = lazy_exports(__name__, _SOURCES, __all__, before=_require_extra)
