"""Locks that the kernel drops with their holder: lock files and folder locks, across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from digitalisering.errors import StateError
from digitalisering.locks import FileLock, folder_lock

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from digitalisering.locks import FileLock, folder_lock
    kind, path = sys.argv[1], Path(sys.argv[2])
    if kind == "file":
        assert FileLock(path).acquire()
        print("held", flush=True); time.sleep(120)
    with folder_lock(path, "busy", shared=kind == "shared"):
        print("held", flush=True); time.sleep(120)
""")


@pytest.fixture
def holder():
    """Start a process that holds a lock until it is killed (as a crashed command would be)."""
    procs = []

    def start(kind: str, path: Path) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, kind, str(path)], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "held"
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def test_a_lock_file_held_elsewhere_is_refused_and_freed_when_its_holder_is_killed(tmp_path, holder):
    path = tmp_path / "locks" / "batch-1.lock"
    proc = holder("file", path)
    lock = FileLock(path)
    assert not lock.acquire(wait_s=0.2)
    assert lock.holder() == str(proc.pid)
    proc.kill()
    proc.wait()
    assert lock.acquire()
    lock.release()


def test_a_folder_written_by_one_is_read_by_nobody_and_readers_share(tmp_path, holder):
    folder = tmp_path / "out"
    folder.mkdir()
    reader = holder("shared", folder)
    with folder_lock(folder, "busy", shared=True):  # readers together
        pass
    with pytest.raises(StateError, match="^out is busy$"):
        with folder_lock(folder, "out is busy"):
            pass
    reader.kill()
    reader.wait()
    writer = holder("exclusive", folder)
    with pytest.raises(StateError, match="busy"):
        with folder_lock(folder, "busy", shared=True, wait_s=0.2):
            pass
    writer.kill()
    writer.wait()
    with folder_lock(folder, "busy"):
        pass
    assert list(folder.iterdir()) == []  # nothing was added to the folder


def test_a_lock_that_the_file_system_refuses_leaks_no_file_descriptor(tmp_path, monkeypatch):
    """``flock`` answering ENOLCK (some network file systems): the opened lock file was never
    closed, one descriptor lost per attempt (a long-running web server runs out)."""
    import errno
    import fcntl
    import os

    def no_locks(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")
    monkeypatch.setattr(fcntl, "flock", no_locks)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        with pytest.raises(OSError):
            FileLock(tmp_path / "x.lock").acquire()
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_lock_file_in_a_folder_we_may_not_write_fails_at_once(tmp_path, monkeypatch):
    """No lock file yet in a folder that is not ours to write (a read-only share, another user's
    folder): creating it is refused and opening it read-only finds nothing; acquire went round
    that loop for ever at full CPU. It says PermissionError (its callers' cue) instead."""
    import os

    from digitalisering import locks

    real_open, opens = os.open, []

    def not_writable(path, flags, *mode):
        opens.append(flags)
        if len(opens) > 50:
            raise AssertionError("acquire keeps trying")
        if flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *mode)
    monkeypatch.setattr(locks.os, "open", not_writable)
    with pytest.raises(PermissionError):
        FileLock(tmp_path / "x.lock").acquire()
