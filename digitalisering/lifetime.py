"""Child processes that die with the process that started them.

A runner killed with SIGKILL cannot stop its worker pool: the workers and the pool's forkserver would
wait for work for ever (a few hundred MB), and a tesseract started by a worker would finish its page
for nobody. On Linux the kernel ends them: each process asks (``prctl(PR_SET_PDEATHSIG)``) to get
SIGKILL when its parent exits, so the death runs down the chain runner -> forkserver -> worker ->
tesseract at once. Elsewhere (and should the chain break) a worker watches the runner itself.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


_PRCTL = _load_prctl()  # looked up once: die_with_parent also runs between fork and exec
AVAILABLE = _PRCTL is not None


def die_with_parent(parent_pid: int) -> bool:
    """Have the kernel kill this process (SIGKILL) when its parent exits; exit at once when the parent
    ``parent_pid`` is already gone. False where the kernel cannot do this (not Linux)."""
    if _PRCTL is None or _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        return False
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(1)
    return True


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # pragma: no cover - alive, someone else's (pid reused)
        return False
    return False


def watch(pid: int, interval_s: float = 0.5) -> threading.Thread:
    """Fallback: a daemon thread that ends this process as soon as process ``pid`` has exited."""

    def wait_for_exit() -> None:
        try:
            fd = os.pidfd_open(pid)  # Linux 5.3+: readable when the process exits (even unreaped)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            select.select([fd], [], [])
        else:
            while not _gone(pid):
                time.sleep(interval_s)
        os._exit(1)

    if _gone(pid):
        os._exit(1)
    thread = threading.Thread(target=wait_for_exit, name=f"watch-{pid}", daemon=True)
    thread.start()
    return thread
