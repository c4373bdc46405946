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

from .errors import ModelError

MAX_MODEL_BYTES = 256 * 1024 * 1024


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


def _graph_tensors(graph: onnx.GraphProto | onnx.FunctionProto) -> Iterator[onnx.TensorProto]:
    """Every tensor a graph holds: initializers, sparse ones, node attributes, subgraphs."""
    if isinstance(graph, onnx.GraphProto):
        yield from graph.initializer
        for sparse in graph.sparse_initializer:
            yield from (sparse.values, sparse.indices)
    for node in graph.node:
        for attribute in node.attribute:
            yield from _attribute_tensors(attribute)


def _attribute_tensors(attribute: onnx.AttributeProto) -> Iterator[onnx.TensorProto]:
    if attribute.HasField("t"):
        yield attribute.t
    yield from attribute.tensors
    sparse: Iterable[onnx.SparseTensorProto] = (
        [attribute.sparse_tensor, *attribute.sparse_tensors]
        if attribute.HasField("sparse_tensor")
        else attribute.sparse_tensors
    )
    for tensor in sparse:
        yield from (tensor.values, tensor.indices)
    if attribute.HasField("g"):
        yield from _graph_tensors(attribute.g)
    for graph in attribute.graphs:
        yield from _graph_tensors(graph)


def _all_tensors(proto: onnx.ModelProto) -> Iterator[onnx.TensorProto]:
    """Every tensor in the model, wherever onnxruntime might load one from.

    onnx's own helper skips sparse tensors, and onnxruntime loads a sparse initializer's
    external data from a path relative to the working directory: every place is walked.
    """
    yield from _graph_tensors(proto.graph)
    for function in proto.functions:
        yield from _graph_tensors(function)
    for training in proto.training_info:
        yield from _graph_tensors(training.initialization)
        yield from _graph_tensors(training.algorithm)


def validate_onnx(data: bytes) -> None:
    """Refuse what is not a self-contained ONNX model, before onnxruntime sees it."""
    if not data:
        raise ModelError("model is empty (0 bytes); expected an ONNX file")
    try:
        proto = onnx.load_model_from_string(data)
    except Exception as exc:  # noqa: BLE001 - protobuf raises several kinds
        raise ModelError(f"not an ONNX model: the file does not parse ({exc})") from None
    if not proto.graph.node and not proto.graph.output:
        raise ModelError("not an ONNX model: no graph (is this the right file?)")
    for tensor in _all_tensors(proto):
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            where = {e.key: e.value for e in tensor.external_data}.get("location", "?")
            raise ModelError(
                f"model references external data file {where!r} for tensor {tensor.name!r}; "
                "the devnet only loads self-contained models: re-save it with "
                "onnx.save_model(model, path, save_as_external_data=False)"
            )
