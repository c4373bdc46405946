"""The ``og`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="og", description="OpenGradient Alpha devkit")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run the fixture models and a scheduled workflow on a devnet")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import main as demo

        demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
