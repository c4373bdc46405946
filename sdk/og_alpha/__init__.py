"""og_alpha: the OpenGradient Alpha Testnet SDK.

>>> from og_alpha import connect, InferenceMode
>>> alpha = connect()  # local in-process devnet by default; OG_NETWORK=alpha for the testnet
>>> alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
"""

from .alpha import Alpha
from .contracts import (
    INFERENCE_HUB_ADDRESS,
    INFERENCE_PRECOMPILE_ADDRESS,
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
from .networks import NETWORKS, Network, connect, resolve
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

__all__ = [
    "INFERENCE_HUB_ADDRESS",
    "INFERENCE_PRECOMPILE_ADDRESS",
    "PRICE_FEED_PRECOMPILE_ADDRESS",
    "WORKFLOW_SCHEDULER_ADDRESS",
    "NETWORKS",
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
