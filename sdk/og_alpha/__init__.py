"""og_alpha: the OpenGradient Alpha Testnet SDK, a drop-in for the official ``opengradient``
package's ``Alpha`` client (the same constructor forms, types, errors and constants).

>>> from og_alpha import connect, InferenceMode
>>> alpha = connect()  # local in-process devnet by default; OG_NETWORK=alpha for the testnet
>>> alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
"""

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
