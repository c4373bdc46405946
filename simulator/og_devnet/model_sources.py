"""Where the devnet gets a model it does not hold: sources asked by CID, and their settings.

A source is an HTTP(S) URL: an IPFS gateway, asked for ``URL/ipfs/CID``, or a template
holding ``{cid}`` (``https://models.example/{cid}.onnx``). Sources are tried in order; what
one serves is kept only if it hashes to the CID asked for, so a source need not be trusted.
Each is bounded: ``fetch_timeout`` seconds to answer and deliver, and no more than the model
size limit is read (a larger ``Content-Length`` is refused before the body).

Settings, each from the first place that gives it: the argument (``Devnet(model_sources=...)``,
``og devnet --model-source``), the environment, ``og.toml`` in the working directory (keys as
below, optionally under ``[og]``), the default.
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import model_files
from .cid import ipfs_cid_v0
from .errors import DevnetError, ModelError

# setting -> (environment variable, og.toml key)
ENV_SOURCES, ENV_CACHE = "OG_MODEL_SOURCES", "OG_MODEL_CACHE"
ENV_TIMEOUT, ENV_FETCH_TIMEOUT = "OG_MODEL_TIMEOUT", "OG_MODEL_FETCH_TIMEOUT"
_KEYS = {
    "sources": (ENV_SOURCES, "model_sources"),
    "cache_dir": (ENV_CACHE, "model_cache"),
    "run_timeout": (ENV_TIMEOUT, "model_timeout"),
    "fetch_timeout": (ENV_FETCH_TIMEOUT, "model_fetch_timeout"),
}
DEFAULT_CACHE = Path("~/.cache/og-devnet/models")
DEFAULT_RUN_TIMEOUT = 5.0
DEFAULT_FETCH_TIMEOUT = 60.0
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ModelSettings:
    sources: tuple[str, ...]
    cache_dir: Path
    run_timeout: float
    fetch_timeout: float


def seconds(name: str, value: Any) -> float:
    """A positive, finite number of seconds, or an error naming the setting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DevnetError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if not (value > 0 and math.isfinite(value)):
        raise DevnetError(f"{name} must be > 0 seconds, got {value!r}")
    return float(value)


def check_source(source: Any) -> str:
    """A source URL as given, or an error saying what a source must look like."""
    if isinstance(source, str):
        parts = urlsplit(source.strip())
        if parts.scheme in ("http", "https") and parts.netloc:
            return source.strip()
    raise DevnetError(
        f"model source {source!r} is not an http(s) URL: give an IPFS gateway "
        "(https://ipfs.io, asked for URL/ipfs/CID) or a URL template holding {cid}"
    )


def source_url(source: str, cid: str) -> str:
    return source.replace("{cid}", cid) if "{cid}" in source else f"{source.rstrip('/')}/ipfs/{cid}"


def _config_file() -> dict[str, Any]:
    path = Path.cwd() / "og.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DevnetError(f"cannot read {path}: {exc}") from None
    section = data.get("og", data)
    return section if isinstance(section, dict) else {}


def resolve(
    *,
    sources: Iterable[str] | None = None,
    cache_dir: str | Path | None = None,
    run_timeout: float | None = None,
    fetch_timeout: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> ModelSettings:
    """The settings: argument, else environment, else og.toml, else default."""
    given = {
        "sources": sources,
        "cache_dir": cache_dir,
        "run_timeout": run_timeout,
        "fetch_timeout": fetch_timeout,
    }
    env = os.environ if environ is None else environ
    config: dict[str, Any] | None = None
    chosen: dict[str, tuple[str, Any]] = {}
    for setting, (variable, key) in _KEYS.items():
        if given[setting] is not None:
            chosen[setting] = (key, given[setting])
        elif env.get(variable, "").strip():
            chosen[setting] = (variable, _from_text(setting, variable, env[variable]))
        else:
            config = _config_file() if config is None else config
            if key in config:
                chosen[setting] = (f"og.toml {key}", config[key])
    name, raw = chosen.get("sources", ("model_sources", []))
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        raise DevnetError(f"{name} must be a list of URLs, got {type(raw).__name__}")
    cache = chosen.get("cache_dir", ("", DEFAULT_CACHE))[1]
    if not isinstance(cache, (str, Path)) or not str(cache).strip():
        raise DevnetError(f"the model cache must be a directory path, got {cache!r}")
    return ModelSettings(
        sources=tuple(check_source(s) for s in raw),
        cache_dir=Path(cache).expanduser(),
        run_timeout=seconds(*chosen.get("run_timeout", ("model_timeout", DEFAULT_RUN_TIMEOUT))),
        fetch_timeout=seconds(
            *chosen.get("fetch_timeout", ("model_fetch_timeout", DEFAULT_FETCH_TIMEOUT))
        ),
    )


def _from_text(setting: str, variable: str, text: str) -> Any:
    """An environment variable's text as the setting's type."""
    if setting == "sources":
        return text.split()
    if setting == "cache_dir":
        return text.strip()
    try:
        return float(text)
    except ValueError:
        raise DevnetError(f"{variable} must be a number of seconds, got {text!r}") from None


class _Refused(Exception):
    """One source's failure, in words for the error that lists every source tried."""


def _download(url: str, timeout: float, limit: int) -> bytes:
    """The body at ``url``: at most ``limit`` bytes, within about ``timeout`` seconds (each
    socket wait is bounded by it, and the deadline is checked between reads)."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": "og-devnet"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise _Refused(f"it is {int(length)} bytes; the model size limit is {limit}")
            body = bytearray()
            while chunk := response.read(_CHUNK):
                body += chunk
                if len(body) > limit:
                    raise _Refused(f"it is over the model size limit of {limit} bytes")
                if time.monotonic() > deadline:
                    raise _Refused(f"not delivered within {timeout:g} s")
            return bytes(body)
    except urllib.error.HTTPError as exc:
        raise _Refused(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _Refused(f"no answer within {timeout:g} s") from None
        raise _Refused(getattr(reason, "strerror", None) or str(reason)) from None
    except TimeoutError:
        raise _Refused(f"no answer within {timeout:g} s") from None
    except OSError as exc:  # reset, broken pipe, TLS and protocol errors
        raise _Refused(exc.strerror or type(exc).__name__) from None
    except (http.client.HTTPException, ValueError) as exc:  # malformed or cut-short answers
        raise _Refused(f"malformed answer ({exc})") from None


def fetch(cid: str, sources: Iterable[str], timeout: float) -> tuple[bytes, str]:
    """The bytes of ``cid`` from the first source that serves exactly them, and its URL.

    A source that fails, or serves other bytes, is passed over; if none serves them, the
    ``ModelError`` names every URL tried and what each did.
    """
    tried = []
    for source in sources:
        url = source_url(source, cid)
        try:
            data = _download(url, timeout, model_files.MAX_MODEL_BYTES)
        except _Refused as exc:
            tried.append(f"{url}: {exc}")
            continue
        got = ipfs_cid_v0(data)
        if got == cid:
            return data, url
        tried.append(f"{url}: served {len(data)} bytes whose CID is {got}, not {cid} (refused)")
    raise ModelError("; ".join(tried))
