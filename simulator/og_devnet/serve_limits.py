"""The served node's limits that ``og devnet``'s options default to, apart from the server
(``og_devnet.server``, ``og_devnet.http_guard``) so that ``og``'s parser can show them
without importing the server, and with it py-evm, aiohttp and the node core, for every
command."""

from __future__ import annotations

MAX_BODY = 64 * 1024 * 1024  # an og_addModel carries a base64 model
IDLE_TIMEOUT = 30.0  # to send a complete request head, after connecting or after an answer

__all__ = ["IDLE_TIMEOUT", "MAX_BODY"]
