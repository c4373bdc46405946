"""Starting a devnet from the command line's choices: models, prices, genesis time, and the
``--state`` journal restored. ``og devnet`` and the ``og`` CLI's local network both start here.

A restart loads the snapshot beside the journal (if it has one) and replays the entries
after it, checking after each that the devnet reached the state the journal recorded. Any
difference stops the start with an error naming the file, the line and what differed; the
journal is left as it was and nothing is served: a node never runs on a half-replayed or
different chain.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from . import fork, statefile
from .checkpoint import Checkpoints, note
from .devnet import Devnet
from .journal import Journal, result_digest
from .node import Node, RpcError
from .statefile import StateFileError

# What the journal's header records about how the devnet was started, and the option that
# sets each: a restart must start the same way or the replay cannot give the same chain.
_STARTUP = {
    "genesis_time": "--genesis-time",
    "genesis_hash": "genesis (accounts and contracts of this og devnet version)",
    "models": "--models",
    "prices": "--prices",
    "fork": "--fork-url/--fork-block-number (the chain and block forked)",
}
PROGRESS_SECONDS = 2.0


def build(
    *,
    models: str | None = None,
    prices: str | None = None,
    pair: tuple[str, str] | None = None,
    genesis_time: int | None = None,
    state: str | None = None,
    fork_url: str | None = None,
    fork_block_number: int | None = None,
) -> tuple[Node, int]:
    """The devnet's node core, with the ``--state`` journal restored. Returns (node, the
    number of journaled calls its state holds, from the snapshot and replayed). ``pair`` is
    the (base, quote) of the ``prices`` CSV, by default :func:`file_pair`'s."""
    # a restart forks the block its journal was written on (fork.resume says how)
    fork_url, fork_block_number = fork.resume(state, fork_url, fork_block_number)
    devnet = Devnet(
        genesis_time=genesis_time,
        fork_url=fork_url,
        fork_block_number=fork_block_number,
    )
    if models:
        devnet.add_models_from(models)
    if prices:
        devnet.prices.load_csv(prices, *(pair or file_pair(prices)))
    node = devnet.node
    if not state:
        return node, 0
    expected = startup(devnet)
    journal = Journal(state, expected)
    try:
        _check_startup(journal, expected)
        checkpoints = Checkpoints(node, journal)
        first = checkpoints.restore()
        started = time.monotonic()
        units = replay(node, journal, first)
        torn = journal.start(lambda: statefile.fingerprint(devnet))
        if torn:
            note(
                f"dropped the last {torn} bytes of {journal.path}: a line cut short by a "
                "crash mid-write (never acknowledged)"
            )
        checkpoints.start(time.monotonic() - started, units)
        journal.restored = (first, journal.count - first)
    except BaseException:
        journal.close()
        raise
    node.journal = journal
    return node, journal.count


def file_pair(prices: str) -> tuple[str, str]:
    """The pair a prices CSV is named for: ``BASE_QUOTE_*.csv``; ETH/USD when the name has
    no underscore."""
    parts = Path(prices).stem.split("_")[:2]
    base, quote = parts if len(parts) == 2 else ("ETH", "USD")
    return base.upper(), quote.upper()


def startup(devnet: Devnet) -> dict[str, Any]:
    """What the chain depends on besides the journaled calls."""
    genesis = devnet.chain.first_block()
    return {
        "genesis_time": int(genesis.header.timestamp),
        "genesis_hash": "0x" + genesis.hash.hex(),
        "models": sorted(m.cid for m in devnet.models.list()),
        "prices": statefile.prices_digest(devnet),
        **fork.startup_record(devnet.fork),
    }


def _check_startup(journal: Journal, expected: dict[str, Any]) -> None:
    differences = [
        f"{option}: the journal has {_show(journal.header.get(key))}, this start "
        f"{_show(expected[key])}"
        for key, option in _STARTUP.items()
        if journal.header.get(key) != expected[key]
    ]
    if differences:
        raise StateFileError(
            f"{journal.path} was written by a devnet started differently ("
            + "; ".join(differences)
            + "): start with the options it was written with, or give --state a new file"
        )


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "models " + ", ".join(value) if value else "no models"
    if value is None:
        return "none"
    if isinstance(value, dict) and "block" in value:
        chain, block, block_hash = value.get("chain_id"), value["block"], value.get("hash")
        return f"a fork of chain {chain} at block {block} ({block_hash})"
    return str(value)


def replay(node: Node, journal: Journal, first: int) -> int:
    """Replay the entries after the first ``first``, checking each against what the journal
    recorded; returns the blocks sealed plus calls replayed (the replay's cost)."""
    devnet = node.devnet
    entries = journal.entries[first:]
    progress = _Progress(journal, len(journal.entries))
    devnet.chain.block_listeners.append(progress.on_block)
    try:
        for entry in entries:
            progress.at(entry.number, entry.method)
            try:
                result = node.request(entry.method, entry.params, journal=False)
            except RpcError as exc:
                raise StateFileError(
                    f"{journal.path} line {entry.line} ({entry.method}) fails on replay: "
                    f"{exc.message}; it succeeded when it was journaled, so this devnet is "
                    f"not the one that wrote it. {journal.keep_before(entry.line)}"
                ) from None
            after = statefile.fingerprint(devnet)
            if after != entry.after:
                raise StateFileError(
                    f"{journal.path} line {entry.line} ({entry.method}) replays differently: "
                    f"{statefile.describe_difference(entry.after, after)}; this devnet is not "
                    f"the one that wrote it. {journal.keep_before(entry.line)}"
                )
            if entry.result is not None and result_digest(result) != entry.result:
                raise StateFileError(
                    f"{journal.path} line {entry.line} ({entry.method}) answers differently "
                    f"on replay than when it was journaled. {journal.keep_before(entry.line)}"
                )
    finally:
        devnet.chain.block_listeners.remove(progress.on_block)
    progress.done()
    return progress.blocks + len(entries)


class _Progress:
    """A line on stderr every few seconds of a long replay (a week of scheduled runs is a
    single entry that takes minutes)."""

    def __init__(self, journal: Journal, total: int) -> None:
        self.journal, self.total = journal, total
        self.started = self.last = time.monotonic()
        self.blocks = 0
        self.entry, self.method = 0, ""
        self.shown = False

    def at(self, entry: int, method: str) -> None:
        self.entry, self.method = entry, method
        self._tick()

    def on_block(self, block: Any) -> None:
        self.blocks += 1
        self._tick()

    def _tick(self) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_SECONDS:
            self.last, self.shown = now, True
            note(
                f"replaying {self.journal.path}: entry {self.entry} of {self.total} "
                f"({self.method}), {self.blocks} blocks, {now - self.started:.0f} s"
            )

    def done(self) -> None:
        if self.shown:
            note(f"replayed {self.journal.path} in {time.monotonic() - self.started:.0f} s")
