"""What the node is: ``eth_config`` (EIP-7910) and ``eth_capabilities``, for clients that
route or adapt by them."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from . import serialize

if TYPE_CHECKING:
    from ..chain import DevnetChain

# Prague's precompiles by their EIP-7910 names, plus the network's two.
PRECOMPILES = {
    "ECREC": 0x01,
    "SHA256": 0x02,
    "RIPEMD160": 0x03,
    "ID": 0x04,
    "MODEXP": 0x05,
    "BN254_ADD": 0x06,
    "BN254_MUL": 0x07,
    "BN254_PAIRING": 0x08,
    "BLAKE2F": 0x09,
    "KZG_POINT_EVALUATION": 0x0A,
    "BLS12_G1ADD": 0x0B,
    "BLS12_G1MSM": 0x0C,
    "BLS12_G2ADD": 0x0D,
    "BLS12_G2MSM": 0x0E,
    "BLS12_PAIRING_CHECK": 0x0F,
    "BLS12_MAP_FP_TO_G1": 0x10,
    "BLS12_MAP_FP2_TO_G2": 0x11,
    "OG_INFERENCE": 0xF4,
    "OG_PRICE_FEED": 0xF5,
}
SYSTEM_CONTRACTS = {
    "BEACON_ROOTS_ADDRESS": "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02",
    "HISTORY_STORAGE_ADDRESS": "0x0000F90827F1C53a10cb7A02335B175320002935",
}


def config(chain: DevnetChain) -> dict[str, Any]:
    genesis = chain.first_block()
    # EIP-2124: CRC32 of the genesis hash, with no fork after genesis to fold in.
    fork_id = zlib.crc32(genesis.hash).to_bytes(4, "big")
    current = {
        "activationTime": 0,
        "blobSchedule": {"baseFeeUpdateFraction": 5_007_716, "max": 9, "target": 6},
        "chainId": serialize.q(chain.chain_id),
        "forkId": serialize.d(fork_id),
        "precompiles": {
            name: serialize.addr(number.to_bytes(20, "big")) for name, number in PRECOMPILES.items()
        },
        "systemContracts": dict(SYSTEM_CONTRACTS),
    }
    return {"current": current, "next": None, "last": None}


def capabilities(chain: DevnetChain) -> dict[str, Any]:
    """Everything since genesis is kept: every resource is on, from block 0."""
    head = chain.head
    resource = {"disabled": False, "oldestBlock": serialize.q(chain.first_number)}
    return {
        "head": {"number": serialize.q(head.block_number), "hash": serialize.d(head.hash)},
        **{k: dict(resource) for k in ("state", "tx", "logs", "receipts", "blocks", "stateproofs")},
    }
