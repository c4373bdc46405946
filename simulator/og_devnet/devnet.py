"""``Devnet``: an in-process OpenGradient network: chain, clock, models, prices, scheduler.

The pytest plugin, the ``og devnet`` server and the CLI are thin layers over this class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import is_address, to_canonical_address
from web3 import Web3

from og_alpha.alpha import Alpha
from og_alpha.contracts import (
    INFERENCE_HUB_ADDRESS,
    WORKFLOW_SCHEDULER_ADDRESS,
    bytecode,
)

from . import node_api
from .accounts import DEV_ACCOUNT_COUNT, DEV_BALANCE_WEI, dev_accounts, executor_account
from .chain import (
    DEFAULT_GENESIS_TIME,
    ChainSnapshot,
    DevnetChain,
    genesis_account,
)
from .errors import DevnetError, ModelError
from .faults import Faults
from .fork import Fork
from .log import InferenceLog, ResultStore
from .models import ModelHub
from .node import Node
from .precompiles import (
    INFERENCE_ADDRESS,
    PRICE_FEED_ADDRESS,
    PrecompileContext,
    inference_precompile,
    price_feed_precompile,
)
from .prices import PriceFeed
from .provider import DevnetProvider
from .scheduler import EXECUTE_GAS, Progress, RunReport, Scheduler, check_time

LOCAL_API_URL = "http://devnet.invalid"


@dataclass(frozen=True)
class Snapshot:
    """Everything a test may change: the chain head and the devnet's own state."""

    chain: ChainSnapshot
    filters: Any
    models: Any
    prices: Any
    faults: Any
    log: Any
    results: Any
    results_via_api: bool


class Devnet:
    """A local OpenGradient network, deterministic from its arguments.

    >>> devnet = Devnet()
    >>> cid = devnet.models.add("fixtures/models/linear.onnx")
    >>> devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    """

    def __init__(
        self,
        *,
        genesis_time: int | None = None,
        accounts: int = DEV_ACCOUNT_COUNT,
        balance_wei: int = DEV_BALANCE_WEI,
        model_sources: list[str] | None = None,
        model_cache: str | Path | None = None,
        model_timeout: float | None = None,
        fork_url: str | None = None,
        fork_block_number: int | None = None,
    ) -> None:
        if not 1 <= accounts <= 50:
            raise DevnetError(f"accounts must be 1..50, got {accounts}")
        # fork_url: start from that node's state at fork_block_number (default: its latest)
        fork = _open_fork(fork_url, fork_block_number, genesis_time)
        # models by CID: fetched from model_sources into model_cache; each run model_timeout s
        self.models = ModelHub(
            sources=model_sources, cache_dir=model_cache, run_timeout=model_timeout
        )
        self.faults = Faults(self.models)
        self.inference_log = InferenceLog()
        self._results = ResultStore()
        self.prices = PriceFeed(clock=lambda: self.now, gaps=self.faults.gaps)
        self.context = PrecompileContext(
            self.models, self.prices, self.inference_log, self._results, self.faults
        )
        self.accounts: list[LocalAccount] = dev_accounts(accounts)
        self._executor = executor_account()
        genesis: dict[bytes, dict[str, Any]] = {
            to_canonical_address(a.address): genesis_account(balance_wei) for a in self.accounts
        }
        genesis[to_canonical_address(self._executor.address)] = genesis_account(balance_wei)
        if fork is not None:  # funded over the remote's accounts: their nonces and code stay
            genesis = {address: {"balance": balance_wei} for address in genesis}
            hub, scheduler = INFERENCE_HUB_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS
            fork.prefetch([*genesis, *map(to_canonical_address, (hub, scheduler))])
        for address, name in (
            (INFERENCE_HUB_ADDRESS, "InferenceHub"),
            (WORKFLOW_SCHEDULER_ADDRESS, "WorkflowScheduler"),
        ):
            code = bytecode(name, deployed=True)
            if fork is None:
                genesis[to_canonical_address(address)] = genesis_account(code=code)
            elif not fork.has_code(address):  # on a fork, the remote's own if it has them
                genesis[to_canonical_address(address)] = {"code": code}
        self.chain = DevnetChain(
            self.context,
            {
                INFERENCE_ADDRESS: inference_precompile(self.context),
                PRICE_FEED_ADDRESS: price_feed_precompile(self.context),
            },
            genesis,
            genesis_time=DEFAULT_GENESIS_TIME if genesis_time is None else int(genesis_time),
            fork=fork,
        )
        self.chain_id = self.chain.chain_id  # on a fork, the remote's
        # One node core answers in-process (devnet.web3) and over HTTP (og devnet).
        self.node = Node(self)
        self.provider = DevnetProvider(self.node)
        self.web3 = Web3(self.provider)
        # devnet.alpha()'s own Web3: no per-call middleware (web3's validation middleware asks
        # eth_chainId on every estimate and send; the node core validates every request).
        self._sdk_web3 = Web3(self.provider, middleware=[])
        self.scheduler = Scheduler(self)
        self.chain.block_listeners.append(self.scheduler.record)
        self.chain.edit_listeners.append(self.scheduler.invalidate)
        # What anvil_reset / hardhat_reset return to (models and prices are kept).
        self.genesis = self.snapshot()

    @property
    def fork(self) -> Fork | None:
        """The remote node and block this devnet forked, or None."""
        return self.chain.fork

    # --- SDK -----------------------------------------------------------------------------
    def alpha(self, account_index: int = 0) -> Alpha:
        """An ``Alpha`` client bound to this devnet and dev account ``account_index``."""
        if not 0 <= account_index < len(self.accounts):
            raise DevnetError(
                f"account_index must be 0..{len(self.accounts) - 1}, got {account_index}"
            )
        return Alpha(
            self._sdk_web3,
            self.accounts[account_index],
            INFERENCE_HUB_ADDRESS,
            LOCAL_API_URL,
            api_fetch=node_api.in_process_fetch(self._results),
        )

    def node_api(self, path: str) -> tuple[int, bytes]:
        """Answer a node-API GET (status, JSON body), as ``og devnet`` serves it."""
        return node_api.handle(self._results, path)

    @property
    def results_via_api(self) -> bool:
        """When true, inference outputs are left off the chain and served by the node API
        only, as the real network does at times: use it to test that fallback path."""
        return self.context.results_via_api

    @results_via_api.setter
    def results_via_api(self, value: bool) -> None:
        self.context.results_via_api = bool(value)

    # --- chain ---------------------------------------------------------------------------
    @property
    def now(self) -> int:
        """Chain time: the timestamp of the latest block."""
        return int(self.chain.head.timestamp)

    @property
    def block_number(self) -> int:
        return int(self.chain.head.block_number)

    def call(self, to: str, data: bytes, sender: str | None = None, block: str = "latest") -> bytes:
        """``eth_call`` (at the latest block unless ``block`` says otherwise); raises
        ``RpcError`` on revert."""
        tx = {"from": sender or self.accounts[0].address, "to": to, "input": "0x" + data.hex()}
        return bytes.fromhex(self.node.request("eth_call", [tx, block], journal=False)[2:])

    def set_balance(self, address: str, wei: int) -> None:
        """Give ``address`` a balance of ``wei`` from the next block on."""
        if not is_address(address):
            raise DevnetError(f"{address!r} is not an address")
        if isinstance(wei, bool) or not isinstance(wei, int) or not 0 <= wei < 2**256:
            raise DevnetError(f"balance must be an int in 0..2**256-1, got {wei!r}")
        with self.chain.edit_state() as state:
            state.set_balance(to_canonical_address(address), wei)

    def seal(self, timestamp: int | None = None) -> Any:
        """Seal the pending block (at ``timestamp`` if given), after the scheduled runs that
        fall due before it: every way of moving time goes through here (one clock)."""
        if timestamp is not None:
            self.chain.set_pending_timestamp(check_time(self.now + 1, timestamp))
        self.scheduler.catch_up(self.chain.pending_header.timestamp)
        return self.chain.mine()

    def mine(self, blocks: int = 1, interval: int | None = None) -> None:
        """Mine ``blocks`` blocks, ``interval`` seconds apart (one by default), running the
        scheduled workflows that fall due on the way."""
        for _ in range(blocks):
            self.seal(None if interval is None else self.now + max(interval, 1))

    def advance(
        self, seconds: int, progress: Progress | None = None, *, raise_on_failure: bool = False
    ) -> RunReport:
        """Move the clock ``seconds`` forward, running every scheduled workflow that falls due,
        each in a block at its due time. Returns the report of the runs (``len(report)``
        runs, ``report.failed`` with their reasons); with ``raise_on_failure`` the first
        failed run raises ``ScheduledRunFailed`` (the clock stops there)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise DevnetError(f"seconds must be a non-negative int, got {seconds!r}")
        return self.advance_to(self.now + seconds, progress, raise_on_failure=raise_on_failure)

    def advance_to(
        self,
        timestamp: int,
        progress: Progress | None = None,
        *,
        raise_on_failure: bool = False,
    ) -> RunReport:
        """Move the clock to ``timestamp`` (unix seconds), running due workflows on the way."""
        timestamp = check_time(self.now, timestamp)
        with self.scheduler.recording(raise_on_failure) as report:
            if timestamp > self.now:
                self.chain.set_pending_timestamp(timestamp)
                self.scheduler.catch_up(timestamp, progress)
                if self.now < timestamp or self.chain.has_pending_transactions():
                    self.chain.mine()
        return report

    def mine_block(self, raw_transactions: list[bytes], timestamp: int | None = None) -> str:
        """Mine signed raw transactions together in one block (at ``timestamp`` if given);
        returns the block hash. A transaction that is invalid (bad nonce, signature,
        balance) raises before anything is mined."""
        if timestamp is not None:
            self.chain.set_pending_timestamp(check_time(self.now + 1, timestamp))
        self.scheduler.catch_up(self.chain.pending_header.timestamp)
        for raw in raw_transactions:
            self.node.accept(self.node.execution.decode_checked(bytes(raw)))
        return "0x" + self.chain.mine().hash.hex()

    def _apply_system_calls(self, calls: list[bytes]) -> None:
        """The executor's calls to the scheduler, into the pending block. Signed here with the
        pending nonce and a fee above the base fee, so the pool's checks (which cost half a
        millisecond a transaction) have nothing to find; py-evm still validates each."""
        for tx in self._system_transactions(calls):
            self.node.accept(tx)

    def _mine_system_block(self, timestamp: int, calls: list[bytes]) -> None:
        """One block at ``timestamp`` holding the executor's calls to the scheduler."""
        self.chain.set_pending_timestamp(check_time(self.now + 1, timestamp))
        self._apply_system_calls(calls)
        self.chain.mine()

    def _system_transactions(self, calls: list[bytes]) -> list[Any]:
        """The executor's calls as signed legacy transactions, built and signed by py-evm (the
        same bytes eth-account would sign, without encoding and decoding them again)."""
        state = self.chain.state_at(self.chain.pending_header, pending=True)
        nonce = state.get_nonce(to_canonical_address(self._executor.address))
        gas_price = max(self.chain.pending_base_fee() * 2, 10**9)
        return [
            self.chain.sign(
                self._executor.key,
                nonce=nonce + i,
                gas_price=gas_price,
                gas=EXECUTE_GAS,
                to=to_canonical_address(WORKFLOW_SCHEDULER_ADDRESS),
                data=data,
            )
            for i, data in enumerate(calls)
        ]

    # --- snapshots -----------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        return Snapshot(
            chain=self.chain.snapshot(),
            filters=self.node.filters.state(),
            models=self.models.state(),
            prices=self.prices.state(),
            faults=self.faults.state(),
            log=self.inference_log.state(),
            results=self._results.state(),
            results_via_api=self.results_via_api,
        )

    def revert(self, snapshot: Snapshot) -> None:
        self.chain.revert(snapshot.chain)
        self.node.filters.restore(snapshot.filters)
        self.scheduler.invalidate()
        self.models.restore(snapshot.models)
        self.prices.restore(snapshot.prices)
        self.faults.restore(snapshot.faults)
        self.inference_log.restore(snapshot.log)
        self._results.restore(snapshot.results)
        self.results_via_api = snapshot.results_via_api

    def add_models_from(self, directory: str | Path) -> dict[str, str]:
        """Add every ``*.onnx`` in ``directory``; returns CIDs by file name.

        The directory is what the user gave, so nothing outside it is read: an entry that is
        a link leading out of it is refused, naming the link and where it leads (a skip would
        leave a model silently missing). Each file is read by its resolved path, the one that
        was checked. All or nothing: if any model is refused, none is added.
        """
        root = Path(directory).resolve()
        if not root.is_dir():
            raise ModelError(
                f"models directory {str(directory)!r} does not exist or is not a directory"
            )
        entries = []
        for path in sorted(root.glob("*.onnx")):
            target = path.resolve()
            if not target.is_relative_to(root):
                raise ModelError(
                    f"{str(path)!r} is a link to {str(target)!r}, outside the models directory "
                    f"{str(root)!r}; refusing to follow it (copy the model into the directory)"
                )
            entries.append((path.name, target))
        before = self.models.state()
        out = {}
        try:
            for name, target in entries:
                out[name] = self.models.add(target)
        except DevnetError:
            self.models.restore(before)
            raise
        return out

    def __repr__(self) -> str:
        if self.fork is not None:
            return (
                f"<Devnet fork of {self.fork.describe()} block={self.block_number} "
                f"time={self.now} models={len(self.models)} accounts={len(self.accounts)}>"
            )
        return (
            f"<Devnet block={self.block_number} time={self.now} models={len(self.models)} "
            f"accounts={len(self.accounts)}>"
        )


def _open_fork(url: str | None, block_number: int | None, genesis_time: int | None) -> Fork | None:
    if url is None:
        if block_number is not None:
            raise DevnetError("fork_block_number needs fork_url (the node to fork)")
        return None
    if genesis_time is not None:
        raise DevnetError(
            "genesis_time and fork_url exclude each other: a fork starts at the remote "
            "block's time (move the clock with advance after it starts)"
        )
    return Fork(url, block_number)
