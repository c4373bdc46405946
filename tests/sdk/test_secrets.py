"""Private keys never appear in reprs, error messages or logs.

The key is looked for in every form it could be printed in: hex with and without ``0x``, any
case, and the ``bytes`` repr. (The og.toml permission warning is tested in test_networks.py.)
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    Alpha,
    ConfigurationError,
    InferenceError,
    InferenceMode,
    InputError,
    OpenGradientError,
    connect,
    resolve,
)
from og_alpha.networks import ENV
from og_devnet import Devnet
from og_devnet.accounts import dev_key
from og_devnet.server import DevnetHTTPServer
from tests.conftest import MODELS

DEV_KEY = dev_key(2)
OWN_KEY = bytes.fromhex("5e" * 16 + "c7" * 16)
LINEAR_INPUT = {"x": [[1.0, 2.0, 3.0]]}


def key_forms(key: bytes) -> list[str]:
    return [key.hex(), "0x" + key.hex(), repr(key)]


def assert_no_key(text: str, key: bytes = DEV_KEY) -> None:
    for form in key_forms(key):
        assert form.lower() not in text.lower(), "the private key was printed"


def printed(exc: BaseException) -> str:
    """Everything a user sees of an error: str, repr and the whole formatted traceback."""
    return f"{exc!s}\n{exc!r}\n" + "".join(traceback.format_exception(exc))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def devnet() -> Devnet:
    return Devnet()


@pytest.fixture
def node_url(devnet: Devnet) -> Iterator[str]:
    server = DevnetHTTPServer(devnet.node, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def http_alpha(url: str, key: bytes = DEV_KEY) -> Alpha:
    return Alpha(
        Web3(HTTPProvider(url, request_kwargs={"timeout": 10})),
        Account.from_key(key),
        INFERENCE_HUB_ADDRESS,
        url,
    )


# --- reprs -------------------------------------------------------------------------------------
def test_alpha_and_its_account_holders_never_print_the_key(node_url: str) -> None:
    alpha = http_alpha(node_url)
    holders = [alpha, alpha._tx, alpha.wallet_account]
    for holder in holders:
        assert_no_key(f"{holder!r} {holder!s}")
    assert alpha.address in repr(alpha)  # the account is named, by its address


def test_connected_clients_never_print_the_key() -> None:
    local = connect("local", "0x" + DEV_KEY.hex())
    assert_no_key(f"{local!r} {local!s} {local._tx!r}")
    remote = connect("http://127.0.0.1:9", "0x" + OWN_KEY.hex())
    assert_no_key(f"{remote!r} {remote!s} {remote._tx!r}", OWN_KEY)


@pytest.mark.parametrize("source", ["argument", "environment", "og.toml"])
def test_settings_never_print_the_key(
    source: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = "0x" + OWN_KEY.hex()
    if source == "environment":
        monkeypatch.setenv("OG_PRIVATE_KEY", key)
    if source == "og.toml":
        path = tmp_path / "og.toml"
        path.write_text(f'[og]\nprivate_key = "{key}"\n')
        path.chmod(0o600)
    settings = resolve("alpha", key if source == "argument" else None)
    assert settings.private_key == key
    assert_no_key(f"{settings!r} {settings!s} {settings.network!r}", OWN_KEY)


# --- errors ------------------------------------------------------------------------------------
def test_refusing_a_dev_key_off_this_machine_does_not_print_it() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve("alpha", "0x" + DEV_KEY.hex())
    assert Account.from_key(DEV_KEY).address in str(info.value)
    assert_no_key(printed(info.value))


def test_a_key_passed_where_an_account_or_address_belongs_is_not_echoed(
    devnet: Devnet,
) -> None:
    """A common slip: the key itself given as the account, the hub or a workflow address."""
    web3 = devnet.web3
    account = Account.from_key(DEV_KEY)
    for key in ("0x" + DEV_KEY.hex(), DEV_KEY.hex(), DEV_KEY):
        with pytest.raises(InputError) as info:
            Alpha(web3, key, INFERENCE_HUB_ADDRESS, "http://api")  # type: ignore[arg-type]
        assert "wallet_account must be a signing account" in str(info.value)
        assert_no_key(printed(info.value))
        with pytest.raises(InputError) as info:
            Alpha(web3, account, key, "http://api")  # type: ignore[arg-type]
        assert "is not an address" in str(info.value)
        assert_no_key(printed(info.value))
        for call in (devnet.alpha(2).run_workflow, devnet.alpha(2).read_workflow_result):
            with pytest.raises(InputError) as info:
                call(key)  # type: ignore[arg-type]
            assert_no_key(printed(info.value))


def test_errors_of_a_failing_inference_do_not_print_the_key(devnet: Devnet) -> None:
    cid = devnet.models.add(MODELS / "linear.onnx")
    alpha = devnet.alpha(2)
    failures: list[OpenGradientError] = []
    for model_input in ({"x": [[1.0]]}, {"nope": [[1.0, 2.0, 3.0]]}):
        with pytest.raises(OpenGradientError) as info:
            alpha.infer(cid, InferenceMode.VANILLA, model_input)
        failures.append(info.value)
    devnet.faults.fail_model(cid, "injected")
    with pytest.raises(InferenceError) as info:
        alpha.infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    failures.append(info.value)
    for exc in failures:
        assert_no_key(printed(exc))


# --- logs --------------------------------------------------------------------------------------
def test_debug_logs_of_an_inference_do_not_hold_the_key(
    caplog: pytest.LogCaptureFixture, devnet: Devnet, node_url: str
) -> None:
    cid = devnet.models.add(MODELS / "linear.onnx")
    caplog.set_level(logging.DEBUG)
    in_process = devnet.alpha(2).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    over_http = http_alpha(node_url).infer(cid, InferenceMode.VANILLA, LINEAR_INPUT)
    assert in_process.model_output.keys() == over_http.model_output.keys() == {"y"}
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "eth_sendRawTransaction" in logged  # the requests were logged, and looked at
    assert_no_key(logged)
