"""Receipts as the SDK reads them (og_alpha.receipts): from JSON-RPC's hex, from what a
middleware made of it, and an unreadable one named as such."""

from __future__ import annotations

from typing import Any

import pytest
from hexbytes import HexBytes
from web3.datastructures import AttributeDict
from web3.exceptions import BadResponseFormat

from og_alpha.receipts import read_receipt

TOPIC = "0x" + "ab" * 32
WIRE = {
    "status": "0x1",
    "contractAddress": None,
    "logs": [
        {
            "address": "0x00000000000000000000000000000000000000F4",
            "topics": [TOPIC],
            "data": "0x0102",
        }
    ],
}
READ = {
    "status": 1,
    "contractAddress": None,
    "logs": [
        {
            "address": "0x00000000000000000000000000000000000000F4",
            "topics": [bytes.fromhex("ab" * 32)],
            "data": b"\x01\x02",
        }
    ],
}


def test_a_json_rpc_receipt_reads_as_status_contract_and_logs() -> None:
    assert read_receipt(WIRE) == READ
    created = read_receipt({**WIRE, "status": "0x0", "contractAddress": "0x" + "12" * 20})
    assert created["status"] == 0 and created["contractAddress"] == "0x" + "12" * 20


def test_what_a_middleware_made_of_it_reads_the_same() -> None:
    """web3's attribute-dict middleware: AttributeDicts, tuples, HexBytes, ints."""
    formatted = AttributeDict.recursive(
        {
            "status": 1,
            "contractAddress": None,
            "logs": (
                {
                    "address": WIRE["logs"][0]["address"],
                    "topics": (HexBytes(TOPIC),),
                    "data": HexBytes("0x0102"),
                },
            ),
        }
    )
    assert read_receipt(formatted) == READ


@pytest.mark.parametrize(
    "broken",
    [
        "0x1",
        {**WIRE, "status": "yes"},
        {**WIRE, "status": None},
        {**WIRE, "logs": None},
        {**WIRE, "logs": [{"topics": [TOPIC], "data": "0x"}]},
        {**WIRE, "logs": [{"address": "0x" + "00" * 20, "topics": ["0xzz"], "data": "0x"}]},
        {**WIRE, "logs": [{"address": "0x" + "00" * 20, "topics": [TOPIC], "data": 5}]},
    ],
)
def test_an_unreadable_receipt_is_a_bad_answer(broken: Any) -> None:
    with pytest.raises(BadResponseFormat):
        read_receipt(broken)
