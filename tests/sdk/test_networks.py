"""The network switch: precedence, URLs, and refusing public dev keys off this machine."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from eth_account import Account

from og_alpha import ConfigurationError, InferenceMode, OpenGradientError, connect, resolve
from og_alpha.networks import DEV_ADDRESSES, ENV
from og_devnet.accounts import dev_accounts, dev_key, executor_account
from tests.conftest import MODELS

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


# --- a key meant for another network ---------------------------------------------------------------
OWN_ADDRESS = Account.from_key(OWN_KEY).address


def test_local_never_signs_with_a_key_set_for_another_network(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("OG_PRIVATE_KEY", OWN_KEY)  # kept for the Alpha Testnet: unfunded here
    alpha = connect("local")
    assert alpha.address == alpha.devnet.accounts[0].address
    cid = alpha.devnet.models.add(MODELS / "linear.onnx")
    assert alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]}).transaction_hash
    settings = resolve("devnet")
    assert settings.private_key is None
    assert settings.ignored_key is not None and settings.ignored_key.startswith(
        "OG_PRIVATE_KEY is not used on 'devnet': it is set for another network"
    )
    assert OWN_KEY not in settings.ignored_key
    (tmp_path / "og.toml").write_text(f'network = "alpha"\nprivate_key = "{OWN_KEY}"\n')
    os.chmod(tmp_path / "og.toml", 0o600)
    monkeypatch.delenv("OG_PRIVATE_KEY")
    monkeypatch.setenv("OG_NETWORK", "local")
    assert resolve().private_key is None
    assert resolve().ignored_key.startswith("private_key in og.toml is not used on 'local'")
    assert resolve("alpha").private_key == OWN_KEY  # where it is meant for


def test_local_signs_with_a_key_when_asked(monkeypatch, tmp_path) -> None:
    assert connect("local", OWN_KEY).address == OWN_ADDRESS  # an argument is always asking
    monkeypatch.setenv("OG_PRIVATE_KEY", OWN_KEY)
    monkeypatch.setenv("OG_NETWORK", "devnet")  # set together: meant for that network
    assert resolve().private_key == OWN_KEY and resolve().ignored_key is None
    monkeypatch.delenv("OG_NETWORK")
    (tmp_path / "og.toml").write_text(f'network = "devnet"\nprivate_key = "{OWN_KEY}"\n')
    os.chmod(tmp_path / "og.toml", 0o600)
    monkeypatch.delenv("OG_PRIVATE_KEY")
    assert resolve().private_key == OWN_KEY
    monkeypatch.setenv("OG_PRIVATE_KEY", "0x" + dev_key(3).hex())  # a dev key: local by nature
    assert connect().address == dev_accounts(4)[3].address


def test_errors_show_addresses_checksummed_never_as_bytes() -> None:
    from og_devnet.node.errors import without_reprs

    alpha = connect("local", OWN_KEY)  # unfunded on the devnet
    cid = alpha.devnet.models.add(MODELS / "linear.onnx")
    with pytest.raises(OpenGradientError) as info:
        alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
    assert f"address {OWN_ADDRESS} have 0 want" in str(info.value)
    assert "b'" not in str(info.value)
    raw = bytes.fromhex(OWN_ADDRESS[2:])
    assert without_reprs(f"Sender {raw!r} cannot afford txn gas") == (
        f"Sender {OWN_ADDRESS} cannot afford txn gas"
    )
    assert without_reprs("data b'\\x01\\x02'") == "data 0x0102"
