"""The ``og`` command line (also ``python -m og_devnet``): the SDK and the devnet from a shell.

Exit codes, as the README says: 0 ok; 1 a network (the devnet included) refused or failed: a
revert, an unreachable node, a model the devnet would not take; 2 the command was refused
before anything reached a network: bad arguments, a missing or unreadable file, a bad
configuration or state file. Every failure is one line on stderr (``og: error: ...``) saying
what was wrong and what to do; never a traceback (``OG_DEBUG=1`` shows one for a failure the
CLI did not expect, which is a bug to report).

The commands themselves are in ``og_devnet.commands``; ``og devnet`` is ``og_devnet.server``.
This module imports neither them nor the SDK: the parser names each command's function, which
is imported once the arguments are good, so ``og --help``, ``og --version``, a usage error and
``og model cid`` never load web3, py-evm or onnxruntime (more than a second together).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from . import durations
from .serve_limits import IDLE_TIMEOUT, MAX_BODY

if TYPE_CHECKING:
    from og_alpha.errors import NetworkError
    from og_alpha.types import CandleType

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DISTRIBUTION = "og-alpha-devkit"
# In a help text: the SDK's network names (og_alpha.networks.NETWORKS), filled in when the
# help is shown, since importing og_alpha.networks imports web3.
NETWORK_NAMES = "{network names}"


class CliError(Exception):
    """A usage problem the user can fix: printed as one line, exit code 2."""


class _Formatter(argparse.HelpFormatter):
    """Every option's help ends with its default, unless it has none or says it already."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if NETWORK_NAMES in text:
            from og_alpha.networks import NETWORKS

            text = text.replace(NETWORK_NAMES, ", ".join(NETWORKS))
        default = action.default
        if (
            "default" in text
            or default in (None, False, argparse.SUPPRESS)
            or default == []
            or not action.option_strings
        ):
            return text
        return f"{text} (default: {default})"


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line (the usage block is for ``--help``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        number = installed(DISTRIBUTION)
    except PackageNotFoundError:  # running from a source tree that was never installed
        number = "unknown (not installed)"
    return f"og {number} ({DISTRIBUTION}, Python {sys.version.split()[0]})"


class _Version(argparse._VersionAction):
    """``--version``, looked up when asked for: importlib.metadata takes longer to import and
    search than the rest of ``og model cid`` takes to run."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        self.version = version()
        super().__call__(parser, *args, **kwargs)


# --- argument types: each raises ArgumentTypeError with the fix --------------------------------
def _duration(text: str) -> int:
    try:
        return durations.whole_seconds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_duration(text: str) -> int:
    value = _duration(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be longer than 0 s")
    return value


def _seconds(text: str) -> float:
    try:
        value = durations.seconds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be longer than 0 s")
    return value


def _in(unit: str) -> Any:
    def parse(text: str) -> int:
        try:
            value = durations.whole(text, unit)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be longer than 0")
        return value

    return parse


def _time(text: str) -> int:
    try:
        return durations.timestamp(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535; 0 picks a free one)")
    return value


def _bytes(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    clean = text.strip().lower().removesuffix("ib").removesuffix("b")
    scale = units.get(clean[-1:], 1)
    try:
        value = int(clean[:-1] if scale > 1 else clean) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 65536, 64M, 1G)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1 byte")
    return value


def _symbol(text: str) -> str:
    symbol = text.strip().upper()
    if not symbol.isalnum():
        raise argparse.ArgumentTypeError(f"{text!r} is not a symbol (letters and digits: ETH)")
    return symbol


def _candle_types(text: str) -> list[CandleType]:
    from og_alpha.types import CandleType

    names = [t.strip().upper() for t in text.split(",") if t.strip()]
    known = ", ".join(t.name.lower() for t in CandleType)
    unknown = [n.lower() for n in names if n not in CandleType.__members__]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown candle type(s) {', '.join(unknown) or '(none given)'}: use a "
            f"comma-separated list of {known}"
        )
    return [CandleType[n] for n in names]


def _pair(text: str) -> tuple[str, str]:
    base, slash, quote = text.partition("/")
    if not slash:
        raise argparse.ArgumentTypeError(f"{text!r} is not a pair: write BASE/QUOTE, e.g. ETH/USD")
    return _symbol(base), _symbol(quote)


# --- the parser --------------------------------------------------------------------------------
def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--network",
        metavar="NAME",
        help=f"{NETWORK_NAMES} or a node URL (default: $OG_NETWORK, og.toml, else local: "
        "a devnet in this process)",
    )
    common.add_argument(
        "--rpc-url", metavar="URL", help="the network's JSON-RPC URL instead of its own"
    )
    common.add_argument(
        "--state",
        metavar="FILE",
        help="local only: keep the in-process devnet in FILE between commands (default: none, "
        "the devnet is gone when the command ends)",
    )
    common.add_argument("--json", action="store_true", help="print the result as JSON")
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines or notes on stderr"
    )
    return common


def parser() -> argparse.ArgumentParser:
    common = _common()
    p = _Parser(
        prog="og",
        description="OpenGradient Alpha devkit: on-chain ONNX inference and price-feed "
        "workflows on a local devnet or the Alpha Testnet. Durations: 90s, 15m, 1h, 7d.",
        epilog="exit codes: 0 ok, 1 the network refused or failed, 2 bad input or configuration",
    )
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser(
        "demo", help="run the fixture models and a scheduled workflow on a new devnet"
    ).set_defaults(func="cmd_demo")
    _devnet_parser(sub)
    _model_parsers(sub, common)

    i = sub.add_parser("infer", parents=[common], help="run a model on chain")
    i.add_argument("model", help="a model CID, or an .onnx file (added to the devnet first)")
    i.add_argument(
        "--input",
        required=True,
        metavar="JSON",
        help="the input tensors: a JSON object such as '{\"x\": [[1, 2, 3]]}', @FILE.json, or "
        "@- for standard input",
    )
    i.add_argument(
        "--mode", default="vanilla", choices=["vanilla", "zkml", "tee"], help="inference mode"
    )
    i.set_defaults(func="cmd_infer")

    _workflow_parsers(sub, common)

    adv = sub.add_parser(
        "advance",
        parents=[common],
        help="move the devnet's clock, running the scheduled workflows that fall due",
    )
    adv.add_argument(
        "duration", type=_duration, help="how far: 90s, 15m, 1h, 7d (a bare number is seconds)"
    )
    adv.set_defaults(func="cmd_advance")
    return p


def _devnet_parser(sub: Any) -> None:
    d = sub.add_parser("devnet", help="serve a local devnet over JSON-RPC (like anvil)")
    d.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; anything but loopback opens every dev method to the network",
    )
    d.add_argument("--port", type=_port, default=8545, help="port to listen on (0: a free one)")
    d.add_argument("--models", metavar="DIR", help="add every .onnx file in DIR")
    d.add_argument(
        "--prices",
        metavar="FILE",
        help="load 1-minute candles from this CSV (columns timestamp,open,high,low,close,volume)",
    )
    d.add_argument(
        "--pair",
        type=_pair,
        metavar="BASE/QUOTE",
        help="the pair --prices holds, e.g. ETH/USD (default: from the file name, "
        "BASE_QUOTE_*.csv)",
    )
    d.add_argument(
        "--genesis-time",
        type=_time,
        metavar="TIME",
        help="the chain's start: unix seconds or an ISO date such as 2023-01-01 (default: "
        "2025-01-01T00:00:00Z)",
    )
    d.add_argument(
        "--state", metavar="FILE", help="journal every change in FILE; a restart replays it"
    )
    d.add_argument(
        "--fork-url",
        metavar="URL",
        help="start from this JSON-RPC node's state (read lazily, kept locally); writes stay "
        "local. With --state, a restart forks the same block",
    )
    d.add_argument(
        "--fork-block-number",
        type=int,
        metavar="N",
        help="the block to fork (default: the remote's latest)",
    )
    d.add_argument(
        "--max-request-bytes",
        type=_bytes,
        default=MAX_BODY,
        metavar="SIZE",
        help=f"refuse larger request bodies; 65536, 64M, 1G (default: {MAX_BODY // 2**20}M)",
    )
    d.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also accept requests whose Host header names NAME (repeatable; '*' for any); "
        "localhost, IP addresses and the --host name are always accepted",
    )
    d.add_argument(
        "--cors",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let web pages from ORIGIN (e.g. http://localhost:5173) call the node, over "
        "HTTP and WebSocket (repeatable; '*' for any); without it browsers are refused",
    )
    d.add_argument(
        "--token",
        help="require 'Authorization: Bearer TOKEN' on every request (default: "
        "$OG_DEVNET_TOKEN, else none); use it when binding a non-loopback --host",
    )
    d.add_argument(
        "--max-connections",
        type=_count,
        metavar="N",
        help="open connections at most (default: 1000, fewer under a low file limit)",
    )
    d.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=IDLE_TIMEOUT,
        metavar="DURATION",
        help=f"time a connection may take to send a request head (default: "
        f"{durations.show(IDLE_TIMEOUT)})",
    )
    d.add_argument(
        "--model-source",
        action="append",
        metavar="URL",
        help="fetch models the devnet lacks by CID from here (an IPFS gateway, asked for "
        "URL/ipfs/CID, or a URL with {cid}); repeatable, tried in order (default: "
        "$OG_MODEL_SOURCES, og.toml, else none)",
    )
    d.add_argument(
        "--model-timeout",
        type=_seconds,
        metavar="DURATION",
        help="stop an inference that runs longer (default: $OG_MODEL_TIMEOUT, else 5s)",
    )
    d.add_argument("-v", "--verbose", action="store_true", help="log every request")
    d.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    d.set_defaults(func="cmd_devnet")


def _model_parsers(sub: Any, common: _Parser) -> None:
    m = sub.add_parser("model", help="model CIDs and the devnet's models").add_subparsers(
        dest="model_command", required=True, metavar="ACTION"
    )
    c = m.add_parser("cid", parents=[common], help="the IPFS CID of a model file")
    c.add_argument("file", help="an .onnx file")
    c.set_defaults(func="cmd_model_cid")
    a = m.add_parser("add", parents=[common], help="add a model to the devnet")
    a.add_argument("file", help="an .onnx file")
    a.add_argument(
        "--cid", help="check that the file is this CID (a model is known by its own CID)"
    )
    a.set_defaults(func="cmd_model_add")
    pull = m.add_parser(
        "pull", help="fetch a model by CID into the model cache, checked, for off-line use"
    )
    pull.add_argument("cid", help="the model's IPFS CIDv0 (Qm...)")
    pull.add_argument(
        "--model-source",
        action="append",
        metavar="URL",
        help="where to fetch from (repeatable; default: $OG_MODEL_SOURCES, og.toml)",
    )
    pull.add_argument(
        "--model-cache",
        metavar="DIR",
        help="the cache (default: $OG_MODEL_CACHE, og.toml, else ~/.cache/og-devnet/models)",
    )
    pull.add_argument("--json", action="store_true", help="print the result as JSON")
    pull.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    pull.set_defaults(func="cmd_model_pull")
    m.add_parser("list", parents=[common], help="the devnet's models").set_defaults(
        func="cmd_model_list"
    )


def _workflow_parsers(sub: Any, common: _Parser) -> None:
    w = sub.add_parser("workflow", help="price-feed workflows").add_subparsers(
        dest="workflow_command", required=True, metavar="ACTION"
    )
    dep = w.add_parser("deploy", parents=[common], help="deploy (and schedule) a workflow")
    dep.add_argument("model", help="a model CID, or an .onnx file (added to the devnet first)")
    dep.add_argument(
        "--input-name", required=True, metavar="NAME", help="the model input the candles fill"
    )
    dep.add_argument("--base", type=_symbol, default="ETH", help="the pair's base symbol")
    dep.add_argument("--quote", type=_symbol, default="USD", help="the pair's quote symbol")
    dep.add_argument(
        "--candles", type=_count, default=10, metavar="N", help="how many candles each run reads"
    )
    dep.add_argument(
        "--candle-duration",
        "--duration",
        type=_in("m"),
        default="1m",
        metavar="DURATION",
        help="each candle's span: 1m, 5m, 1h (a bare number is minutes)",
    )
    dep.add_argument(
        "--order",
        default="ascending",
        choices=["ascending", "descending"],
        help="candle order (ascending: oldest first)",
    )
    dep.add_argument(
        "--types",
        type=_candle_types,
        default="open,high,low,close",
        metavar="LIST",
        help="the candle columns, in order: comma-separated open, high, low, close, volume",
    )
    dep.add_argument(
        "--every",
        type=_positive_duration,
        metavar="DURATION",
        help="schedule a run every DURATION: 60s, 5m, 1h (default: not scheduled)",
    )
    dep.add_argument(
        "--for",
        "--hours",
        dest="hours",
        type=_in("h"),
        metavar="DURATION",
        help="how long the schedule runs, in whole hours: 2h, 1d (a bare number is hours; "
        "default: 1h)",
    )
    dep.set_defaults(func="cmd_workflow_deploy")
    for name, helptext in (
        ("run", "run a workflow now (a transaction)"),
        ("result", "a workflow's latest result"),
        ("history", "a workflow's latest results, most recent first"),
    ):
        s = w.add_parser(name, parents=[common], help=helptext)
        s.add_argument("address", help="the workflow contract's address (0x...)")
        if name == "history":
            s.add_argument("-n", "--count", type=_count, default=5, help="how many results at most")
        s.set_defaults(func="cmd_workflow", command_name=name)


# --- main --------------------------------------------------------------------------------------
def _hint(exc: NetworkError, args: argparse.Namespace) -> str:
    """What to do about a node that did not answer: on this machine it is usually an
    ``og devnet`` that is not running."""
    text = str(exc)
    if "refused the connection" in text or "could not be reached" in text:
        from og_alpha.errors import OpenGradientError
        from og_alpha.networks import resolve

        try:
            network = resolve(getattr(args, "network", None)).network
        except OpenGradientError:
            return ""
        if network.is_local and network.rpc_url:
            return (
                f" (is `og devnet` running? start it with `og devnet`, or give another "
                f"--network / --rpc-url than {network.rpc_url})"
            )
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``og ARGV``; returns the exit code (see the module docstring)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argument error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    code = _run(args)
    session = getattr(args, "session", None)
    if session is not None:
        session.close()
        if code != EXIT_USAGE:
            session.note_throwaway()
    return code


def _run(args: argparse.Namespace) -> int:
    """The command; an exception becomes its one line on stderr and its exit code."""
    try:
        _command(args.func)(args)
    except KeyboardInterrupt:
        print("og: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - each kind has its line and exit code
        return _failure(exc, args)
    return EXIT_OK


def _command(name: str) -> Callable[[argparse.Namespace], None]:
    """The function the parser named (``cmd_devnet``), imported now that it is needed."""
    from . import commands

    function: Callable[[argparse.Namespace], None] = getattr(commands, name)
    return function


def _failure(exc: Exception, args: argparse.Namespace) -> int:
    """``exc``'s line on stderr; returns its exit code. An SDK error (``og_alpha.errors``)
    can only have been raised if that module is loaded, so it is classified only then: a
    command that never loaded it (``og model cid``) does not import web3 to fail."""
    if isinstance(exc, CliError):
        return _fail(exc, EXIT_USAGE)
    if "og_alpha.errors" in sys.modules:
        from og_alpha import errors

        if isinstance(exc, (errors.InputError, errors.ConfigurationError)):
            return _fail(exc, EXIT_USAGE)
        if isinstance(exc, errors.NetworkError):
            return _fail(f"{exc}{_hint(exc, args)}", EXIT_ERROR)
        if isinstance(exc, errors.OpenGradientError):
            return _fail(exc, EXIT_ERROR)
    if isinstance(exc, ValueError):  # a state file refused
        return _fail(exc, EXIT_USAGE)
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(f"cannot use{where}: {exc.strerror or exc}", EXIT_USAGE)
    if os.environ.get("OG_DEBUG"):  # a bug: one line, the traceback on request
        traceback.print_exception(exc)
    return _fail(
        f"unexpected {type(exc).__name__}: {exc} (a bug in og: please report it; "
        "OG_DEBUG=1 shows the traceback)",
        EXIT_ERROR,
    )


def _fail(message: object, code: int) -> int:
    print(f"og: error: {message}", file=sys.stderr)
    return code


__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "CliError", "main", "parser", "version"]

if __name__ == "__main__":
    sys.exit(main())
