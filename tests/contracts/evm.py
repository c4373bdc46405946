"""A bare eth-tester chain for the contracts' own tests: no devnet, no SDK.

Code is placed at fixed addresses through the genesis state, the way the devnet places the hub
and the scheduler; the precompiles are stood in for by tiny hand-assembled contracts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.main import EVMSpoofTransaction, _execute_and_revert_transaction
from eth_utils import keccak, to_canonical_address, to_checksum_address

ARTIFACTS = Path(__file__).resolve().parents[2] / "sdk" / "og_alpha" / "artifacts"

INFERENCE_PRECOMPILE = to_checksum_address("0x00000000000000000000000000000000000000F4")
HISTORICAL_PRECOMPILE = to_checksum_address("0x00000000000000000000000000000000000000F5")
HUB = to_checksum_address("0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE")
SCHEDULER = to_checksum_address("0x7179724De4e7FF9271FA40C0337c7f90C0508eF6")

# ABI type strings of alpha-wire.md, written out here so the tests check the contracts against
# the wire facts rather than against another module of the project.
NUMBER = "(int128,int128)"
NUMBER_TENSOR = f"(string,{NUMBER}[],uint32[])"
STRING_TENSOR = "(string,string[])"
JSON_SCALAR = "(string,string)"
MODEL_INPUT = f"({NUMBER_TENSOR}[],{STRING_TENSOR}[])"
MODEL_OUTPUT = f"({NUMBER_TENSOR}[],{STRING_TENSOR}[],{JSON_SCALAR}[],bool)"
REQUEST = f"(uint8,string,{MODEL_INPUT})"
QUERY = "(string,string,uint32,uint32,uint8,uint8[])"
TASK = "(address,address,uint256,uint256,uint256,uint256,uint256,bool)"
EMPTY_OUTPUT = ((), (), (), False)


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def topic(signature: str) -> bytes:
    return keccak(text=signature)


def error(reason: str) -> bytes:
    """The revert data of ``revert(reason)``."""
    return selector("Error(string)") + encode(["string"], [reason])


def artifact(name: str) -> dict[str, Any]:
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


def code(name: str, *, deployed: bool = True) -> bytes:
    return bytes.fromhex(artifact(name)["deployedBytecode" if deployed else "bytecode"][2:])


# --- hand-assembled stand-ins ------------------------------------------------------------------
ECHO = bytes.fromhex("365f5f37365ff3")  # return(calldata)
ECHO_REVERT = bytes.fromhex("365f5f37365ffd")  # revert(calldata)
COUNTER = bytes.fromhex("5f546001015f5500")  # any call: slot0 += 1
SILENT = bytes.fromhex("00")  # any call succeeds, returns nothing


def _push(value: int) -> bytes:
    n = (value.bit_length() + 7) // 8
    return bytes([0x5F + n]) + value.to_bytes(n, "big")  # 0x5F: PUSH0


def _mstore_all(data: bytes) -> bytes:
    out = b""
    padded = data + b"\x00" * (-len(data) % 32)
    for i in range(0, len(padded), 32):
        word = int.from_bytes(padded[i : i + 32], "big")
        out += _push(word) + _push(i) + bytes([0x52])  # MSTORE, zeros too: memory may be dirty
    return out


def returning(data: bytes, *, revert: bool = False, block_number_at: int | None = None) -> bytes:
    """Code that returns (or reverts with) ``data``; optionally with the 32-byte word at
    ``block_number_at`` replaced by ``block.number``, so successive calls differ."""
    out = _mstore_all(data)
    if block_number_at is not None:
        out += bytes([0x43]) + _push(block_number_at) + bytes([0x52])  # NUMBER, MSTORE
    return out + _push(len(data)) + bytes([0x5F, 0xFD if revert else 0xF3])


def checking_calldata(expected: bytes, then: bytes) -> bytes:
    """Code that reverts (empty) unless its call data is ``expected``, else runs ``then``
    (which must not jump, nor read memory it did not write)."""
    prefix = (
        bytes.fromhex("365f5f37365f207f")  # calldatacopy(0, 0, cds); keccak256(0, cds); PUSH32
        + keccak(expected)  # PUSH32 hash
        + bytes([0x14])  # EQ
    )
    ok_dest = len(prefix) + 3 + 1 + 3  # PUSH2 dest, JUMPI, PUSH0 PUSH0 REVERT
    return prefix + bytes([0x61]) + ok_dest.to_bytes(2, "big") + bytes.fromhex("575f5ffd5b") + then


# --- the chain --------------------------------------------------------------------------------
class Chain:
    """An eth-tester chain with ``codes`` placed at their addresses in genesis."""

    def __init__(self, codes: dict[str, bytes], num_accounts: int = 3) -> None:
        state = PyEVMBackend.generate_genesis_state(num_accounts=num_accounts)
        for address, runtime in codes.items():
            state[to_canonical_address(address)] = {
                "balance": 0,
                "nonce": 0,
                "code": runtime,
                "storage": {},
            }
        self.tester = EthereumTester(PyEVMBackend(genesis_state=state))
        self.accounts = self.tester.get_accounts()

    # transactions
    def transact(self, to: str | None, data: bytes, sender: int = 0, gas: int = 29_000_000):
        tx: dict[str, Any] = {"from": self.accounts[sender], "data": "0x" + data.hex(), "gas": gas}
        if to is not None:
            tx["to"] = to
        receipt = self.tester.get_transaction_receipt(self.tester.send_transaction(tx))
        return receipt

    def deploy(self, name: str, args_types: list[str], args: list[Any]) -> tuple[str, int]:
        receipt = self.transact(None, code(name, deployed=False) + encode(args_types, args))
        assert receipt["status"] == 1, f"deploying {name} failed"
        return receipt["contract_address"], receipt["gas_used"]

    def execute(self, to: str, data: bytes, sender: int = 0, gas: int = 29_000_000):
        """Run a call without a transaction; the py-evm computation (output, is_error)."""
        backend = self.tester.backend
        tx = {"from": self.accounts[sender], "to": to, "data": "0x" + data.hex(), "gas": gas}
        normalized = self.tester.normalizer.normalize_inbound_transaction(tx)
        unsigned = backend._get_normalized_and_unsigned_evm_transaction(normalized, "latest")
        spoofed = EVMSpoofTransaction(unsigned, from_=normalized["from"])
        return _execute_and_revert_transaction(backend.chain, spoofed, "latest")

    def call(self, to: str, data: bytes, sender: int = 0) -> bytes:
        computation = self.execute(to, data, sender)
        assert not computation.is_error, f"call reverted: {computation.output!r}"
        return computation.output

    def revert_data(self, to: str, data: bytes, sender: int = 0) -> bytes:
        computation = self.execute(to, data, sender)
        assert computation.is_error, "call did not revert"
        return computation.output

    def time_travel(self, timestamp: int) -> None:
        """The next mined block has ``timestamp``."""
        self.tester.time_travel(timestamp)

    @property
    def now(self) -> int:
        return self.tester.get_block_by_number("latest")["timestamp"]

    @contextmanager
    def count_opcodes(self) -> Iterator[Counter[str]]:
        """Count executed opcodes per address of the code run (init code: the new address)."""
        cls = self.tester.backend.chain.get_vm().state.computation_class
        original = cls.opcodes
        counts: Counter[str] = Counter()

        def wrap(fn: Any) -> Any:
            def counted(computation: Any) -> Any:
                msg = computation.msg
                counts[to_checksum_address(msg.code_address or msg.storage_address)] += 1
                return fn(computation=computation)

            return counted

        cls.opcodes = {op: wrap(fn) for op, fn in original.items()}
        try:
            yield counts
        finally:
            cls.opcodes = original


def padded_address(address: str) -> bytes:
    return b"\x00" * 12 + to_canonical_address(address)


def raw(value: str | bytes) -> bytes:
    """Bytes from eth-tester's hex strings."""
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def as_tuples(value: Any) -> Any:
    """Lists to tuples, all the way down, as eth_abi decodes ABI values."""
    if isinstance(value, list | tuple):
        return tuple(as_tuples(v) for v in value)
    return value
