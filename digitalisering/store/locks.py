"""File locks beside the SQLite database (what PostgreSQL's advisory locks are for the shared database).

``flock`` locks belong to an open file: the kernel drops them when the process that holds them dies
(killed or not), so a crash never leaves a delivery or a batch locked. The lock files themselves are
empty and stay; they are not state.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

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
