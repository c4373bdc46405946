"""Where a call failed, frame by frame, from a geth ``callTracer`` trace.

A revert deep inside hub → workflow → precompile reaches the caller as one reason string;
the frames it passed through say which contract refused and which merely passed the failure
on. Nodes that trace (``og devnet``, anvil, geth with the debug API) give the trace; this
module names the path: "InferenceHub → InferencePrecompile (0x…F4): unknown model CID …".
"""

from __future__ import annotations

from typing import Any

from .contracts import INFERENCE_HUB_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS

CALL_TRACER = {"tracer": "callTracer"}
NAMES = {
    0xF4: "InferencePrecompile (0x…F4)",
    0xF5: "PriceFeedPrecompile (0x…F5)",
    int(INFERENCE_HUB_ADDRESS, 16): "InferenceHub",
    int(WORKFLOW_SCHEDULER_ADDRESS, 16): "WorkflowScheduler",
}


def failing_path(trace: dict[str, Any]) -> str:
    """The frames down to the deepest failure and its reason, e.g.
    "WorkflowScheduler → contract 0x… → PriceFeedPrecompile (0x…F5): unknown pair DOGE/EUR"."""
    parts = []
    node: dict[str, Any] | None = trace
    while node is not None:
        parts.append(_label(node))
        failed = [c for c in node.get("calls", []) if "error" in c]
        node = failed[-1] if failed else None
    reason = _deepest_error(trace)
    return " → ".join(parts) + (f": {reason}" if reason else "")


def _deepest_error(node: dict[str, Any]) -> str | None:
    failed = [c for c in node.get("calls", []) if "error" in c]
    if failed:
        deeper = _deepest_error(failed[-1])
        if deeper:
            return deeper
    return node.get("revertReason") or node.get("error")


def _label(node: dict[str, Any]) -> str:
    to = node.get("to")
    if not to:
        return "contract creation"
    return NAMES.get(int(to, 16), f"contract {to}")
