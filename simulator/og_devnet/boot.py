"""Starting a devnet from the command line's choices: models, prices, genesis time, and the
``--state`` journal replayed. ``og devnet`` and the ``og`` CLI's local network both start here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from .devnet import Devnet
from .journal import Journal
from .node import Node, RpcError


def build(
    *,
    models: str | None = None,
    prices: str | None = None,
    genesis_time: int | None = None,
    state: str | None = None,
) -> tuple[Node, int]:
    """The devnet's node core, with the journal replayed. Returns (node, replayed)."""
    devnet = Devnet(**({"genesis_time": genesis_time} if genesis_time is not None else {}))
    if models:
        devnet.add_models_from(models)
    if prices:
        pair = Path(prices).stem.split("_")[:2]
        base, quote = (pair + ["USD"])[:2] if len(pair) >= 2 else ("ETH", "USD")
        devnet.prices.load_csv(prices, base.upper(), quote.upper())
    node = devnet.node
    replayed = 0
    if state:
        journal = Journal(state)
        for method, params in journal.entries():
            with contextlib.suppress(RpcError):  # it failed the same way the first time
                node.request(method, params, journal=False)
            replayed += 1
        node.journal = journal
    return node, replayed
