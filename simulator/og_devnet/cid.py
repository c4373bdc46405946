"""The IPFS CIDv0 that ``ipfs add`` gives a byte string, computed without IPFS.

The real Model Hub stores each model file on IPFS and the chain refers to it by that file's
CID, so the devnet registers models under the very id the Hub would give the same bytes: a
model that works on the devnet is named the same on the Alpha Testnet, and a CID seen on
either side can be checked against the local file.

This reproduces ``ipfs add`` with its defaults (go-ipfs/kubo and js-ipfs agree on them):
fixed 262144-byte chunks; each chunk a dag-pb node whose Data is a UnixFS ``File`` holding the
bytes (no raw leaves); a balanced DAG of at most 174 links per node, filled bottom-up, so
that every leaf sits at the same depth and every node but the last of each level is full; a
single chunk is the root itself; sha2-256 multihash, printed as base58btc ("Qm...").

Only the standard library is used. The data is never copied: each chunk is a memoryview
slice that is fed straight to the hash between its protobuf header and trailer.
"""

from __future__ import annotations

import hashlib

__all__ = ["ipfs_cid_v0", "is_cid_v0"]

_CHUNK_SIZE = 262_144
_MAX_LINKS = 174
_SHA2_256 = b"\x12\x20"  # multihash prefix: code 0x12, 32-byte digest
_UNIXFS_FILE = b"\x08\x02"  # UnixFS Data.Type (field 1) = File (2)
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# A node as its parent sees it: (multihash, Tsize = serialized size of the whole subtree,
# number of file bytes below it).
_Node = tuple[bytes, int, int]


def _varint(value: int) -> bytes:
    """Protobuf base-128 varint of a non-negative integer."""
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _tag(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _uint_field(field: int, value: int) -> bytes:
    return _tag(field, 0) + _varint(value)


def _bytes_field(field: int, value: bytes) -> bytes:
    return _tag(field, 2) + _varint(len(value)) + value


def _leaf(chunk: memoryview) -> _Node:
    """Hash the dag-pb leaf ``PBNode{Data: UnixFS{Type: File, Data: chunk, filesize}}``.

    The node is fed to the hash in three parts so that the chunk itself is never copied.
    An empty chunk (only for the empty file) has no UnixFS Data field at all.
    """
    size = len(chunk)
    data_head = _tag(2, 2) + _varint(size) if size else b""
    trailer = _uint_field(3, size)
    unixfs_len = len(_UNIXFS_FILE) + len(data_head) + size + len(trailer)
    head = _tag(1, 2) + _varint(unixfs_len) + _UNIXFS_FILE + data_head
    digest = hashlib.sha256(head)
    digest.update(chunk)
    digest.update(trailer)
    return _SHA2_256 + digest.digest(), len(head) + size + len(trailer), size


def _parent(children: list[_Node]) -> _Node:
    """Hash an internal node: its PBLinks (field 2) come before its Data (field 1).

    Each link has Hash, an empty Name (written, as go-ipfs and js-ipfs do) and Tsize. The
    UnixFS Data is a File with ``filesize`` and one ``blocksizes`` entry per child, and no
    Data field of its own.
    """
    parts: list[bytes] = []
    for multihash, tsize, _ in children:
        link = _bytes_field(1, multihash) + _bytes_field(2, b"") + _uint_field(3, tsize)
        parts.append(_bytes_field(2, link))
    filesize = sum(child[2] for child in children)
    unixfs = _UNIXFS_FILE + _uint_field(3, filesize)
    unixfs += b"".join(_uint_field(4, child[2]) for child in children)
    parts.append(_bytes_field(1, unixfs))
    node = b"".join(parts)
    tsize = len(node) + sum(child[1] for child in children)
    return _SHA2_256 + hashlib.sha256(node).digest(), tsize, filesize


def _base58btc(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_B58_ALPHABET[remainder])
    leading_zeros = len(raw) - len(raw.lstrip(b"\x00"))
    return "1" * leading_zeros + "".join(reversed(digits))


def is_cid_v0(text: object) -> bool:
    """Whether ``text`` is a well-formed CIDv0: base58btc of a sha2-256 multihash ("Qm" and 44
    more characters). Only such a CID can be checked against bytes here, and only such a
    string is safe to use as a file name in the model cache."""
    if not isinstance(text, str) or len(text) != 46 or not text.startswith("Qm"):
        return False
    number = 0
    for char in text:
        digit = _B58_ALPHABET.find(char)
        if digit < 0:
            return False
        number = number * 58 + digit
    raw = number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")
    return len(raw) == 34 and raw.startswith(_SHA2_256)


def ipfs_cid_v0(data: bytes) -> str:
    """Return the CIDv0 (``Qm...``) that ``ipfs add`` with default settings gives ``data``.

    ``data`` may be any contiguous bytes-like object (bytes, bytearray, memoryview, mmap).
    """
    view = memoryview(data).cast("B")
    level = [
        _leaf(view[start : start + _CHUNK_SIZE])
        for start in range(0, max(len(view), 1), _CHUNK_SIZE)
    ]
    while len(level) > 1:
        level = [
            _parent(level[start : start + _MAX_LINKS]) for start in range(0, len(level), _MAX_LINKS)
        ]
    return _base58btc(level[0][0])
