"""The whole state of a devnet as bytes, and back: ``--state`` snapshots and
``anvil_dumpState`` / ``anvil_loadState`` use this one format.

What a devnet is, once its code is given: the py-evm database (every key/value: blocks,
receipts, every state trie ever computed, so history stays queryable), the pending header
(its time, dev edits and pending transactions all hang off it), the models (their files, by
CID), the price feed, the faults, the inference log, the node API's results, the
results-via-API flag, and the node's own settings (``SAVED``: automine, impersonation...)
and live ``evm_snapshot`` ids.
Filters are not saved: they belong to a connection, not to the chain.

Layout: ``MAGIC``, the SHA-256 of the body, then the body: a JSON part (versioned; every
value tagged, so a tuple comes back a tuple and an array an array of the same dtype) and
two binary parts (database keys/values, model files), each a table of lengths then the
bytes. Records shared by the current state and the ``evm_snapshot``s (log entries, results,
candle tables, models) are written once. Nothing is unpickled: a state given by a client is
data, checked, never code.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import json
import struct
import sys
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import rlp
from eth.db.backends.memory import MemoryDB
from eth.db.header import HeaderSedes

from .chain import BlockSettings, ChainSnapshot
from .compact_db import Packed, compact_key, plain, spelled_key
from .errors import DevnetError
from .log import InferenceRecord, ScheduledRun
from .models import Model
from .prices import Synthetic

if TYPE_CHECKING:
    from .devnet import Devnet, Snapshot

MAGIC = b"og-devnet state\n"
FORMAT = "og-devnet-state"
VERSION = 1
# Record types the format knows, by name: a state never names a class to import.
_RECORDS: dict[str, type] = {
    t.__name__: t for t in (InferenceRecord, ScheduledRun, Synthetic, BlockSettings)
}

# Where the devnet keeps state beside its components (``owner.attribute``, owners as
# ``_owners`` names them). Every attribute of these objects is in SAVED or NOT_SAVED
# (tests/devnet/test_statefile.py checks): a new one must be classified to be kept.
SAVED = frozenset(
    {
        "node.automine",
        "node.impersonated",
        "node.auto_impersonate",
        "node.senders",
        "chain.coinbase",
        "chain.settings",
    }
)
NOT_SAVED: dict[str, set[str]] = {
    "devnet": {
        # components, saved through their own state
        *("models", "faults", "inference_log", "_results", "prices", "context", "chain"),
        *("node", "scheduler"),
        # fixed by the constructor's arguments: the same in every devnet of this genesis
        *("accounts", "_executor", "chain_id", "provider", "web3", "_sdk_web3", "genesis"),
    },
    "node": {
        *("devnet", "chain", "filters", "execution", "tracing", "dev", "_methods"),  # components
        "states",  # a cache of py-evm states by block and root (cleared on restore)
        # of the process: a lock, listeners, the journal, the node's name
        *("lock", "journal", "transaction_listeners", "client_version"),
    },
    "dev": {
        "node",
        "devnet",
        "chain",
        # saved apart (the evm_snapshot table and its counter)
        *("_snapshots", "_next_snapshot"),
        # interval mining runs on the wall clock; its blocks are journaled as evm_mine calls
        *("_interval_ms", "_interval_stop"),
    },
    # fork: the remote and block forked, fixed by the constructor's arguments (what was read
    # from it is read again when needed)
    "chain": {
        *("context", "chain", "chain_id", "block_listeners", "edit_listeners", "fork"),
        # the pending block's VM, rebuilt from the pending header (written flushed), and the
        # switch to the general path (tests/node/test_fast_path.py)
        *("_vm", "_vm_header", "_receipts", "_unflushed", "keep_pending_vm"),
        "_recent",  # recently sealed blocks, decoded: read again from the database
        "_view",  # latest's state over the pending VM's accounts, rebuilt from them
    },
}


class StateFileError(ValueError):
    """A saved devnet state or ``--state`` journal cannot be used; the message names the
    file (or blob), what is wrong with it, and what to do."""


# --- capture: a consistent, cheap copy taken under the node's lock ------------------------------
@dataclass(frozen=True)
class Captured:
    """Everything :func:`encode` needs, copied so the devnet can go on while it is written."""

    db: dict[bytes, bytes | Packed]  # the database as stored (plain gives the bytes)
    pending_header: bytes
    current: Snapshot
    evm_snapshots: dict[str, Snapshot]
    next_snapshot_id: int
    settings: dict[str, Any]
    genesis: tuple[int, bytes]
    meta: dict[str, Any]


def kv_store(devnet: Devnet) -> dict[bytes, bytes | Packed]:
    """The py-evm database's dict (the devnet's chain lives in memory), with the pending
    block's state written into it (the chain takes its root lazily); ``plain`` gives a
    value's bytes."""
    devnet.chain.flush()
    wrapped = getattr(devnet.chain.chain.chaindb.db, "wrapped_db", None)
    if not isinstance(wrapped, MemoryDB):
        raise StateFileError(
            f"this devnet's chain database ({type(wrapped).__name__}) cannot be saved: only "
            "an in-memory chain can"
        )
    return cast("dict[bytes, bytes | Packed]", wrapped.kv_store)  # CompactMemoryDB packs some


def _owners(devnet: Devnet) -> dict[str, Any]:
    return {"devnet": devnet, "node": devnet.node, "dev": devnet.node.dev, "chain": devnet.chain}


def genesis(devnet: Devnet) -> tuple[int, bytes]:
    """(time, hash) of the devnet's genesis block (on a fork, its fork point)."""
    block = devnet.chain.first_block()
    return int(block.header.timestamp), block.hash


def capture(
    devnet: Devnet, *, evm_snapshots: bool = True, meta: dict[str, Any] | None = None
) -> Captured:
    """Copy the devnet's state (call under ``devnet.node.lock``). Cheap: the components'
    snapshots are copy-on-write; only the database dict is copied."""
    dev = devnet.node.dev
    owners = _owners(devnet)
    settings = {}
    for name in sorted(SAVED):
        owner, attribute = name.split(".")
        if hasattr(owners[owner], attribute):
            settings[name] = copy.deepcopy(getattr(owners[owner], attribute))
    return Captured(
        db=dict(kv_store(devnet)),
        pending_header=rlp.encode(devnet.chain.pending_header),
        current=devnet.snapshot(),
        evm_snapshots=dict(dev._snapshots) if evm_snapshots else {},
        next_snapshot_id=int(dev._next_snapshot),
        settings=settings,
        genesis=genesis(devnet),
        meta=dict(meta or {}),
    )


def dump(
    devnet: Devnet, *, evm_snapshots: bool = True, meta: dict[str, Any] | None = None
) -> bytes:
    """The devnet's whole state as bytes (call under ``devnet.node.lock``)."""
    return encode(capture(devnet, evm_snapshots=evm_snapshots, meta=meta))


# --- values: tagged JSON -----------------------------------------------------------------------
def _enc(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, tuple):
        return {"t": [_enc(v) for v in value]}
    if isinstance(value, dict):
        return {"d": [[_enc(k), _enc(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"s": sorted((_enc(v) for v in value), key=json.dumps)}
    if isinstance(value, (bytes, bytearray)):
        return {"b": bytes(value).hex()}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"o": [list(value.shape), [_enc(v) for v in value.reshape(-1).tolist()]]}
        data = base64.b64encode(np.ascontiguousarray(value).tobytes()).decode()
        return {"a": [value.dtype.str, list(value.shape), data]}
    if isinstance(value, np.generic):
        return {"g": [value.dtype.str, base64.b64encode(value.tobytes()).decode()]}
    name = type(value).__name__
    if _RECORDS.get(name) is type(value):
        fields = {f.name: _enc(getattr(value, f.name)) for f in dataclasses.fields(value)}  # type: ignore[arg-type]
        return {"r": [name, fields]}
    raise StateFileError(f"the devnet holds a {name}, which the state format cannot save")


def _dec(value: Any) -> Any:
    if not isinstance(value, (dict, list)):
        return value
    if isinstance(value, list):
        return [_dec(v) for v in value]
    ((tag, body),) = value.items()
    if tag == "t":
        return tuple(_dec(v) for v in body)
    if tag == "d":
        return {_dec(k): _dec(v) for k, v in body}
    if tag == "s":
        return {_dec(v) for v in body}
    if tag == "b":
        return bytes.fromhex(body)
    if tag == "a":
        dtype, shape, data = body
        if np.dtype(dtype).hasobject:
            raise ValueError("an object array must be tagged 'o'")
        return np.frombuffer(base64.b64decode(data), dtype=dtype).reshape(shape).copy()
    if tag == "o":
        shape, items = body
        out = np.empty(len(items), dtype=object)
        out[:] = [_dec(v) for v in items]
        return out.reshape(shape)
    if tag == "g":
        dtype, data = body
        return np.frombuffer(base64.b64decode(data), dtype=dtype)[0]
    if tag == "r":
        name, fields = body
        return _RECORDS[name](**{k: _dec(v) for k, v in fields.items()})
    raise ValueError(f"unknown tag {tag!r}")


class _Table:
    """Objects written once however many states share them (by identity)."""

    def __init__(self, encode: Callable[[Any], Any]) -> None:
        self._encode = encode
        self._index: dict[int, int] = {}
        self._keep: list[Any] = []
        self.rows: list[Any] = []

    def ref(self, obj: Any) -> int:
        index = self._index.get(id(obj))
        if index is None:
            index = self._index[id(obj)] = len(self.rows)
            self._keep.append(obj)
            self.rows.append(self._encode(obj))
        return index


# --- bytes: length tables ----------------------------------------------------------------------
def _pack(items: list[bytes]) -> bytes:
    lengths = array("I", map(len, items))
    if sys.byteorder != "little":
        lengths.byteswap()
    return struct.pack("<Q", len(items)) + lengths.tobytes() + b"".join(items)


def _unpack(data: memoryview, offset: int) -> tuple[list[bytes], int]:
    (count,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    lengths = array("I")
    lengths.frombytes(data[offset : offset + 4 * count])
    if len(lengths) != count:
        raise ValueError("truncated length table")
    if sys.byteorder != "little":
        lengths.byteswap()
    offset += 4 * count
    items = []
    for length in lengths:
        items.append(bytes(data[offset : offset + length]))
        offset += length
    if offset > len(data):
        raise ValueError("truncated data")
    return items, offset


# --- encode ------------------------------------------------------------------------------------
def encode(captured: Captured) -> bytes:
    """The captured state in the file format (slow for a big chain: no lock needed)."""
    model_files: list[bytes] = []

    def enc_model(model: Model) -> list[Any]:
        if not model.data:
            raise StateFileError(f"model {model.cid} was added without its file")
        model_files.append(model.data)
        return [model.cid, len(model_files) - 1]

    records, results, rows = _Table(_enc), _Table(_enc), _Table(_enc_rows)
    models = _Table(enc_model)

    def view(snapshot: Snapshot) -> dict[str, Any]:
        synthetic, tables = snapshot.prices
        chain = snapshot.chain
        return {
            "chain": [
                chain.head_hash.hex(),
                chain.pending_timestamp,
                chain.pending_state_root.hex(),
            ],
            "models": [models.ref(m) for m in snapshot.models.values()],
            "synthetic": _enc(synthetic),
            "candles": [[b, q, d, rows.ref(t)] for (b, q, d), t in tables.items()],
            "faults": _enc(snapshot.faults),
            "log": [records.ref(r) for r in snapshot.log],
            "results": [[k, results.ref(v)] for k, v in snapshot.results.items()],
            "results_via_api": bool(snapshot.results_via_api),
        }

    document = {
        "format": FORMAT,
        "version": VERSION,
        "genesis_time": captured.genesis[0],
        "genesis_hash": "0x" + captured.genesis[1].hex(),
        "meta": captured.meta,
        "pending_header": captured.pending_header.hex(),
        "settings": {k: _enc(v) for k, v in captured.settings.items()},
        "current": view(captured.current),
        "evm_snapshots": {k: view(s) for k, s in captured.evm_snapshots.items()},
        "next_snapshot_id": captured.next_snapshot_id,
        "models": models.rows,
        "records": records.rows,
        "results": results.rows,
        "candles": rows.rows,
    }
    text = json.dumps(document, separators=(",", ":")).encode()
    keys = list(captured.db)
    body = b"".join(
        (
            struct.pack("<Q", len(text)),
            text,
            _pack([spelled_key(k) for k in keys]),  # py-evm's keys, as any version reads them
            _pack([plain(captured.db[k]) for k in keys]),
            _pack(model_files),
        )
    )
    return MAGIC + hashlib.sha256(body).digest() + body


def _enc_rows(table: dict[int, tuple[float, ...]]) -> list[list[float]]:
    return [[ts, *values] for ts, values in table.items()]


# --- decode ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decoded:
    """A checked state, not yet applied to any devnet."""

    document: dict[str, Any]
    db: dict[bytes, bytes]
    model_files: list[bytes]

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.document.get("meta") or {})

    @property
    def genesis_time(self) -> int:
        return int(self.document["genesis_time"])


def decode(data: bytes, what: str = "the state") -> Decoded:
    """Check and parse a state (``what`` names it in errors); changes nothing."""
    if not data.startswith(MAGIC):
        raise StateFileError(f"{what} is not an og devnet state (it does not start as one)")
    digest, body = data[len(MAGIC) : len(MAGIC) + 32], memoryview(data)[len(MAGIC) + 32 :]
    if hashlib.sha256(body).digest() != digest:
        raise StateFileError(
            f"{what} is damaged: its checksum does not match its contents (truncated or "
            "changed after it was written)"
        )
    try:
        (length,) = struct.unpack_from("<Q", body, 0)
        document = json.loads(bytes(body[8 : 8 + length]))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("not an og devnet state document")
        if document.get("version") != VERSION:
            raise StateFileError(
                f"{what} is in state format version {document.get('version')}; this og devnet "
                f"reads version {VERSION} (use the og devnet that wrote it)"
            )
        keys, offset = _unpack(body, 8 + length)
        values, offset = _unpack(body, offset)
        files, offset = _unpack(body, offset)
        if len(keys) != len(values) or offset != len(body):
            raise ValueError("the database tables do not match")
    except StateFileError:
        raise
    except (ValueError, TypeError, KeyError, struct.error) as exc:
        raise StateFileError(f"{what} cannot be read: {exc}") from None
    return Decoded(document, dict(zip(keys, values, strict=True)), files)


# --- restore -----------------------------------------------------------------------------------
def restore(devnet: Devnet, decoded: Decoded, what: str = "the state") -> None:
    """Replace the devnet's whole state with ``decoded``. All or nothing: everything is
    built and checked before the devnet changes, and a failure leaves it as it was."""
    doc = decoded.document
    own = "0x" + genesis(devnet)[1].hex()
    if doc.get("genesis_hash") != own:
        raise StateFileError(
            f"{what} is of another chain (genesis {doc.get('genesis_hash')} at "
            f"{doc.get('genesis_time')}; this devnet's genesis is {own}): load it into a devnet "
            f"started with the same genesis time (og devnet --genesis-time {doc.get('genesis_time')})"
        )
    try:
        current, evm = _snapshots(devnet, decoded)
        pending = rlp.decode(bytes.fromhex(doc["pending_header"]), sedes=HeaderSedes)
        next_id = int(doc["next_snapshot_id"])
        settings = {k: _dec(v) for k, v in doc["settings"].items() if k in SAVED}
    except StateFileError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, rlp.DecodingError) as exc:
        raise StateFileError(f"{what} cannot be read: {type(exc).__name__}: {exc}") from None

    store = devnet.chain.chain.chaindb.db.wrapped_db
    kept = (store.kv_store, devnet.snapshot(), devnet.chain.pending_header)
    store.kv_store = {compact_key(k): v for k, v in decoded.db.items()}
    cache = getattr(devnet.node, "states", None)
    if cache is not None:
        cache.clear()
    try:
        chaindb = devnet.chain.chain.chaindb
        for snapshot in (current, *evm.values()):
            chaindb.get_block_header_by_hash(snapshot.chain.head_hash)
        devnet.revert(current)
        devnet.chain.chain.header = pending
        devnet.chain.pending_block()
    except Exception as exc:  # noqa: BLE001 - a damaged chain fails in py-evm's own ways
        store.kv_store = kept[0]
        devnet.revert(kept[1])
        devnet.chain.chain.header = kept[2]
        raise StateFileError(
            f"{what} holds a chain this devnet cannot use ({type(exc).__name__}: {exc})"
        ) from None
    owners = _owners(devnet)
    for name, value in settings.items():
        owner, attribute = name.split(".")
        setattr(owners[owner], attribute, value)
    dev = owners["dev"]
    dev._snapshots = evm
    dev._next_snapshot = max(int(dev._next_snapshot), next_id)


def _snapshots(devnet: Devnet, decoded: Decoded) -> tuple[Snapshot, dict[str, Snapshot]]:
    """The current state and the evm_snapshots, as the devnet's Snapshot objects."""
    from .devnet import Snapshot

    doc = decoded.document
    models = _models(devnet, doc["models"], decoded.model_files)
    records = [_dec(r) for r in doc["records"]]
    results = [_dec(r) for r in doc["results"]]
    candles = [{int(r[0]): tuple(float(x) for x in r[1:]) for r in t} for t in doc["candles"]]
    filters = devnet.node.filters.state()

    def snapshot(view: dict[str, Any]) -> Snapshot:
        head, pending_time, root = view["chain"]
        return Snapshot(
            chain=ChainSnapshot(bytes.fromhex(head), int(pending_time), bytes.fromhex(root)),
            filters=filters,
            models={models[i].cid: models[i] for i in view["models"]},
            prices=(
                _dec(view["synthetic"]),
                {(b, q, int(d)): candles[i] for b, q, d, i in view["candles"]},
            ),
            faults=_dec(view["faults"]),
            log=[records[i] for i in view["log"]],
            results=OrderedDict((k, results[i]) for k, i in view["results"]),
            results_via_api=bool(view["results_via_api"]),
        )

    return snapshot(doc["current"]), {str(k): snapshot(v) for k, v in doc["evm_snapshots"].items()}


def _models(devnet: Devnet, rows: list[Any], files: list[bytes]) -> list[Model]:
    """Model objects for the state's models: the devnet's own when it has the same file,
    else loaded (and so checked) as any model added to the devnet is."""
    hub = devnet.models
    have = hub.state()
    out = []
    try:
        for cid, index in rows:
            data = files[index]
            model = have.get(cid)
            if model is None or model.data != data:
                try:
                    hub.add(data, cid)
                except DevnetError as exc:
                    raise StateFileError(f"model {cid} in the state is refused: {exc}") from None
                model = hub.state()[cid]
            out.append(model)
    finally:
        hub.restore(have)
    return out


def load_devnet(data: bytes, what: str = "the state") -> Devnet:
    """A new Devnet in the state ``data`` holds."""
    from .devnet import Devnet

    decoded = decode(data, what)
    devnet = Devnet(genesis_time=decoded.genesis_time)
    restore(devnet, decoded, what)
    return devnet


# --- fingerprint -------------------------------------------------------------------------------
def fingerprint(devnet: Devnet) -> dict[str, Any]:
    """A short summary of the devnet's state after a call, journaled with it so that a replay
    proves it reached the same state: the head block, the pending block (time, dev edits,
    pending transactions), and the models and flags the chain does not hold."""
    head = devnet.chain.head
    owners = _owners(devnet)
    flags = {
        name: _enc(getattr(owners[name.split(".")[0]], name.split(".")[1], None))
        for name in sorted(SAVED - {"node.senders"})  # senders: on chain, in the head's hash
    }
    models = sorted((m.cid, m.size) for m in devnet.models.list())
    settings = hashlib.sha256(
        json.dumps([models, devnet.results_via_api, flags], sort_keys=True).encode()
    ).hexdigest()
    return {
        "block": int(head.block_number),
        "head": "0x" + head.hash.hex(),
        "pending": "0x" + devnet.chain.pending_header.hash.hex()[:16],
        "devnet": settings[:16],
    }


def describe_difference(recorded: dict[str, Any], replayed: dict[str, Any]) -> str:
    """What differs between two fingerprints, in words."""
    parts = []
    if (recorded.get("block"), recorded.get("head")) != (replayed["block"], replayed["head"]):
        parts.append(
            f"the journal recorded head block {recorded.get('block')} {recorded.get('head')}, "
            f"the replay made block {replayed['block']} {replayed['head']}"
        )
    elif recorded.get("pending") != replayed["pending"]:
        parts.append("the pending block (its time, dev edits or pending transactions) differs")
    if recorded.get("devnet") != replayed["devnet"]:
        parts.append("the models or node settings (results via API, automine) differ")
    return "; ".join(parts) or "the recorded summary is malformed"


def prices_digest(devnet: Devnet) -> str:
    """A hash of the price data the devnet was started with (the journal header keeps it)."""
    synthetic, tables = devnet.prices.state()
    text = json.dumps(
        [_enc(synthetic), [[list(k), _enc_rows(t)] for k, t in sorted(tables.items())]],
        sort_keys=True,
    )
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
