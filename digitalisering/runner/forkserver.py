"""Imported by the worker pool's forkserver process as it starts (a preload module): from then on the
forkserver dies with the runner that started it (see ``digitalisering.lifetime``). Imported anywhere
else it does nothing."""

from __future__ import annotations

import os
import sys
from multiprocessing import forkserver

from digitalisering import lifetime


def _preloaded_by_forkserver() -> bool:
    """True while the forkserver's main loop is importing this module."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


if _preloaded_by_forkserver():
    lifetime.die_with_parent(os.getppid())
