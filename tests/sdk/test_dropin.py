"""``og_alpha`` is a drop-in for the official ``opengradient`` Alpha client: its constructor
forms, class ABIs, constants, types and an error tree where each error is also the web3
exception the official client raises. (``make compat`` runs the official packages themselves
against the same node; these tests need nothing from PyPI.)"""

from __future__ import annotations

import time
from enum import Enum

import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import (
    ContractLogicError,
    TimeExhausted,
    Web3Exception,
    Web3ValueError,
)
from web3.logs import DISCARD

import og_alpha
from og_alpha import (
    Alpha,
    ConfigurationError,
    InferenceError,
    InferenceMode,
    InputError,
    NetworkError,
    OpenGradientError,
    ReceiptTimeout,
    RevertError,
    SchedulerParams,
    WorkflowError,
    wire,
)
from og_alpha.alpha import INFER_GAS_FACTOR
from og_devnet import Devnet
from og_devnet.accounts import dev_key
from tests.conftest import MODELS

OWN_KEY = "0x" + keccak(text="og-alpha drop-in test key").hex()  # not a dev key
LINEAR_INPUT = {"x": [[1.0, 2.0, 3.0]]}


# --- constructor forms ------------------------------------------------------------------
def test_the_key_form_of_1_1_4_defaults_to_the_alpha_testnet() -> None:
    alpha = Alpha(OWN_KEY)  # builds only: no request is made
    assert alpha.blockchain.provider.endpoint_uri == "https://ogevmdevnet.opengradient.ai"
    assert alpha.api_url == "https://sdk-devnet.opengradient.ai"
    assert alpha.inference_hub_contract_address == og_alpha.DEFAULT_INFERENCE_CONTRACT_ADDRESS
    assert alpha.address == Account.from_key(OWN_KEY).address


def test_the_key_form_takes_every_argument_by_position_and_by_name() -> None:
    hub = "0x" + "12" * 20
    by_position = Alpha(OWN_KEY, "http://node.example:8545", hub, "http://api.example")
    by_name = Alpha(
        private_key=OWN_KEY,
        rpc_url="http://node.example:8545",
        inference_contract_address=hub,
        api_url="http://api.example",
        request_timeout=5,
        receipt_timeout=7,
    )
    for alpha in (by_position, by_name):
        assert alpha.blockchain.provider.endpoint_uri == "http://node.example:8545"
        assert alpha.inference_hub_contract_address == Web3.to_checksum_address(hub)
        assert alpha.api_url == "http://api.example"
    assert by_name.receipt_timeout == 7
    assert by_name.blockchain.provider.get_request_kwargs()["timeout"] == 5


def test_the_web3_form_of_0_7_5_by_name(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    alpha = Alpha(
        blockchain=og_devnet.web3,
        wallet_account=og_devnet.accounts[2],
        inference_hub_contract_address=og_alpha.INFERENCE_HUB_ADDRESS.lower(),
        api_url="http://devnet.invalid",
    )
    assert alpha.inference_hub_contract_address == og_alpha.INFERENCE_HUB_ADDRESS
    result = alpha.infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    assert result.model_output["y"].tolist() == [[pytest.approx(4.1)]]


@pytest.mark.parametrize(
    ("args", "kwargs", "problem"),
    [
        ((), {}, "missing a required argument"),
        ((OWN_KEY,), {"wallet_account": None}, "unexpected keyword argument 'wallet_account'"),
        ((OWN_KEY, "http://a", "0x" + "12" * 20, "http://b", "extra"), {}, "too many"),
        ((None, None, "0x" + "12" * 20, "http://b"), {}, "blockchain must be a web3.Web3"),
        ((OWN_KEY, "not a url"), {}, "rpc_url must be a node URL"),
        ((OWN_KEY, "http://a", "0x1234"), {}, "inference hub address '0x1234' is not an address"),
    ],
)
def test_a_call_that_fits_neither_form_says_how_to_call(
    args: tuple, kwargs: dict, problem: str
) -> None:
    with pytest.raises(InputError, match=problem) as info:
        Alpha(*args, **kwargs)
    assert isinstance(info.value, ValueError)
    assert OWN_KEY[2:] not in str(info.value)


def test_keys_are_refused_without_being_echoed() -> None:
    with pytest.raises(ConfigurationError, match="not a valid 32-byte hex key") as bad:
        Alpha("0x" + "zz" * 32, "http://127.0.0.1:8545")
    assert isinstance(bad.value, ValueError)  # as eth-account's refusal is
    dev = "0x" + dev_key(0).hex()
    with pytest.raises(ConfigurationError, match="refusing to use dev account") as public:
        Alpha(dev)  # the Alpha Testnet, with a key the whole world knows
    assert dev[2:] not in str(public.value)
    Alpha(dev, "http://127.0.0.1:8545")  # on this machine it is what dev keys are for


# --- class variables and constants -------------------------------------------------------
def _entry(abi: list[dict], kind: str, name: str) -> dict:
    (entry,) = [e for e in abi if e["type"] == kind and e.get("name") == name]
    return entry


def test_inference_and_precompile_abis_are_class_variables_that_decode_receipts(
    og_devnet: Devnet,
) -> None:
    alpha = og_devnet.alpha()
    assert Alpha.inference_abi == alpha.inference_abi
    assert Alpha.precompile_abi == alpha.precompile_abi
    first = Alpha.inference_abi
    first.clear()  # a caller changing its copy changes nothing for the next one
    assert Alpha.inference_abi == alpha.inference_abi != []
    run = _entry(alpha.inference_abi, "function", "run")
    assert run["inputs"][1]["internalType"] == "enum ModelInferenceMode"  # the network's names

    cid = og_devnet.models.add(MODELS / "two_outputs.onnx")
    result = alpha.infer(cid, InferenceMode.ZKML, {"x": [[0.5, -1.0, 3.0, 2.0]]})
    receipt = og_devnet.web3.eth.get_transaction_receipt(result.transaction_hash)
    hub = og_devnet.web3.eth.contract(
        address=og_alpha.INFERENCE_HUB_ADDRESS, abi=alpha.inference_abi
    )
    (event,) = hub.events.InferenceResult().process_receipt(receipt, errors=DISCARD)
    numbers = {t["name"]: t for t in event["args"]["output"]["numbers"]}
    assert [v["value"] for v in numbers["argmax"]["values"]] == [2]
    precompile = og_devnet.web3.eth.contract(
        address=og_alpha.PRECOMPILE_CONTRACT_ADDRESS, abi=alpha.precompile_abi
    )
    (logged,) = precompile.events.ModelInferenceEvent().process_receipt(receipt, errors=DISCARD)
    assert logged["args"]["inferenceID"] == result.inference_id
    assert logged["args"]["request"]["mode"] == int(InferenceMode.ZKML)
    assert logged["args"]["request"]["modelCID"] == cid


def test_the_official_constants() -> None:
    assert og_alpha.DEFAULT_RPC_URL == "https://ogevmdevnet.opengradient.ai"
    assert og_alpha.DEFAULT_API_URL == "https://sdk-devnet.opengradient.ai"
    assert og_alpha.DEFAULT_INFERENCE_CONTRACT_ADDRESS == (
        "0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE"
    )
    assert og_alpha.DEFAULT_SCHEDULER_ADDRESS == "0x7179724De4e7FF9271FA40C0337c7f90C0508eF6"
    assert og_alpha.PRECOMPILE_CONTRACT_ADDRESS == "0x00000000000000000000000000000000000000F4"
    assert og_alpha.INFERENCE_TX_TIMEOUT == 120 and type(og_alpha.INFERENCE_TX_TIMEOUT) is int
    from og_alpha import alpha as module  # where 1.1.4 has them: opengradient.client.alpha

    exported = [name for name in module.__all__ if name.isupper()]
    assert len(exported) == 6
    for name in exported:
        assert getattr(module, name) == getattr(og_alpha, name)


# --- SchedulerParams -----------------------------------------------------------------------
def test_scheduler_params_as_the_official_ones() -> None:
    assert SchedulerParams.from_dict(None) is None
    assert SchedulerParams.from_dict({}) == SchedulerParams(600, 2)
    assert SchedulerParams.from_dict({"frequency": 60}) == SchedulerParams(60, 2)
    params = SchedulerParams(frequency=30, duration_hours=3)
    before = int(time.time())
    end = params.end_time  # an attribute: the wall clock now plus the duration
    assert before + 3 * 3600 <= end <= int(time.time()) + 3 * 3600
    assert params.ends_at(1_000) == 1_000 + 3 * 3600
    params.frequency = 45  # a plain dataclass, as the official one
    assert params == SchedulerParams(45, 3)


def test_a_schedule_lasts_its_duration_in_chain_time(og_devnet: Devnet) -> None:
    """On a devnet the clock is virtual (2025 at genesis), so the wall-clock ``end_time``
    would be far away; new_workflow registers chain time plus the duration."""
    cid = og_devnet.models.add(MODELS / "ohlc.onnx")
    query = og_alpha.HistoricalInputQuery(
        "ETH",
        "USD",
        10,
        1,
        og_alpha.CandleOrder.ASCENDING,
        [
            og_alpha.CandleType.OPEN,
            og_alpha.CandleType.HIGH,
            og_alpha.CandleType.LOW,
            og_alpha.CandleType.CLOSE,
        ],
    )
    og_devnet.alpha().new_workflow(cid, query, "open_high_low_close", SchedulerParams(600, 1))
    (task,) = og_devnet.scheduler.tasks()
    assert task.end_time == og_devnet.now + 3600
    report = og_devnet.advance(2 * 3600)
    assert (len(report), report.succeeded) == (6, 6)


# --- the error tree ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "web3_kinds"),
    [
        (OpenGradientError, (Web3Exception,)),
        (InputError, (Web3ValueError, ValueError)),
        (ConfigurationError, (Web3ValueError, ValueError)),
        (RevertError, (ContractLogicError,)),
        (InferenceError, (ContractLogicError,)),
        (WorkflowError, (ContractLogicError,)),
        (NetworkError, (Web3Exception,)),
        (ReceiptTimeout, (TimeExhausted, NetworkError)),
    ],
)
def test_each_error_is_also_the_web3_exception(error: type, web3_kinds: tuple[type, ...]) -> None:
    assert issubclass(error, OpenGradientError) and issubclass(error, Web3Exception)
    for kind in web3_kinds:
        assert issubclass(error, kind)
    exc = error("what went wrong")
    assert str(exc) == exc.message == "what went wrong" and exc.args == ("what went wrong",)


def test_except_contract_logic_error_catches_a_revert_with_web3s_fields(
    og_devnet: Devnet,
) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    og_devnet.faults.fail_model(cid, "weights unavailable")
    try:
        og_devnet.alpha().infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    except ContractLogicError as exc:  # as code written for the official client catches it
        assert isinstance(exc, InferenceError)
        assert exc.reason is not None and "weights unavailable" in exc.reason
        assert exc.message == str(exc) and "nothing was sent" in exc.message
        assert isinstance(exc.data, str)  # web3's form: the revert data as 0x hex
        assert wire.decode_revert_reason(bytes.fromhex(exc.data[2:])) == exc.reason
    else:
        pytest.fail("the revert was not a ContractLogicError")


class OfficialMode(Enum):
    """The official SDK's InferenceMode: a plain Enum, not an IntEnum."""

    VANILLA = 0
    ZKML = 1
    TEE = 2


def test_the_official_enum_members_are_taken_by_value(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    og_devnet.alpha().infer(cid, OfficialMode.TEE, LINEAR_INPUT)  # type: ignore[arg-type]
    record = og_devnet.inference_log.transactions()[-1]
    assert record.mode == int(InferenceMode.TEE)
    with pytest.raises(InputError, match="inference_mode must be an InferenceMode"):
        og_devnet.alpha().infer(cid, True, LINEAR_INPUT)  # type: ignore[arg-type]


def test_infer_gas_is_three_times_the_estimate(og_devnet: Devnet) -> None:
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    alpha = og_devnet.alpha()
    data = wire.encode_hub_run(cid, 0, wire.encode_model_input(LINEAR_INPUT))
    estimate = og_devnet.web3.eth.estimate_gas(
        {"from": alpha.address, "to": og_alpha.INFERENCE_HUB_ADDRESS, "data": data}
    )
    result = alpha.infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    tx = og_devnet.web3.eth.get_transaction(result.transaction_hash)
    assert tx["gas"] == INFER_GAS_FACTOR * estimate and tx["input"] == data
