"""og_alpha: the OpenGradient Alpha Testnet SDK, a drop-in for the official ``opengradient``
package's ``Alpha`` client (the same constructor forms, types, errors and constants).

>>> from og_alpha import connect, InferenceMode
>>> alpha = connect()  # local in-process devnet by default; OG_NETWORK=alpha for the testnet
>>> alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})

The names below are loaded on first use (PEP 562): ``import og_alpha`` costs nothing, and
``from og_alpha import CandleType`` loads ``og_alpha.types`` only, not web3 (about 0.6 s), so
that a command that never reaches a network (``og model cid``) does not pay for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

if TYPE_CHECKING:
    from .alpha import Alpha
    from .contracts import (
        DEFAULT_INFERENCE_CONTRACT_ADDRESS,
        DEFAULT_SCHEDULER_ADDRESS,
        INFERENCE_HUB_ADDRESS,
        INFERENCE_PRECOMPILE_ADDRESS,
        PRECOMPILE_CONTRACT_ADDRESS,
        PRICE_FEED_PRECOMPILE_ADDRESS,
        WORKFLOW_SCHEDULER_ADDRESS,
    )
    from .errors import (
        ConfigurationError,
        InferenceError,
        InputError,
        NetworkError,
        OpenGradientError,
        ReceiptTimeout,
        RevertError,
        WorkflowError,
    )
    from .networks import DEFAULT_API_URL, DEFAULT_RPC_URL, NETWORKS, Network, connect, resolve
    from .transactions import INFERENCE_TX_TIMEOUT
    from .types import (
        CandleOrder,
        CandleType,
        FixedPoint,
        HistoricalInputQuery,
        InferenceMode,
        InferenceResult,
        ModelOutput,
        SchedulerParams,
    )

# Each public name and the submodule that defines it.
_SOURCES = {
    "alpha": ("Alpha",),
    "contracts": (
        "DEFAULT_INFERENCE_CONTRACT_ADDRESS",
        "DEFAULT_SCHEDULER_ADDRESS",
        "INFERENCE_HUB_ADDRESS",
        "INFERENCE_PRECOMPILE_ADDRESS",
        "PRECOMPILE_CONTRACT_ADDRESS",
        "PRICE_FEED_PRECOMPILE_ADDRESS",
        "WORKFLOW_SCHEDULER_ADDRESS",
    ),
    "errors": (
        "ConfigurationError",
        "InferenceError",
        "InputError",
        "NetworkError",
        "OpenGradientError",
        "ReceiptTimeout",
        "RevertError",
        "WorkflowError",
    ),
    "networks": ("DEFAULT_API_URL", "DEFAULT_RPC_URL", "NETWORKS", "Network", "connect", "resolve"),
    "transactions": ("INFERENCE_TX_TIMEOUT",),
    "types": (
        "CandleOrder",
        "CandleType",
        "FixedPoint",
        "HistoricalInputQuery",
        "InferenceMode",
        "InferenceResult",
        "ModelOutput",
        "SchedulerParams",
    ),
}
__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_INFERENCE_CONTRACT_ADDRESS",
    "DEFAULT_RPC_URL",
    "DEFAULT_SCHEDULER_ADDRESS",
    "INFERENCE_HUB_ADDRESS",
    "INFERENCE_PRECOMPILE_ADDRESS",
    "INFERENCE_TX_TIMEOUT",
    "NETWORKS",
    "PRECOMPILE_CONTRACT_ADDRESS",
    "PRICE_FEED_PRECOMPILE_ADDRESS",
    "WORKFLOW_SCHEDULER_ADDRESS",
    "Alpha",
    "CandleOrder",
    "CandleType",
    "ConfigurationError",
    "FixedPoint",
    "HistoricalInputQuery",
    "InferenceError",
    "InferenceMode",
    "InferenceResult",
    "InputError",
    "ModelOutput",
    "Network",
    "NetworkError",
    "OpenGradientError",
    "ReceiptTimeout",
    "RevertError",
    "SchedulerParams",
    "WorkflowError",
    "connect",
    "resolve",
]


__getattr__, __dir__ = lazy_exports(__name__, _SOURCES, __all__)
