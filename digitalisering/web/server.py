"""Serve a WSGI app with waitress: one thread reads and writes every connection without blocking,
and the requests that have arrived completely are handled by a few worker threads. A client that
sends half a request, or reads its answer slowly, holds only its own connection, never a worker;
connections idle for ``IDLE_TIMEOUT`` seconds are closed.

``listen`` binds the socket first, so that a port in use is one clear error (StateError, exit code
6) and the app can be made knowing the port it is served on (``port=0``: any free port).
"""

from __future__ import annotations

import errno
import logging
import socket
import threading

from waitress import wasyncore
from waitress.server import create_server

from digitalisering.errors import StateError

THREADS = 4
IDLE_TIMEOUT = 60
"""Seconds after which a connection without a request in progress is closed."""
CLEANUP_INTERVAL = 5
MAX_BODY = 1 << 20
"""The largest request body accepted (the forms send a few hundred bytes)."""
MAX_HEADERS = 64 << 10
CONNECTION_LIMIT = 100
POLL_SECONDS = 0.5


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening; StateError when that cannot be done."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StateError("cannot listen on {host}:{port}: {error} (check --host)", host=host, port=port, error=exc.strerror) from exc
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not SO_REUSEPORT: a port in use stays in use
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StateError("port {port} on {host} is already in use by another program (choose another --port)", port=port, host=host) from exc
        if exc.errno == errno.EACCES:
            raise StateError("not allowed to listen on {host}:{port} (ports below 1024 need root; choose another --port)", host=host, port=port) from exc
        raise StateError("cannot listen on {host}:{port}: {error}", host=host, port=port, error=exc.strerror or exc) from exc
    return sock


class WebServer:
    """An app served on a listening socket (from ``listen``) until ``shutdown`` or Ctrl-C."""

    def __init__(self, app, sock: socket.socket, threads: int = THREADS, idle_timeout: int = IDLE_TIMEOUT):
        self._map: dict = {}
        self._server = create_server(
            app, map=self._map, sockets=[sock], threads=threads, channel_timeout=idle_timeout,
            cleanup_interval=min(CLEANUP_INTERVAL, idle_timeout), connection_limit=CONNECTION_LIMIT,
            max_request_body_size=MAX_BODY, max_request_header_size=MAX_HEADERS, ident="digitalisering",
            expose_tracebacks=False, asyncore_use_poll=True)
        self.host, self.port = sock.getsockname()[:2]
        self._stop = threading.Event()
        self._stopped = threading.Event()
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is no news here

    def serve_forever(self) -> None:
        """Serve until ``shutdown`` is called (from another thread) or KeyboardInterrupt, which is
        passed on after the connections are closed."""
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=POLL_SECONDS, map=self._map, use_poll=True, count=1)
        finally:
            self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
            wasyncore.close_all(self._map)
            self._stopped.set()

    def shutdown(self, timeout: float = 10) -> None:
        """Stop ``serve_forever`` (running in another thread) and wait until it has closed everything."""
        if not self._stop.is_set():
            self._stop.set()
            try:
                self._server.pull_trigger()  # wakes the loop at once
            except OSError:
                pass  # the loop has closed everything already
        self._stopped.wait(timeout)
