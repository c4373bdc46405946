"""Helpers for tests of code that runs on a devnet: move its clock, and undo what a block of
code did. The pytest plugin hands them out bound to its devnet (``og_time_travel``,
``og_snapshot``); they work on a ``Devnet`` and on a ``RemoteDevnet`` (a served
``og devnet``) alike.

    with snapshot(devnet):
        time_travel(devnet, "1d")             # a day of scheduled runs, each at its time
        time_travel(devnet, to="2025-03-01")  # to a date (UTC)
        ...                                   # then back to where it was
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import durations


def time_travel(
    devnet: Any,
    by: str | float | None = None,
    *,
    to: str | int | None = None,
    blocks: int = 0,
    raise_on_failure: bool = False,
) -> Any:
    """Move ``devnet``'s clock ``by`` a duration (``"90s"``, ``"1h30m"``, ``"7d"``, or
    seconds) or ``to`` a time (unix seconds or an ISO date such as ``"2025-03-01"``), running
    every scheduled workflow that falls due, each in a block at its due time; then mine
    ``blocks`` more blocks, a second apart. Returns the run report of the move (see
    ``Devnet.advance``); with ``raise_on_failure`` the first failed run raises.

    Time only moves forward: going back is a revert (:func:`snapshot`)."""
    from .errors import DevnetError  # here: the pytest plugin imports this module, light

    if (by is None) == (to is None) and not blocks:
        raise DevnetError("time_travel needs by= (a duration) or to= (a time), or blocks=")
    if by is not None and to is not None:
        raise DevnetError("time_travel takes by= or to=, not both")
    if isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 0:
        raise DevnetError(f"blocks must be a whole number, 0 or more, got {blocks!r}")
    try:
        if to is not None:
            seconds = durations.timestamp(to) - int(devnet.now)
            if seconds < 0:
                raise DevnetError(
                    f"time_travel to {to!r} ({durations.iso(devnet.now + seconds)}) is before "
                    f"the chain's time {devnet.now} ({durations.iso(devnet.now)}): time only "
                    "moves forward; take a snapshot before and revert to it to go back"
                )
        else:
            seconds = durations.whole_seconds(by) if by is not None else 0
    except ValueError as exc:
        raise DevnetError(f"time_travel: {exc}") from None
    report = devnet.advance(seconds, raise_on_failure=raise_on_failure) if seconds else None
    if blocks:
        devnet.mine(blocks)
    return report


@contextmanager
def snapshot(devnet: Any) -> Iterator[Any]:
    """Everything the devnet holds (chain, models, prices, faults, log, clock, filters) as it
    is on entering, restored on leaving, whatever the block did or raised."""
    taken = devnet.snapshot()
    try:
        yield taken
    finally:
        devnet.revert(taken)
