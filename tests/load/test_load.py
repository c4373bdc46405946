"""Load and faults on ``og devnet`` over loopback (issue "Reliability and security", item 5).

Eight clients, each a thread with its own ``HTTPProvider`` and its own dev account, send 250
pre-signed transactions each: mostly value transfers, one in 25 an inference through the hub.
Every transaction carries an explicit nonce, gas, gas price and chain id, so each is exactly one
``eth_sendRawTransaction`` request and nothing a client does can hide a lost or doubled one.

The first test checks the node under that load loses nothing: every transaction mined, each
sender's nonces contiguous, value conserved, no error answer. The second kills the node with
``kill -9`` half-way through the same load with ``--state`` and restarts it: everything the node
acknowledged must be there again, in the very blocks clients saw before the kill.

How the chain is checked: block by block (every block, its one transaction, its gas) and by
exact balances, not by one receipt lookup per transaction. A lookup by transaction hash costs
the node a walk back from the head (eth-tester's ``_get_transaction_by_hash``, ~0.18 ms a
block), so 2,000 of them would take minutes, and ``eth_getLogs`` does one such lookup per block
in its range. A transaction's hash commits to its sender, nonce, recipient and value, so finding
it in a block proves all four. Receipts are read for every inference and for each client's
first and last transaction, and must agree with what the blocks say.

Bounded and loopback only; skipped unless asked for (see conftest.py). They assert no timings;
the figures they measure go to the end-of-run summary.
"""

from __future__ import annotations

import base64
import json
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from eth_account import Account
from eth_utils import to_checksum_address
from web3 import HTTPProvider, Web3

from og_alpha import INFERENCE_HUB_ADDRESS, InferenceMode, wire
from og_alpha.alpha import INFER_GAS_FACTOR
from og_devnet.accounts import dev_key
from tests.conftest import MODELS, run_onnx
from tests.server.conftest import Node
from tests.server.test_server import post, rpc

pytestmark = pytest.mark.load

CLIENTS = 8
PER_CLIENT = 250
INFER_EVERY = 25  # one transaction in 25 is an inference: 10 per client, 80 in all
KILL_AFTER = CLIENTS * PER_CLIENT // 2  # acknowledged transactions before the kill -9
CHAIN_ID = 31337
GAS_PRICE = 2 * 10**9
TRANSFER_GAS = 21_000
MODEL = "linear.onnx"  # y = x @ [0.5, -1.25, 2.0] + 0.1: the cheapest fixture to run
BATCH = 500  # JSON-RPC calls per verification request (the node takes up to 1000)
# Receipt lookups walk back from the head (see above): up to ~0.4 s each on these chains, so
# few per request, well inside the 30 s a request may take.
RECEIPT_BATCH = 10


def sink(client: int) -> str:
    """A fresh address only client ``client`` pays, so money cannot arrive there by mistake."""
    return to_checksum_address(f"0x{0x10AD:04x}{client:036x}")


@dataclass(frozen=True)
class PlannedTx:
    """One signed transaction, with what the checks need to know about it."""

    sender: str
    nonce: int
    raw: bytes
    hash: str
    to: str
    value: int
    model_input: dict[str, list[list[float]]] | None  # set for an inference


@dataclass
class Client:
    """A load client: one thread, one dev account, one web3 HTTP connection of its own.

    It stops at its first failure, so ``acknowledged`` is always a prefix of its plan: the
    hashes the node answered, in nonce order.
    """

    url: str
    plan: list[PlannedTx]
    killed: threading.Event
    acknowledged: list[str] = field(default_factory=list)
    error: BaseException | None = None  # a failure while the node was meant to be up

    def run(self) -> None:
        # No retries: a retried send could double a transaction or hide a failed request.
        web3 = Web3(
            HTTPProvider(
                self.url, request_kwargs={"timeout": 60}, exception_retry_configuration=None
            )
        )
        for tx in self.plan:
            try:
                answered = "0x" + bytes(web3.eth.send_raw_transaction(tx.raw)).hex()
                if answered != tx.hash:
                    raise AssertionError(f"node answered {answered} for {tx.hash}")
            except BaseException as exc:  # noqa: BLE001 - reported by the test, not the thread
                if not self.killed.is_set():
                    self.error = exc
                return
            self.acknowledged.append(tx.hash)


@dataclass
class Observer:
    """Reads the head block while the chain is loaded, as any client might, until the kill.

    What it saw is what a restarted node must give again. A block hash commits to its parent's,
    so the last block it saw being the same after the restart means every block before it is
    too: each acknowledged transaction up to there is in the very block it was in before. One
    plain call per look, because a batch takes the node's lock once per call and falls far
    behind eight clients sending.
    """

    url: str
    killed: threading.Event
    stop: threading.Event = field(default_factory=threading.Event)
    block_hashes: dict[int, str] = field(default_factory=dict)
    error: BaseException | None = None  # a failure while the node was meant to be up

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                block = rpc(self.url, "eth_getBlockByNumber", ["latest", False])["result"]
                self.block_hashes[int(block["number"], 16)] = block["hash"]
            except BaseException as exc:  # noqa: BLE001 - reported by the test, not the thread
                if not self.killed.is_set():
                    self.error = exc
                return
            self.stop.wait(0.005)


@dataclass(frozen=True)
class Block:
    """What the chain says about the block holding one transaction."""

    number: int
    hash: str
    gas_used: int
    base_fee: int


def plan_load(cid: str, infer_gas: int) -> list[list[PlannedTx]]:
    """Every client's transactions, signed before the clock starts so the load measures the
    node, not eth-account. Transfers alternate between the client's sink and the next client's
    account (so senders also receive while they send); every 25th is an inference."""
    plans = []
    for client in range(CLIENTS):
        account = Account.from_key(dev_key(client))
        neighbour = Account.from_key(dev_key((client + 1) % CLIENTS)).address
        plan = []
        for nonce in range(PER_CLIENT):
            model_input: dict[str, list[list[float]]] | None = None
            if nonce % INFER_EVERY == INFER_EVERY - 1:
                model_input = {"x": [[float(client), nonce / 8.0, -1.5]]}
                to, value, gas = INFERENCE_HUB_ADDRESS, 0, infer_gas
                data = wire.encode_hub_run(
                    cid, int(InferenceMode.VANILLA), wire.encode_model_input(model_input)
                )
            else:
                to = sink(client) if nonce % 2 == 0 else neighbour
                value, gas, data = 10**12 + nonce, TRANSFER_GAS, b""
            signed = account.sign_transaction(
                {
                    "to": to,
                    "value": value,
                    "gas": gas,
                    "data": data,
                    "nonce": nonce,
                    "gasPrice": GAS_PRICE,
                    "chainId": CHAIN_ID,
                }
            )
            tx_hash = "0x" + bytes(signed.hash).hex()
            raw = bytes(signed.raw_transaction)
            plan.append(PlannedTx(account.address, nonce, raw, tx_hash, to, value, model_input))
        plans.append(plan)
    return plans


def prepare(node: Node) -> tuple[list[list[PlannedTx]], list[str]]:
    """Add the model (journaled, like any control call), size the inference gas as the SDK
    does (3x one estimate), and plan the load. Returns the plans and every account involved."""
    model = (MODELS / MODEL).read_bytes()
    cid = rpc(node.url, "og_addModel", [base64.b64encode(model).decode()])["result"]
    probe = wire.encode_hub_run(
        cid, int(InferenceMode.VANILLA), wire.encode_model_input({"x": [[7.0, 31.125, -1.5]]})
    )
    call = {
        "from": Account.from_key(dev_key(0)).address,
        "to": INFERENCE_HUB_ADDRESS,
        "data": "0x" + probe.hex(),
    }
    estimate = rpc(node.url, "eth_estimateGas", [call])
    plans = plan_load(cid, int(estimate["result"], 16) * INFER_GAS_FACTOR)
    involved = sorted({t.sender for p in plans for t in p} | {t.to for p in plans for t in p})
    return plans, involved


def start_clients(
    url: str, plans: list[list[PlannedTx]], killed: threading.Event
) -> tuple[list[Client], list[threading.Thread]]:
    """One thread per client, all started: the load is on from here."""
    clients = [Client(url, plan, killed) for plan in plans]
    threads = [
        threading.Thread(target=c.run, name=f"load-client-{i}") for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    return clients, threads


def batch(url: str, calls: Sequence[tuple[str, list[Any]]], size: int = BATCH) -> list[Any]:
    """Results of many read calls in a few JSON-RPC batches of ``size`` rather than thousands of
    requests. Any error answer fails the test."""
    results: list[Any] = []
    for start in range(0, len(calls), size):
        chunk = calls[start : start + size]
        body = [
            {"jsonrpc": "2.0", "id": i, "method": method, "params": params}
            for i, (method, params) in enumerate(chunk)
        ]
        status, answers = post(url, json.dumps(body).encode())
        assert status == 200 and isinstance(answers, list), answers
        by_id = {a["id"]: a for a in answers}
        for i in range(len(chunk)):
            assert "error" not in by_id[i], (chunk[i], by_id[i])
            results.append(by_id[i]["result"])
    return results


def balances(url: str, addresses: Sequence[str]) -> dict[str, int]:
    answers = batch(url, [("eth_getBalance", [a, "latest"]) for a in addresses])
    return {a: int(b, 16) for a, b in zip(addresses, answers, strict=True)}


def mined_blocks(url: str) -> dict[str, Block]:
    """Every block after genesis, by the hash of the one transaction it holds (automine mines
    each transaction alone, and the load is all that is mined)."""
    head = int(rpc(url, "eth_blockNumber")["result"], 16)
    blocks = batch(url, [("eth_getBlockByNumber", [hex(n), False]) for n in range(1, head + 1)])
    found: dict[str, Block] = {}
    for block in blocks:
        assert len(block["transactions"]) == 1, block
        found[block["transactions"][0]] = Block(
            int(block["number"], 16),
            block["hash"],
            int(block["gasUsed"], 16),
            int(block["baseFeePerGas"], 16),
        )
    return found


def check_chain(
    url: str,
    plans: Sequence[Sequence[PlannedTx]],
    before: dict[str, int],
    mined: dict[str, Block],
) -> tuple[int, int]:
    """The chain holds each client's transactions with nonces 0..k-1 and nothing else; each
    succeeded and moved exactly its value; all balances add up. Returns (fees paid, inferences).

    A sender's transaction count k says which of its planned transactions must be on chain:
    a hash commits to its nonce, so all of plan[:k] present means nonces contiguous.
    """
    counts = batch(url, [("eth_getTransactionCount", [p[0].sender, "latest"]) for p in plans])
    kept = [tx for plan, k in zip(plans, counts, strict=True) for tx in plan[: int(k, 16)]]
    assert sorted(mined) == sorted(tx.hash for tx in kept), "the chain holds other transactions"

    # Exact balances, account by account: a transfer that failed or went twice shows here.
    # Legacy transactions pay their gas price whatever the base fee (it must not exceed it).
    expected = dict(before)
    paid = 0
    for tx in kept:
        block = mined[tx.hash]
        assert block.base_fee <= GAS_PRICE, block
        fee = block.gas_used * GAS_PRICE
        paid += fee
        expected[tx.sender] -= tx.value + fee
        expected[tx.to] += tx.value
    after = balances(url, list(before))
    assert after == expected
    assert sum(after.values()) + paid == sum(before.values())

    # Receipts: every inference (did it run, and right?) and each client's first and last
    # transaction; the other transfers are proven by the exact balances above.
    sample = [tx for tx in kept if tx.model_input is not None or tx.nonce == 0] + [
        plan[int(k, 16) - 1]
        for plan, k in zip(plans, counts, strict=True)
        if int(k, 16) > 1 and plan[int(k, 16) - 1].model_input is None
    ]
    found = batch(url, [("eth_getTransactionReceipt", [t.hash]) for t in sample], RECEIPT_BATCH)
    for tx, receipt in zip(sample, found, strict=True):
        block = mined[tx.hash]
        assert receipt is not None and receipt["status"] == "0x1", (tx.hash, receipt)
        assert (receipt["blockHash"], int(receipt["blockNumber"], 16)) == (block.hash, block.number)
        assert int(receipt["gasUsed"], 16) == block.gas_used
        assert int(receipt["effectiveGasPrice"], 16) == GAS_PRICE
        if tx.model_input is not None:
            check_inference(tx, receipt)
    return paid, sum(tx.model_input is not None for tx in kept)


def check_inference(tx: PlannedTx, receipt: dict[str, Any]) -> None:
    """The receipt holds exactly one hub result, equal to what onnxruntime gives."""
    assert tx.model_input is not None
    results = [
        log
        for log in receipt["logs"]
        if log["address"].lower() == INFERENCE_HUB_ADDRESS.lower()
        and log["topics"][:1] == ["0x" + wire.INFERENCE_RESULT_TOPIC.hex()]
    ]
    assert len(results) == 1, receipt
    output = wire.decode_model_output(bytes.fromhex(results[0]["data"][2:])).as_dict()
    feeds = {"x": np.asarray(tx.model_input["x"], dtype=np.float32)}
    np.testing.assert_allclose(output["y"], run_onnx(MODEL, feeds)["y"], rtol=1e-6)


def test_eight_clients_250_transactions_each_all_mined_nonces_contiguous_value_conserved(
    node_factory: Callable[..., Node], figures: list[str]
) -> None:
    node = node_factory()
    plans, involved = prepare(node)
    before = balances(node.url, involved)
    start = time.monotonic()
    clients, threads = start_clients(node.url, plans, threading.Event())
    for thread in threads:
        thread.join()
    duration = time.monotonic() - start

    errors = [c.error for c in clients if c.error is not None]
    assert not errors, errors
    everything = [tx for plan in plans for tx in plan]
    assert [h for c in clients for h in c.acknowledged] == [t.hash for t in everything]
    mined = mined_blocks(node.url)
    assert len(mined) == len(everything)
    paid, inferences = check_chain(node.url, plans, before, mined)

    figures.append(
        f"load: {CLIENTS} clients x {PER_CLIENT} = {len(everything)} transactions "
        f"({inferences} inferences), 0 error responses, {duration:.1f} s, "
        f"{len(everything) / duration:.0f} tx/s; all {len(mined)} mined, nonces contiguous, "
        f"balances exact, fees {paid / 1e18:.6f} ETH"
    )


def test_kill_9_mid_load_then_restart_keeps_every_acknowledged_transaction_in_its_block(
    node_factory: Callable[..., Node], figures: list[str], tmp_path: Path
) -> None:
    state = tmp_path / "state.jsonl"
    node = node_factory("--state", str(state))
    plans, involved = prepare(node)
    before = balances(node.url, involved)
    killed = threading.Event()
    observer = Observer(node.url, killed)
    watcher = threading.Thread(target=observer.run, name="load-observer")
    watcher.start()
    start = time.monotonic()
    clients, threads = start_clients(node.url, plans, killed)
    while sum(len(c.acknowledged) for c in clients) < KILL_AFTER:
        assert any(t.is_alive() for t in threads), [c.error for c in clients]
        time.sleep(0.005)
    killed.set()
    node.kill(signal.SIGKILL)
    duration = time.monotonic() - start
    for thread in threads:
        thread.join()
    observer.stop.set()
    watcher.join()

    errors = [e for e in [observer.error, *(c.error for c in clients)] if e is not None]
    assert not errors, errors
    acknowledged = [tx for c in clients for tx in c.plan[: len(c.acknowledged)]]
    assert [t.hash for t in acknowledged] == [h for c in clients for h in c.acknowledged]

    restart = time.monotonic()
    restarted = node_factory("--state", str(state))
    restart = time.monotonic() - restart
    replayed = re.search(r"replayed (\d+) journaled calls", restarted.banner)
    assert replayed is not None, restarted.banner
    mined = mined_blocks(restarted.url)
    missing = [t.hash for t in acknowledged if t.hash not in mined]
    assert not missing, f"{len(missing)} acknowledged transactions lost: {missing[:5]}"
    # The journal holds og_addModel and exactly the transactions on chain: none doubled.
    assert int(replayed.group(1)) == 1 + len(mined)
    # The same blocks as seen before the kill, and so (hash chain) all blocks before them.
    seen = sorted(observer.block_hashes.items())
    assert seen and seen[-1][0] > 0, "the observer saw no block before the kill"
    again = batch(restarted.url, [("eth_getBlockByNumber", [hex(n), False]) for n, _ in seen])
    assert [b["hash"] for b in again] == [h for _, h in seen]
    last_seen = seen[-1][0]
    in_seen_blocks = sum(mined[tx.hash].number <= last_seen for tx in acknowledged)
    # Nonces contiguous up to the last acknowledged one, and at most one more per client:
    # sent and journaled, but killed before its answer left (kept, which is allowed).
    for client, plan in zip(clients, plans, strict=True):
        count = sum(tx.hash in mined for tx in plan)
        assert len(client.acknowledged) <= count <= len(client.acknowledged) + 1
    paid, inferences = check_chain(restarted.url, plans, before, mined)

    figures.append(
        f"kill -9: {CLIENTS} clients, {len(acknowledged)} transactions acknowledged "
        f"({inferences} inferences on chain) in {duration:.1f} s "
        f"({len(acknowledged) / duration:.0f} tx/s with --state), 0 error responses before the "
        f"kill; after restart ({replayed.group(1)} journaled calls replayed in {restart:.1f} s): "
        f"{len(acknowledged)}/{len(acknowledged)} acknowledged kept, "
        f"{len(mined) - len(acknowledged)} in flight also kept; {len(seen)} blocks observed "
        f"before the kill identical, the last #{last_seen}, so {in_seen_blocks} acknowledged "
        f"transactions provably in the same block as before"
    )
