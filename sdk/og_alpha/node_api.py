"""The node API: results delivered off the event, fetched by inference id.

``GET {api_url}/artela-network/artela-rollkit/inference/tx/{inference_id}`` answers
``{"inference_results": [base64(JSON)]}``; this module builds and parses that document, so
the devnet serves exactly what the SDK reads.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from .errors import ConfigurationError, NetworkError, OpenGradientError
from .transactions import describe_failure
from .types import ModelOutput
from .wire import model_output_from_abi

INFERENCE_PATH = "/artela-network/artela-rollkit/inference/tx/"
_MODE_KEYS = {0: "VanillaResult", 1: "ZkmlResult"}
DEFAULT_API_TIMEOUT = 30.0

Fetch = Callable[[str], bytes]


def inference_url(api_url: str, inference_id: str) -> str:
    return api_url.rstrip("/") + INFERENCE_PATH + urllib.parse.quote(inference_id, safe="")


def result_document(mode: int, output: tuple[Any, ...]) -> dict[str, Any]:
    """The response body for one result (wire ModelOutput tuple)."""
    numbers, strings, jsons, _ = output
    model_output = {
        "numbers": [
            {"name": n, "shape": list(s), "values": [{"value": v, "decimals": d} for v, d in vals]}
            for n, vals, s in numbers
        ],
        "strings": [{"name": n, "shape": [len(vals)], "values": list(vals)} for n, vals in strings],
        "jsons": [{"name": n, "value": v} for n, v in jsons],
    }
    if mode == 2:
        inner: dict[str, Any] = {
            "TeeNodeResult": {"Response": {"VanillaResponse": {"model_output": model_output}}}
        }
    else:
        inner = {_MODE_KEYS.get(mode, "VanillaResult"): {"model_output": model_output}}
    doc = json.dumps({"InferenceResult": inner}, separators=(",", ":")).encode()
    return {"inference_results": [base64.b64encode(doc).decode()]}


def parse_result_document(body: bytes) -> ModelOutput:
    """A node-API response body to a :class:`ModelOutput`."""
    try:
        outer = json.loads(body)
        doc = json.loads(base64.b64decode(outer["inference_results"][0]))
        result = doc["InferenceResult"]
        if "TeeNodeResult" in result:
            m = result["TeeNodeResult"]["Response"]["VanillaResponse"]["model_output"]
        else:
            m = next(iter(result.values()))["model_output"]
        numbers = [
            (
                t["name"],
                [(int(x["value"]), int(x["decimals"])) for x in t["values"]],
                [int(d) for d in t.get("shape", [])],
            )
            for t in m.get("numbers") or []
        ]
        strings = [(t["name"], list(t["values"])) for t in m.get("strings") or []]
        jsons = [(t["name"], t["value"]) for t in m.get("jsons") or []]
    except (ValueError, KeyError, IndexError, TypeError, StopIteration) as exc:
        raise OpenGradientError(
            f"node API returned an unreadable inference result: {exc}"
        ) from None
    return model_output_from_abi((numbers, strings, jsons, False))


def http_fetch(url: str, timeout: float = DEFAULT_API_TIMEOUT) -> bytes:
    """GET ``url``; every failure is a ``NetworkError`` (``ConfigurationError`` for a URL
    that cannot be fetched at all) naming what happened."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as exc:
        raise NetworkError(f"node API answered HTTP {exc.code} for {url}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise NetworkError(f"node API at {url} {describe_failure(exc)}") from None
    except ValueError as exc:  # urllib's "unknown url type" and the like
        raise ConfigurationError(f"node API URL {url!r} cannot be fetched: {exc}") from None


def fetch_inference_result(
    api_url: str, inference_id: str, fetch: Fetch | None = None
) -> ModelOutput:
    return parse_result_document((fetch or http_fetch)(inference_url(api_url, inference_id)))
