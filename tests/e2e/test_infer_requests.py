"""What an infer asks the node, over HTTP, when the SDK builds its own Web3 (``Alpha(key,
rpc_url=...)``): the five requests it needs, none of web3's default-middleware extras (its
validation middleware asks for the chain id twice per estimate)."""

from __future__ import annotations

from typing import Any

import numpy as np

from og_alpha import INFERENCE_HUB_ADDRESS, Alpha, InferenceMode
from og_alpha.dev_accounts import dev_key
from tests.conftest import MODELS
from tests.e2e.conftest import Served


def test_an_infer_over_http_makes_the_five_requests_it_needs(served: Served) -> None:
    cid = served.devnet.models.add(MODELS / "linear.onnx")
    alpha = Alpha(
        "0x" + dev_key(0).hex(),
        rpc_url=served.url,
        inference_contract_address=INFERENCE_HUB_ADDRESS,
        api_url=served.url,
    )
    alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})  # reads the chain id once
    asked: list[str] = []
    node = served.devnet.node
    request = node.request

    def recording(method: str, params: Any = None, **kwargs: Any) -> Any:
        asked.append(method)
        return request(method, params, **kwargs)

    node.request = recording  # type: ignore[method-assign]
    result = alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    assert np.allclose(result.model_output["y"], [[4.1]])
    assert asked == [
        "eth_estimateGas",
        "eth_getTransactionCount",
        "eth_gasPrice",
        "eth_sendRawTransaction",
        "eth_getTransactionReceipt",
    ]
