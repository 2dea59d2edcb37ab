"""Locks that the kernel drops when the process holding them dies (killed or not), so that a crash
never leaves anything locked: lock files (registrations and batch claims beside the SQLite database,
what PostgreSQL's advisory locks are for the shared database) and folder locks (an output folder
written by one run and read by nobody meanwhile). Both are ``flock`` locks.

Lock files are small (the holder's pid) and stay (unless made to be removed on release); they are not state. A folder is locked on the folder
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
    """An exclusive lock on ``path``; ``acquire`` returns False when another process holds it.

    ``remove``: the file is deleted on ``release`` (a lock file in a folder that belongs to the user,
    such as beside a public folder). Safe with other processes: the file is unlinked while the lock
    is held, and ``acquire`` retries when the file it locked was unlinked or replaced meanwhile."""

    def __init__(self, path: Path, remove: bool = False):
        self.path = Path(path)
        self.remove = remove
        self._fd: int | None = None

    def acquire(self, wait_s: float = 0) -> bool:
        """Take the lock, waiting up to ``wait_s`` seconds for its holder; True when taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_s
        while True:
            fd, writable = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_S)
                continue
            except BaseException:  # no locks on this file system (ENOLCK on some network shares)
                os.close(fd)
                raise
            if self.remove and not self._still_at_path(fd):  # its holder removed it: lock the new file
                os.close(fd)
                continue
            break
        try:
            if writable:
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def _open(self) -> tuple[int, bool]:
        """The lock file, opened for writing (its holder's pid goes in), else read-only: a lock file
        another user made (a shared folder; new ones get the umask's permissions, 0644 under the
        usual 022) can still be locked (``flock`` needs no write access). PermissionError when
        it cannot be opened at all, or there is none and the folder may not be written (then both
        opens fail every time: a few tries, not a loop for ever)."""
        for attempt in range(3):
            try:
                return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666), True
            except PermissionError as exc:
                refused = exc
                try:
                    return os.open(self.path, os.O_RDONLY | os.O_CLOEXEC), False
                except FileNotFoundError:  # its holder removed it meanwhile: make our own
                    continue
        raise refused

    def holder(self) -> str:
        """The process id written by the current holder ('?' when unknown)."""
        try:
            return self.path.read_text(encoding="ascii", errors="replace").strip() or "?"
        except OSError:
            return "?"

    def _still_at_path(self, fd: int) -> bool:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        own = os.fstat(fd)
        return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)

    def release(self) -> None:
        if self._fd is not None:
            if self.remove:
                try:
                    self.path.unlink()  # while still held: a waiting process then locks a new file
                except OSError:
                    pass
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
