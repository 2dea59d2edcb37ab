"""The local worker pool dies with its runner: the kernel kills the forkserver and the workers even when
the workers cannot act themselves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from digitalisering import lifetime

RUNNER = textwrap.dedent("""
    import os, time
    from digitalisering.runner.executors import LocalExecutor
    pool = LocalExecutor(2)
    pids = {f.result() for f in [pool.submit(time.sleep, 0.3) and pool.submit(os.getpid) for _ in range(6)]}
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.mark.skipif(not lifetime.AVAILABLE, reason="the kernel has no parent-death signal here")
def test_forkserver_and_stopped_workers_die_with_the_runner():
    runner = subprocess.Popen([sys.executable, "-c", RUNNER], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in runner.stdout.readline().split()]
    forkserver = _parent(workers[0])
    pool = [forkserver, *workers]
    try:
        assert forkserver != runner.pid and _parent(forkserver) == runner.pid
        for pid in workers:  # their own watch cannot run: only the kernel can end them
            os.kill(pid, signal.SIGSTOP)
        runner.kill()
        runner.wait()
        deadline = time.monotonic() + 3
        while any(map(_alive, pool)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in pool if _alive(pid)] == []
    finally:
        for pid in pool:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        runner.kill()
        runner.wait()
