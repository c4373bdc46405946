"""The node API: results delivered off the event, fetched by inference id.

``GET {api_url}/artela-network/artela-rollkit/inference/tx/{inference_id}`` answers
``{"inference_results": [base64(JSON)]}``; this module builds and parses that document, so
the devnet serves exactly what the SDK reads.

The answer comes from outside, so reading it is bounded: ``api_timeout`` is a deadline for
the whole fetch, the answer may be at most ``MAX_RESPONSE_BYTES``, and both JSON layers are
parsed by :mod:`og_alpha.jsonsafe` (a node API that answered 80 KB of ``[`` crashed the
interpreter).
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.parse
from collections.abc import Callable
from typing import Any

from . import bounded_http, jsonsafe
from .errors import ConfigurationError, LimitError, NetworkError, OpenGradientError
from .transactions import describe_failure
from .types import ModelOutput
from .wire import model_output_from_abi

INFERENCE_PATH = "/artela-network/artela-rollkit/inference/tx/"
_MODE_KEYS = {0: "VanillaResult", 1: "ZkmlResult"}
DEFAULT_API_TIMEOUT = 30.0
# The largest answer read: a block's gas (60M at 50 per output element) buys 1.2M Numbers,
# about 56 MB as the document's base64 JSON; the devnet's server takes bodies of 64 MiB too.
MAX_RESPONSE_BYTES = 64 * 2**20

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
        outer = jsonsafe.loads(body)
        doc = jsonsafe.loads(base64.b64decode(outer["inference_results"][0]))
        result = doc["InferenceResult"]
        if "TeeNodeResult" in result:
            m = result["TeeNodeResult"]["Response"]["VanillaResponse"]["model_output"]
        else:
            m = next(iter(result.values()))["model_output"]
        numbers = [
            (
                _text(t["name"]),
                [(int(x["value"]), int(x["decimals"])) for x in t["values"]],
                [int(d) for d in t.get("shape", [])],
            )
            for t in m.get("numbers") or []
        ]
        strings = [
            (_text(t["name"]), [_text(v) for v in t["values"]]) for t in m.get("strings") or []
        ]
        jsons = [(_text(t["name"]), _text(t["value"])) for t in m.get("jsons") or []]
    except jsonsafe.JSONLimitError as exc:
        raise LimitError(
            f"node API answered an inference result that is not decoded: {exc} "
            "(og_alpha.jsonsafe.MAX_DEPTH), as deeper nesting would overflow the "
            "interpreter's stack"
        ) from None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, StopIteration) as exc:
        raise OpenGradientError(
            f"node API returned an unreadable inference result: {type(exc).__name__} {exc}"
        ) from None
    return model_output_from_abi((numbers, strings, jsons, False))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a name or string value is JSON {type(value).__name__}, not a string")
    return value


def http_fetch(
    url: str, timeout: float = DEFAULT_API_TIMEOUT, max_bytes: int = MAX_RESPONSE_BYTES
) -> bytes:
    """GET ``url``: the whole answer within ``timeout`` seconds and at most ``max_bytes``
    long. Every failure is a ``NetworkError`` (``ConfigurationError`` for a URL that cannot
    be fetched at all) naming what happened."""
    try:
        return bounded_http.get(url, timeout=timeout, max_bytes=max_bytes)
    except bounded_http.DeadlineExceeded:
        raise NetworkError(
            f"node API at {url} did not answer in time (timed out: the whole answer must "
            f"arrive within api_timeout, {timeout:g} s)"
        ) from None
    except bounded_http.ResponseTooLarge as exc:
        raise NetworkError(
            f"node API at {url} was not read: {exc} (og_alpha.node_api.MAX_RESPONSE_BYTES; "
            "a larger one takes api_fetch=functools.partial(og_alpha.node_api.http_fetch, "
            "max_bytes=N))"
        ) from None
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
