"""What each ``og`` command does (the parser and the exit codes are in ``og_devnet.cli``).

Every command honours the network switch (``--network`` or ``OG_NETWORK``, ``OG_RPC_URL``,
``OG_PRIVATE_KEY``, ``og.toml``). On ``local`` each command runs an in-process devnet that is
gone when the command ends, unless ``--state FILE`` keeps it between commands; the command
says so on stderr, since a model added or a workflow deployed into a devnet that no longer
exists is an easy way to lose an afternoon.

The SDK, numpy and the devnet are imported by the commands that use them, not here: ``og``
imports this module for every command, and ``og model cid`` needs none of them.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import durations
from .cli import CliError
from .progress import Reporter

if TYPE_CHECKING:
    from og_alpha.networks import Settings
    from og_alpha.types import ModelOutput


@contextmanager
def _loading() -> Iterator[None]:
    """Around importing the SDK or the devnet: Python's cyclic garbage collector is paused.
    Those imports create some 200,000 objects that all live as long as the process, and the
    collections they would trigger, each scanning more of them, found nothing to free while
    taking 0.1 s of ``og devnet``'s start."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def json_value(value: Any) -> Any:
    """For ``json.dumps(default=)``: a value JSON has no type for, as plain JSON. Tensors
    become lists of their shortest float32 decimals (4.1, not the float64 4.099999904632568).
    Only numpy's and the SDK's values reach it, so numpy is loaded already when it is."""
    import numpy as np

    from og_alpha.types import ModelOutput

    if isinstance(value, ModelOutput):
        return {
            "numbers": value.numbers,
            "strings": value.strings,
            "jsons": value.jsons,
            "is_simulation_result": value.is_simulation_result,
        }
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        return np.array([float(str(x)) for x in value.ravel()]).reshape(value.shape).tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def reporter(args: argparse.Namespace) -> Reporter:
    return Reporter(quiet=getattr(args, "quiet", False))


class Session:
    """What a command runs against: an ``Alpha`` client and, on local or a devnet, the
    devnet's controls (``og_*`` methods, in-process or over HTTP)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.node: Any = None
        args.session = self  # for the note main() prints after the command
        self.report = reporter(args)
        with _loading():
            from og_alpha.networks import resolve

        overrides = {"rpc_url": args.rpc_url} if args.rpc_url else {}
        self.settings: Settings = resolve(args.network, **overrides)
        if self.settings.ignored_key:
            self.report.line(f"note: {self.settings.ignored_key}")
        self.local = self.settings.network.rpc_url is None
        if self.local:
            self._start_local(args.state)
        else:
            if args.state:
                raise CliError(
                    "--state is for the local network; `og devnet --state FILE` keeps a "
                    "served devnet's state"
                )
            from og_alpha.networks import connect

            self.alpha = connect(args.network, **overrides)

    def _start_local(self, state: str | None) -> None:
        from og_alpha import Alpha

        what = f"starting the in-process devnet from {state}" if state else "starting the devnet"
        with self.report.step(what):
            with _loading():
                from .boot import build
                from .node_api import in_process_fetch

            self.node, _ = build(state=state)
        devnet = self.node.devnet
        account = devnet.accounts[0]
        if self.settings.private_key:
            from eth_account import Account

            account = Account.from_key(self.settings.private_key)
        self.alpha = Alpha(
            devnet.web3,
            account,
            self.settings.network.hub_address,
            self.settings.network.api_url,
            api_fetch=in_process_fetch(devnet._results),
        )

    @property
    def throwaway(self) -> bool:
        """A local devnet that nothing keeps: it is gone when the command ends."""
        return self.local and not self.args.state

    def close(self) -> None:
        """Close the ``--state`` journal (it holds the file's lock)."""
        if self.node is not None and self.node.journal is not None:
            self.node.journal.close()

    def note_throwaway(self) -> None:
        """After a command on a throw-away local devnet, one line saying so and how to keep
        one (``og_devnet.cli.main`` calls it after the result or the error)."""
        if self.throwaway:
            self.report.line(
                "note: this command ran on a new in-process devnet, gone now that it ended; "
                "give --state FILE to keep models, workflows and time between commands (or "
                "use --network devnet with `og devnet` running)"
            )

    def control(self, method: str, params: list[Any]) -> Any:
        """A devnet control call (``og_*``), in-process or over HTTP."""
        from og_alpha.errors import NetworkError, OpenGradientError
        from og_alpha.transactions import TRANSPORT_ERRORS, UNREADABLE_ERRORS, describe_failure

        if self.node is not None:
            from .node import RpcError

            try:
                return self.node.request(method, params)
            except RpcError as exc:
                raise OpenGradientError(f"{method}: {exc.message}") from None
        network = self.settings.network
        if network.name == "alpha":
            raise CliError(
                f"{method} is a devnet control; the Alpha Testnet has no such call "
                "(upload models through the Model Hub)"
            )
        provider = self.alpha.blockchain.provider
        url = network.rpc_url
        try:
            response = provider.make_request(method, params)  # type: ignore[arg-type]
        except (*TRANSPORT_ERRORS, *UNREADABLE_ERRORS) as exc:
            raise NetworkError(f"{method}: the node at {url} {describe_failure(exc)}") from None
        error = response.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else str(error)
            if isinstance(error, dict) and error.get("code") == -32601:
                raise OpenGradientError(
                    f"{method}: the node at {url} does not know it ({message}): it is not an "
                    "og devnet, whose controls these are"
                )
            raise OpenGradientError(f"{method}: {message}")
        return response.get("result")

    def model_cid(self, model: str) -> str:
        """A CID as given, or the CID of a local .onnx file, added to the devnet first unless
        it has it (a second add would only lengthen a ``--state`` journal)."""
        from .cid import ipfs_cid_v0

        path = Path(model)
        if path.is_file():
            cid = ipfs_cid_v0(_read(path, "model file"))
            if any(m["cid"] == cid for m in self.control("og_listModels", [])):
                return cid
            return self.add_model(path)
        if path.suffix == ".onnx" or os.sep in model:
            raise CliError(f"model file {model} does not exist (give an .onnx file or a CID)")
        return model

    def add_model(self, path: Path, cid: str | None = None) -> str:
        with self.report.step(f"adding {path}"):
            data = base64.b64encode(_read(path, "model file")).decode()
            return str(self.control("og_addModel", [data] + ([cid] if cid else [])))


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def output(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, sort_keys=True, default=json_value) if args.json else text)


def model_input(text: str) -> dict[str, Any]:
    """``--input``: a JSON object, ``@file.json``, or ``@-`` for standard input."""
    source = "--input"
    if text.startswith("@"):
        name = text[1:]
        source = f"--input @{name}"
        if name == "-":
            raw = sys.stdin.read()
        else:
            try:
                raw = Path(name).read_text()
            except FileNotFoundError:
                raise CliError(
                    f"{source}: no such file; give a JSON file that exists, or the JSON itself "
                    "(--input '{\"x\": [[1.0, 2.0]]}')"
                ) from None
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                raise CliError(f"{source}: cannot read it ({reason or exc})") from None
    else:
        raw = text
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise CliError(
            f"{source} is not valid JSON ({exc}); e.g. '{{\"x\": [[1.0, 2.0]]}}'"
        ) from None
    if not isinstance(value, dict):
        raise CliError(
            f"{source} must be a JSON object of tensor name to value, e.g. "
            "'{\"x\": [[1.0, 2.0]]}'"
        )
    return value


# --- commands ------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> None:
    from .demo import main as demo

    with reporter(args).step("running the demo"):
        demo()


def cmd_model_cid(args: argparse.Namespace) -> None:
    from .cid import ipfs_cid_v0

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{args.file} is not a file")
    cid = ipfs_cid_v0(_read(path, "model file"))
    output(args, {"file": str(path), "cid": cid}, cid)


def cmd_model_add(args: argparse.Namespace) -> None:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{args.file} is not a file")
    session = Session(args)
    cid = session.add_model(path, args.cid)
    output(args, {"cid": cid}, cid)


def cmd_model_pull(args: argparse.Namespace) -> None:
    from .cid import is_cid_v0
    from .models import ModelHub

    if not is_cid_v0(args.cid):
        raise CliError(f"{args.cid!r} is not an IPFS CIDv0 (Qm..., as `ipfs add` gives)")
    hub = ModelHub(sources=args.model_source or None, cache_dir=args.model_cache)
    with reporter(args).step(f"fetching {args.cid}"):
        path, origin = hub.pull(args.cid)
    came = "already in the cache" if origin == "cache" else f"fetched from {origin}"
    output(args, {"cid": args.cid, "path": str(path), "source": origin}, f"{path}  ({came})")


def cmd_model_list(args: argparse.Namespace) -> None:
    from .table import table

    session = Session(args)
    models = session.control("og_listModels", [])
    rows = [[m["cid"], m["inputs"], ", ".join(m["outputs"]), m["size"]] for m in models]
    text = table(["cid", "inputs", "outputs", "bytes"], rows) if rows else "no models"
    output(args, models, text)


def cmd_infer(args: argparse.Namespace) -> None:
    from og_alpha import wire
    from og_alpha.types import InferenceMode

    from .table import fmt, table

    values = model_input(args.input)
    wire.encode_model_input(values)  # bad tensors are refused before the model is added
    session = Session(args)
    cid = session.model_cid(args.model)
    with session.report.step(f"running {cid} on chain"):
        result = session.alpha.infer(cid, InferenceMode[args.mode.upper()], values)
    rows = [[name, fmt(value, 70)] for name, value in result.model_output.items()]
    output(
        args,
        {
            "transaction_hash": result.transaction_hash,
            "model_cid": cid,
            "model_output": result.model_output,
        },
        f"model {cid}\ntx    {result.transaction_hash}\n" + table(["output", "value"], rows),
    )


def cmd_workflow_deploy(args: argparse.Namespace) -> None:
    from og_alpha.types import CandleOrder, HistoricalInputQuery, SchedulerParams

    if args.hours is not None and args.every is None:
        raise CliError("--for sets how long a schedule runs: give --every too")
    query = HistoricalInputQuery(
        args.base,
        args.quote,
        args.candles,
        args.candle_duration,
        CandleOrder[args.order.upper()],
        args.types,
    )
    schedule = SchedulerParams(args.every, args.hours or 1) if args.every else None
    session = Session(args)
    cid = session.model_cid(args.model)
    with session.report.step("deploying the workflow"):
        address = session.alpha.new_workflow(cid, query, args.input_name, schedule)
    data = {"address": address, "model_cid": cid, "scheduled": bool(schedule)}
    output(args, data, address)


def _outputs(args: argparse.Namespace, outputs: list[ModelOutput]) -> None:
    from .table import fmt, table

    rows = [[i + 1, fmt(o.as_dict(), 70)] for i, o in enumerate(outputs)]
    output(
        args,
        outputs if args.command_name == "history" else outputs[0],
        table(["#", "output"], rows) if rows else "no results",
    )


def cmd_workflow(args: argparse.Namespace) -> None:
    session = Session(args)
    alpha = session.alpha
    if args.command_name == "run":
        with session.report.step(f"running workflow {args.address}"):
            outputs = [alpha.run_workflow(args.address)]
    elif args.command_name == "result":
        outputs = [alpha.read_workflow_result(args.address)]
    else:
        outputs = alpha.read_workflow_history(args.address, args.count)
    _outputs(args, outputs)


def cmd_advance(args: argparse.Namespace) -> None:
    seconds = args.duration
    session = Session(args)
    what = f"advancing the clock {durations.show(seconds)}"
    if session.node is None:
        with session.report.step(what):
            result = session.control("og_advanceTime", [seconds])
    else:
        devnet = session.node.devnet
        progress = session.report.counter(what, "scheduled runs")
        with session.node.lock:
            report = devnet.advance(seconds, progress)
            if session.node.journal is not None:
                session.node.journal.append("og_advanceTime", [seconds])
        result = {**report.to_json(), "timestamp": devnet.now, "block": devnet.block_number}
    failures = "".join(
        f"\n  FAILED task {f['task_id']} ({f['contract_address']}) due {f['due_time']}: "
        f"{f['error']}"
        for f in result["failed"]
    )
    output(
        args,
        result,
        f"ran {result['runs']} scheduled workflow run(s), {result['succeeded']} succeeded, "
        f"{len(result['failed'])} failed; chain time {result['timestamp']} "
        f"({durations.iso(result['timestamp'])}), block {result['block']}{failures}",
    )


# --- og devnet ---------------------------------------------------------------------------------
def cmd_devnet(args: argparse.Namespace) -> None:
    with _loading():
        from .errors import DevnetError, ModelError, PriceDataError
        from .model_sources import ENV_SOURCES, ENV_TIMEOUT, check_source
        from .server import serve

    if args.fork_block_number is not None and args.fork_block_number < 0:
        raise CliError("--fork-block-number must be a block number (0 or more)")
    if args.pair and not args.prices:
        raise CliError("--pair names the pair of --prices FILE: give --prices too")
    try:  # for the devnet serve builds: through the environment, which they override
        if args.model_source:
            os.environ[ENV_SOURCES] = " ".join(check_source(url) for url in args.model_source)
        if args.model_timeout is not None:
            os.environ[ENV_TIMEOUT] = repr(args.model_timeout)
    except DevnetError as exc:
        raise CliError(str(exc)) from None
    report = Reporter(quiet=args.quiet)
    pair = args.pair
    if args.prices and pair is None:
        from .boot import file_pair

        pair = file_pair(args.prices)
        report.line(
            f"--prices {args.prices}: loading it as the pair {pair[0]}/{pair[1]}, named from "
            "the file name; give --pair BASE/QUOTE to name it yourself"
        )
    try:
        serve(
            host=args.host,
            port=args.port,
            models=args.models,
            prices=args.prices,
            pair=pair,
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
    except (ModelError, PriceDataError) as exc:  # --models and --prices: files given here
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
            "(choose another --port, or --port 0 for a free one)"
        ) from None
