"""``Alpha``: the Alpha Testnet client (inference, workflows), the same on every network.

It takes both constructor forms of the official client (0.7.5's
``Alpha(blockchain, wallet_account, inference_hub_contract_address, api_url)`` and 1.1.4's
``Alpha(private_key, rpc_url=..., inference_contract_address=..., api_url=...)``) and has the
official module's constants, so code written for either runs unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar, get_overloads, overload

from eth_abi import decode, encode
from eth_account.signers.local import LocalAccount
from eth_utils import is_address, to_checksum_address
from web3 import Web3

from . import input_gas, wire
from .arguments import checked_schedule, client_arguments, mode_code, query_tuple, shown
from .contracts import (
    DEFAULT_INFERENCE_CONTRACT_ADDRESS,
    DEFAULT_SCHEDULER_ADDRESS,
    INFERENCE_PRECOMPILE_ADDRESS,
    PRECOMPILE_CONTRACT_ADDRESS,
    WORKFLOW_SCHEDULER_ADDRESS,
    AbiAttribute,
    abi,
    bytecode,
)
from .errors import (
    InferenceError,
    InputError,
    LimitError,
    NetworkError,
    OpenGradientError,
    RevertError,
    WorkflowError,
)
from .networks import DEFAULT_API_URL, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RPC_URL
from .node_api import DEFAULT_API_TIMEOUT, Fetch, fetch_inference_result, http_fetch
from .transactions import (
    DEFAULT_RECEIPT_TIMEOUT,
    INFERENCE_TX_TIMEOUT,
    NOT_SENT,
    Transactor,
    positive_seconds,
)
from .types import (
    HistoricalInputQuery,
    InferenceMode,
    InferenceResult,
    ModelOutput,
    SchedulerParams,
)

INFER_GAS_FACTOR = 3  # the public client sends 3x the estimate
DEPLOY_GAS_FACTOR = 1.2
REGISTER_GAS = 300_000
RUN_GAS_FACTOR = 3
T = TypeVar("T")
# What nodes answer when an estimate at the block gas limit runs out of gas (geth and og devnet
# "gas required exceeds allowance", py-evm and others "out of gas").
OUT_OF_GAS = ("gas required exceeds allowance", "out of gas")


class Alpha:
    """Alpha Testnet features: on-chain ONNX inference and price-feed workflows.

    Two constructor forms, the official client's two:
    ``Alpha(blockchain, wallet_account, inference_hub_contract_address, api_url)`` (a ``Web3``
    and a ``LocalAccount``; the API reference's) and ``Alpha(private_key, rpc_url=...,
    inference_contract_address=..., api_url=...)`` (defaults: the Alpha Testnet's).

    Keyword-only extras: ``api_fetch`` replaces the HTTP GET of the node API (the in-process
    devnet uses it); ``receipt_timeout`` is how long a sent transaction is waited for before
    the call fails with a ``ReceiptTimeout`` that carries its hash; ``api_timeout`` bounds each
    node-API GET; ``request_timeout`` (key form only) each JSON-RPC request. With a ``Web3``
    the request timeout is the provider's own setting, e.g.
    ``HTTPProvider(url, request_kwargs={"timeout": 30})``.

    ``inference_abi`` and ``precompile_abi`` are the ABIs of the inference hub and the
    inference precompile, for decoding their events (a fresh copy on each read).
    """

    inference_abi = AbiAttribute("IInferenceHub")
    precompile_abi = AbiAttribute("IInferencePrecompile")

    @overload
    def __init__(
        self,
        blockchain: Web3,
        wallet_account: LocalAccount,
        inference_hub_contract_address: str,
        api_url: str,
        *,
        api_fetch: Fetch | None = None,
        receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT,
        api_timeout: float = DEFAULT_API_TIMEOUT,
    ) -> None: ...

    @overload
    def __init__(
        self,
        private_key: str,
        rpc_url: str = DEFAULT_RPC_URL,
        inference_contract_address: str = DEFAULT_INFERENCE_CONTRACT_ADDRESS,
        api_url: str = DEFAULT_API_URL,
        *,
        api_fetch: Fetch | None = None,
        receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT,
        api_timeout: float = DEFAULT_API_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = client_arguments(get_overloads(Alpha.__init__), args, kwargs)
        self.blockchain: Web3 = given.blockchain
        self.wallet_account: LocalAccount = given.account
        self.inference_hub_contract_address = given.hub_address
        self.api_url: str = given.api_url
        self._api_fetch = given.api_fetch or partial(
            http_fetch, timeout=positive_seconds("api_timeout", given.api_timeout)
        )
        self._tx = Transactor(given.blockchain, given.account, given.receipt_timeout)
        # The in-process devnet when connect() made one (network "local"), else None.
        self.devnet: Any = None

    @property
    def address(self) -> str:
        return self.wallet_account.address

    @property
    def receipt_timeout(self) -> float:
        """Seconds a sent transaction is waited for (see the class docstring)."""
        return self._tx.receipt_timeout

    @receipt_timeout.setter
    def receipt_timeout(self, seconds: float) -> None:
        self._tx.receipt_timeout = seconds

    def __repr__(self) -> str:  # never the key
        return f"<Alpha account={self.address} hub={self.inference_hub_contract_address}>"

    # --- inference -------------------------------------------------------------------------
    def infer(
        self,
        model_cid: str,
        inference_mode: InferenceMode,
        model_input: Mapping[str, Any],
        max_retries: int | None = None,
    ) -> InferenceResult:
        """Run ``model_cid`` on ``model_input`` on chain; outputs by tensor name.

        The call data is encoded once, simulated (a revert raises ``InferenceError`` with the
        reason, and nothing is sent), then sent with 3x the estimated gas.
        """
        if not isinstance(model_cid, str) or not model_cid.strip():
            raise InputError(f"model_cid must be a non-empty string, got {model_cid!r}")
        mode = mode_code(inference_mode)
        what = f"inference on {model_cid}"
        limit = self._block_gas_limit(what)
        input_gas.check_value_count(model_input, limit)
        data = wire.encode_hub_run(model_cid, mode, wire.encode_model_input(model_input))
        input_gas.check_call_data(data, limit)
        tx = {"to": self.inference_hub_contract_address, "data": data}
        gas = self._estimate_inference(tx, what, limit)
        sent = self._tx.send(
            tx,
            gas * INFER_GAS_FACTOR,
            InferenceError,
            what,
            max_retries=5 if max_retries is None else max_retries,
        )
        output, inference_id = self._inference_output(sent.receipt, sent.transaction_hash, what)
        if output.is_empty() and inference_id is not None:
            output = self._fetch_result(inference_id, sent.transaction_hash, what)
        return InferenceResult(
            sent.transaction_hash, output.as_dict(), inference_id, output.fixed_point
        )

    def _block_gas_limit(self, what: str) -> int:
        try:
            return self._tx.block_gas_limit
        except NetworkError as exc:
            raise NetworkError(f"{what}: {exc}") from None

    def _estimate_inference(self, tx: dict[str, Any], what: str, limit: int) -> int:
        """The estimate, or an ``InputError`` stating the limit when the simulation, run with
        a whole block's gas, runs out of it: an input under :mod:`input_gas`'s bound can still
        need more than a block has, since the precompile charges for the model's work too."""
        try:
            return self._tx.estimate(tx, InferenceError, what)
        except NetworkError:
            raise
        except OpenGradientError as exc:
            detail = exc.reason if isinstance(exc, RevertError) and exc.reason else str(exc)
            if not any(sign in detail.lower() for sign in OUT_OF_GAS):
                raise
            detail = detail.removeprefix(f"{what}: ").removesuffix(f"; {NOT_SENT}")
            raise InputError(
                f"{what}: the input does not fit in a block: it needs more than the block gas "
                f"limit of {limit:,} ({detail}); {NOT_SENT}. "
                f"{input_gas.ADVICE}"
            ) from None

    def _fetch_result(self, inference_id: str, tx_hash: str, what: str) -> ModelOutput:
        """The result from the node API; the transaction is mined by now, so a failure here
        must say so (and give its hash) lest the caller pay for the inference twice."""
        try:
            return fetch_inference_result(self.api_url, inference_id, self._api_fetch)
        except NetworkError as exc:
            raise NetworkError(
                f"{what}: transaction {tx_hash} was sent and mined, but its result "
                f"(inference id {inference_id}) could not be fetched: {exc}; do not send it "
                "again, fetch the result later",
                may_have_been_sent=True,
                transaction_hash=tx_hash,
            ) from None

    def _inference_output(
        self, receipt: Any, tx_hash: str, what: str
    ) -> tuple[ModelOutput, str | None]:
        output = ModelOutput()
        inference_id = None
        hub = self.inference_hub_contract_address.lower()
        for log in receipt["logs"]:
            topics = log["topics"]
            if not topics:
                continue
            if log["address"].lower() == hub and bytes(topics[0]) == wire.INFERENCE_RESULT_TOPIC:
                output = _decoded(
                    wire.decode_model_output,
                    bytes(log["data"]),
                    OpenGradientError(
                        f"{what}: the hub's InferenceResult event in mined transaction "
                        f"{tx_hash} holds no ModelOutput; do not send it again"
                    ),
                )
            elif (
                log["address"].lower() == INFERENCE_PRECOMPILE_ADDRESS.lower()
                and bytes(topics[0]) == wire.MODEL_INFERENCE_EVENT_TOPIC
            ):
                # The event's first field is the id; decode only it, not the whole request.
                inference_id = _decoded(
                    lambda data: str(decode(["string"], data)[0]),
                    bytes(log["data"]),
                    OpenGradientError(
                        f"{what}: the ModelInferenceEvent in mined transaction "
                        f"{tx_hash} holds no inference id; do not send it again"
                    ),
                )
        return output, inference_id

    # --- workflows -------------------------------------------------------------------------
    def new_workflow(
        self,
        model_cid: str,
        input_query: HistoricalInputQuery,
        input_tensor_name: str,
        scheduler_params: SchedulerParams | None = None,
    ) -> str:
        """Deploy a price-feed workflow; schedule it when ``scheduler_params`` is given.

        Returns the workflow's address. A failed registration raises ``WorkflowError`` (the
        message carries the deployed address, which stays usable for manual runs).
        """
        if not isinstance(model_cid, str) or not model_cid.strip():
            raise InputError(f"model_cid must be a non-empty string, got {model_cid!r}")
        if not isinstance(input_tensor_name, str) or not input_tensor_name:
            raise InputError(
                f"input_tensor_name must be a non-empty string, got {input_tensor_name!r}"
            )
        query = query_tuple(input_query)
        schedule = None if scheduler_params is None else checked_schedule(scheduler_params)
        data = bytecode("PriceHistoryInference") + encode(
            wire.WORKFLOW_CONSTRUCTOR_ARGS, [model_cid, input_tensor_name, query]
        )
        tx: dict[str, Any] = {"data": data}
        what = "workflow deployment"
        gas = self._tx.estimate(tx, WorkflowError, what)
        sent = self._tx.send(tx, int(gas * DEPLOY_GAS_FACTOR), WorkflowError, what)
        address = to_checksum_address(sent.receipt["contractAddress"])
        if schedule is not None:
            self._register(address, schedule)
        return address

    def _register(self, address: str, params: SchedulerParams) -> None:
        what = f"scheduler registration of workflow {address}"
        try:
            end_time = params.ends_at(self._chain_time(what))
            data = wire.SCHEDULER_REGISTER_TASK + encode(
                ["address", "uint256", "uint256"], [address, end_time, int(params.frequency)]
            )
            tx = {"to": WORKFLOW_SCHEDULER_ADDRESS, "data": data}
            gas = self._tx.estimate(tx, WorkflowError, what)
            self._tx.send(tx, max(REGISTER_GAS, int(gas * 1.2)), WorkflowError, what)
        except RevertError as exc:
            raise WorkflowError(
                f"workflow deployed at {address} but its schedule was not registered: {exc}"
            ) from None
        except NetworkError as exc:
            # The deployment is mined: the caller needs its address to register by hand.
            raise type(exc)(  # a ReceiptTimeout stays one
                f"workflow deployed at {address} but its schedule may not be registered: {exc}",
                may_have_been_sent=exc.may_have_been_sent,
                transaction_hash=exc.transaction_hash,
            ) from None

    def _chain_time(self, what: str) -> int:
        """The time a transaction sent now will see: the pending block's, else the latest's
        (never the wall clock, which a devnet's virtual time does not follow)."""
        try:
            block = self._tx.rpc(what, lambda: self.blockchain.eth.get_block("pending"))
        except NetworkError:
            raise
        except Exception:  # noqa: BLE001 - nodes without a pending block
            block = self._tx.rpc(what, lambda: self.blockchain.eth.get_block("latest"))
        return int(block["timestamp"])

    def run_workflow(self, contract_address: str) -> ModelOutput:
        """Run the workflow now (a transaction); returns the result it stored."""
        address = self._workflow(contract_address)
        tx = {"to": address, "data": wire.WORKFLOW_RUN}
        what = f"run of workflow {address}"
        gas = self._tx.estimate(tx, WorkflowError, what)
        sent = self._tx.send(tx, gas * RUN_GAS_FACTOR, WorkflowError, what)
        for log in sent.receipt["logs"]:
            if (
                log["address"].lower() == address.lower()
                and log["topics"]
                and bytes(log["topics"][0]) == wire.WORKFLOW_RESULT_EMITTED_TOPIC
            ):
                return _decoded(
                    wire.decode_model_output,
                    bytes(log["data"]),
                    WorkflowError(
                        f"{what}: the result event of mined transaction "
                        f"{sent.transaction_hash} holds no ModelOutput",
                        transaction_hash=sent.transaction_hash,
                    ),
                )
        raise WorkflowError(f"{what}: transaction {sent.transaction_hash} emitted no result")

    def read_workflow_result(self, contract_address: str) -> ModelOutput:
        """The latest result of a workflow (all-empty before its first run)."""
        address = self._workflow(contract_address)
        raw = self._tx.call(
            address, wire.WORKFLOW_GET_RESULT, WorkflowError, f"reading workflow {address}"
        )
        return _decoded(
            wire.decode_model_output,
            raw,
            WorkflowError(
                f"{address} is not a workflow: getInferenceResult() returned "
                f"{len(raw)} unreadable bytes"
            ),
        )

    def read_workflow_history(self, contract_address: str, num_results: int) -> list[ModelOutput]:
        """The ``num_results`` most recent results (fewer if it has run fewer times), most
        recent first."""
        if isinstance(num_results, bool) or not isinstance(num_results, int) or num_results < 1:
            raise InputError(f"num_results must be a positive int, got {num_results!r}")
        address = self._workflow(contract_address)
        data = wire.WORKFLOW_GET_LAST_RESULTS + encode(["uint256"], [num_results])
        raw = self._tx.call(address, data, WorkflowError, f"reading workflow {address}")
        outputs = _decoded(
            wire.decode_model_outputs,
            raw,
            WorkflowError(
                f"{address} is not a workflow: getLastInferenceResults() "
                f"returned {len(raw)} unreadable bytes"
            ),
        )
        # The workflow contract (the network's, and the one new_workflow deploys, which has
        # its ABI and semantics) returns them oldest first.
        outputs.reverse()
        return outputs

    def _workflow(self, contract_address: str) -> str:
        if not isinstance(contract_address, str) or not is_address(contract_address):
            raise InputError(
                f"contract_address {shown(contract_address)} is not an address: give the "
                "workflow contract's 0x address (40 hex digits), as new_workflow returned it"
            )
        address = to_checksum_address(contract_address)
        code = self._tx.rpc(
            f"reading the code of workflow {address}", lambda: self.blockchain.eth.get_code(address)
        )
        if not bytes(code):
            raise WorkflowError(f"no workflow at {address}: the address holds no contract")
        return address


def _decoded(decoder: Callable[[bytes], T], data: bytes, error: OpenGradientError) -> T:
    """``decoder(data)``, or ``error`` when the bytes are not what the network's contracts
    send: an SDK error saying so, never an eth-abi exception from deep inside."""
    try:
        return decoder(data)
    except LimitError as exc:  # the bytes broke one of the SDK's bounds: say which
        error.message = f"{error.message}: {exc}"
        error.args = (error.message,)
        raise error from None
    except Exception:  # noqa: BLE001 - any decoding failure means the same to the caller
        raise error from None


# The official module's constants, importable from here as from opengradient.client.alpha.
__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_INFERENCE_CONTRACT_ADDRESS",
    "DEFAULT_RPC_URL",
    "DEFAULT_SCHEDULER_ADDRESS",
    "INFERENCE_TX_TIMEOUT",
    "PRECOMPILE_CONTRACT_ADDRESS",
    "Alpha",
    "abi",
]
