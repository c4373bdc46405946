"""A transaction's signature is checked once per transaction object (og_devnet.signatures),
with py-evm's verdicts and words: a good signature gives its signer, a bad one is refused
before anything changes."""

from __future__ import annotations

from typing import Any

import pytest
from eth._utils import transactions as py_evm
from eth.vm.forks.prague.transactions import PragueTransactionBuilder
from eth_account import Account

from og_devnet import Devnet, signatures
from og_devnet.accounts import dev_key
from og_devnet.node import RpcError

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
LEGACY = {
    "to": "0x000000000000000000000000000000000000dEaD",
    "value": 5,
    "gas": 21000,
    "gasPrice": 10**9,
    "nonce": 0,
}
DYNAMIC = {
    "to": "0x000000000000000000000000000000000000dEaD",
    "value": 5,
    "gas": 21000,
    "maxFeePerGas": 2 * 10**9,
    "maxPriorityFeePerGas": 10**9,
    "nonce": 0,
    "type": 2,
}


def _signed(fields: dict[str, Any], chain_id: int, index: int = 1) -> Any:
    raw = Account.sign_transaction({**fields, "chainId": chain_id}, dev_key(index)).raw_transaction
    return PragueTransactionBuilder.decode(bytes(raw))


def _high_s(tx: Any) -> Any:
    """The same signature as (r, n - s) with the other parity: the same signer recovers from
    it, but it is not canonical (EIP-2), which py-evm's verification refuses."""
    inner = getattr(tx, "_inner", None)
    if inner is None:
        return tx.copy(s=SECP256K1_N - tx.s, v=tx.v + (1 if tx.y_parity == 0 else -1))
    flipped = inner.copy(s=SECP256K1_N - inner.s, y_parity=1 - inner.y_parity)
    return type(tx)(tx.type_id, flipped)


def _fresh(tx: Any) -> Any:
    """An equal transaction object that nothing has been kept on."""
    return type(tx).decode(tx.encode()) if hasattr(tx, "_inner") else tx.copy()


def _outcome(check: Any, tx: Any) -> str:
    try:
        result = check(tx)
    except Exception as exc:  # noqa: BLE001 - the kind and words are what is compared
        return f"{type(exc).__name__}: {exc}"
    return "valid" if result is None else "0x" + bytes(result).hex()


def _cases(fields: dict[str, Any]) -> dict[str, Any]:
    good = _signed(fields, 1337)
    inner = getattr(good, "_inner", None)

    def with_r(r: int) -> Any:
        return good.copy(r=r) if inner is None else type(good)(good.type_id, inner.copy(r=r))

    def with_value(value: int) -> Any:
        if inner is None:
            return good.copy(value=value)
        return type(good)(good.type_id, inner.copy(value=value))

    return {
        "good": good,
        "not canonical": _high_s(good),
        "another signer": with_value(6),  # the signature over other fields: another key
        "no key": with_r(5),  # no point has x = 5: nothing to recover
    }


@pytest.mark.parametrize("fields", [LEGACY, DYNAMIC], ids=["legacy", "eip1559"])
def test_signers_and_verdicts_are_py_evms(fields: dict[str, Any]) -> None:
    seen = set()
    for name, tx in _cases(fields).items():
        want_sender = _outcome(py_evm.extract_transaction_sender, _fresh(tx))
        want_verdict = _outcome(py_evm.validate_transaction_signature, _fresh(tx))
        seen.add(want_verdict.split(":")[0])
        # the sender first (as the pool checks ask), then the check, twice on one object
        assert _outcome(signatures.extract_transaction_sender, tx) == want_sender, name
        for _ in range(2):
            assert _outcome(signatures.validate_transaction_signature, tx) == want_verdict, name
        # the check alone, on an object nothing was kept on
        fresh = _fresh(tx)
        assert _outcome(signatures.validate_transaction_signature, fresh) == want_verdict, name
        assert _outcome(signatures.extract_transaction_sender, fresh) == want_sender, name
    assert seen == {"valid", "ValidationError"}  # both verdicts were compared
    good = _cases(fields)["good"]
    assert good.sender == bytes.fromhex(Account.from_key(dev_key(1)).address[2:])


def test_a_non_canonical_signature_is_refused_and_changes_nothing() -> None:
    """EIP-2: the same signer's signature with a high s is refused, by name."""
    devnet = Devnet()
    node = devnet.node
    tx = _high_s(_signed(LEGACY, devnet.chain.chain_id))
    sender = Account.from_key(dev_key(1)).address
    before = (node.request("eth_blockNumber"), node.request("eth_getBalance", [sender, "latest"]))
    with pytest.raises(RpcError) as caught:
        node.request("eth_sendRawTransaction", ["0x" + tx.encode().hex()])
    assert caught.value.message.startswith("invalid transaction: Transaction.s ")
    after = (node.request("eth_blockNumber"), node.request("eth_getBalance", [sender, "latest"]))
    assert after == before
