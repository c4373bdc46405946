"""The network's precompiles, as py-evm precompile functions.

0x…F4 runs ONNX inference; 0x…F5 feeds price candles to a model. Both take ABI call data,
answer ABI return data, and turn every refusal into a revert with an ``Error(string)`` reason,
so a caller sees the same thing it would on the real network.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from eth.abc import ComputationAPI
from eth.exceptions import OutOfGas, Revert
from eth_abi import encode
from eth_utils import keccak, to_canonical_address

from og_alpha import wire
from og_alpha.abi_bounds import decode_bounded

from .errors import DevnetError
from .log import InferenceLog, InferenceRecord, ResultStore
from .models import LRU, ModelHub, output_elements, output_tensors

if TYPE_CHECKING:
    from .faults import Faults
    from .prices import PriceFeed

INFERENCE_ADDRESS = to_canonical_address("0x00000000000000000000000000000000000000F4")
PRICE_FEED_ADDRESS = to_canonical_address("0x00000000000000000000000000000000000000F5")

BASE_GAS = 30_000
# Per input and per output element: the precompile's gas grows with its work. Input gas is
# charged before the run, output gas after it and before the output is encoded (the costly
# part), so a call that cannot pay stops there. Element counts are bounded in models.py.
GAS_PER_ELEMENT = 50
_MODEL_INFERENCE_TOPIC = int.from_bytes(wire.MODEL_INFERENCE_EVENT_TOPIC, "big")


def _revert(computation: ComputationAPI, reason: str) -> None:
    data = wire.ERROR_STRING + encode(["string"], [reason])
    computation.output = data
    raise Revert(data)


class PrecompileContext:
    """What the precompiles need from the devnet, and the execution facts py-evm lacks.

    py-evm cannot tell a simulation from a mined transaction, nor give a transaction's hash
    to a precompile; the chain backend sets both here around each execution.
    """

    def __init__(
        self,
        models: ModelHub,
        prices: PriceFeed,
        log: InferenceLog,
        results: ResultStore,
        faults: Faults,
    ) -> None:
        self.models = models
        self.prices = prices
        self.log = log
        self.results = results
        self.faults = faults
        self.simulating = False
        self.transaction_hash: str | None = None
        # Results only by the node API (empty output on chain), as the network does at times.
        self.results_via_api = False
        self._sequence: tuple[Any, int] = (None, 0)

    @contextmanager
    def simulation(self) -> Iterator[None]:
        previous, self.simulating = self.simulating, True
        try:
            yield
        finally:
            self.simulating = previous

    @contextmanager
    def transaction(self, tx_hash: str) -> Iterator[None]:
        previous, self.transaction_hash = self.transaction_hash, tx_hash
        try:
            yield
        finally:
            self.transaction_hash = previous

    def inference_id(self, computation: ComputationAPI) -> str:
        """A deterministic id: block, sender, sender's nonce and the call's place in the tx."""
        origin = computation.transaction_context.origin
        key = (
            computation.state.block_number,
            origin,
            computation.state.get_nonce(origin),
            self.simulating,
        )
        last_key, count = self._sequence
        count = count + 1 if key == last_key else 0
        self._sequence = (key, count)
        packed = b"".join(
            int(k).to_bytes(32, "big") if not isinstance(k, bytes) else k for k in key
        )
        return "0x" + keccak(packed + count.to_bytes(4, "big")).hex()

    # --- shared by both precompiles ----------------------------------------------------------
    def infer(
        self,
        computation: ComputationAPI,
        precompile: str,
        cid: str,
        mode: int,
        numbers: list[Any],
        strings: list[Any],
        cache_key: Any,
        request_encoding: bytes | None = None,
    ) -> bytes:
        """Run a model for a precompile; log it; return the ABI-encoded ModelOutput.

        The model runs once per distinct input: an estimate, the ``eth_call`` that preceded
        it and the mined transaction share one onnxruntime run and one encoding (onnxruntime
        is deterministic, so the result is the same). Faults are checked first, every time.
        """
        inference_id = self.inference_id(computation)
        record: dict[str, Any] = dict(
            inference_id=inference_id,
            precompile=precompile,
            model_cid=sys.intern(cid),  # one string for the model, not one per record
            mode=mode,
            simulation=self.simulating,
            transaction_hash=None if self.simulating else self.transaction_hash,
            block_number=computation.state.block_number,
            block_time=computation.state.timestamp,
        )
        elements = sum(len(t[1]) for t in numbers) + sum(len(t[1]) for t in strings)
        computation.consume_gas(BASE_GAS + GAS_PER_ELEMENT * elements, reason=precompile)
        try:
            self.faults.check_model(cid)
            # the price feed's candles are the devnet's own tensor: fitted to a declared batch
            result = self._result(cid, numbers, strings, cache_key, precompile == "price_feed")
            # Out of gas here is py-evm's OutOfGas: the call fails before any encoding.
            computation.consume_gas(GAS_PER_ELEMENT * result.out_elements, reason=precompile)
            output = result.output_for(self.simulating)
        except DevnetError as exc:
            self.log.append(
                InferenceRecord(
                    **record, inputs=_inputs(numbers, strings), output_abi=None, error=str(exc)
                )
            )
            _revert(computation, str(exc))
            raise AssertionError("unreachable") from None
        self.log.append(
            InferenceRecord(**record, inputs=result.feeds, output_abi=output, error=None)
        )
        if not self.simulating:
            self.results.put(inference_id, mode, output)
            if request_encoding is not None and not computation.msg.is_static:
                computation.add_log_entry(
                    INFERENCE_ADDRESS,
                    (_MODEL_INFERENCE_TOPIC,),
                    _event_data(inference_id, request_encoding, result.encoded[32:]),
                )
        if self.results_via_api:
            return _EMPTY_OUTPUT[self.simulating]
        return result.encoded_for(self.simulating)

    def _result(
        self, cid: str, numbers: list[Any], strings: list[Any], key: Any, batch: bool
    ) -> Result:
        model = self.models.get(cid)
        fixed = self.faults.output_for(cid)
        cached = None if fixed is not None else model.cache.get(key)
        if cached is not None:
            return cached
        feeds = self.models.feeds(cid, numbers, strings, batch=batch)
        outputs = fixed if fixed is not None else self.models.run(cid, feeds)
        result = Result(feeds, outputs)
        if fixed is None:
            model.cache.put(key, result)
        return result


class Result:
    """One model run on one input: feeds, outputs, and (on first use) the wire output and
    its ABI encoding. Encoding waits until the output's gas is paid for."""

    __slots__ = ("_encoded", "_output", "_simulated", "feeds", "out_elements", "outputs")

    def __init__(self, feeds: dict[str, Any], outputs: dict[str, Any]) -> None:
        self.feeds = feeds
        self.outputs = outputs
        self.out_elements = sum(output_elements(v) for v in outputs.values())
        self._output: tuple[Any, ...] | None = None
        self._simulated: tuple[Any, ...] | None = None
        self._encoded: bytes | None = None

    @property
    def output(self) -> tuple[Any, ...]:
        """(NumberTensors, StringTensors, JsonScalars, False), encoded once."""
        if self._output is None:
            self._output = (*output_tensors(self.outputs), False)
            self.outputs = {}  # encoded: the arrays need not stay in the cache as well
        return self._output

    def output_for(self, simulating: bool) -> tuple[Any, ...]:
        """The output with is_simulation_result set as the run was: one tuple for each, which
        the records of every run of this input share."""
        if not simulating:
            return self.output
        if self._simulated is None:
            self._simulated = self.output[:3] + (True,)
        return self._simulated

    @property
    def encoded(self) -> bytes:
        """The ABI encoding, with is_simulation_result = false."""
        if self._encoded is None:
            self._encoded = encode([wire.MODEL_OUTPUT], [self.output])
        return self._encoded

    def encoded_for(self, simulating: bool) -> bytes:
        if not simulating:
            return self.encoded
        # is_simulation_result is the tuple's 4th head word: patch it rather than re-encode
        return self.encoded[:128] + (1).to_bytes(32, "big") + self.encoded[160:]


_EMPTY_OUTPUT = {sim: encode([wire.MODEL_OUTPUT], [([], [], [], sim)]) for sim in (False, True)}


def _event_data(inference_id: str, request_encoding: bytes, output_encoding: bytes) -> bytes:
    """ModelInferenceEvent(string, request, response) data from the parts' own encodings:
    three offsets, then the id, the request tuple and the output tuple, as they are."""
    id_encoding = encode(["string"], [inference_id])[32:]
    head = (
        (96).to_bytes(32, "big")
        + (96 + len(id_encoding)).to_bytes(32, "big")
        + (96 + len(id_encoding) + len(request_encoding)).to_bytes(32, "big")
    )
    return head + id_encoding + request_encoding + output_encoding


def _inputs(
    numbers: list[Any], strings: list[Any], feeds: dict[str, Any] | None = None
) -> dict[str, Any]:
    if feeds is not None:
        return dict(feeds)
    out: dict[str, Any] = {name: values for name, values in strings}
    for name, values, shape in numbers:
        out[name] = wire.numbers_to_array(values, shape)
    return out


def _dispatch(
    computation: ComputationAPI,
    handlers: Mapping[bytes, Callable[[ComputationAPI, bytes], bytes]],
    name: str,
) -> ComputationAPI:
    data = computation.msg.data_as_bytes
    handler = handlers.get(bytes(data[:4]))
    if handler is None:
        _revert(computation, f"{name}: unknown function selector 0x{bytes(data[:4]).hex()}")
    try:
        computation.output = handler(computation, bytes(data[4:]))  # type: ignore[misc]
    except Revert:
        raise
    except OutOfGas as exc:
        # As the EVM does, out of gas takes all the gas given (the work was done); unlike it,
        # the call also says why, where a bare out-of-gas would leave the caller guessing.
        computation.consume_gas(computation.get_gas_remaining(), reason=f"{name}: out of gas")
        _revert(
            computation,
            f"{name}: {exc}; a call costs {BASE_GAS} gas plus {GAS_PER_ELEMENT} per input "
            "and per output element (send more gas, or fewer elements)",
        )
    except DevnetError as exc:
        _revert(computation, str(exc))
    except Exception as exc:  # noqa: BLE001 - malformed call data must revert, not crash
        _revert(computation, f"{name}: malformed call data ({type(exc).__name__}: {exc})")
    return computation


def inference_precompile(ctx: PrecompileContext) -> Callable[[ComputationAPI], ComputationAPI]:
    """0x…F4: ``runModelInference(ModelInferenceRequest) returns (ModelOutput)``."""

    decoded: LRU = LRU(256)  # call data -> decoded request: decode once per distinct input

    def run_model_inference(computation: ComputationAPI, args: bytes) -> bytes:
        request = decoded.get(args)
        if request is None:
            request = decode_bounded([wire.INFERENCE_REQUEST], args)[0]
            decoded.put(args, request)
        mode, cid, (numbers, strings) = request
        if mode > 2:
            raise DevnetError(f"unknown inference mode {mode}; use 0 VANILLA, 1 ZKML or 2 TEE")
        offset = int.from_bytes(args[:32], "big")
        return ctx.infer(computation, "inference", cid, mode, numbers, strings, args, args[offset:])

    handlers = {wire.RUN_MODEL_INFERENCE: run_model_inference}
    return lambda computation: _dispatch(computation, handlers, "InferencePrecompile")


def _query_candles(
    ctx: PrecompileContext, computation: ComputationAPI, query: tuple[Any, ...]
) -> tuple[list[Any], list[int]]:
    """A HistoricalInputQuery at the block's time -> (flattened Numbers, shape)."""
    base, quote, total, duration, order, types = query
    if total == 0:
        raise DevnetError("price feed: total_candles must be at least 1")
    if not types:
        raise DevnetError("price feed: candle_types is empty; ask for at least one column")
    if any(t > 4 for t in types):
        raise DevnetError(
            f"price feed: unknown candle type in {list(types)}; use 0..4 "
            "(HIGH, LOW, OPEN, CLOSE, VOLUME)"
        )
    if order > 1:
        raise DevnetError(f"price feed: unknown order {order}; use 0 ASCENDING or 1 DESCENDING")
    computation.consume_gas(GAS_PER_ELEMENT * total * len(types), reason="price feed")
    candles = ctx.prices.candles(base, quote, duration, total, end=computation.state.timestamp)
    return candles.numbers(types, order)


def price_feed_precompile(ctx: PrecompileContext) -> Callable[[ComputationAPI], ComputationAPI]:
    """0x…F5: ``queryHistoricalCandles`` and ``runInferenceOnPriceFeed``."""

    def query_historical_candles(computation: ComputationAPI, args: bytes) -> bytes:
        (query,) = decode_bounded([wire.HISTORICAL_QUERY], args)
        numbers, _ = _query_candles(ctx, computation, query)
        return encode([f"{wire.NUMBER}[]"], [numbers])

    def run_inference_on_price_feed(computation: ComputationAPI, args: bytes) -> bytes:
        model_id, input_name, query = decode_bounded(wire.RUN_INFERENCE_ON_PRICE_FEED_ARGS, args)
        numbers, shape = _query_candles(ctx, computation, query)
        tensors = [(input_name, numbers, shape)]
        key = ("price_feed", input_name, tuple(numbers), tuple(shape))
        return ctx.infer(computation, "price_feed", model_id, 0, tensors, [], key)

    handlers = {
        wire.QUERY_HISTORICAL_CANDLES: query_historical_candles,
        wire.RUN_INFERENCE_ON_PRICE_FEED: run_inference_on_price_feed,
    }
    return lambda computation: _dispatch(computation, handlers, "PriceFeedPrecompile")
