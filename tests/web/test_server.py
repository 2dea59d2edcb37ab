"""The web server: a client that sends half a request, or a request that takes long, does not keep
anyone else waiting; a port in use is one clear error."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request

import pytest
from flask import Flask

from digitalisering.errors import StateError
from digitalisering.exitcodes import ExitCode
from digitalisering.web.server import WebServer, listen


@pytest.fixture
def served():
    app = Flask(__name__)
    release = threading.Event()

    @app.get("/")
    def hello():
        return "hallo"

    @app.get("/slow")
    def slow():
        release.wait(10)
        return "eindelijk"

    sock = listen("127.0.0.1", 0)
    server = WebServer(app, sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}", server, release
    release.set()
    server.shutdown()
    thread.join(10)
    assert not thread.is_alive()


def get(url: str, timeout: float = 3) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read().decode()


def test_half_open_connections_do_not_block_others(served):
    url, server, _ = served
    stalled = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"GET / HT")  # half a request line, then nothing
        stalled.append(s)
    started = time.monotonic()
    assert get(url + "/") == "hallo"
    assert time.monotonic() - started < 2
    for s in stalled:
        s.close()


def test_a_long_request_does_not_block_others(served):
    url, _, release = served
    slow = threading.Thread(target=get, args=(url + "/slow", 15), daemon=True)
    slow.start()
    time.sleep(0.2)
    assert get(url + "/") == "hallo"  # while /slow is still being handled
    assert slow.is_alive()
    release.set()
    slow.join(5)


def test_idle_connections_are_closed():
    app = Flask(__name__)
    server = WebServer(app, listen("127.0.0.1", 0), idle_timeout=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        s = socket.create_connection(("127.0.0.1", server.port))
        s.settimeout(10)
        s.sendall(b"GET / HT")
        started = time.monotonic()
        assert s.recv(100) == b""  # closed by the server
        assert time.monotonic() - started < 8
        s.close()
    finally:
        server.shutdown()
        thread.join(10)


def test_shutdown_stops_serving(served):
    url, server, _ = served
    assert get(url + "/") == "hallo"
    server.shutdown()
    with pytest.raises(OSError):
        get(url + "/", timeout=1)


def test_a_port_in_use_is_one_clear_state_error():
    taken = listen("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(StateError) as err:
            listen("127.0.0.1", port)
        assert err.value.exit_code == ExitCode.STATE
        assert str(err.value) == (f"port {port} on 127.0.0.1 is already in use by another program "
                                  f"(choose another --port)")
    finally:
        taken.close()
    with pytest.raises(StateError, match="cannot listen on no-such-host.invalid"):
        listen("no-such-host.invalid", 0)
