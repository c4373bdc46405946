"""A user's suite with session- and module-scoped fixtures on the devnet, written into a
pytester directory by test_scopes.py (kept as strings so that this suite's own run never
collects it). Each test checks that nothing another test did is left, then records what it
did, so that runs in different orders and in parallel can be compared.

test_a's module fixture is set up by its first test and the session fixture first asked for
by its third: the session fixture's state must still be there for test_b.
"""

CONFTEST = '''\
"""The session-scoped fixture of the scoped suite."""

import pytest

from og_alpha import InferenceMode
from helpers import MODELS


@pytest.fixture(scope="session")
def session_model(og_devnet_session, og_alpha_session):
    """A model added and run once for the whole session (dev account 0's first transaction)."""
    cid = og_devnet_session.models.add(f"{MODELS}/linear.onnx")
    og_alpha_session.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    return cid
'''

HELPERS = '''\
"""Helpers of the scoped user suite."""

import json
import os

MODELS = os.environ["OG_TEST_MODELS"]
RECORD = os.environ["OG_TEST_RECORD"]
GENESIS_BALANCE = 10_000 * 10**18


def record(name, value):
    with open(os.path.join(RECORD, f"{name}.json"), "w") as f:
        json.dump(value, f, sort_keys=True)


def candles(now, price):
    """Half an hour of one-minute candles up to ``now``."""
    start = now - now % 60 - 1800
    return [[start + 60 * k, price, price + 1, price - 1, price, 1.0] for k in range(30)]


def clean(devnet):
    """Nothing any other test did is left."""
    assert devnet.web3.eth.get_balance(devnet.accounts[9].address) == GENESIS_BALANCE
    assert [p for p in devnet.prices.pairs() if p[0] == "TEST"] == []


def change(devnet, alpha, name):
    """What every test does: a transfer, a pair of its own, an hour of time."""
    tx = devnet.web3.eth.send_transaction(
        {"from": devnet.accounts[1].address, "to": devnet.accounts[9].address, "value": 10**18}
    )
    devnet.prices.set_candles("TEST", name.upper(), 1, candles(devnet.now, 7.0))
    devnet.advance(3600)
    return [tx.hex(), devnet.now, devnet.block_number, alpha.address]
'''

TEST_A = '''\
import pytest

from og_alpha import InferenceMode
from helpers import candles, change, clean, record


@pytest.fixture(scope="module")
def module_pair(og_devnet_module):
    """Candles for MOD/A and two blocks, for this module's tests only."""
    og_devnet_module.prices.set_candles("MOD", "A", 1, candles(og_devnet_module.now, 5.0))
    og_devnet_module.mine(2)
    return og_devnet_module.block_number


def test_a1(module_pair, og_devnet, og_alpha):
    clean(og_devnet)
    assert ("MOD", "A") in og_devnet.prices.pairs() and ("MOD", "B") not in og_devnet.prices.pairs()
    record("a1", [module_pair, *change(og_devnet, og_alpha, "a1")])


def test_a2(og_devnet, og_alpha):
    clean(og_devnet)
    assert ("MOD", "B") not in og_devnet.prices.pairs()
    record("a2", change(og_devnet, og_alpha, "a2"))


def test_a3(module_pair, session_model, og_devnet, og_alpha):
    clean(og_devnet)
    assert og_devnet.models.get(session_model) is not None
    assert ("MOD", "A") in og_devnet.prices.pairs()
    result = og_alpha.infer(session_model, InferenceMode.VANILLA, {"x": [[3.0, 2.0, 1.0]]})
    record("a3", [result.transaction_hash, *change(og_devnet, og_alpha, "a3")])
'''

TEST_B = '''\
import pytest

from helpers import candles, change, clean, record


@pytest.fixture(scope="module")
def module_workflow_pair(og_devnet_module, og_alpha_module):
    """Candles for MOD/B and a transfer by dev account 2, for this module's tests only."""
    og_devnet_module.prices.set_candles("MOD", "B", 1, candles(og_devnet_module.now, 6.0))
    w3 = og_devnet_module.web3
    accounts = og_devnet_module.accounts
    w3.eth.send_transaction({"from": accounts[2].address, "to": accounts[3].address, "value": 5})
    return og_alpha_module.address


def test_b1(session_model, og_devnet, og_alpha):
    clean(og_devnet)
    # the session fixture's model and transaction outlive module a, whatever ran first
    assert og_devnet.models.get(session_model) is not None
    assert og_devnet.web3.eth.get_transaction_count(og_devnet.accounts[0].address) >= 1
    assert ("MOD", "A") not in og_devnet.prices.pairs()
    record("b1", change(og_devnet, og_alpha, "b1"))


def test_b2(module_workflow_pair, og_devnet_module, og_alpha_module):
    # only module-scoped fixtures: the test's own changes are still reverted after it
    clean(og_devnet_module)
    assert ("MOD", "B") in og_devnet_module.prices.pairs()
    assert og_devnet_module.web3.eth.get_transaction_count(og_devnet_module.accounts[2].address) == 1
    record("b2", [module_workflow_pair, *change(og_devnet_module, og_alpha_module, "b2")])


def test_b3(module_workflow_pair, og_devnet, og_alpha, og_time_travel, og_snapshot):
    clean(og_devnet)
    start = og_devnet.now
    with og_snapshot():
        report = og_time_travel("2h", blocks=3)
        assert og_devnet.now == start + 7200 + 3 and len(report) == 0
    assert og_devnet.now == start
    og_time_travel(to=start + 86_400)
    assert og_devnet.now == start + 86_400
    record("b3", change(og_devnet, og_alpha, "b3"))
'''

FILES = {"conftest": CONFTEST, "helpers": HELPERS, "test_a": TEST_A, "test_b": TEST_B}
