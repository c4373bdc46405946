"""Bundled contract artifacts (compiled by the pinned solc in ``contracts/``) and addresses."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from eth_utils import to_checksum_address

INFERENCE_PRECOMPILE_ADDRESS = to_checksum_address("0x00000000000000000000000000000000000000F4")
PRICE_FEED_PRECOMPILE_ADDRESS = to_checksum_address("0x00000000000000000000000000000000000000F5")
INFERENCE_HUB_ADDRESS = to_checksum_address("0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE")
WORKFLOW_SCHEDULER_ADDRESS = to_checksum_address("0x7179724De4e7FF9271FA40C0337c7f90C0508eF6")

# The official SDK's names for the same addresses (opengradient.client.alpha in 1.1.4,
# opengradient.defaults in 0.7.5), so imports written for it find them here too.
DEFAULT_INFERENCE_CONTRACT_ADDRESS = INFERENCE_HUB_ADDRESS
DEFAULT_SCHEDULER_ADDRESS = WORKFLOW_SCHEDULER_ADDRESS
PRECOMPILE_CONTRACT_ADDRESS = INFERENCE_PRECOMPILE_ADDRESS


@cache
def artifact(name: str) -> dict[str, Any]:
    """The artifact of contract ``name``: abi, bytecode, deployedBytecode (hex strings)."""
    try:
        text = resources.files("og_alpha").joinpath("artifacts", f"{name}.json").read_text()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"contract artifact {name}.json is missing from og_alpha/artifacts; "
            "run `make contracts`"
        ) from None
    data: dict[str, Any] = json.loads(text)
    return data


def bytecode(name: str, *, deployed: bool = False) -> bytes:
    data = artifact(name)["deployedBytecode" if deployed else "bytecode"]
    return bytes.fromhex(data.removeprefix("0x"))


def abi(name: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = artifact(name)["abi"]
    return entries


class AbiAttribute:
    """A class attribute holding a bundled contract's ABI (a list of entries), like the
    official ``Alpha.inference_abi``: readable from the class and from an instance, each
    read a fresh copy, so that no caller changes what another one reads."""

    def __init__(self, contract: str) -> None:
        self.contract = contract

    def __get__(self, instance: object, owner: type | None = None) -> list[dict[str, Any]]:
        return copy.deepcopy(abi(self.contract))
