"""The network switch: precedence, URLs, and refusing public dev keys off this machine."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from og_alpha import ConfigurationError, connect, resolve
from og_alpha.networks import DEV_ADDRESSES, ENV
from og_devnet.accounts import dev_accounts, dev_key, executor_account

DEV_KEY = "0x" + dev_key(0).hex()
OWN_KEY = "0x" + "11" * 32


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no og.toml unless a test writes one


def test_default_is_the_in_process_devnet() -> None:
    settings = resolve()
    assert settings.network.name == "local" and settings.network.rpc_url is None


def test_precedence_argument_then_environment_then_file(monkeypatch, tmp_path) -> None:
    (tmp_path / "og.toml").write_text('[og]\nnetwork = "devnet"\napi_url = "http://file"\n')
    assert resolve().network.name == "devnet"
    assert resolve().network.api_url == "http://file"
    monkeypatch.setenv("OG_NETWORK", "http://127.0.0.1:9999")
    assert resolve().network.rpc_url == "http://127.0.0.1:9999"
    assert resolve("local").network.name == "local"
    monkeypatch.setenv("OG_RPC_URL", "http://127.0.0.1:7777")
    assert resolve().network.rpc_url == "http://127.0.0.1:7777"
    assert resolve(rpc_url="http://127.0.0.1:1").network.rpc_url == "http://127.0.0.1:1"


def test_alpha_defaults_match_the_wire_reference() -> None:
    net = resolve("alpha", OWN_KEY).network
    assert net.rpc_url == "https://ogevmdevnet.opengradient.ai"
    assert net.api_url == "https://sdk-devnet.opengradient.ai"
    assert net.hub_address == "0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE"


def test_alpha_without_a_key_says_how_to_set_one() -> None:
    with pytest.raises(ConfigurationError, match="OG_PRIVATE_KEY"):
        resolve("alpha")


def test_dev_key_is_refused_off_this_machine_before_anything_is_sent(monkeypatch) -> None:
    sent: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: sent.append(a))
    monkeypatch.setenv("OG_NETWORK", "alpha")
    monkeypatch.setenv("OG_PRIVATE_KEY", DEV_KEY)
    with pytest.raises(ConfigurationError, match="refusing to use dev account.*public"):
        connect()
    with pytest.raises(ConfigurationError, match="refusing"):
        resolve("https://example.invalid:8545", "0x" + dev_key(5).hex())
    assert sent == []
    assert resolve("devnet", DEV_KEY).network.is_local  # this machine: allowed


def test_errors_never_echo_the_key() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve("alpha", "0xnot-a-key-but-secret")
    assert "secret" not in str(info.value)
    assert OWN_KEY not in repr(resolve("alpha", OWN_KEY))


def test_unknown_network_and_setting() -> None:
    with pytest.raises(ConfigurationError, match="unknown network 'mainnet'"):
        resolve("mainnet")
    with pytest.raises(ConfigurationError, match="unknown setting"):
        resolve(colour="red")


def test_world_readable_config_with_a_key_warns(tmp_path) -> None:
    path = tmp_path / "og.toml"
    path.write_text(f'[og]\nnetwork = "alpha"\nprivate_key = "{OWN_KEY}"\n')
    os.chmod(path, 0o644)
    with pytest.warns(UserWarning, match="chmod 600"):
        resolve()
    os.chmod(path, 0o600)
    resolve()  # no warning now


def test_dev_address_list_is_the_derived_accounts() -> None:
    derived = {a.address.lower() for a in dev_accounts(10)} | {executor_account().address.lower()}
    assert derived == DEV_ADDRESSES


def test_connect_local_gives_a_client_with_its_devnet() -> None:
    alpha = connect()
    assert alpha.devnet is not None
    assert alpha.address == alpha.devnet.accounts[0].address
