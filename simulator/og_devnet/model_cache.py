"""A content-addressed cache of model files on disk: ``<directory>/<CID>``.

Models fetched by CID are kept here so that the devnet works off-line with every model it
has seen. A file is trusted only as far as its bytes hash to its name: it is checked on
every read, and one that does not match is deleted (and fetched again by the caller).
Writes go to a temporary file renamed into place, so devnets sharing the directory (pytest
workers, several ``og devnet``) never see half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .cid import ipfs_cid_v0, is_cid_v0
from .errors import ModelError
from .model_files import load_model_bytes


class ModelCache:
    """Model bytes by CID in ``directory`` (created on first write)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory).expanduser()

    def path(self, cid: str) -> Path:
        if not is_cid_v0(cid):  # the name becomes a path: only a checked CID may
            raise ModelError(f"{cid!r} is not an IPFS CIDv0 (Qm...): nothing is cached for it")
        return self.directory / cid

    def get(self, cid: str) -> bytes | None:
        """The cached bytes of ``cid``, or None if there are none (or they were not its)."""
        path = self.path(cid)
        if not path.is_file():
            return None
        data = load_model_bytes(path)
        if ipfs_cid_v0(data) != cid:
            with contextlib.suppress(OSError):  # another process may have replaced it
                path.unlink()
            return None
        return data

    def put(self, cid: str, data: bytes) -> Path:
        """Keep ``data`` (already checked to be ``cid``'s bytes) under its CID."""
        path = self.path(cid)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=f".{cid}.", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            raise ModelError(
                f"cannot write the model cache {str(self.directory)!r} "
                f"({exc.strerror or exc}); set OG_MODEL_CACHE to a writable directory"
            ) from None
        return path
