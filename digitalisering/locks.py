"""Locks that the kernel drops when the process holding them dies (killed or not), so that a crash
never leaves anything locked: lock files (registrations and batch claims beside the SQLite database,
what PostgreSQL's advisory locks are for the shared database) and folder locks (an output folder
written by one run and read by nobody meanwhile). Both are ``flock`` locks.

Lock files are small (the holder's pid) and stay; they are not state. A folder is locked on the folder
itself: nothing is added to it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from digitalisering.errors import StateError

POLL_S = 0.05


class FileLock:
    """An exclusive lock on ``path``; ``acquire`` returns False when another process holds it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, wait_s: float = 0) -> bool:
        """Take the lock, waiting up to ``wait_s`` seconds for its holder; True when taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd
        return True

    def holder(self) -> str:
        """The process id written by the current holder ('?' when unknown)."""
        try:
            return self.path.read_text(encoding="ascii", errors="replace").strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file drops the lock
            self._fd = None


@contextmanager
def folder_lock(folder: Path, busy: str, *, shared: bool = False, wait_s: float = 0,
                **values: object) -> Iterator[None]:
    """Hold ``folder`` (which must exist): exclusively (a writer) or ``shared`` (readers). When
    another process holds it in a conflicting way for longer than ``wait_s`` seconds, StateError
    with the message ``busy`` (a catalogue entry, its fields filled from ``values``). A file system that has no locks (some network shares) is used
    unlocked."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StateError(busy, **values) from None
                time.sleep(POLL_S)
            except OSError as exc:
                if exc.errno not in (errno.ENOLCK, errno.EBADF, errno.EINVAL, errno.EOPNOTSUPP):
                    raise
                break
        yield
    finally:
        os.close(fd)
