"""Serve the web application with gunicorn: a master process that starts ``workers`` worker
processes, each with ``threads`` threads (gunicorn's gthread worker: keep-alive connections wait
in the worker's poller, not in a thread), restarts a worker that dies or hangs longer than
``TIMEOUT`` seconds, and recycles workers after ``MAX_REQUESTS`` requests so that memory cannot
creep. Every worker makes the app itself after the fork (no connection is shared between
processes).

The socket is bound first (``web.server.listen``), so that a port in use is one clear error (exit
code 6) before anything starts, and gunicorn takes that socket over (``fd://``). On a public
network put a buffering reverse proxy (nginx, Apache) in front that terminates TLS, as gunicorn's
deployment guide advises; then pass ``--secure-cookies``.
"""

from __future__ import annotations

import os
import socket
from typing import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

THREADS = 4
TIMEOUT = 60
GRACEFUL_TIMEOUT = 10
KEEPALIVE = 5
MAX_REQUESTS = 2000
MAX_REQUESTS_JITTER = 200


def default_workers() -> int:
    """gunicorn's advice, (2 x cores) + 1, at most 9."""
    return min(9, 2 * (os.cpu_count() or 1) + 1)


class PortalServer(BaseApplication):
    def __init__(self, factory: Callable[[], Flask], sock: socket.socket, workers: int, *,
                 access_log: str | None = "-", threads: int = THREADS):
        self._factory = factory
        self._sock = sock
        os.set_inheritable(sock.fileno(), True)
        self._options = {
            "bind": [f"fd://{sock.fileno()}"], "workers": workers, "worker_class": "gthread", "threads": threads,
            "timeout": TIMEOUT, "graceful_timeout": GRACEFUL_TIMEOUT, "keepalive": KEEPALIVE,
            "max_requests": MAX_REQUESTS, "max_requests_jitter": MAX_REQUESTS_JITTER,
            "limit_request_line": 8190, "limit_request_fields": 100, "limit_request_field_size": 8190,
            "accesslog": access_log, "errorlog": "-", "loglevel": "warning", "proc_name": "digitalisering-portal",
            "preload_app": False, "forwarded_allow_ips": "127.0.0.1,::1",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._factory()
