"""Child processes die with the process that started them: the kernel's parent-death signal, the
runner watch, and the tesseract a worker starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from digitalisering import lifetime

PARENT = textwrap.dedent("""
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(__import__("os").getpid())])
    print(child.pid, flush=True)
    time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def _orphan_dies(child_code: str, ready: str = "") -> None:
    """Start a parent that starts a child running ``child_code``; SIGKILL the parent: the child must
    be gone within 3 s."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, child_code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        time.sleep(1.5)  # the child has made its arrangements
        assert _alive(child)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 3
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the child outlived its parent"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)
        parent.kill()
        parent.wait()


@pytest.mark.skipif(not lifetime.AVAILABLE, reason="the kernel has no parent-death signal here")
def test_a_process_asking_to_die_with_its_parent_does():
    _orphan_dies("import sys, time; from digitalisering import lifetime; "
                 "assert lifetime.die_with_parent(int(sys.argv[1])); time.sleep(120)")


def test_a_process_watching_another_ends_when_it_ends():
    _orphan_dies("import sys, time; from digitalisering import lifetime; "
                 "lifetime.watch(int(sys.argv[1])); time.sleep(120)")


def test_without_either_the_child_lives_on():
    """(what the two tests above guard against: an orphan is not ended by itself)"""
    with pytest.raises(AssertionError, match="outlived its parent"):
        _orphan_dies("import time; time.sleep(120)")


@pytest.mark.skipif(not lifetime.AVAILABLE, reason="the kernel has no parent-death signal here")
def test_a_program_started_like_tesseract_dies_with_the_worker_that_started_it():
    """Every tesseract is started with the options of digitalisering._exec.tesseract."""
    code = ("import sys, time, subprocess; import digitalisering._exec.tesseract; "
            "from pytesseract import pytesseract as p; "
            "sleeper = subprocess.Popen(['sleep', '120'], **p.subprocess_args()); "
            "print(sleeper.pid, flush=True); time.sleep(120)")
    worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    sleeper = int(worker.stdout.readline())
    try:
        assert _alive(sleeper)
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 3
        while _alive(sleeper) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(sleeper)
    finally:
        if _alive(sleeper):
            os.kill(sleeper, signal.SIGKILL)
