"""One serializer per object kind, shaped as the execution-apis schemas say.

Every answer the node gives about blocks, transactions, receipts and logs is written here,
from py-evm's own objects: quantities as minimal hex, data as 0x-hex, addresses in checksum
form, absent things as ``null`` (never ``""``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rlp
from eth._utils.address import generate_contract_address
from eth_typing import Address
from eth_utils import to_checksum_address

ZERO_HASH = b"\x00" * 32
CREATE = b""


def q(value: int) -> str:
    return hex(value)


def d(value: bytes) -> str:
    return "0x" + bytes(value).hex()


_checksummed = lru_cache(maxsize=4096)(to_checksum_address)


def addr(value: bytes) -> str:
    """EIP-55 form, kept per address: a receipt names the same few accounts again and
    again, and each checksum is a keccak and forty characters' work."""
    return _checksummed(bytes(value))


def h32(value: int | bytes) -> str:
    if isinstance(value, int):
        return "0x" + value.to_bytes(32, "big").hex()
    return "0x" + bytes(value).rjust(32, b"\x00").hex()


def bloom(value: int) -> str:
    return "0x" + value.to_bytes(256, "big").hex()


def header(block_header: Any, *, size: int, total_difficulty: int = 0) -> dict[str, Any]:
    """The header fields of a block object (everything but transactions and uncles)."""
    h = block_header
    out: dict[str, Any] = {
        "hash": d(h.hash),
        "parentHash": d(h.parent_hash),
        "sha3Uncles": d(h.uncles_hash),
        "miner": addr(h.coinbase),
        "stateRoot": d(h.state_root),
        "transactionsRoot": d(h.transaction_root),
        "receiptsRoot": d(h.receipt_root),
        "logsBloom": bloom(h.bloom),
        "difficulty": q(h.difficulty),
        "number": q(h.block_number),
        "gasLimit": q(h.gas_limit),
        "gasUsed": q(h.gas_used),
        "timestamp": q(h.timestamp),
        "extraData": d(h.extra_data),
        "mixHash": d(h.mix_hash),
        "nonce": d(h.nonce),
        "totalDifficulty": q(total_difficulty),
        "size": q(size),
    }
    for attr, key, kind in (
        ("base_fee_per_gas", "baseFeePerGas", q),
        ("withdrawals_root", "withdrawalsRoot", d),
        ("blob_gas_used", "blobGasUsed", q),
        ("excess_blob_gas", "excessBlobGas", q),
        ("parent_beacon_block_root", "parentBeaconBlockRoot", d),
        ("requests_hash", "requestsHash", d),
    ):
        value = getattr(h, attr, None)
        if value is not None:
            out[key] = kind(value)
    return out


def block(
    block_obj: Any,
    *,
    full: bool,
    base_fee: int | None = None,
    senders: dict[bytes, bytes] | None = None,
) -> dict[str, Any]:
    out = header(block_obj.header, size=len(rlp.encode(block_obj)))
    txs = block_obj.transactions
    if full:
        out["transactions"] = [
            transaction(
                t, block_obj.header, i, base_fee=base_fee, sender=(senders or {}).get(t.hash)
            )
            for i, t in enumerate(txs)
        ]
    else:
        out["transactions"] = [d(t.hash) for t in txs]
    out["uncles"] = [d(u.hash) for u in block_obj.uncles]
    withdrawals = getattr(block_obj, "withdrawals", None)
    if withdrawals is not None:
        out["withdrawals"] = [
            {
                "index": q(w.index),
                "validatorIndex": q(w.validator_index),
                "address": addr(w.address),
                "amount": q(w.amount),
            }
            for w in withdrawals
        ]
    return out


def effective_gas_price(tx: Any, base_fee: int | None) -> int:
    if tx.type_id in (None, 0, 1):
        return int(tx.gas_price)
    return min(int(tx.max_fee_per_gas), int(tx.max_priority_fee_per_gas) + int(base_fee or 0))


def _legacy_chain_id(v: int) -> int | None:
    return (v - 35) // 2 if v >= 35 else None


def transaction(
    tx: Any,
    block_header: Any | None,
    index: int | None,
    *,
    base_fee: int | None = None,
    sender: bytes | None = None,
) -> dict[str, Any]:
    """A signed transaction; with its block's fields when it is in one (null when pending).
    ``sender`` names the account it ran as when that is not its signer (impersonation)."""
    type_id = tx.type_id or 0
    out: dict[str, Any] = {
        "type": q(type_id),
        "hash": d(tx.hash),
        "nonce": q(tx.nonce),
        "blockHash": d(block_header.hash) if block_header is not None else None,
        "blockNumber": q(block_header.block_number) if block_header is not None else None,
        "transactionIndex": q(index) if index is not None else None,
        "from": addr(sender or tx.sender),
        "to": addr(tx.to) if tx.to != CREATE else None,
        "value": q(tx.value),
        "gas": q(tx.gas),
        "input": d(tx.data),
    }
    if block_header is not None:
        out["blockTimestamp"] = q(block_header.timestamp)
    if type_id == 0:
        out["gasPrice"] = q(tx.gas_price)
        chain_id = _legacy_chain_id(tx.v)
        if chain_id is not None:
            out["chainId"] = q(chain_id)
        out["v"] = q(tx.v)
    else:
        out["chainId"] = q(tx.chain_id)
        out["accessList"] = [
            {"address": addr(a), "storageKeys": [h32(k) for k in keys]}
            for a, keys in tx.access_list
        ]
        if type_id == 1:
            out["gasPrice"] = q(tx.gas_price)
        else:
            out["maxFeePerGas"] = q(tx.max_fee_per_gas)
            out["maxPriorityFeePerGas"] = q(tx.max_priority_fee_per_gas)
            fee_base = (
                base_fee
                if base_fee is not None
                else getattr(block_header, "base_fee_per_gas", None)
            )
            out["gasPrice"] = q(
                effective_gas_price(tx, fee_base)
                if block_header is not None
                else tx.max_fee_per_gas
            )
        if type_id == 3:
            out["maxFeePerBlobGas"] = q(tx.max_fee_per_blob_gas)
            out["blobVersionedHashes"] = [d(x) for x in tx.blob_versioned_hashes]
        if type_id == 4:
            out["authorizationList"] = [
                {
                    "chainId": q(a.chain_id),
                    "address": addr(a.address),
                    "nonce": q(a.nonce),
                    "yParity": q(a.y_parity),
                    "r": q(a.r),
                    "s": q(a.s),
                }
                for a in tx.authorization_list
            ]
        out["v"] = q(tx.y_parity)
        out["yParity"] = q(tx.y_parity)
    out["r"] = q(tx.r)
    out["s"] = q(tx.s)
    return out


@dataclass(frozen=True)
class LogPlace:
    """Where a log sits: its block, transaction and index in the block."""

    block_hash: bytes
    block_number: int
    block_timestamp: int
    transaction_hash: bytes
    transaction_index: int
    log_index: int


def log(entry: Any, place: LogPlace, *, removed: bool = False) -> dict[str, Any]:
    return {
        "removed": removed,
        "logIndex": q(place.log_index),
        "transactionIndex": q(place.transaction_index),
        "transactionHash": d(place.transaction_hash),
        "blockHash": d(place.block_hash),
        "blockNumber": q(place.block_number),
        "blockTimestamp": q(place.block_timestamp),
        "address": addr(entry.address),
        "data": d(entry.data),
        "topics": [h32(t) for t in entry.topics],
    }


def receipts(
    block_obj: Any, block_receipts: Sequence[Any], senders: dict[bytes, bytes] | None = None
) -> list[dict[str, Any]]:
    """Every receipt of a block, in order (gas used and log indexes need the earlier ones)."""
    out = []
    header_ = block_obj.header
    base_fee = getattr(header_, "base_fee_per_gas", None)
    previous_gas = 0
    log_index = 0
    for index, (tx, r) in enumerate(zip(block_obj.transactions, block_receipts, strict=True)):
        type_id = tx.type_id or 0
        sender = (senders or {}).get(tx.hash) or tx.sender
        logs = []
        for entry in r.logs:
            place = LogPlace(
                header_.hash, header_.block_number, header_.timestamp, tx.hash, index, log_index
            )
            logs.append(log(entry, place))
            log_index += 1
        receipt: dict[str, Any] = {
            "type": q(type_id),
            "transactionHash": d(tx.hash),
            "transactionIndex": q(index),
            "blockHash": d(header_.hash),
            "blockNumber": q(header_.block_number),
            "from": addr(sender),
            "to": addr(tx.to) if tx.to != CREATE else None,
            "cumulativeGasUsed": q(r.gas_used),
            "gasUsed": q(r.gas_used - previous_gas),
            "contractAddress": (
                addr(generate_contract_address(Address(sender), tx.nonce))
                if tx.to == CREATE
                else None
            ),
            "logs": logs,
            "logsBloom": bloom(r.bloom),
            "status": q(1 if r.state_root == b"\x01" else 0),
            "effectiveGasPrice": q(effective_gas_price(tx, base_fee)),
        }
        if type_id == 3:
            receipt["blobGasUsed"] = q(131072 * len(tx.blob_versioned_hashes))
        out.append(receipt)
        previous_gas = r.gas_used
    return out


def unsigned(tx: dict[str, Any], sender: bytes | None) -> dict[str, Any]:
    """A filled, unsigned transaction (eth_fillTransaction) from eth-account's dict."""
    typed = "maxFeePerGas" in tx
    type_id = 2 if typed else (1 if "accessList" in tx else 0)
    out: dict[str, Any] = {
        "type": q(type_id),
        "nonce": q(tx["nonce"]),
        "to": tx.get("to"),
        "gas": q(tx["gas"]),
        "value": q(tx["value"]),
        "input": d(tx["data"]),
        "chainId": q(tx["chainId"]),
    }
    if sender is not None:
        out["from"] = addr(sender)
    if typed:
        out["maxFeePerGas"] = q(tx["maxFeePerGas"])
        out["maxPriorityFeePerGas"] = q(tx["maxPriorityFeePerGas"])
        out["gasPrice"] = q(tx["maxFeePerGas"])
    else:
        out["gasPrice"] = q(tx["gasPrice"])
    if type_id:
        out["accessList"] = tx.get("accessList", [])
    return out
