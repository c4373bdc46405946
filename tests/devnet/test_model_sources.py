"""Models by CID from where the network keeps them: fetched from sources, checked, cached.

The sources are real HTTP servers on loopback (``http.server`` on 127.0.0.1, port 0) that
play an IPFS gateway (``/ipfs/<CID>``): one serving the model, one serving other bytes, one
down, one that never answers. No test needs the internet. Each devnet gets its own cache
directory, so what a test finds there is what it put there.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError

from og_alpha import InferenceError, InferenceMode, wire
from og_devnet import Devnet, DevnetError, ModelError, cli, model_files, model_sources
from og_devnet.cid import ipfs_cid_v0
from og_devnet.models import ModelHub
from tests.conftest import MODELS, Og

LINEAR = (MODELS / "linear.onnx").read_bytes()
LINEAR_CID = ipfs_cid_v0(LINEAR)
OTHER = (MODELS / "int_model.onnx").read_bytes()
F4 = "0x00000000000000000000000000000000000000F4"


class Gateway:
    """A loopback HTTP server answering GETs from ``routes`` (path -> body, or a callable
    given the handler), 404 otherwise; it records every path asked for."""

    def __init__(self, routes: dict[str, bytes | Callable[[BaseHTTPRequestHandler], None]]):
        self.routes = routes
        self.paths: list[str] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                gateway.paths.append(self.path)
                route = gateway.routes.get(self.path)
                if callable(route):
                    route(self)
                    return
                body = route if route is not None else b"no such CID here"
                self.send_response(200 if route is not None else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateways() -> Iterator[Callable[..., Gateway]]:
    started: list[Gateway] = []

    def start(routes: dict[str, bytes | Callable[[BaseHTTPRequestHandler], None]]) -> Gateway:
        started.append(Gateway(routes))
        return started[-1]

    yield start
    for gateway in started:
        gateway.close()


@pytest.fixture
def down() -> str:
    """A URL where nothing listens: the port was free a moment ago and is closed now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def no_outside_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The machine's own model settings must not leak in (no og.toml, no OG_MODEL_*)."""
    for name in ("OG_MODEL_SOURCES", "OG_MODEL_CACHE", "OG_MODEL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OG_MODEL_FETCH_TIMEOUT", raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def infer_linear(devnet: Devnet, cid: str = LINEAR_CID) -> np.ndarray:
    result = devnet.alpha().infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    return result.model_output["y"]


def cached(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


# --- fetched, checked, cached --------------------------------------------------------------------
def test_a_cid_the_devnet_lacks_is_fetched_from_a_gateway_checked_and_cached(
    gateways: Callable[..., Gateway], tmp_path: Path
) -> None:
    gateway = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    cache = tmp_path / "cache"
    devnet = Devnet(model_sources=[gateway.url], model_cache=cache)
    assert LINEAR_CID not in devnet.models
    np.testing.assert_allclose(infer_linear(devnet), [[4.1]], rtol=1e-6)
    assert LINEAR_CID in devnet.models
    assert gateway.paths == [f"/ipfs/{LINEAR_CID}"]  # once: the transaction reused it
    assert cached(cache) == [LINEAR_CID]
    assert (cache / LINEAR_CID).read_bytes() == LINEAR


def test_a_source_serving_other_bytes_is_refused_and_nothing_is_cached(
    gateways: Callable[..., Gateway], tmp_path: Path
) -> None:
    liar = gateways({f"/ipfs/{LINEAR_CID}": OTHER})
    cache = tmp_path / "cache"
    devnet = Devnet(model_sources=[liar.url], model_cache=cache)
    with pytest.raises(InferenceError) as info:
        infer_linear(devnet)
    reason = info.value.reason or ""
    assert f"unknown model CID '{LINEAR_CID}'" in reason
    assert (
        f"{liar.url}/ipfs/{LINEAR_CID}: served {len(OTHER)} bytes whose CID is "
        f"{ipfs_cid_v0(OTHER)}, not {LINEAR_CID} (refused)" in reason
    )
    assert cached(cache) == [] and LINEAR_CID not in devnet.models
    assert devnet.block_number == 0  # refused in simulation: nothing was sent


def test_sources_are_tried_in_order_past_one_down_and_one_lying(
    gateways: Callable[..., Gateway], down: str, tmp_path: Path
) -> None:
    liar = gateways({f"/ipfs/{LINEAR_CID}": OTHER})
    good = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    devnet = Devnet(model_sources=[down, liar.url, good.url], model_cache=tmp_path / "c")
    np.testing.assert_allclose(infer_linear(devnet), [[4.1]], rtol=1e-6)
    assert liar.paths == good.paths == [f"/ipfs/{LINEAR_CID}"]
    assert cached(tmp_path / "c") == [LINEAR_CID]


def test_off_line_a_cached_cid_works_and_another_names_the_cid_and_the_sources_tried(
    gateways: Callable[..., Gateway], down: str, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    gateway = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    ModelHub(sources=[gateway.url], cache_dir=cache).pull(LINEAR_CID)
    gateway.close()

    offline = Devnet(model_sources=[down], model_cache=cache)
    np.testing.assert_allclose(infer_linear(offline), [[4.1]], rtol=1e-6)
    missing = ipfs_cid_v0(OTHER)
    with pytest.raises(InferenceError) as info:
        offline.alpha().infer(missing, InferenceMode.VANILLA, {"n": [[1, 2, 3]]})
    reason = info.value.reason or ""
    assert f"unknown model CID '{missing}'" in reason
    assert f"not in the model cache ({cache})" in reason
    assert f"{down}/ipfs/{missing}: Connection refused" in reason
    assert f"og model pull {missing}" in reason

    # no sources at all: the cache still serves, and the miss says how to configure one
    bare = Devnet(model_cache=cache)
    np.testing.assert_allclose(infer_linear(bare), [[4.1]], rtol=1e-6)
    with pytest.raises(InferenceError, match="no model sources are configured.*--model-source"):
        bare.alpha().infer(missing, InferenceMode.VANILLA, {"n": [[1, 2, 3]]})


def test_a_url_template_source_and_a_failing_status(
    gateways: Callable[..., Gateway], tmp_path: Path
) -> None:
    store = gateways({f"/models/{LINEAR_CID}.onnx": LINEAR})
    hub = ModelHub(sources=[store.url + "/models/{cid}.onnx"], cache_dir=tmp_path)
    assert hub.pull(LINEAR_CID) == (tmp_path / LINEAR_CID, f"{store.url}/models/{LINEAR_CID}.onnx")
    assert hub.pull(LINEAR_CID) == (tmp_path / LINEAR_CID, "cache")
    empty = gateways({})
    with pytest.raises(ModelError, match=rf"{empty.url}/ipfs/\w+: HTTP 404 Not Found"):
        ModelHub(sources=[empty.url], cache_dir=tmp_path).pull(ipfs_cid_v0(OTHER))


def test_a_cache_file_that_is_not_its_cid_is_never_served(
    gateways: Callable[..., Gateway], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / LINEAR_CID).write_bytes(OTHER)  # tampered or corrupt: the name lies
    with pytest.raises(ModelError, match="no model sources are configured"):
        ModelHub(cache_dir=cache).pull(LINEAR_CID)
    assert cached(cache) == []  # dropped, so the next fetch can replace it
    gateway = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    ModelHub(sources=[gateway.url], cache_dir=cache).pull(LINEAR_CID)
    assert (cache / LINEAR_CID).read_bytes() == LINEAR


def test_fetched_bytes_are_validated_as_models_add_does(
    gateways: Callable[..., Gateway], tmp_path: Path
) -> None:
    junk = b"not a model at all"
    gateway = gateways({f"/ipfs/{ipfs_cid_v0(junk)}": junk})
    devnet = Devnet(model_sources=[gateway.url], model_cache=tmp_path)
    data = wire.RUN_MODEL_INFERENCE + _request(ipfs_cid_v0(junk))
    with pytest.raises(
        ContractLogicError, match=rf"from {gateway.url}/ipfs/\w+ is refused: not an ONNX"
    ):
        devnet.web3.eth.call({"to": F4, "data": data})
    assert cached(tmp_path) == []


# --- bounded: what a string from the chain may make the devnet do ---------------------------------
@pytest.mark.parametrize(
    "cid",
    [
        "../../etc/passwd",
        "QmNope",
        "Qm" + "l" * 44,
        "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
        f"{LINEAR_CID}\n",
    ],
)
def test_a_string_that_is_not_a_cidv0_is_never_fetched_nor_looked_up(
    gateways: Callable[..., Gateway], tmp_path: Path, cid: str
) -> None:
    gateway = gateways({})
    devnet = Devnet(model_sources=[gateway.url], model_cache=tmp_path)
    data = wire.RUN_MODEL_INFERENCE + _request(cid)
    with pytest.raises(ContractLogicError, match="is not an IPFS CIDv0"):
        devnet.web3.eth.call({"to": F4, "data": data})
    assert gateway.paths == [] and cached(tmp_path) == []


def test_a_model_over_the_size_limit_is_refused_by_its_length_or_while_streaming(
    gateways: Callable[..., Gateway], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_files, "MAX_MODEL_BYTES", len(LINEAR) - 1)
    read: list[int] = []

    def endless(handler: BaseHTTPRequestHandler) -> None:
        """No Content-Length, and a body that never ends: only the reader can stop it."""
        handler.send_response(200)
        handler.end_headers()
        try:
            while True:
                handler.wfile.write(b"\0" * 65536)
                read.append(65536)
        except OSError:
            pass

    announced = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    streamed = gateways({f"/ipfs/{LINEAR_CID}": endless})
    with pytest.raises(ModelError) as info:
        ModelHub(sources=[announced.url, streamed.url], cache_dir=tmp_path).pull(LINEAR_CID)
    message = str(info.value)
    assert f"it is {len(LINEAR)} bytes; the model size limit is {len(LINEAR) - 1}" in message
    assert f"{streamed.url}/ipfs/{LINEAR_CID}: it is over the model size limit" in message
    assert cached(tmp_path) == []


def test_a_source_that_never_answers_is_given_up_after_the_fetch_timeout(
    gateways: Callable[..., Gateway], tmp_path: Path
) -> None:
    release = threading.Event()
    silent = gateways({f"/ipfs/{LINEAR_CID}": lambda handler: release.wait(60)})
    good = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    try:
        hub = ModelHub(sources=[silent.url, good.url], cache_dir=tmp_path, fetch_timeout=0.2)
        assert hub.pull(LINEAR_CID)[1] == f"{good.url}/ipfs/{LINEAR_CID}"
        with pytest.raises(ModelError, match=r"no answer within 0.2 s"):
            ModelHub(sources=[silent.url], cache_dir=tmp_path / "new", fetch_timeout=0.2).pull(
                LINEAR_CID
            )
    finally:
        release.set()


# --- settings --------------------------------------------------------------------------------------
def test_settings_come_from_the_argument_then_the_environment_then_og_toml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (Path.cwd() / "og.toml").write_text(
        '[og]\nmodel_sources = ["https://toml.example"]\nmodel_cache = "/toml/cache"\n'
        "model_timeout = 7\n"
    )
    from_toml = model_sources.resolve()
    assert from_toml.sources == ("https://toml.example",)
    assert from_toml.cache_dir == Path("/toml/cache") and from_toml.run_timeout == 7.0
    monkeypatch.setenv("OG_MODEL_SOURCES", "https://a.example  https://b.example/{cid}")
    monkeypatch.setenv("OG_MODEL_TIMEOUT", "2.5")
    from_env = model_sources.resolve()
    assert from_env.sources == ("https://a.example", "https://b.example/{cid}")
    assert from_env.run_timeout == 2.5 and from_env.cache_dir == Path("/toml/cache")
    given = model_sources.resolve(sources=["http://given.example"], run_timeout=1)
    assert given.sources == ("http://given.example",) and given.run_timeout == 1.0


def test_the_default_cache_is_og_model_cache_or_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert model_sources.resolve().cache_dir == Path.home() / ".cache/og-devnet/models"
    monkeypatch.setenv("OG_MODEL_CACHE", str(tmp_path))
    assert ModelHub().cache.directory == tmp_path


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (
            {"model_sources": ["ftp://example.org"]},
            "model source 'ftp://example.org' is not an http",
        ),
        ({"model_sources": ["example.org"]}, "is not an http"),
        ({"model_sources": "https://one.example"}, None),
        ({"model_timeout": 0}, "model_timeout must be > 0 seconds, got 0"),
        ({"model_timeout": float("nan")}, "model_timeout must be > 0 seconds"),
        ({"model_timeout": "soon"}, "model_timeout must be a number of seconds"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings: dict, problem: str | None) -> None:
    if problem is None:  # a single URL where a list is expected is taken as one source
        assert Devnet(**settings).models.sources == ("https://one.example",)
        return
    with pytest.raises(DevnetError, match=problem):
        Devnet(**settings)


def test_an_environment_setting_that_is_wrong_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OG_MODEL_TIMEOUT", "five")
    with pytest.raises(DevnetError, match="OG_MODEL_TIMEOUT must be a number of seconds"):
        ModelHub()


# --- og model pull ---------------------------------------------------------------------------------
def test_og_model_pull_fetches_ahead_then_serves_from_the_cache(
    gateways: Callable[..., Gateway],
    down: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gateway = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    cache = str(tmp_path / "cache")
    argv = ["model", "pull", LINEAR_CID, "--model-cache", cache]
    assert cli.main([*argv, "--model-source", down, "--model-source", gateway.url]) == 0
    assert f"fetched from {gateway.url}/ipfs/{LINEAR_CID}" in capsys.readouterr().out
    assert cli.main([*argv, "--model-source", down, "--json"]) == 0
    assert '"source": "cache"' in capsys.readouterr().out
    missing = ipfs_cid_v0(OTHER)
    assert cli.main(["model", "pull", missing, "--model-cache", cache, "--model-source", down]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"og: error: unknown model CID '{missing}'")
    assert f"{down}/ipfs/{missing}: Connection refused" in err
    assert cli.main(["model", "pull", "not-a-cid", "--model-cache", cache]) == 2
    assert "is not an IPFS CIDv0" in capsys.readouterr().err


def _request(cid: str) -> bytes:
    from eth_abi import encode

    numbers = [("x", [(1, 0), (2, 0), (3, 0)], [1, 3])]
    return encode([wire.INFERENCE_REQUEST], [(0, cid, (numbers, []))])


# --- og devnet --model-source / --model-timeout ----------------------------------------------------
def test_og_devnet_fetches_with_model_source_and_stops_runs_at_model_timeout(
    gateways: Callable[..., Gateway], tmp_path: Path, og: Og
) -> None:
    from og_alpha import INFERENCE_HUB_ADDRESS
    from tests.devnet.test_bounded_models import endless_loop
    from tests.server.conftest import start_node

    gateway = gateways({f"/ipfs/{LINEAR_CID}": LINEAR})
    models = tmp_path / "models"
    models.mkdir()
    (models / "loop.onnx").write_bytes(endless_loop())
    loop_cid = ipfs_cid_v0(endless_loop())
    node = start_node(
        "--models",
        str(models),
        "--model-source",
        gateway.url,
        "--model-timeout",
        "0.5",
        env={"OG_MODEL_CACHE": str(tmp_path / "cache")},
    )
    try:
        web3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 120}))
        x = wire.encode_model_input({"x": [[1.0, 2.0, 3.0]]})
        linear = {"to": INFERENCE_HUB_ADDRESS, "data": wire.encode_hub_run(LINEAR_CID, 0, x)}
        output = wire.decode_model_output(web3.eth.call(linear))
        np.testing.assert_allclose(output.numbers["y"], [[4.1]], rtol=1e-6)
        assert cached(tmp_path / "cache") == [LINEAR_CID]
        looping = {"to": INFERENCE_HUB_ADDRESS, "data": wire.encode_hub_run(loop_cid, 0, x)}
        with pytest.raises(ContractLogicError, match="ran past the devnet's limit of 0.5 s"):
            web3.eth.call(looping)
        assert web3.eth.block_number == 0
    finally:
        node.kill()
    bad = og("devnet", "--port", "0", "--model-source", "ftp://nowhere")  # main(), in-process
    assert bad.code == 2
    assert "model source 'ftp://nowhere' is not an http(s) URL" in bad.err
