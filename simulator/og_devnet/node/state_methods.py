"""``anvil_dumpState`` / ``anvil_loadState``: the devnet's whole state as one blob and back.

As anvil: the blob is gzip, hex-encoded with a 0x prefix. Unlike anvil's (accounts only),
it holds everything the devnet is (``og_devnet.statefile``): every block, receipt and
historical state, the models, prices, faults, inference log and node-API results; so a
dump loaded into a fresh ``og devnet`` gives the same block hashes, the same schedules and
the same later results. ``evm_snapshot`` ids are left out of a dump (as anvil's) and a load
drops the live ones: they refer to the state being replaced.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import statefile
from .errors import invalid_params
from .params import at

if TYPE_CHECKING:
    from .core import Node

# A loaded blob is decompressed to at most this much (a small gzip can expand a thousandfold).
MAX_STATE_BYTES = 4 * 1024**3


class StateMethods:
    def __init__(self, node: Node) -> None:
        self.node = node

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {"anvil_dumpState": self.dump_state, "anvil_loadState": self.load_state}

    def dump_state(self, p: list[Any]) -> str:
        data = statefile.dump(self.node.devnet, evm_snapshots=False)
        return "0x" + gzip.compress(data, compresslevel=1, mtime=0).hex()

    def load_state(self, p: list[Any]) -> bool:
        blob = at(p, 0, "state")
        if not isinstance(blob, str) or not blob.startswith(("0x", "0X")):
            raise invalid_params("anvil_loadState: the state must be 0x-prefixed hex")
        try:
            packed = bytes.fromhex(blob[2:])
        except ValueError:
            raise invalid_params("anvil_loadState: the state is not valid hex") from None
        what = "anvil_loadState: the state"
        try:
            decoded = statefile.decode(_gunzip(packed), what)
            statefile.restore(self.node.devnet, decoded, what)
        except statefile.StateFileError as exc:
            raise invalid_params(
                f"{exc} (give a blob from this og devnet's anvil_dumpState)"
            ) from None
        return True


def _gunzip(packed: bytes) -> bytes:
    """The blob decompressed, within ``MAX_STATE_BYTES``."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(packed, MAX_STATE_BYTES + 1)
    except zlib.error as exc:
        raise statefile.StateFileError(f"anvil_loadState: the state is not gzip ({exc})") from None
    if len(data) > MAX_STATE_BYTES or inflater.unconsumed_tail:
        raise statefile.StateFileError(
            f"anvil_loadState: the state decompresses to more than {MAX_STATE_BYTES} bytes"
        )
    if not inflater.eof:
        raise statefile.StateFileError("anvil_loadState: the state is truncated (gzip)")
    return data
