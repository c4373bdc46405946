"""The artifacts work through web3's contract API, the way clients use them."""

from __future__ import annotations

from eth_abi import encode
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider

from tests.contracts.evm import (
    HISTORICAL_PRECOMPILE,
    HUB,
    INFERENCE_PRECOMPILE,
    MODEL_OUTPUT,
    Chain,
    artifact,
    as_tuples,
    code,
    returning,
)
from tests.contracts.test_price_history_inference import ARGS, CID, feed, output

OUTPUT = (
    (("y", ((31415, 4),), (1,)),),
    (),
    (("scores", '{"a": 1}'),),
    False,
)


def test_hub_and_workflow_through_web3() -> None:
    chain = Chain(
        {
            HUB: code("InferenceHub"),
            INFERENCE_PRECOMPILE: returning(encode([MODEL_OUTPUT], [OUTPUT])),
            HISTORICAL_PRECOMPILE: feed(),
        }
    )
    w3 = Web3(EthereumTesterProvider(ethereum_tester=chain.tester))
    sender = chain.accounts[0]

    hub = w3.eth.contract(address=HUB, abi=artifact("InferenceHub")["abi"])
    model_input = ([("x", [(1, 0), (25, 1)], [2])], [])
    assert as_tuples(hub.functions.run(CID, 0, model_input).call({"from": sender})) == OUTPUT
    tx = hub.functions.run(CID, 2, model_input).transact({"from": sender, "gas": 1_000_000})
    receipt = w3.eth.get_transaction_receipt(tx)
    [event] = hub.events.InferenceResult().process_receipt(receipt)
    out = event["args"]["output"]  # events decode structs by field name
    assert out["numbers"][0]["values"][0] == {"value": 31415, "decimals": 4}
    assert out["numbers"][0]["shape"] == [1]
    assert out["jsons"][0]["value"] == '{"a": 1}'
    assert out["is_simulation_result"] is False

    factory = w3.eth.contract(
        abi=artifact("PriceHistoryInference")["abi"],
        bytecode=artifact("PriceHistoryInference")["bytecode"],
    )
    tx = factory.constructor(*ARGS).transact({"from": sender, "gas": 5_000_000})
    address = w3.eth.get_transaction_receipt(tx)["contractAddress"]
    workflow = w3.eth.contract(address=address, abi=factory.abi)
    assert as_tuples(workflow.functions.inputQuery().call()) == ARGS[2][:5]
    blocks = []
    for _ in range(2):
        tx = workflow.functions.run().transact({"from": sender, "gas": 30_000_000})
        receipt = w3.eth.get_transaction_receipt(tx)
        [event] = workflow.events.InferenceResultEmitted().process_receipt(receipt)
        assert event["args"]["caller"] == sender
        blocks.append(receipt["blockNumber"])
    assert as_tuples(workflow.functions.getInferenceResult().call()) == output(blocks[1])
    assert as_tuples(workflow.functions.getLastInferenceResults(5).call()) == (
        output(blocks[0]),
        output(blocks[1]),
    )
