"""``ipfs_cid_v0`` gives the CID that ``ipfs add`` (default settings) gives the same bytes."""

from __future__ import annotations

import random

import pytest

from og_devnet import cid
from og_devnet.cid import ipfs_cid_v0

CHUNK = 262_144


def _bytes(size: int) -> bytes:
    """The deterministic input of a vector: ``random.Random(size).randbytes(size)``."""
    return random.Random(size).randbytes(size)


def test_known_vectors() -> None:
    # Published values: `ipfs add` of an empty file and of "hello world\n".
    assert ipfs_cid_v0(b"") == "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
    assert ipfs_cid_v0(b"hello world\n") == "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"


# Expected values come from ipfs-only-hash 4.0.0 (`await Hash.of(buffer)`, its defaults: js-ipfs's
# ipfs-unixfs-importer 7.0.3 with cidVersion 0, rawLeaves false, fixed 262144-byte chunks,
# balanced layout, maxChildrenPerNode 174), run on the bytes of `_bytes(size)`, i.e.
# `random.Random(size).randbytes(size)` in Python: write those bytes to a file, hash it with Node.
REFERENCE = [
    (0, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"),
    (1, "QmcHFYKzbGeJYtDtcHEjgpKas4wZm8M25hjRusVLjou6Kx"),
    (12, "QmRJ3zWFGXpX6dRT48XtRFJbCvVsxiKxebwp9hqaybxmou"),
    # one chunk, short of full and exactly full: the leaf is the root
    (CHUNK - 1, "QmPdFsTSn1n7xDXVvvVqYcVgkzwbH1dKBZUR9DQWopFYr9"),
    (CHUNK, "Qmbd9VNLTfpBW2arj1AkAJnVRYBq1WEY6Uu6wLEiemGipi"),
    # two chunks, the second of one byte: a depth-1 tree
    (CHUNK + 1, "QmdkAszdeWKht9nXSzPKGUYvUqpMfm325GuCn1pZnTa9ja"),
    (1_048_576 + 7, "QmVVCs9NA1G7SxnpRopvFYxLVjtr8wqJsabnzFEvdN2ujm"),
    # the largest depth-1 tree (174 links), then the smallest depth-2 tree (174 + 1 leaves)
    (174 * CHUNK, "QmNWRuH9CkAYPi3Gf99g1nB74Cw3y5NuPKohRs7KX2KsJz"),
    (174 * CHUNK + 1, "QmWvAUzQsaCFMPzTTFKwGmTmijHZ5aVRwJqGwrSHF89cuy"),
]
# Checked by hand, left out to keep this suite fast: 50_000_000 bytes (depth 2, 174 + 17 leaves)
# -> QmW6beuoz9PsEvetc6W5Fs4T36hbKLyZcsZVyWBqqEv1fL.


@pytest.mark.parametrize(("size", "expected"), REFERENCE, ids=[str(s) for s, _ in REFERENCE])
def test_matches_js_ipfs_importer(size: int, expected: str) -> None:
    assert ipfs_cid_v0(_bytes(size)) == expected


# Deeper trees would need 174**2 chunks (~7.9 GB), so the layering is checked with the same
# importer run with {maxChunkSize: 1024, maxChildrenPerNode: 4} on `_bytes(size)`.
SMALL_TREE_REFERENCE = [
    (1024 * 5, "QmY2sxr9niswJ4qgYXSc8ZFciERneyMt1e17Tr58n9cBTr"),  # depth 2
    (1024 * 16, "QmciKhQNPSgnSfVCYBPNjfZr9eFbR24ndm9Fm8ujUpr5D4"),  # full depth 2
    (1024 * 16 + 1, "QmQUWU35Uuo21kPE6r7tJb49KnQ4sk9gqDA3aicGRd9Ned"),  # depth 3
    (1024 * 17 + 3, "QmRRrx8Ywx13bGpzLHVBA4AuFDAXwjxZJ98GSN4V4ed2ij"),
    (1024 * 21 + 1, "QmRVXhEhweruuTpy2miAG1jnLcQP5xp5AbyZwtysGB7hTs"),
    (1024 * 64, "QmdMzNVAMkSDX94U6aLJbS2BpFb1ZELmBcTWrUYonzRbBA"),  # full depth 3
    (1024 * 64 + 1, "QmQrnUQHcuQM5T5mgy5b8o6FnaZcm7uQdhS14E8hPDYYSM"),  # depth 4
    (1024 * 100 + 999, "QmXpNUspXVt8PUs94tBdCSjAdRGQZNHDAgbaqcXdzwVp3n"),
]


@pytest.mark.parametrize(
    ("size", "expected"), SMALL_TREE_REFERENCE, ids=[str(s) for s, _ in SMALL_TREE_REFERENCE]
)
def test_deep_tree_layout(monkeypatch: pytest.MonkeyPatch, size: int, expected: str) -> None:
    monkeypatch.setattr(cid, "_CHUNK_SIZE", 1024)
    monkeypatch.setattr(cid, "_MAX_LINKS", 4)
    assert ipfs_cid_v0(_bytes(size)) == expected


def test_accepts_any_bytes_like() -> None:
    data = _bytes(CHUNK + 1)
    expected = "QmdkAszdeWKht9nXSzPKGUYvUqpMfm325GuCn1pZnTa9ja"
    assert ipfs_cid_v0(bytearray(data)) == expected
    assert ipfs_cid_v0(memoryview(data)) == expected
