"""The journal behind ``--state``: every acknowledged state change, durably, verifiably.

Line 1 is a header: the format version, an id, and what the chain depends on beyond the
calls (genesis time and hash, the startup models by CID, the startup price data by hash).
Every other line is one call that changed state, ``{"i": n, "m": method, "p": params,
"a": summary after, "c": checksum}``, written, flushed and fsynced before the call is
answered. The summary after the call (head block and hash, pending block, models and flags)
lets a replay prove it rebuilt the same state; the checksum and the entry number catch a
changed or deleted line. A torn last line (a crash mid-write) was never acknowledged and is
dropped, but only once the file is known to be a journal and only when it is opened for
appending: a file that is not a journal is refused untouched.

One process at a time: the file is locked (``flock``) while open, so a second node on the
same file is refused instead of interleaving its lines.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .statefile import StateFileError

FORMAT_KEY = "og_devnet_journal"
VERSION = 1
_SEAL = b',"c":"'
_CHECK_LEN = 16
_HEADER_LIMIT = 1 << 20  # a header line is small; a huge first line is not a journal
_UNSET: Any = object()

Summary = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    """One journaled call, as read back."""

    line: int  # 1-based line number in the file (the header is line 1)
    number: int  # entry number, 1-based
    method: str
    params: list[Any]
    after: dict[str, Any]  # the devnet's summary after the call
    result: str | None  # digest of the answer, when the caller gave it


def result_digest(result: Any) -> str:
    text = json.dumps(result, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:_CHECK_LEN]


def seal(entry: dict[str, Any]) -> bytes:
    """One journal line: the entry as JSON with its checksum as the last member."""
    body = json.dumps(entry, separators=(",", ":"), allow_nan=False).encode()
    check = hashlib.sha256(body).hexdigest()[:_CHECK_LEN].encode()
    return body[:-1] + _SEAL + check + b'"}\n'


def unseal(line: bytes) -> dict[str, Any] | None:
    """The entry a line holds, or None when its checksum does not match its bytes."""
    cut = line.rfind(_SEAL)
    if cut <= 0 or len(line) != cut + len(_SEAL) + _CHECK_LEN + 3 or not line.endswith(b'"}\n'):
        return None
    body = line[:cut] + b"}"
    if hashlib.sha256(body).hexdigest()[:_CHECK_LEN].encode() != line[cut + len(_SEAL) : -3]:
        return None
    try:
        entry = json.loads(body)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)


class Journal:
    """An open, locked journal. Opening reads and checks every line and writes nothing to an
    existing file; :meth:`start` makes it appendable (dropping a torn tail)."""

    def __init__(self, path: str | Path, header: dict[str, Any]) -> None:
        self.path = Path(path)
        self.on_append: list[Callable[[int], None]] = []
        self.on_close: list[Callable[[], None]] = []
        self._summary: Summary | None = None
        self._broken: str | None = None
        # how the state was rebuilt at open: (entries loaded from the snapshot, replayed)
        self.restored: tuple[int, int] = (0, 0)
        self._fd: int | None = self._open()
        try:
            self._load(header)
        except BaseException:
            self._release()
            raise
        self._count = len(self.entries)

    # --- opening -----------------------------------------------------------------------------
    def _open(self) -> int:
        name = self.path
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(name, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StateFileError(
                f"cannot open the state file {name} for writing: {_strerror(exc)} (--state needs "
                "a writable file; give a path on a writable disk)"
            ) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StateFileError(f"the state file {name} is not a regular file")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StateFileError(
                    f"the state file {name} is in use by another og process (one node per "
                    "journal): stop that process, or give this one another --state file"
                ) from None
            except OSError as exc:
                raise StateFileError(
                    f"cannot lock the state file {name}: {_strerror(exc)}"
                ) from None
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _read_all(self) -> bytes:
        assert self._fd is not None
        chunks: list[bytes] = []
        offset = 0
        while True:
            chunk = os.pread(self._fd, 1 << 24, offset)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            offset += len(chunk)

    def _load(self, header: dict[str, Any]) -> None:
        assert self._fd is not None
        first = os.pread(self._fd, _HEADER_LIMIT, 0)
        if not first or (b"\n" not in first and first.startswith(b'{"' + FORMAT_KEY.encode())):
            # new, or a header torn by a crash while the file was being created
            self._create(header, torn=bool(first))
            return
        line = first[: first.find(b"\n") + 1] if b"\n" in first else b""
        self.header = self._header(line)
        data = self._read_all()
        end = data.rfind(b"\n") + 1
        self.torn = len(data) - end  # bytes of a last line cut short by a crash
        self._size = end
        self.entries: list[Entry] = []
        offset, number = len(line), 2
        while offset < end:
            stop = data.index(b"\n", offset) + 1
            self.entries.append(self._entry(number, data[offset:stop]))
            offset, number = stop, number + 1

    def _create(self, header: dict[str, Any], torn: bool) -> None:
        assert self._fd is not None
        self.header = {FORMAT_KEY: VERSION, "id": uuid.uuid4().hex, **header}
        self.entries = []
        self.torn = 0
        line = seal(self.header)
        try:
            if torn:
                os.ftruncate(self._fd, 0)
            os.write(self._fd, line)
            os.fsync(self._fd)
            fsync_dir(self.path)
        except OSError as exc:
            raise StateFileError(
                f"cannot write the state file {self.path}: {_strerror(exc)}"
            ) from None
        self._size = len(line)

    def _header(self, line: bytes) -> dict[str, Any]:
        try:
            parsed = json.loads(line) if line else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and FORMAT_KEY not in parsed and {"m", "p"} <= set(parsed):
            raise StateFileError(
                f"{self.path} is a journal of an older og devnet (no header, no checksums), "
                "which cannot be verified; move it away and start afresh"
            )
        if not isinstance(parsed, dict) or FORMAT_KEY not in parsed:
            raise StateFileError(
                f"{self.path} is not an og devnet state journal (its first line is not a "
                "journal header); it was left untouched: give --state a new file name"
            )
        if parsed[FORMAT_KEY] != VERSION:
            raise StateFileError(
                f"{self.path} is a journal of format {parsed[FORMAT_KEY]}; this og devnet "
                f"reads format {VERSION} (use the og devnet that wrote it)"
            )
        header = unseal(line)
        if header is None:
            raise StateFileError(self._damaged(1, "the header"))
        return header

    def _entry(self, line_number: int, line: bytes) -> Entry:
        entry = unseal(line)
        if entry is None:
            raise StateFileError(self._damaged(line_number, "the entry"))
        expected = line_number - 1
        try:
            number, method, params, after = entry["i"], entry["m"], entry["p"], entry["a"]
        except KeyError as exc:
            raise StateFileError(
                f"{self.path} line {line_number}: the entry has no {exc.args[0]!r}"
            ) from None
        if number != expected:
            missing = (
                f"entries {expected}..{number - 1} are missing (deleted lines?)"
                if isinstance(number, int) and number > expected
                else "the lines are out of order or repeated"
            )
            raise StateFileError(
                f"{self.path} line {line_number} holds entry {number} where entry {expected} "
                f"belongs: {missing}. {self.keep_before(line_number)}"
            )
        return Entry(line_number, number, method, params, after, entry.get("r"))

    def _damaged(self, line_number: int, what: str) -> str:
        return (
            f"{self.path} line {line_number}: {what} is damaged (its checksum does not match: "
            f"it changed after it was written). {self.keep_before(line_number)}"
        )

    def keep_before(self, line_number: int) -> str:
        """What the user can do when a line cannot be used."""
        if line_number <= 1:
            return "Restore the file from a backup, or move it away and start afresh."
        return (
            "Restore the file from a backup, or keep the entries before it "
            f"(head -n {line_number - 1} {self.path} > new.jsonl) and start from that file."
        )

    # --- appending -----------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._fd is None

    @property
    def count(self) -> int:
        """Entries in the journal."""
        return self._count

    def start(self, summary: Summary) -> int:
        """Make the journal appendable: every later :meth:`append` records ``summary()``.
        Drops a torn last line; returns how many bytes it had (0 if none)."""
        assert self._fd is not None
        torn = self.torn
        if torn:
            try:
                os.ftruncate(self._fd, self._size)
                os.fsync(self._fd)
            except OSError as exc:
                raise StateFileError(
                    f"cannot drop the torn last line of {self.path}: {_strerror(exc)}"
                ) from None
            self.torn = 0
        self._summary = summary
        self.entries = []  # replayed: no longer needed (an anvil_loadState entry is big)
        return torn

    def append(self, method: str, params: Any, result: Any = _UNSET) -> int:
        """Journal one call durably (written, flushed, fsynced) before it is answered.

        Raises OSError when the entry cannot be made durable; the file is then cut back to
        its last whole entry, so nothing half-written stays behind. Returns the entry number.
        """
        if self._fd is None or self._summary is None:
            raise OSError(errno.EBADF, f"the state journal {self.path} is not open for appending")
        if self._broken is not None:
            raise OSError(errno.EIO, self._broken)
        number = self._count + 1
        entry = {"i": number, "m": method, "p": params, "a": self._summary()}
        if result is not _UNSET:
            entry["r"] = result_digest(result)
        try:
            line = seal(entry)
        except (TypeError, ValueError) as exc:
            raise OSError(errno.EINVAL, f"{method} cannot be journaled: {exc}") from None
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError as exc:
            self._cut_back()
            code = exc.errno or errno.EIO
            raise OSError(code, f"{os.strerror(code)} (writing {self.path})") from None
        self._size += len(line)
        self._count = number
        for listener in self.on_append:
            listener(number)
        return number

    def _cut_back(self) -> None:
        """After a failed write: remove whatever part of the entry reached the file."""
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, self._size)
            os.fsync(self._fd)
        except OSError as exc:
            self._broken = (
                f"the state journal {self.path} could not be cut back after a failed write "
                f"({_strerror(exc)}); no further change is accepted: restart og devnet"
            )

    # --- closing -------------------------------------------------------------------------------
    def close(self) -> None:
        """Run the close hooks (a final snapshot), then release the file and its lock."""
        if self._fd is None:
            return
        try:
            for hook in self.on_close:
                hook()
        finally:
            self._release()

    def _release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def fsync_dir(path: Path) -> None:
    """Make a file's creation or rename durable: fsync the directory that names it."""
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
