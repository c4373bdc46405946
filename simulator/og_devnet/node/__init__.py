"""The node core: one JSON-RPC dispatcher shaped by the execution-apis specification, served
in-process (``og_devnet.provider``) and over HTTP (``og_devnet.server``)."""

from .core import MAX_BATCH, MUTATING, Node
from .errors import RpcError

__all__ = ["MAX_BATCH", "MUTATING", "Node", "RpcError"]
