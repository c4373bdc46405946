"""Whether a model input can fit in a block, decided before anything is sent.

An input too large for the block gas limit cannot be run by any node, but finding that out by
asking one is slow and says it badly: the node encodes, copies and binary-searches a
transaction of tens of megabytes (13.8 s for two million numbers) and answers with EVM
internals ("Out of gas: Needed 313740680 ... Expanding memory", "Message.gas cannot be
negative"). The lower bound here is what any inference must pay, so an input over it is
refused with an ``InputError`` that states the limit, having sent nothing:

- the transaction's intrinsic gas: 21,000 plus 4 per zero and 16 per non-zero call data byte
  (EIP-2028);
- the memory that holds the call data once: the hub passes the input to the precompile with
  a CALL, which reads its input from memory (3 gas per word plus words squared / 512).

Every value of a model input takes at least 64 bytes of call data (a Number is two int128
words; a string an offset word and a length word), so an input is checked by counting its
values before it is encoded, and the count stops as soon as the bound is passed: two million
values are refused in microseconds, not after seconds of encoding. Inputs that pass are
checked again on their exact call data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InputError

TX_GAS = 21_000
ZERO_BYTE_GAS, NONZERO_BYTE_GAS = 4, 16
MEMORY_WORD_GAS, MEMORY_QUAD_DIVISOR = 3, 512
BYTES_PER_VALUE = 64  # the least call data any model-input value takes
ADVICE = "Send fewer values (each takes at least 64 bytes of call data)"


def minimum_gas(data_bytes: int, nonzero_bytes: int = 0) -> int:
    """The least gas an inference whose call data is ``data_bytes`` long can use."""
    words = (data_bytes + 31) // 32
    memory = MEMORY_WORD_GAS * words + words * words // MEMORY_QUAD_DIVISOR
    calldata = ZERO_BYTE_GAS * (data_bytes - nonzero_bytes) + NONZERO_BYTE_GAS * nonzero_bytes
    return TX_GAS + calldata + memory


def largest_input(block_gas_limit: int) -> int:
    """The most values an input can have before :func:`minimum_gas` passes the limit."""
    low, high = 0, max(block_gas_limit, 1)  # each value costs more than 1 gas
    while low < high:
        middle = (low + high + 1) // 2
        if minimum_gas(middle * BYTES_PER_VALUE) <= block_gas_limit:
            low = middle
        else:
            high = middle - 1
    return low


def check_value_count(model_input: Mapping[str, Any], block_gas_limit: int) -> None:
    """Refuse an input with more values than any block can carry, before encoding it."""
    most = largest_input(block_gas_limit)
    count = 0
    for value in model_input.values() if isinstance(model_input, Mapping) else ():
        try:
            count += _values(value, most - count + 1)
        except RecursionError:  # nested past any tensor: the encoder says so
            return
        if count > most:
            need = minimum_gas(count * BYTES_PER_VALUE)
            raise InputError(
                f"model_input is too large for a block: more than {most:,} values need at "
                f"least {need:,} gas (their call data, and the memory that holds it once), "
                f"over the block gas limit of {block_gas_limit:,}; nothing was sent. {ADVICE}"
            )


def check_call_data(data: bytes, block_gas_limit: int) -> None:
    """Refuse encoded call data that no block can carry."""
    nonzero = len(data) - data.count(0)
    need = minimum_gas(len(data), nonzero)
    if need > block_gas_limit:
        raise InputError(
            f"model_input is too large for a block: its {len(data):,} bytes of call data need "
            f"at least {need:,} gas (with the memory that holds them once), over the block gas "
            f"limit of {block_gas_limit:,}; nothing was sent. {ADVICE}"
        )


def _values(value: Any, cap: int) -> int:
    """How many values ``value`` holds, counting no further than ``cap``."""
    size = getattr(value, "size", None)
    if isinstance(size, int) and hasattr(value, "shape"):  # numpy arrays and scalars
        return size
    if isinstance(value, (list, tuple)):
        count = 0
        for item in value:
            count += _values(item, cap - count)
            if count >= cap:
                break
        return count
    return 1
