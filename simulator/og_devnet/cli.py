"""The ``og`` command line: the SDK and the devnet from a shell.

Every command honours the network switch (``--network`` or ``OG_NETWORK``, ``OG_RPC_URL``,
``OG_PRIVATE_KEY``, ``og.toml``). On ``local`` each command runs an in-process devnet; give
``--state FILE`` to keep that devnet between commands.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from og_alpha import (
    Alpha,
    CandleOrder,
    CandleType,
    HistoricalInputQuery,
    InferenceMode,
    ModelOutput,
    OpenGradientError,
)
from og_alpha.networks import Settings, resolve

from .table import fmt, table

EXIT_ERROR, EXIT_USAGE = 1, 2


class CliError(Exception):
    """A usage problem the user can fix; printed without a traceback, exit code 2."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, ModelOutput):
        return {
            "numbers": _jsonable(value.numbers),
            "strings": _jsonable(value.strings),
            "jsons": _jsonable(value.jsons),
            "is_simulation_result": value.is_simulation_result,
        }
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        # each value's shortest float32 decimal: 4.1, not the float64 4.099999904632568
        return np.array([float(str(x)) for x in value.ravel()]).reshape(value.shape).tolist()
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


class Session:
    """What a command runs against: an Alpha client and, for local/devnet, the controls."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        overrides = {"rpc_url": args.rpc_url} if args.rpc_url else {}
        self.settings: Settings = resolve(args.network, **overrides)
        self.local = self.settings.network.rpc_url is None
        self.node = None
        if self.local:
            from .boot import build
            from .node_api import in_process_fetch

            self.node, _ = build(state=args.state)
            devnet = self.node.devnet
            web3 = devnet.web3
            account = devnet.accounts[0]
            if self.settings.private_key:
                from eth_account import Account

                account = Account.from_key(self.settings.private_key)
            self.alpha = Alpha(
                web3,
                account,
                self.settings.network.hub_address,
                self.settings.network.api_url,
                api_fetch=in_process_fetch(devnet._results),
            )
        else:
            if args.state:
                raise CliError(
                    "--state is for the local network; `og devnet --state` keeps a "
                    "served devnet's state"
                )
            from og_alpha.networks import connect

            self.alpha = connect(args.network, **overrides)

    def control(self, method: str, params: list[Any]) -> Any:
        """A devnet control call (og_*), in-process or over HTTP."""
        if self.node is not None:
            from .node import RpcError

            try:
                return self.node.request(method, params)
            except RpcError as exc:
                raise OpenGradientError(f"{method}: {exc.message}") from None
        if self.settings.network.name == "alpha":
            raise CliError(
                f"{method} is a devnet control; the Alpha Testnet has no such call "
                "(upload models through the Model Hub)"
            )
        response = self.alpha.blockchain.provider.make_request(method, params)
        if "error" in response:
            raise OpenGradientError(f"{method}: {response['error'].get('message')}")
        return response["result"]

    def model_cid(self, model: str) -> str:
        """A CID as given, or the CID of a local .onnx file, added to the devnet first."""
        path = Path(model)
        if path.suffix == ".onnx" or path.is_file():
            if not path.is_file():
                raise CliError(f"model file {model} does not exist")
            return str(self.control("og_addModel", [base64.b64encode(path.read_bytes()).decode()]))
        return model


def _print(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(_jsonable(data), sort_keys=True) if args.json else text)


def _input(text: str) -> dict[str, Any]:
    raw = Path(text[1:]).read_text() if text.startswith("@") else text
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise CliError(
            f"--input is not valid JSON ({exc}); e.g. '{{\"x\": [[1.0, 2.0]]}}'"
        ) from None
    if not isinstance(value, dict):
        raise CliError("--input must be a JSON object of tensor name to value")
    return value


# --- commands ----------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> None:
    from .demo import main as demo

    demo()


def cmd_devnet(args: argparse.Namespace) -> None:
    import os

    from .server import serve

    if args.max_connections is not None and args.max_connections < 1:
        raise CliError("--max-connections must be at least 1")
    if args.idle_timeout <= 0:
        raise CliError("--idle-timeout must be a positive number of seconds")
    if args.fork_block_number is not None and args.fork_block_number < 0:
        raise CliError("--fork-block-number must be a block number (0 or more)")
    _model_options_to_env(args)
    try:
        serve(
            host=args.host,
            port=args.port,
            models=args.models,
            prices=args.prices,
            genesis_time=args.genesis_time,
            state=args.state,
            verbose=args.verbose,
            max_body=args.max_request_bytes,
            allow_hosts=args.allow_host,
            cors=args.cors,
            token=args.token or os.environ.get("OG_DEVNET_TOKEN") or None,
            max_connections=args.max_connections,
            idle_timeout=args.idle_timeout,
            fork_url=args.fork_url,
            fork_block_number=args.fork_block_number,
        )
    except OSError as exc:
        raise CliError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
            "(choose another --port, or --port 0 for a free one)"
        ) from None


def cmd_model_cid(args: argparse.Namespace) -> None:
    from .cid import ipfs_cid_v0

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{args.file} is not a file")
    cid = ipfs_cid_v0(path.read_bytes())
    _print(args, {"file": str(path), "cid": cid}, cid)


def cmd_model_add(args: argparse.Namespace) -> None:
    session = Session(args)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{args.file} is not a file")
    params = [base64.b64encode(path.read_bytes()).decode()] + ([args.cid] if args.cid else [])
    cid = session.control("og_addModel", params)
    _print(args, {"cid": cid}, cid)


def _model_options_to_env(args: argparse.Namespace) -> None:
    """``og devnet``'s model options, for the devnet built by ``serve``: they go through the
    environment (OG_MODEL_SOURCES, OG_MODEL_TIMEOUT), which they override."""
    from .errors import DevnetError
    from .model_sources import ENV_SOURCES, ENV_TIMEOUT, check_source, seconds

    try:
        if args.model_source:
            os.environ[ENV_SOURCES] = " ".join(check_source(url) for url in args.model_source)
        if args.model_timeout is not None:
            os.environ[ENV_TIMEOUT] = repr(seconds("--model-timeout", args.model_timeout))
    except DevnetError as exc:
        raise CliError(str(exc)) from None


def cmd_model_pull(args: argparse.Namespace) -> None:
    from .cid import is_cid_v0
    from .models import ModelHub

    if not is_cid_v0(args.cid):
        raise CliError(f"{args.cid!r} is not an IPFS CIDv0 (Qm..., as `ipfs add` gives)")
    hub = ModelHub(sources=args.model_source or None, cache_dir=args.model_cache)
    path, origin = hub.pull(args.cid)
    came = "already in the cache" if origin == "cache" else f"fetched from {origin}"
    _print(args, {"cid": args.cid, "path": str(path), "source": origin}, f"{path}  ({came})")


def cmd_model_list(args: argparse.Namespace) -> None:
    models = Session(args).control("og_listModels", [])
    rows = [[m["cid"], m["inputs"], ", ".join(m["outputs"]), m["size"]] for m in models]
    _print(
        args, models, table(["cid", "inputs", "outputs", "bytes"], rows) if rows else "no models"
    )


def cmd_infer(args: argparse.Namespace) -> None:
    session = Session(args)
    cid = session.model_cid(args.model)
    result = session.alpha.infer(cid, InferenceMode[args.mode.upper()], _input(args.input))
    rows = [[name, fmt(value, 70)] for name, value in result.model_output.items()]
    _print(
        args,
        {
            "transaction_hash": result.transaction_hash,
            "model_cid": cid,
            "model_output": result.model_output,
        },
        f"model {cid}\ntx    {result.transaction_hash}\n" + table(["output", "value"], rows),
    )


def cmd_workflow_deploy(args: argparse.Namespace) -> None:
    from og_alpha import SchedulerParams

    session = Session(args)
    cid = session.model_cid(args.model)
    types = [CandleType[t.strip().upper()] for t in args.types.split(",")]
    query = HistoricalInputQuery(
        args.base, args.quote, args.candles, args.duration, CandleOrder[args.order.upper()], types
    )
    schedule = SchedulerParams(args.every, args.hours) if args.every else None
    address = session.alpha.new_workflow(cid, query, args.input_name, schedule)
    _print(args, {"address": address, "model_cid": cid, "scheduled": bool(schedule)}, address)


def _outputs(args: argparse.Namespace, outputs: list[ModelOutput]) -> None:
    rows = [[i + 1, fmt(o.as_dict(), 70)] for i, o in enumerate(outputs)]
    _print(
        args,
        outputs if args.command_name == "history" else outputs[0],
        table(["#", "output"], rows) if rows else "no results",
    )


def cmd_workflow_run(args: argparse.Namespace) -> None:
    _outputs(args, [Session(args).alpha.run_workflow(args.address)])


def cmd_workflow_result(args: argparse.Namespace) -> None:
    _outputs(args, [Session(args).alpha.read_workflow_result(args.address)])


def cmd_workflow_history(args: argparse.Namespace) -> None:
    _outputs(args, Session(args).alpha.read_workflow_history(args.address, args.count))


def cmd_advance(args: argparse.Namespace) -> None:
    session = Session(args)
    if args.seconds < 0:
        raise CliError("seconds must be >= 0")
    if session.node is None:
        result = session.control("og_advanceTime", [args.seconds])
    else:
        devnet = session.node.devnet
        progress = None if args.json or not sys.stderr.isatty() else _progress
        with session.node.lock:
            report = devnet.advance(args.seconds, progress)
            if session.node.journal is not None:
                session.node.journal.append("og_advanceTime", [args.seconds])
        if progress is not None:
            print(file=sys.stderr)
        result = {**report.to_json(), "timestamp": devnet.now, "block": devnet.block_number}
    failures = "".join(
        f"\n  FAILED task {f['task_id']} ({f['contract_address']}) due {f['due_time']}: {f['error']}"
        for f in result["failed"]
    )
    _print(
        args,
        result,
        f"ran {result['runs']} scheduled workflow run(s), {result['succeeded']} succeeded, "
        f"{len(result['failed'])} failed; chain time {result['timestamp']}, block "
        f"{result['block']}{failures}",
    )


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} runs")
    sys.stderr.flush()


# --- parser ------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--network", help="local (default), devnet, alpha or a node URL")
    common.add_argument("--rpc-url", help="override the network's JSON-RPC URL")
    common.add_argument("--state", help="local only: keep the in-process devnet in this file")
    common.add_argument("--json", action="store_true", help="machine-readable output")

    p = argparse.ArgumentParser(prog="og", description="OpenGradient Alpha devkit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("demo", help="run the fixture models and a scheduled workflow").set_defaults(
        func=cmd_demo
    )

    d = sub.add_parser("devnet", help="serve a local devnet over JSON-RPC (like anvil)")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8545)
    d.add_argument("--models", help="add every .onnx in this directory")
    d.add_argument("--prices", help="load candles from this CSV (name BASE_QUOTE_*.csv)")
    d.add_argument("--genesis-time", type=int)
    d.add_argument("--state", help="journal every change here; restart replays it")
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
        type=int,
        default=64 * 1024 * 1024,
        help="refuse larger request bodies (default 64 MiB)",
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
        "$OG_DEVNET_TOKEN); use it when binding a non-loopback --host",
    )
    d.add_argument(
        "--max-connections",
        type=int,
        help="open connections at most (default 1000, fewer under a low file limit)",
    )
    d.add_argument(
        "--idle-timeout",
        type=float,
        default=30.0,
        help="seconds a connection may take to send a request head (default 30)",
    )
    d.add_argument(
        "--model-source",
        action="append",
        metavar="URL",
        help="fetch models the devnet lacks by CID from here (an IPFS gateway, asked for "
        "URL/ipfs/CID, or a URL with {cid}); repeatable, tried in order",
    )
    d.add_argument(
        "--model-timeout",
        type=float,
        metavar="SECONDS",
        help="stop an inference that runs longer (default 5)",
    )
    d.add_argument("-v", "--verbose", action="store_true", help="log every request")
    d.set_defaults(func=cmd_devnet)

    m = sub.add_parser("model", help="model CIDs and the devnet's models").add_subparsers(
        dest="model_command", required=True, metavar="ACTION"
    )
    c = m.add_parser("cid", parents=[common], help="the IPFS CID of a model file")
    c.add_argument("file")
    c.set_defaults(func=cmd_model_cid)
    a = m.add_parser("add", parents=[common], help="add a model to the devnet")
    a.add_argument("file")
    a.add_argument("--cid", help="check that the file is this CID (a model is known by its own)")
    a.set_defaults(func=cmd_model_add)
    pull = m.add_parser(
        "pull", help="fetch a model by CID into the model cache, checked, for off-line use"
    )
    pull.add_argument("cid")
    pull.add_argument(
        "--model-source",
        action="append",
        metavar="URL",
        help="where to fetch from (repeatable; default: OG_MODEL_SOURCES, og.toml)",
    )
    pull.add_argument("--model-cache", metavar="DIR", help="default: OG_MODEL_CACHE, og.toml")
    pull.add_argument("--json", action="store_true", help="machine-readable output")
    pull.set_defaults(func=cmd_model_pull)
    m.add_parser("list", parents=[common], help="the devnet's models").set_defaults(
        func=cmd_model_list
    )

    i = sub.add_parser("infer", parents=[common], help="run a model on chain")
    i.add_argument("model", help="a model CID, or an .onnx file (added to the devnet first)")
    i.add_argument("--input", required=True, help="JSON object, or @file.json")
    i.add_argument("--mode", default="vanilla", choices=["vanilla", "zkml", "tee"])
    i.set_defaults(func=cmd_infer)

    w = sub.add_parser("workflow", help="price-feed workflows").add_subparsers(
        dest="workflow_command", required=True, metavar="ACTION"
    )
    dep = w.add_parser("deploy", parents=[common], help="deploy (and schedule) a workflow")
    dep.add_argument("model")
    dep.add_argument("--input-name", required=True, help="the model's input tensor")
    dep.add_argument("--base", default="ETH")
    dep.add_argument("--quote", default="USD")
    dep.add_argument("--candles", type=int, default=10)
    dep.add_argument("--duration", type=int, default=1, help="candle duration in minutes")
    dep.add_argument("--order", default="ascending", choices=["ascending", "descending"])
    dep.add_argument("--types", default="open,high,low,close")
    dep.add_argument("--every", type=int, help="schedule: run every N seconds")
    dep.add_argument("--hours", type=int, default=1, help="schedule: for H hours")
    dep.set_defaults(func=cmd_workflow_deploy)
    for name, func, helptext in (
        ("run", cmd_workflow_run, "run a workflow now"),
        ("result", cmd_workflow_result, "its latest result"),
        ("history", cmd_workflow_history, "its latest results"),
    ):
        s = w.add_parser(name, parents=[common], help=helptext)
        s.add_argument("address")
        if name == "history":
            s.add_argument("-n", "--count", type=int, default=5)
        s.set_defaults(func=func, command_name=name)

    adv = sub.add_parser(
        "advance", parents=[common], help="move the devnet's clock, running scheduled workflows"
    )
    adv.add_argument("seconds", type=int)
    adv.set_defaults(func=cmd_advance)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except CliError as exc:
        print(f"og: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OpenGradientError as exc:
        print(f"og: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (KeyError, ValueError) as exc:
        print(f"og: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
