"""The node API served by the devnet: inference results by id (see og_alpha.node_api)."""

from __future__ import annotations

import json
import urllib.parse

from og_alpha.errors import NetworkError
from og_alpha.node_api import INFERENCE_PATH, result_document

from .log import ResultStore


def handle(results: ResultStore, path: str) -> tuple[int, bytes]:
    """(HTTP status, JSON body) for a GET of ``path`` on the node API."""
    path = urllib.parse.urlsplit(path).path
    if not path.startswith(INFERENCE_PATH):
        return 404, json.dumps({"code": 5, "message": f"no route {path}"}).encode()
    inference_id = urllib.parse.unquote(path[len(INFERENCE_PATH) :])
    found = results.get(inference_id)
    if found is None:
        return 404, json.dumps(
            {"code": 5, "message": f"inference {inference_id} not found"}
        ).encode()
    mode, output = found
    return 200, json.dumps(result_document(mode, output)).encode()


def in_process_fetch(results: ResultStore):  # noqa: ANN201 - returns og_alpha.node_api.Fetch
    """A fetch function for ``Alpha`` that answers from this devnet without a socket."""

    def fetch(url: str) -> bytes:
        status, body = handle(results, url)
        if status != 200:
            raise NetworkError(f"node API answered HTTP {status} for {url}: {body.decode()}")
        return body

    return fetch
