"""Hostile answers to the SDK at the sizes of the findings (``make fuzz``, not ``make test``).

The light versions are in ``tests/sdk/test_hostile_answers.py``; these use the sizes issue
17 measured, which before the fix took a minute and a gigabyte:

- a 23.6 KB ``getLastInferenceResults()`` return whose offsets alias, decoding to 6,912,000
  Numbers: 66-86 s and 560 MB in ``read_workflow_history``; now refused before decoding;
- a node API dripping a 40-byte answer one byte per 1.5 s to a fetch with ``api_timeout``
  2 s: 61.5 s; now the fetch ends at its 2 s deadline;
- a node API answering ``Content-Length: 1000000000`` and streaming the gigabyte: 1 GB of
  memory in 1.1 s; now refused at the header.

The waits are hang guards and the memory bounds are wide: the figures are printed.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from og_alpha import NetworkError, WorkflowError
from og_alpha.node_api import http_fetch
from og_devnet import Devnet
from tests.sdk.test_hostile_answers import (
    NodeAPI,
    aliased_history,
    fetch_guarded,
    gigabyte,
    headers,
    install,
    traced,
)
from tests.sdk.test_hostile_answers import node_api as node_api  # noqa: PLC0414 - the fixture

FIGURES: list[str] = []


def test_the_23_kb_history_of_6_9_million_numbers_is_refused_at_once() -> None:
    devnet = Devnet()
    payload = aliased_history(240, 240, 120)
    assert 23_000 < len(payload) < 24_000
    address = install(devnet, payload)
    alpha = devnet.alpha()
    start = time.perf_counter()
    with traced() as peak, pytest.raises(WorkflowError, match="more than their own size"):
        alpha.read_workflow_history(address, 5)
    elapsed = time.perf_counter() - start
    FIGURES.append(
        f"aliased history, {len(payload):,} bytes of 6,912,000 Numbers: refused in "
        f"{elapsed * 1000:.1f} ms, peak {peak[0] / 2**20:.1f} MB traced (before: 66-86 s, 560 MB)"
    )
    assert peak[0] < 32 * 2**20


def test_a_byte_every_1_5_s_ends_at_the_2_s_deadline(node_api: NodeAPI) -> None:
    body = b'{"inference_results": ["AAAAAAAAAAAAA"]}'
    assert len(body) == 40

    def drip(handler: BaseHTTPRequestHandler) -> None:
        node_api.write(handler, headers(Content_Length=str(len(body))))
        node_api.drip(handler, body, 1.5)

    node_api.answer = drip
    start = time.perf_counter()
    exc = fetch_guarded(lambda: http_fetch(node_api.url + "/x", timeout=2.0))
    elapsed = time.perf_counter() - start
    assert isinstance(exc, NetworkError) and "within api_timeout, 2 s" in str(exc)
    FIGURES.append(
        f"node API dripping a byte every 1.5 s, api_timeout 2 s: ended after {elapsed:.2f} s "
        f"having read {node_api.sent - len(headers(Content_Length='40'))} body bytes "
        "(before: 61.5 s, all 40)"
    )


def test_a_streamed_gigabyte_is_refused_at_its_content_length(node_api: NodeAPI) -> None:
    node_api.answer = lambda h: node_api.stream(h, *gigabyte(1000))
    start = time.perf_counter()
    with traced() as peak, pytest.raises(NetworkError, match="the limit is 67108864"):
        http_fetch(node_api.url + "/x", timeout=30)
    elapsed = time.perf_counter() - start
    node_api.stop.set()
    FIGURES.append(
        f"Content-Length: 1e9, streamed: refused in {elapsed * 1000:.1f} ms, peak "
        f"{peak[0] / 2**20:.2f} MB traced (before: 1 GB in 1.1 s)"
    )
    assert peak[0] < 8 * 2**20


@pytest.fixture(scope="module", autouse=True)
def print_figures() -> Any:
    yield
    print("\nheavy SDK figures (2-CPU machine, not asserted):")
    for line in FIGURES:
        print(f"  {line}")
