"""ABI decoding whose output is bounded by its input.

eth-abi follows every offset it reads, and nothing stops two offsets from pointing at the
same bytes. A hostile contract can return an array of N offsets to one ModelOutput whose
N number tensors are all one tensor of N Numbers: 23.6 KB decoded into 6.9 million Numbers
(86 s, 560 MB) before anything could refuse it. An honest encoder never reads a byte twice,
so what it decodes is never larger, re-encoded, than the bytes it came from; this module
measures that size by walking the offsets (without decoding anything) and refuses the bytes
as soon as the count passes their length. The walk visits at most one element per 32 bytes
of input, so a refusal costs time proportional to the input too.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from eth_abi import decode
from eth_abi.grammar import ABIType, TupleType, parse

from .errors import LimitError

WORD = 32


class _Unreadable(ValueError):
    """An offset or a length points outside the bytes (eth-abi would refuse them too)."""


@cache
def _parsed(types: tuple[str, ...]) -> ABIType:
    parsed: ABIType = parse(f"({','.join(types)})")
    return parsed


def _static_size(t: ABIType) -> int:
    if t.arrlist:
        return int(t.arrlist[-1][0]) * _static_size(t.item_type)
    if isinstance(t, TupleType):
        return sum(_static_size(c) for c in t.components)
    return WORD


class _Walk:
    """Adds up the size each value would have in the canonical encoding, from the bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.left = len(data)

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise LimitError(
                f"the {len(self.data)} bytes would decode to more than their own size (the "
                "limit): their offsets point at the same data more than once, which no "
                "encoder writes; refused before decoding"
            )

    def word(self, position: int) -> int:
        self.within(position, WORD)
        return int.from_bytes(self.data[position : position + WORD], "big")

    def within(self, start: int, size: int) -> None:
        """Refuse a value that does not fit in the data: malformed, not crafted to alias."""
        if start + size > len(self.data):
            raise _Unreadable(
                f"{size} bytes at offset {start} run past the end of the {len(self.data)} bytes"
            )

    def value(self, t: ABIType, start: int) -> None:
        """The value of type ``t`` whose encoding starts at ``start``."""
        if not t.is_dynamic:
            self.spend(_static_size(t))
        elif t.arrlist:
            dimension = t.arrlist[-1]
            if dimension:
                self.items(t.item_type, int(dimension[0]), start)
            else:
                self.spend(WORD)
                self.items(t.item_type, self.word(start), start + WORD)
        elif isinstance(t, TupleType):
            self.fields(t.components, start)
        else:  # string, bytes: a length, then the bytes padded to whole words
            padded = -(-self.word(start) // WORD) * WORD
            self.within(start + WORD, padded)
            self.spend(WORD + padded)

    def items(self, item: ABIType, count: int, base: int) -> None:
        if not item.is_dynamic:
            self.within(base, count * _static_size(item))
            self.spend(count * _static_size(item))
            return
        self.within(base, count * WORD)  # the offsets, before any is read
        self.spend(count * WORD)
        for i in range(count):
            self.value(item, base + self.word(base + i * WORD))

    def fields(self, components: Sequence[ABIType], base: int) -> None:
        head = base
        for component in components:
            if component.is_dynamic:
                self.spend(WORD)
                self.value(component, base + self.word(head))
                head += WORD
            else:
                self.spend(_static_size(component))
                head += _static_size(component)


def decode_bounded(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    """``eth_abi.decode(types, data)``, refusing with ``LimitError`` data whose offsets
    alias (what it would decode to is larger than ``data``). Malformed data raises what
    eth-abi raises for it (or a ``ValueError``)."""
    _Walk(data).value(_parsed(tuple(types)), 0)
    return decode(list(types), data)
