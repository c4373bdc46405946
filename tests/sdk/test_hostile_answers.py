"""What the SDK reads from outside is bounded: hostile contract returns and node-API answers
cost time and memory in proportion to their size, or end in an ``OpenGradientError`` naming
the bound (issue 17: deep JSON, aliased ABI offsets, a dripping or huge node API).

Contracts are real: bytecode written here is installed with ``anvil_setCode`` and returns
crafted bytes to any call. Node APIs are real sockets: an ``http.server`` thread on loopback.
The heavy versions, at the sizes of the findings, are in ``fuzz/test_heavy_sdk.py``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from eth_abi import decode, encode

from og_alpha import (
    INFERENCE_HUB_ADDRESS,
    Alpha,
    InferenceMode,
    NetworkError,
    OpenGradientError,
    WorkflowError,
    wire,
)
from og_alpha.errors import LimitError
from og_alpha.node_api import http_fetch, parse_result_document, result_document
from og_devnet import Devnet
from og_devnet.accounts import dev_key
from tests.conftest import MODELS

HOSTILE = "0x00000000000000000000000000000000000bad00"
DEEP = 70_016  # the finding: a workflow's JSON field of 70,016 "[" killed the process
# Hang guards, not measured times: a bounded fetch ends long before them.
GUARD = 30.0


# --- a contract that returns crafted bytes -------------------------------------------------
def returning(payload: bytes) -> bytes:
    """Runtime code that returns ``payload`` to every call: CODECOPY it to memory, RETURN."""
    size = len(payload).to_bytes(3, "big")
    prefix = bytes([0x62, *size, 0x80, 0x60, 13, 0x60, 0, 0x39, 0x60, 0, 0xF3])
    assert len(prefix) == 13
    return prefix + payload


def install(devnet: Devnet, payload: bytes) -> str:
    devnet.node.request("anvil_setCode", [HOSTILE, "0x" + returning(payload).hex()])
    return HOSTILE


def word(n: int) -> bytes:
    return n.to_bytes(32, "big")


@contextlib.contextmanager
def traced() -> Iterator[list[int]]:
    """The peak of memory allocated inside the block, appended to the list it gives."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def gigabyte(megabytes: int) -> tuple[bytes, bytes, int, bytes]:
    """``NodeAPI.stream`` arguments: headers declaring 10**9 bytes, then ``megabytes`` MiB."""
    return headers(Content_Length=str(10**9)), b"0" * 2**20, megabytes, b""


def aliased_history(outputs: int, tensors: int, numbers: int) -> bytes:
    """``ModelOutput[]`` whose ``outputs`` offsets all point at one ModelOutput, whose
    ``tensors`` number tensors are all one tensor of ``numbers`` Numbers: about
    ``32*(outputs + tensors) + 64*numbers`` bytes decoding to ``outputs*tensors*numbers``."""
    values = word(numbers) + (word(1) + word(0)) * numbers
    tensor = word(96) + word(160) + word(160 + len(values))
    tensor += word(1) + b"x".ljust(32, b"\0") + values + word(0)
    number_tensors = word(tensors) + word(32 * tensors) * tensors + tensor
    output = word(128) + word(128 + len(number_tensors))
    output += word(128 + len(number_tensors) + 32) + word(0) + number_tensors + word(0) + word(0)
    return word(32) + word(outputs) + word(32 * outputs) * outputs + output


def json_output(text: str) -> bytes:
    return encode([wire.MODEL_OUTPUT], [([], [], [("j", text)], False)])


def test_the_crafted_history_is_what_eth_abi_decodes_it_to() -> None:
    """The payload is well-formed: eth-abi (what the SDK used before) decodes every alias."""
    (history,) = decode([f"{wire.MODEL_OUTPUT}[]"], aliased_history(3, 4, 5))
    assert len(history) == 3 and all(len(output[0]) == 4 for output in history)
    assert sum(len(t[1]) for output in history for t in output[0]) == 3 * 4 * 5


def test_aliased_offsets_in_a_workflow_history_are_refused(og_devnet: Devnet) -> None:
    """5.4 KB that decode to 64,000 Numbers (the finding: 23.6 KB to 6.9 million, 86 s,
    560 MB) are refused before decoding, naming the bound."""
    payload = aliased_history(40, 40, 40)
    address = install(og_devnet, payload)
    alpha = og_devnet.alpha()
    with pytest.raises(WorkflowError) as info:
        alpha.read_workflow_history(address, 5)
    message = str(info.value)
    assert f"returned {len(payload)} unreadable bytes" in message
    assert "would decode to more than their own size" in message
    assert "offsets point at the same data more than once" in message


def test_aliased_offsets_are_refused_whatever_the_entry_point() -> None:
    with pytest.raises(LimitError, match="more than their own size"):
        wire.decode_model_outputs(aliased_history(8, 8, 8))
    single = aliased_history(1, 64, 64)[64:]  # the one ModelOutput: 64 aliases of one tensor
    with pytest.raises(LimitError, match="more than their own size"):
        wire.decode_model_output(single)


def test_a_history_without_aliases_decodes_as_before(og_devnet: Devnet) -> None:
    """The bound is the data's own size: honest encodings, large ones too, are never near it."""
    outputs = [
        ([("y", [(i, 2)] * 2000, [2000])], [("s", ["a", "bc"])], [("j", '{"k": [1, 2]}')], False)
        for i in range(5)
    ]
    payload = encode([f"{wire.MODEL_OUTPUT}[]"], [outputs])
    address = install(og_devnet, payload)
    history = og_devnet.alpha().read_workflow_history(address, 5)
    newest_first = [h.fixed_point["y"].values[0] for h in history]
    assert newest_first == [4, 3, 2, 1, 0]
    assert history[0].numbers["y"].shape == (2000,)
    assert history[0].strings["s"].tolist() == ["a", "bc"]
    assert history[0].jsons["j"].item() == {"k": [1, 2]}


# --- deep JSON --------------------------------------------------------------------------------
def test_a_workflow_json_output_nested_70016_deep_is_refused_not_a_crash(
    og_devnet: Devnet,
) -> None:
    """Before: the interpreter's stack overflowed (py_ecc raises the recursion limit to
    100,000 in every process that imports og_alpha) and the process died."""
    address = install(og_devnet, json_output("[" * DEEP + "]" * DEEP))
    with pytest.raises(WorkflowError) as info:
        og_devnet.alpha().read_workflow_result(address)
    message = str(info.value)
    assert f"JSON output 'j' is not decoded: JSON nested {DEEP} levels deep" in message
    assert "the limit is 128" in message


def test_json_outputs_within_the_limit_and_nan_are_read_as_before() -> None:
    with_nan = wire.decode_model_output(json_output('{"a": [NaN, 1]}')).jsons["j"].item()
    assert np.isnan(with_nan["a"][0]) and with_nan["a"][1] == 1  # Python's json writes NaN
    value = wire.decode_model_output(json_output("[" * 128 + "1" + "]" * 128)).jsons["j"].item()
    for _ in range(128):  # 128 levels: the limit itself is read (as a held value: numpy
        (value,) = value  # arrays have at most 64 dimensions)
    assert value == 1


# --- padded strings -------------------------------------------------------------------------------
def test_strings_whose_padding_would_dwarf_them_are_kept_as_str_objects() -> None:
    """numpy pads every string to the longest: 100,000 empty strings and one of 100,000
    characters asked numpy for 40 GB (MemoryError) from a 6.5 MB return. They come back as
    an object array of the same str values, in memory proportional to the answer."""
    values = [""] * 100_000 + ["x" * 100_000]
    with traced() as peak:
        output = wire.model_output_from_abi(([], [("s", values)], [], False))
    strings = output.strings["s"]
    assert strings.dtype == object and strings.shape == (100_001,)
    assert strings[-1] == "x" * 100_000 and strings[0] == ""
    assert peak[0] < 16 * 2**20
    ordinary = wire.model_output_from_abi(([], [("s", ["a", "bcd"])], [], False)).strings["s"]
    assert ordinary.dtype == np.dtype("<U3")  # as the official SDK gives them


def test_a_json_list_whose_padded_strings_would_dwarf_it_is_held_as_its_value() -> None:
    text = '["' + "x" * 200_000 + '"' + ', ""' * 200_000 + "]"
    output = wire.model_output_from_abi(([], [], [("j", text)], False))
    held = output.jsons["j"]
    assert held.shape == () and held.dtype == object and len(held.item()) == 200_001


# --- node APIs on real sockets ---------------------------------------------------------------
class NodeAPI:
    """A loopback HTTP server whose handler writes what ``answer`` says to any GET or POST,
    and counts it: a node API, or a JSON-RPC node."""

    def __init__(self) -> None:
        self.answer: Callable[[BaseHTTPRequestHandler], None] = lambda h: None
        self.sent = 0
        self.stop = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with contextlib.suppress(OSError):  # the client left
                    api.answer(self)

            def do_POST(self) -> None:  # noqa: N802 - a JSON-RPC node, for the same answers
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # polling every 50 ms: shutdown() waits for a poll (0.5 s each by default)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def write(self, handler: BaseHTTPRequestHandler, data: bytes) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        self.sent += len(data)

    def stream(
        self, handler: BaseHTTPRequestHandler, head: bytes, chunk: bytes, count: int, tail: bytes
    ) -> None:
        """``head``, then ``chunk`` ``count`` times (until the test ends), then ``tail``."""
        self.write(handler, head)
        for _ in range(count):
            if self.stop.is_set():
                return
            self.write(handler, chunk)
        self.write(handler, tail)

    def drip(self, handler: BaseHTTPRequestHandler, data: bytes, every: float) -> None:
        for i in range(len(data)):
            if self.stop.wait(every):
                return
            self.write(handler, data[i : i + 1])

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def node_api() -> Iterator[NodeAPI]:
    api = NodeAPI()
    yield api
    api.close()


def fetch_guarded(fetch: Callable[[], object]) -> BaseException:
    """Run ``fetch`` in a thread; the exception it ended with (a hang guard, not a timing)."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            fetch()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive(), f"the fetch was still running after {GUARD:g} s"
    assert outcome, "the fetch returned instead of failing"
    return outcome[0]


def headers(**fields: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_node_api_answer_of_80kb_of_brackets_is_refused_not_a_crash(node_api: NodeAPI) -> None:
    body = b"[" * 80_000
    node_api.answer = lambda h: node_api.write(h, headers(Content_Length=str(len(body))) + body)
    with pytest.raises(LimitError, match="JSON nested 80000 levels deep; the limit is 128"):
        parse_result_document(http_fetch(node_api.url + "/x", timeout=5))


def test_a_deep_document_inside_the_base64_layer_is_refused() -> None:
    inner = base64.b64encode(b'{"InferenceResult":' * 60_000).decode()
    body = ('{"inference_results": ["' + inner + '"]}').encode()
    with pytest.raises(LimitError, match="JSON nested 60000 levels deep"):
        parse_result_document(body)


def test_node_api_documents_the_devnet_serves_still_parse() -> None:
    output = (
        [("y", [(15, 1), (-2, 0)], [2])],
        [("s", ["a"])],
        [("j", "[1, 2]")],
        False,
    )
    body = json.dumps(result_document(0, output)).encode()
    parsed = parse_result_document(body)
    assert parsed.numbers["y"].tolist() == [1.5, -2.0] and parsed.strings["s"].tolist() == ["a"]
    assert parsed.jsons["j"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "where", ["body", "headers"], ids=["body dripped", "status line and headers dripped"]
)
def test_api_timeout_is_a_deadline_for_the_whole_fetch(node_api: NodeAPI, where: str) -> None:
    """A byte every 0.1 s never lets a 0.5 s socket timeout expire; before, such a node API
    kept the fetch going as long as it dripped (60 s with a 2 s timeout in the finding)."""
    body = b'{"inference_results": []}'
    answer = headers(Content_Length=str(len(body)))

    def drip(handler: BaseHTTPRequestHandler) -> None:
        if where == "headers":
            node_api.drip(handler, answer + body, 0.1)
        else:
            node_api.write(handler, answer)
            node_api.drip(handler, body, 0.1)

    node_api.answer = drip
    exc = fetch_guarded(lambda: http_fetch(node_api.url + "/x", timeout=0.5))
    assert isinstance(exc, NetworkError)
    assert "did not answer in time (timed out: the whole answer must arrive within " in str(exc)
    assert "api_timeout, 0.5 s)" in str(exc)
    assert node_api.sent < len(answer) + len(body)  # it stopped reading mid-drip


def test_a_content_length_of_a_gigabyte_is_refused_before_reading(node_api: NodeAPI) -> None:
    """Before: ``read()`` allocated the declared gigabyte at once (1 GB in 1.1 s)."""

    node_api.answer = lambda h: node_api.stream(h, *gigabyte(64))
    with traced() as peak, pytest.raises(NetworkError) as info:
        http_fetch(node_api.url + "/x", timeout=10)
    assert "its answer is 1000000000 bytes (Content-Length); the limit is 67108864" in str(
        info.value
    )
    assert "og_alpha.node_api.MAX_RESPONSE_BYTES" in str(info.value)
    assert peak[0] < 8 * 2**20


def test_an_answer_without_a_length_is_cut_at_the_limit(node_api: NodeAPI) -> None:
    chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    head = headers(Transfer_Encoding="chunked")
    # 256 MiB, if nothing stops reading
    node_api.answer = lambda h: node_api.stream(h, head, chunk, 4096, b"0\r\n\r\n")
    with pytest.raises(NetworkError, match="its answer is over the limit of 1048576 bytes"):
        http_fetch(node_api.url + "/x", timeout=10, max_bytes=2**20)
    node_api.stop.set()
    assert node_api.sent < 16 * 2**20  # what loopback buffers hold, not the 256 MiB


def test_a_mined_inference_whose_node_api_drips_says_it_was_mined(
    node_api: NodeAPI, og_devnet: Devnet
) -> None:
    og_devnet.results_via_api = True
    cid = og_devnet.models.add(MODELS / "linear.onnx")
    base = og_devnet.alpha()
    alpha = Alpha(
        base.blockchain, base.wallet_account, INFERENCE_HUB_ADDRESS, node_api.url, api_timeout=0.5
    )
    node_api.answer = lambda h: node_api.drip(h, headers(Content_Length="100"), 0.1)
    exc = fetch_guarded(lambda: alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]}))
    assert isinstance(exc, NetworkError) and exc.may_have_been_sent
    assert f"transaction {exc.transaction_hash} was sent and mined" in str(exc)
    assert "within api_timeout, 0.5 s" in str(exc)
    receipt = og_devnet.web3.eth.get_transaction_receipt(exc.transaction_hash)
    assert receipt["status"] == 1


def test_unreadable_documents_name_the_problem_without_python_reprs() -> None:
    inner = {"InferenceResult": {"VanillaResult": {"model_output": {"strings": [
        {"name": "s", "values": [{"not": "a string"}]}
    ]}}}}  # fmt: skip
    body = json.dumps(
        {"inference_results": [base64.b64encode(json.dumps(inner).encode()).decode()]}
    )
    with pytest.raises(OpenGradientError) as info:
        parse_result_document(body.encode())
    assert "a name or string value is JSON dict, not a string" in str(info.value)
    assert "{'not'" not in str(info.value)


def test_a_json_rpc_answer_of_80kb_of_brackets_is_refused_not_a_crash(node_api: NodeAPI) -> None:
    """web3 decodes answers with json.loads: before, a node answering this killed the process
    of any client made by ``Alpha(private_key, rpc_url=...)`` or ``connect()``."""
    body = b"[" * 80_000
    node_api.answer = lambda h: node_api.write(h, headers(Content_Length=str(len(body))) + body)
    alpha = Alpha("0x" + dev_key(3).hex(), rpc_url=node_api.url, api_url=node_api.url)
    with pytest.raises(NetworkError) as info:
        alpha.infer("QmQqjVpP7r7njiiUXy9nidzaqt1C4q6DDpuYprmVoJgd8v", 0, {"x": [[1.0]]})
    message = str(info.value)
    assert "answered with JSON the SDK does not decode: JSON nested 80000 levels deep" in message
    assert "the limit is 128" in message and "nothing was sent" in message
    assert not info.value.may_have_been_sent
