"""``make fuzz``: fuzz every target for a bounded time and print what was tried and found."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.targets import Stats, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="per target")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    def show(target: str, s: Stats) -> None:
        print(
            f"{target:24} calls {s.calls:6}  txs {s.transactions:5}  reverts {s.reverts:6}  "
            f"ok {s.successes:5}  findings {len(s.findings)}",
            flush=True,
        )
        for finding in s.findings[:10]:
            print(f"    {finding}")

    results = run(seed=args.seed, seconds=args.seconds, on_target=show)
    found = sum(len(s.findings) for s in results.values())
    print(f"total inputs {sum(s.calls for s in results.values())}, findings {found}")
    # The findings at their real sizes (minutes and GBs before the fixes): test_heavy_*.py.
    import pytest

    heavy = sorted(str(p) for p in Path(__file__).resolve().parent.glob("test_heavy_*.py"))
    failed = pytest.main(["-q", "-s", "-p", "no:xdist", "-p", "no:cacheprovider", *heavy])
    return 1 if found or failed else 0


if __name__ == "__main__":
    sys.exit(main())
