"""The server's node threads (og_devnet.http_app.NodeWorkers) keep what ``run_in_executor``
gave: outcomes on the loop, after what the call handed to the loop; a call cancelled before it
started is not run; shutdown runs what was queued."""

from __future__ import annotations

import asyncio
import threading

import pytest

from og_devnet.http_app import NodeWorkers


def test_results_and_errors_reach_the_loop() -> None:
    workers = NodeWorkers(2)

    def fail() -> None:
        raise ValueError("no")

    async def main() -> None:
        assert await workers.run(lambda a, b: a + b, 2, 3) == 5
        assert await workers.run(threading.current_thread) is not threading.current_thread()
        with pytest.raises(ValueError, match="no"):
            await workers.run(fail)

    asyncio.run(main())
    workers.shutdown()


def test_the_answer_comes_after_what_the_call_handed_to_the_loop() -> None:
    """Subscription notifications for a block go out before the answer of the call that
    mined it: both reach the loop through call_soon_threadsafe, in order."""
    workers = NodeWorkers(2)
    seen: list[str] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def call() -> str:
            loop.call_soon_threadsafe(seen.append, "notification")
            return "answer"

        seen.append(await workers.run(call))

    asyncio.run(main())
    workers.shutdown()
    assert seen == ["notification", "answer"]


def test_a_call_cancelled_before_it_started_is_not_run() -> None:
    workers = NodeWorkers(1)
    release = threading.Event()
    ran: list[str] = []

    async def main() -> None:
        busy = asyncio.ensure_future(workers.run(release.wait))
        waiting = asyncio.ensure_future(workers.run(ran.append, "cancelled call"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        await asyncio.sleep(0)
        release.set()
        assert await busy is True
        assert await workers.run(ran.append, "next call") is None

    asyncio.run(main())
    workers.shutdown()
    assert ran == ["next call"]


def test_shutdown_runs_what_was_queued_and_refuses_more() -> None:
    workers = NodeWorkers(1)
    release = threading.Event()
    done: list[int] = []
    futures = [workers.submit(release.wait)] + [workers.submit(done.append, i) for i in range(3)]
    release.set()
    workers.shutdown()
    assert all(f.done() for f in futures)
    assert done == [0, 1, 2]
    with pytest.raises(RuntimeError):
        workers.submit(print)


def test_unused_workers_start_no_threads() -> None:
    before = threading.active_count()
    workers = NodeWorkers(8)
    assert threading.active_count() == before
    workers.shutdown()
