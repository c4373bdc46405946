"""A remote network to fork, with no internet: ``og devnet``'s server (in a thread of the test
process, as tests/server serves it) with state on it (a contract with storage, a funded
account, a registered workflow), changed again after the block the tests fork, and a local
HTTP server as the model gateway."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    Alpha,
    SchedulerParams,
)
from og_devnet import Devnet
from og_devnet.accounts import dev_key
from og_devnet.cid import ipfs_cid_v0
from og_devnet.server import DevnetHTTPServer
from tests.conftest import MODELS
from tests.conftest import OHLC_QUERY as QUERY
from tests.fork.store import DEPLOY_CODE, store_data
from tests.server.conftest import Served as ServedNode
from tests.server.conftest import serve_in_thread, stop

OHLC = (MODELS / "ohlc.onnx").read_bytes()
OHLC_CID = ipfs_cid_v0(OHLC)
OUTSIDER = Web3.to_checksum_address("0x" + "be" * 20)  # no key: only ever funded
FUNDED = 5 * 10**18
SLOT0_AT_FORK, SLOT0_LATER = 42, 99
REMOTE_RUNS_LATER = 3  # scheduled runs the remote makes after the fork block


def send(web3: Web3, account: LocalAccount, **tx: Any) -> Any:
    """Sign and send a legacy transaction; the receipt, checked to have succeeded."""
    tx = {
        "chainId": web3.eth.chain_id,
        "nonce": web3.eth.get_transaction_count(account.address, "pending"),
        "gas": 500_000,
        "gasPrice": 3 * 10**9,
        **tx,
    }
    signed = account.sign_transaction(tx)
    receipt = web3.eth.wait_for_transaction_receipt(
        web3.eth.send_raw_transaction(signed.raw_transaction), timeout=60
    )
    assert receipt["status"] == 1, receipt
    return receipt


@dataclass
class Remote:
    node: ServedNode
    web3: Web3
    store: str  # the Store contract (slot 0: 42 at the fork block, 99 later)
    workflow: str  # registered on the remote's scheduler as task 0
    fork_block: int  # the block the tests fork
    deployer: LocalAccount = field(repr=False)

    @property
    def url(self) -> str:
        return self.node.url


@pytest.fixture(scope="package")
def remote() -> Iterator[Remote]:
    node = serve_in_thread(models=str(MODELS))
    try:
        web3 = Web3(HTTPProvider(node.url))
        deployer = Account.from_key(dev_key(1))
        store = send(web3, deployer, data=DEPLOY_CODE)["contractAddress"]
        send(web3, deployer, to=OUTSIDER, value=FUNDED)
        owner = Account.from_key(dev_key(2))
        workflow = Alpha(web3, owner, INFERENCE_HUB_ADDRESS, node.url).new_workflow(
            OHLC_CID, QUERY, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=2)
        )
        fork_block = web3.eth.block_number
        # later blocks the fork must not see: a changed slot, more funds, scheduled runs
        send(web3, deployer, to=store, data=store_data(0, SLOT0_LATER))
        send(web3, deployer, to=OUTSIDER, value=1)
        runs = [60 * REMOTE_RUNS_LATER]
        web3.provider.make_request("og_advanceTime", runs)  # type: ignore[arg-type]
        yield Remote(node, web3, store, workflow, fork_block, deployer)
    finally:
        stop(node)


@dataclass
class Gateway:
    """An IPFS-style gateway on loopback: ``{url}/good`` serves each fixture model under its
    CID, ``{url}/bad`` serves other bytes under every CID; ``served`` counts answers by path."""

    url: str
    served: dict[str, int]

    @property
    def good(self) -> str:
        return self.url + "/good"

    @property
    def bad(self) -> str:
        return self.url + "/bad"


@pytest.fixture(scope="package")
def gateway() -> Iterator[Gateway]:
    files = {ipfs_cid_v0(p.read_bytes()): p.read_bytes() for p in Path(MODELS).glob("*.onnx")}
    served: dict[str, int] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            kind, _, cid = self.path.strip("/").partition("/ipfs/")
            body = files.get(cid)
            if body is not None and kind == "bad":
                body = files[next(c for c in files if c != cid)]  # a real model, not this one
            if body is None or kind not in ("good", "bad"):
                self.send_response(404)
                self.end_headers()
                return
            served[self.path] = served.get(self.path, 0) + 1
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Gateway(f"http://127.0.0.1:{server.server_address[1]}", served)
    server.shutdown()
    server.server_close()


@dataclass
class Served:
    """A remote a test may change or stop: an in-process devnet behind a real loopback
    server. ``fork()`` forks it; those forks' connections are closed at the end (the server
    waits for open ones when it stops)."""

    devnet: Devnet
    server: DevnetHTTPServer
    forks: list[Devnet] = field(default_factory=list)

    def fork(self, **options: Any) -> Devnet:
        devnet = Devnet(fork_url=self.server.url, **options)
        self.forks.append(devnet)
        return devnet


@pytest.fixture
def served_remote() -> Iterator[Served]:
    devnet = Devnet()
    server = DevnetHTTPServer(devnet.node, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served = Served(devnet, server)
    yield served
    for fork in served.forks:
        assert fork.fork is not None
        fork.fork.close()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fork_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own fork cache directory (never the user's ~/.cache)."""
    directory = tmp_path_factory.mktemp("fork-cache")
    monkeypatch.setenv("OG_FORK_CACHE", str(directory))
    return directory
