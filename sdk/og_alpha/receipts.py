"""The node's answers as the SDK reads them: quantities, and receipts straight from the
JSON-RPC answer.

The SDK reads three things from a receipt: the status, the contract created, and the logs'
addresses, topics and data. web3's ``wait_for_transaction_receipt`` passed each receipt
through its result formatters first (checksummed addresses, HexBytes, attribute dicts for
every field and log), about a tenth of an infer's time in the SDK. The receipt here is a
plain dict with those fields; an answer that does not have them is an unreadable answer
(``BadResponseFormat``), as a malformed quantity is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web3.exceptions import BadResponseFormat


def _bytes(value: Any, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)  # a provider or middleware that decodes answers already
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise BadResponseFormat(f"the receipt's {what} is not hex data")


def quantity(value: Any) -> int:
    """A JSON-RPC quantity ("0x1f") as an int; anything else is an answer the SDK cannot
    read (``BadResponseFormat``, reported as such)."""
    if isinstance(value, str) and value[:2] in ("0x", "0X") and 2 < len(value) <= 66:
        try:
            return int(value, 16)
        except ValueError:
            pass
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value  # a provider that answers numbers already decoded
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
    raise BadResponseFormat(f"expected a hex quantity, got {shown}")


def read_receipt(raw: Any) -> dict[str, Any]:
    """``{"status": int, "contractAddress": str | None, "logs": [{"address": str,
    "topics": [bytes], "data": bytes}]}`` from a JSON-RPC receipt object."""
    if not isinstance(raw, Mapping):  # a dict, or what a middleware made of it
        raise BadResponseFormat("the receipt is not an object")
    logs = raw.get("logs")
    if not isinstance(logs, (list, tuple)):
        raise BadResponseFormat("the receipt has no list of logs")
    read = []
    for log in logs:
        if not isinstance(log, Mapping) or not isinstance(log.get("address"), str):
            raise BadResponseFormat("a log in the receipt has no address")
        topics = log.get("topics")
        if not isinstance(topics, (list, tuple)):
            raise BadResponseFormat("a log in the receipt has no list of topics")
        read.append(
            {
                "address": log["address"],
                "topics": [_bytes(t, "log topic") for t in topics],
                "data": _bytes(log.get("data", "0x"), "log data"),
            }
        )
    created = raw.get("contractAddress")
    return {
        "status": quantity(raw.get("status")),
        "contractAddress": created if isinstance(created, str) else None,
        "logs": read,
    }


__all__ = ["quantity", "read_receipt"]
