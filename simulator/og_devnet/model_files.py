"""Model files as the devnet receives them: read within limits, refused unless ONNX and
self-contained.

A model file is untrusted input: it is read only if it is a regular file under the size
limit, and refused if any tensor anywhere in it points at external data, because onnxruntime
would read that file from the node's disk and hand its bytes back as an inference output.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import onnx
import onnx.inliner

from .errors import ModelError

MAX_MODEL_BYTES = 256 * 1024 * 1024
# Nodes onnxruntime builds for one model (functions expanded). Loading time and memory grow
# faster than linearly with it: 100,000 one-op nodes take 7 s and 390 MB to load, 1,000,000
# take minutes and gigabytes. Real models under the size limit have a few thousand.
MAX_MODEL_NODES = 50_000


def load_model_bytes(source: str | Path | bytes | bytearray) -> bytes:
    """The model's bytes; a path is sized from ``stat`` before a byte is read.

    Only a regular file is read (a FIFO or ``/dev/zero`` would never end), and never more than
    the limit plus one byte, so a file that grows after the check cannot get past it.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise ModelError(f"model file {str(path)!r} does not exist or is not a file")
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise ModelError(
                f"model file {str(path)!r} is {size} bytes; the limit is {MAX_MODEL_BYTES}"
            )
        try:
            # O_NONBLOCK: were the path swapped for a FIFO since the check, opening it must
            # not block; fstat then refuses it.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    raise ModelError(f"model file {str(path)!r} is not a regular file")
                data = file.read(MAX_MODEL_BYTES + 1)
        except OSError as exc:
            raise ModelError(f"cannot read model file {str(path)!r}: {exc.strerror}") from None
        if len(data) > MAX_MODEL_BYTES:
            raise ModelError(
                f"model file {str(path)!r} grew past the limit of {MAX_MODEL_BYTES} bytes "
                "while it was read"
            )
    if len(data) > MAX_MODEL_BYTES:
        raise ModelError(f"model is {len(data)} bytes; the limit is {MAX_MODEL_BYTES}")
    return data


def _subgraphs(node: onnx.NodeProto) -> Iterator[onnx.GraphProto]:
    for attribute in node.attribute:
        if attribute.HasField("g"):
            yield attribute.g
        yield from attribute.graphs


def _contents(
    proto: onnx.ModelProto,
) -> tuple[list[onnx.TensorProto], list[onnx.SparseTensorProto]]:
    """Every tensor and sparse tensor the model holds, wherever onnxruntime may load one
    from: initializers and node attributes of the main graph, of every subgraph (If, Loop,
    Scan branches, at any depth), of model-local functions and of training graphs, and the
    parts of every sparse tensor. One pass over the nodes.

    onnx's own helper skips sparse tensors, and onnxruntime loads a sparse initializer's
    external data from a path relative to the working directory: every place is walked.
    """
    tensors: list[onnx.TensorProto] = []
    sparse: list[onnx.SparseTensorProto] = []
    pending: list[onnx.GraphProto | onnx.FunctionProto] = [proto.graph, *proto.functions]
    for training in proto.training_info:
        pending += [training.initialization, training.algorithm]
    while pending:
        body = pending.pop()
        if isinstance(body, onnx.GraphProto):
            tensors.extend(body.initializer)
            sparse.extend(body.sparse_initializer)
        for node in body.node:
            for attribute in node.attribute:
                if attribute.HasField("t"):
                    tensors.append(attribute.t)
                tensors.extend(attribute.tensors)
                if attribute.HasField("sparse_tensor"):
                    sparse.append(attribute.sparse_tensor)
                sparse.extend(attribute.sparse_tensors)
                if attribute.HasField("g"):
                    pending.append(attribute.g)
                pending.extend(attribute.graphs)
    for each in sparse:
        tensors += (each.values, each.indices)
    return tensors, sparse


def _dense_bytes(sparse: onnx.SparseTensorProto) -> int:
    """What a sparse tensor takes once onnxruntime makes it dense, as it does at load."""
    try:
        itemsize = onnx.helper.tensor_dtype_to_np_dtype(sparse.values.data_type).itemsize
    except (KeyError, TypeError, ValueError):
        itemsize = 8
    count = 1
    for dim in sparse.dims:
        count *= max(int(dim), 0)
    return count * max(itemsize, 1)


def expanded_nodes(proto: onnx.ModelProto) -> int:
    """The nodes onnxruntime builds: each subgraph's once, and a model-local function's
    body as many times as it is called (onnxruntime inlines every call), so a small file of
    nested functions is counted at its expanded size."""
    functions = {(f.domain, f.name, f.overload): f for f in proto.functions}
    sizes: dict[tuple[str, str, str], int] = {}
    calling: set[tuple[str, str, str]] = set()

    def count(nodes: Iterable[onnx.NodeProto]) -> int:
        total = 0
        for node in nodes:
            total += sum(count(g.node) for g in _subgraphs(node))
            key = (node.domain, node.op_type, node.overload)
            if key not in functions:
                total += 1
                continue
            if key in calling:
                raise ModelError(f"model-local function {node.op_type!r} calls itself")
            if key not in sizes:
                calling.add(key)
                sizes[key] = count(functions[key].node)
                calling.discard(key)
            total += max(sizes[key], 1)  # the call is replaced by the body
        return total

    try:
        return count(proto.graph.node)
    except RecursionError:
        raise ModelError("the model's functions or subgraphs are nested too deeply") from None


def validate_onnx(data: bytes) -> onnx.ModelProto:
    """Refuse what is not a self-contained ONNX model of bounded size once loaded, before
    onnxruntime sees it; return the parsed model."""
    if not data:
        raise ModelError("model is empty (0 bytes); expected an ONNX file")
    try:
        proto = onnx.load_model_from_string(data)
    except Exception as exc:  # noqa: BLE001 - protobuf raises several kinds
        raise ModelError(f"not an ONNX model: the file does not parse ({exc})") from None
    if not proto.graph.node and not proto.graph.output:
        raise ModelError("not an ONNX model: no graph (is this the right file?)")
    if len(proto.graph.node) > MAX_MODEL_NODES:  # before any walk: they take time per node
        raise ModelError(
            f"the model's graph has {len(proto.graph.node)} nodes; the devnet loads at most "
            f"{MAX_MODEL_NODES}: loading time and memory grow with nodes"
        )
    tensors, sparse = _contents(proto)
    for tensor in tensors:
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            where = {e.key: e.value for e in tensor.external_data}.get("location", "?")
            raise ModelError(
                f"model references external data file {where!r} for tensor {tensor.name!r}; "
                "the devnet only loads self-contained models: re-save it with "
                "onnx.save_model(model, path, save_as_external_data=False)"
            )
    dense = sum(_dense_bytes(each) for each in sparse)
    if dense > MAX_MODEL_BYTES:
        raise ModelError(
            f"the model's sparse tensors take {dense} bytes once made dense (onnxruntime does "
            f"so when it loads them); the limit is {MAX_MODEL_BYTES}, as for a model file"
        )
    nodes = expanded_nodes(proto)
    if nodes > MAX_MODEL_NODES:
        raise ModelError(
            f"the model has {nodes} nodes once its subgraphs and model-local functions are "
            f"expanded (every call inlined); the devnet loads at most {MAX_MODEL_NODES}: "
            "loading time and memory grow with nodes"
        )
    return proto


def for_onnxruntime(proto: onnx.ModelProto, data: bytes) -> bytes:
    """The bytes to load: the file as it is, or, if it has model-local functions, the same
    model with every call inlined by onnx first. onnxruntime inlines nested functions in
    time that grows with the square of the result (40,000 nodes from a 10 KB file: 16-29 s;
    100,000: 320 s); onnx's inliner takes 0.2 s and leaves onnxruntime a flat graph it
    loads in linear time. Called after ``validate_onnx`` bounded the expanded size.
    """
    if not proto.functions:
        return data
    try:
        return onnx.inliner.inline_local_functions(proto).SerializeToString()
    except Exception as exc:  # noqa: BLE001 - onnx's C++ inliner raises several kinds
        raise ModelError(f"the model's functions cannot be inlined: {exc}") from None
