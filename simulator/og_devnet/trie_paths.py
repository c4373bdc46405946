"""py-trie's nibble helpers, with the same results in fewer Python steps.

Every trie read and write turns its 32-byte key into 64 nibbles, and every leaf and
extension node it decodes turns its path back; py-trie does both through generators, one
resumption per nibble (about 3 million resumptions in a thousand scheduled runs). These
give the same tuples through ``bytes.hex`` and tuple building. Installed by :func:`install`
(from ``og_devnet.chain``) into the py-trie modules that call them.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from trie.constants import NIBBLE_TERMINATOR
from trie.utils import nibbles as py_trie

MODULES = ("trie.utils.nibbles", "trie.utils.nodes", "trie.hexary", "trie.iter")
ORIGINALS = {
    "bytes_to_nibbles": py_trie.bytes_to_nibbles,
    "add_nibbles_terminator": py_trie.add_nibbles_terminator,
}
_NIBBLE = {digit: int(digit, 16) for digit in "0123456789abcdef"}


def bytes_to_nibbles(value: bytes) -> tuple[int, ...]:
    """Each byte as its high and low nibble."""
    return tuple(map(_NIBBLE.__getitem__, bytes(value).hex()))


def add_nibbles_terminator(nibbles: Sequence[int]) -> tuple[int, ...]:
    """``nibbles`` ending in the terminator (16), added if it is not there."""
    if nibbles and nibbles[-1] == NIBBLE_TERMINATOR:
        return tuple(nibbles)
    return (*nibbles, NIBBLE_TERMINATOR)


def install() -> None:
    """py-trie calls these from now on (idempotent)."""
    replacements = {
        "bytes_to_nibbles": bytes_to_nibbles,
        "add_nibbles_terminator": add_nibbles_terminator,
    }
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute, function in replacements.items():
            if hasattr(module, attribute):
                setattr(module, attribute, function)


__all__ = ["ORIGINALS", "add_nibbles_terminator", "bytes_to_nibbles", "install"]
