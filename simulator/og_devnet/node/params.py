"""Parameters as clients send them, read strictly as the execution-apis schemas define them.

Quantities are ``0x``-prefixed hex without leading zeros, data is ``0x``-prefixed hex of
whole bytes, a block is a tag, a number, a hash or an EIP-1898 object. Every refusal names
the parameter and what it should look like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from eth_typing import Address

from .errors import invalid_params

TAGS = ("latest", "earliest", "pending", "safe", "finalized")
_QUANTITY = re.compile(r"0x(0|[1-9a-fA-F][0-9a-fA-F]*)\Z")
_DATA = re.compile(r"0x[0-9a-fA-F]*\Z")  # no group per byte: that costs 13 ms on 100 KB
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")
_HASH = re.compile(r"0x[0-9a-fA-F]{64}\Z")


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 80 else text[:77] + "..."


def quantity(value: Any, name: str) -> int:
    """A QUANTITY: ``0x`` hex, no leading zeros (``0x0`` for zero)."""
    if isinstance(value, str) and _QUANTITY.match(value):
        return int(value, 16)
    raise invalid_params(
        f'invalid {name}: {_show(value)} is not a hex quantity (e.g. "0x1a": 0x-prefixed, '
        "no leading zeros)"
    )


def lenient_quantity(value: Any, name: str) -> int:
    """For dev methods, which clients call with JSON numbers as well as hex (as anvil)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]+", value):
        return int(value, 16)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise invalid_params(f"invalid {name}: {_show(value)} is not a non-negative number")


def data(value: Any, name: str) -> bytes:
    if isinstance(value, str) and len(value) % 2 == 0 and _DATA.match(value):
        return bytes.fromhex(value[2:])
    raise invalid_params(
        f"invalid {name}: {_show(value)} is not hex data (0x-prefixed, an even number of digits)"
    )


def address(value: Any, name: str) -> Address:
    if isinstance(value, str) and _ADDRESS.match(value):
        return Address(bytes.fromhex(value[2:]))  # py-evm's state methods take an Address
    raise invalid_params(f"invalid {name}: {_show(value)} is not a 20-byte hex address")


def hash32(value: Any, name: str) -> bytes:
    if isinstance(value, str) and _HASH.match(value):
        return bytes.fromhex(value[2:])
    raise invalid_params(f"invalid {name}: {_show(value)} is not a 32-byte hex hash")


def boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise invalid_params(f"invalid {name}: {_show(value)} is not true or false")


@dataclass(frozen=True)
class BlockId:
    """Which block a call reads: a tag, a number or a hash (EIP-1898)."""

    tag: str | None = None
    number: int | None = None
    hash: bytes | None = None
    require_canonical: bool = False


LATEST = BlockId(tag="latest")


def block_id(value: Any, *, allow_hash: bool = True) -> BlockId:
    """A block tag, a hex number, a block hash, or ``{"blockHash"}`` / ``{"blockNumber"}``."""
    if value is None:
        return LATEST
    if isinstance(value, str):
        if value in TAGS:
            return BlockId(tag=value)
        if allow_hash and len(value) == 66:
            return BlockId(hash=hash32(value, "block hash"))
        if _QUANTITY.match(value):
            return BlockId(number=int(value, 16))
    elif isinstance(value, dict) and allow_hash:
        keys = set(value)
        if keys <= {"blockHash", "requireCanonical"} and "blockHash" in keys:
            canonical = value.get("requireCanonical", False)
            return BlockId(
                hash=hash32(value["blockHash"], "blockHash"),
                require_canonical=boolean(canonical, "requireCanonical"),
            )
        if keys == {"blockNumber"}:
            inner = value["blockNumber"]
            return block_id(inner, allow_hash=False)
    what = "a block tag, number or hash" if allow_hash else "a block tag or number"
    raise invalid_params(
        f"invalid block: {_show(value)} is not {what} (latest, earliest, pending, safe, "
        "finalized, or a 0x hex number"
        + (', a 32-byte hash or {"blockHash": ...})' if allow_hash else ")")
    )


def at(params: list[Any], index: int, name: str, *, required: bool = True) -> Any:
    if index < len(params):
        return params[index]
    if required:
        raise invalid_params(f"missing value for required argument {index} ({name})")
    return None


def arity(method: str, params: list[Any], most: int) -> None:
    if len(params) > most:
        raise invalid_params(
            f"too many arguments for {method}: want at most {most}, got {len(params)}"
        )


@dataclass
class TxRequest:
    """A call object or a transaction to send: the spec's GenericTransaction, parsed."""

    sender: Address | None = None
    to: Address | None = None
    gas: int | None = None
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    value: int = 0
    data: bytes = b""
    nonce: int | None = None
    chain_id: int | None = None
    type: int | None = None
    access_list: list[tuple[bytes, list[int]]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def priced(self) -> bool:
        return any(
            v is not None
            for v in (self.gas_price, self.max_fee_per_gas, self.max_priority_fee_per_gas)
        )


_TX_KEYS = {
    "from",
    "to",
    "gas",
    "gasPrice",
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "value",
    "data",
    "input",
    "nonce",
    "chainId",
    "type",
    "accessList",
    "maxFeePerBlobGas",
    "blobVersionedHashes",
    "blobs",
    "authorizationList",
}


def tx_request(value: Any, name: str = "transaction") -> TxRequest:
    if not isinstance(value, dict):
        raise invalid_params(f"invalid {name}: expected an object, got {_show(value)}")
    unknown = sorted(set(value) - _TX_KEYS)
    if unknown:
        raise invalid_params(f"invalid {name}: unknown field(s) {', '.join(unknown)}")
    request = TxRequest()
    if value.get("from") is not None:
        request.sender = address(value["from"], f"{name}.from")
    if value.get("to") is not None:
        request.to = address(value["to"], f"{name}.to")
    for key, attr in (
        ("gas", "gas"),
        ("gasPrice", "gas_price"),
        ("maxFeePerGas", "max_fee_per_gas"),
        ("maxPriorityFeePerGas", "max_priority_fee_per_gas"),
        ("nonce", "nonce"),
        ("chainId", "chain_id"),
        ("type", "type"),
    ):
        if value.get(key) is not None:
            setattr(request, attr, quantity(value[key], f"{name}.{key}"))
    if value.get("value") is not None:
        request.value = quantity(value["value"], f"{name}.value")
    given = [value[k] for k in ("input", "data") if value.get(k) is not None]
    if given:
        parsed = [data(v, f"{name}.input") for v in given]
        if len(parsed) == 2 and parsed[0] != parsed[1]:
            raise invalid_params(
                f'invalid {name}: both "data" and "input" are set and differ; send one '
                '("input" is the spec\'s name)'
            )
        request.data = parsed[0]
    if value.get("accessList") is not None:
        request.access_list = access_list(value["accessList"], f"{name}.accessList")
    if request.gas_price is not None and (
        request.max_fee_per_gas is not None or request.max_priority_fee_per_gas is not None
    ):
        raise invalid_params(
            f"invalid {name}: both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) "
            "specified; give one pricing"
        )
    for key in ("maxFeePerBlobGas", "blobVersionedHashes", "blobs", "authorizationList"):
        if value.get(key) is not None:
            request.extra[key] = value[key]
    return request


def access_list(value: Any, name: str) -> list[tuple[bytes, list[int]]]:
    if not isinstance(value, list):
        raise invalid_params(f"invalid {name}: expected an array")
    out: list[tuple[bytes, list[int]]] = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or set(entry) - {"address", "storageKeys"}:
            raise invalid_params(f"invalid {name}[{i}]: expected {{address, storageKeys}}")
        keys = entry.get("storageKeys") or []
        if not isinstance(keys, list):
            raise invalid_params(f"invalid {name}[{i}].storageKeys: expected an array")
        out.append(
            (
                address(entry.get("address"), f"{name}[{i}].address"),
                [int.from_bytes(hash32(k, f"{name}[{i}].storageKeys"), "big") for k in keys],
            )
        )
    return out


@dataclass
class AccountOverride:
    balance: int | None = None
    nonce: int | None = None
    code: bytes | None = None
    state: dict[int, int] | None = None
    state_diff: dict[int, int] | None = None


def state_overrides(value: Any) -> dict[Address, AccountOverride]:
    """The third parameter of ``eth_call`` / ``eth_estimateGas`` (geth's state override set)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_params("invalid state overrides: expected an object of address to override")
    out: dict[Address, AccountOverride] = {}
    for key, entry in value.items():
        where = f"state override for {key}"
        account = address(key, "state override address")
        if not isinstance(entry, dict):
            raise invalid_params(f"invalid {where}: expected an object")
        unknown = set(entry) - {
            "balance",
            "nonce",
            "code",
            "state",
            "stateDiff",
            "movePrecompileToAddress",
        }
        if unknown:
            raise invalid_params(f"invalid {where}: unknown field(s) {', '.join(sorted(unknown))}")
        if entry.get("state") is not None and entry.get("stateDiff") is not None:
            raise invalid_params(f"invalid {where}: give state or stateDiff, not both")
        override = AccountOverride()
        if entry.get("balance") is not None:
            override.balance = quantity(entry["balance"], f"{where}: balance")
        if entry.get("nonce") is not None:
            override.nonce = quantity(entry["nonce"], f"{where}: nonce")
        if entry.get("code") is not None:
            override.code = data(entry["code"], f"{where}: code")
        for name, attr in (("state", "state"), ("stateDiff", "state_diff")):
            slots = entry.get(name)
            if slots is None:
                continue
            if not isinstance(slots, dict):
                raise invalid_params(f"invalid {where}: {name} must be an object of slot to value")
            setattr(
                override,
                attr,
                {
                    int.from_bytes(hash32(k, f"{where}: {name} slot"), "big"): int.from_bytes(
                        hash32(v, f"{where}: {name} value"), "big"
                    )
                    for k, v in slots.items()
                },
            )
        out[account] = override
    return out


@dataclass(frozen=True)
class LogFilter:
    """eth_getLogs / eth_newFilter criteria."""

    from_block: BlockId
    to_block: BlockId
    block_hash: bytes | None
    addresses: tuple[bytes, ...]
    topics: tuple[tuple[bytes, ...] | None, ...]


def log_filter(value: Any) -> LogFilter:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise invalid_params("invalid filter: expected an object")
    unknown = set(value) - {"fromBlock", "toBlock", "blockHash", "address", "topics"}
    if unknown:
        raise invalid_params(f"invalid filter: unknown field(s) {', '.join(sorted(unknown))}")
    block_hash = None
    if value.get("blockHash") is not None:
        if value.get("fromBlock") is not None or value.get("toBlock") is not None:
            raise invalid_params(
                "invalid filter: cannot specify both blockHash and fromBlock/toBlock, choose "
                "one or the other"
            )
        block_hash = hash32(value["blockHash"], "filter blockHash")
    raw_address = value.get("address")
    if raw_address is None:
        addresses: tuple[bytes, ...] = ()
    elif isinstance(raw_address, list):
        addresses = tuple(address(a, "filter address") for a in raw_address)
    else:
        addresses = (address(raw_address, "filter address"),)
    raw_topics = value.get("topics") or []
    if not isinstance(raw_topics, list):
        raise invalid_params("invalid filter: topics must be an array")
    if len(raw_topics) > 4:
        raise invalid_params("invalid filter: at most 4 topic positions")
    topics: list[tuple[bytes, ...] | None] = []
    for position in raw_topics:
        if position is None:
            topics.append(None)
        elif isinstance(position, list):
            topics.append(
                tuple(hash32(t, "filter topic") for t in position if t is not None) or None
            )
        else:
            topics.append((hash32(position, "filter topic"),))
    return LogFilter(
        from_block=block_id(value.get("fromBlock"), allow_hash=False),
        to_block=block_id(value.get("toBlock"), allow_hash=False),
        block_hash=block_hash,
        addresses=addresses,
        topics=tuple(topics),
    )
