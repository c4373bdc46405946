"""web3's ``HTTPProvider``, parsing the node's answers within the JSON depth bound.

py-evm and py_ecc raise the interpreter's recursion limit in every process that imports
them (``og_alpha`` does, through eth-account), and web3 decodes each JSON-RPC answer with
``json.loads``: a node answering 80 KB of ``[`` overflows the stack and the process dies.
This provider parses answers with :mod:`og_alpha.jsonsafe` instead (NaN accepted, as web3's
decoder accepts it), and is otherwise web3's: the same requests session, request kwargs,
retries and batches. ``Alpha(private_key, rpc_url=...)`` and ``connect()`` use it; a
``Web3`` passed to ``Alpha`` keeps the provider it was given.
"""

from __future__ import annotations

from typing import cast

from eth_utils import to_text
from web3 import HTTPProvider
from web3.exceptions import BadResponseFormat
from web3.types import RPCResponse

from . import jsonsafe


class AnswerOverLimit(BadResponseFormat):
    """The node's answer is beyond a bound of the SDK (JSON nested too deep): not decoded."""


class BoundedHTTPProvider(HTTPProvider):
    """``HTTPProvider`` whose answers are parsed by ``og_alpha.jsonsafe``."""

    @staticmethod
    def decode_rpc_response(raw_response: bytes) -> RPCResponse:
        try:
            return cast(RPCResponse, jsonsafe.loads(to_text(raw_response), allow_nan=True))
        except jsonsafe.JSONLimitError as exc:
            raise AnswerOverLimit(
                f"{exc} (og_alpha.jsonsafe.MAX_DEPTH), as deeper nesting would overflow "
                "the interpreter's stack"
            ) from None
