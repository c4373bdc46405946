"""py-evm's account database with a remote node behind it: what this chain has not written
is read from the fork's remote at the pinned block (titanoboa forks py-evm the same way).

Everything written here is in the local tries, so py-evm's state roots describe the fork's
local state completely: a block's state root is all a snapshot, a revert, ``state_at`` an
old block, ``anvil_dumpState`` or a ``--state`` restart need. Three facts make "not written
here" tell "as on the remote" from "changed here":

- an account absent from the local trie is the remote's;
- a storage slot absent from the local storage trie is the remote's, for an account that had
  code on the remote; so a zero written over such a slot is kept as an explicit zero (py-evm
  would delete the key, and the remote's value would show through again);
- an account deleted here, or whose storage was wiped here (a self-destruct, a CREATE over a
  cleared address), gets a marker in the account trie under a key no address hashes to:
  from then on it, and its storage, are only what this chain holds.

Storage is read from the remote only for accounts with code there: an EOA has no storage, so
a contract created here never costs a remote read for its empty slots.
"""

from __future__ import annotations

from typing import ClassVar

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth.db.account import AccountDB
from eth.db.storage import CLEAR_COUNT_KEY_NAME, AccountStorageDB
from eth.rlp.accounts import Account
from eth.vm.interrupt import MissingBytecode, MissingStorageTrieNode
from eth_hash.auto import keccak
from eth_typing import Address, Hash32
from eth_utils import int_to_big_endian

from .fork_rpc import Remote

# Account-trie key prefix of the "superseded here" marker (the trie hashes the whole key, so
# it lands where no 20-byte address can).
_SUPERSEDED = b"og-devnet fork: superseded: "
_MARK = b"\x01"
_EXPLICIT_ZERO = rlp.encode(0)  # b"\x80": py-evm never stores a zero, so it cannot clash
_NOT_CLEARED = b"\x00"


class ForkStorageDB(AccountStorageDB):
    """One account's storage: local writes first, then (if backed) the remote's slots."""

    def __init__(
        self, db: object, storage_root: Hash32, address: Address, remote: Remote | None
    ) -> None:
        super().__init__(db, storage_root, address)  # type: ignore[arg-type]
        self._remote = remote

    def _backed(self) -> bool:
        """Whether a slot not written here is the remote's: the account had code there and
        its storage has not been wiped in this state (a revert past the wipe undoes it)."""
        return self._remote is not None and self._clear_count[CLEAR_COUNT_KEY_NAME] in (
            _NOT_CLEARED,
            b"",
        )

    def get(self, slot: int, from_journal: bool = True) -> int:
        self._accessed_slots.add(slot)
        key = int_to_big_endian(slot)
        lookup = self._journal_storage if from_journal else self._locked_changes
        try:
            encoded = lookup[key]
        except MissingStorageTrieNode:
            raise
        except KeyError:  # deleted in the journal
            encoded = b""
        if encoded:
            return rlp.decode(encoded, sedes=rlp.sedes.big_endian_int)
        # not written here (the trie answers b"" for a key it does not hold)
        if self._remote is not None and self._backed():
            return self._remote.storage(self._address, slot)
        return 0

    def set(self, slot: int, value: int) -> None:
        if value or not self._backed():
            super().set(slot, value)
        else:
            self._journal_storage[int_to_big_endian(slot)] = _EXPLICIT_ZERO


class ForkAccountDB(AccountDB):
    """An ``AccountDB`` whose misses go to ``remote`` (set on a subclass by
    :func:`account_db_class`)."""

    remote: ClassVar[Remote]

    # --- accounts ----------------------------------------------------------------------------
    def _get_encoded_account(self, address: Address, from_journal: bool = True) -> bytes:
        encoded = super()._get_encoded_account(address, from_journal)
        if encoded or self._superseded(address, from_journal):
            return encoded
        remote = self.remote.account(address)
        if remote.empty:
            return b""
        return rlp.encode(
            Account(remote.nonce, remote.balance, BLANK_ROOT_HASH, keccak(remote.code)),
            sedes=Account,
        )

    def _superseded(self, address: Address, from_journal: bool = True) -> bool:
        lookup = self._journaltrie if from_journal else self._trie_cache
        try:
            return lookup[_SUPERSEDED + address] == _MARK
        except KeyError:
            return False

    def _supersede(self, address: Address) -> None:
        """From now on ``address`` is only what this chain holds (no remote fall-through)."""
        if not self.remote.account(address).empty and not self._superseded(address):
            self._journaltrie[_SUPERSEDED + address] = _MARK

    def delete_account(self, address: Address) -> None:
        super().delete_account(address)
        self._supersede(address)

    def delete_storage(self, address: Address) -> None:
        super().delete_storage(address)
        self._supersede(address)

    # --- code --------------------------------------------------------------------------------
    def get_code(self, address: Address) -> bytes:
        try:
            return super().get_code(address)
        except MissingBytecode as missing:
            # the remote's code is not copied into the local database: ask for it by address
            code = self.remote.code(address, missing.missing_code_hash)
            if code is None:
                raise
            return code

    # --- storage -----------------------------------------------------------------------------
    def _get_address_store(self, address: Address) -> ForkStorageDB:
        store = self._account_stores.get(address)
        if store is None:
            backed = not self._superseded(address) and bool(self.remote.account(address).code)
            store = ForkStorageDB(
                self._raw_store_db,
                self._get_storage_root(address),
                address,
                self.remote if backed else None,
            )
            self._account_stores[address] = store
        return store  # type: ignore[return-value]


def account_db_class(remote: Remote) -> type[ForkAccountDB]:
    """A ``ForkAccountDB`` reading ``remote`` (py-evm builds account databases by class)."""
    return type("ForkAccountDB", (ForkAccountDB,), {"remote": remote})
