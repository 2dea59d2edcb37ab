"""Guards a Flask app against what other web sites can make the user's browser send to it.

- **Host allow-list** (DNS rebinding): the ``Host`` header of every request must name one of the
  ``host:port`` pairs the server answers to (the address it is bound to and its loopback names, plus
  any given explicitly); anything else is refused with 400 before a view runs, on every route.
- **Same origin** (cross-site requests): a POST, PUT, PATCH or DELETE must come from a page of this
  very server: its ``Origin`` header (or, when a browser sends none, its ``Referer``) must have the
  scheme, host and port of the request itself; otherwise 403.
- **CSRF token** (flask-wtf's ``CSRFProtect``): such a request must also carry the session's token,
  a hidden ``csrf_token`` field in each form (``{{ csrf_token() }}`` in the template); otherwise 400.
- **Response headers**: the pages cannot be framed by another site (clickjacking), content types are
  not guessed, and the ``Referer`` is only sent to the server itself.

The checks run in that order, before any view, and raise ``ForeignHost``, ``CrossOrigin`` or
flask-wtf's ``CSRFError``; the app registers error handlers that say so in its own language.
``protect`` installs all of it on an app made by an app factory, so any web application of the
project (the review page today) gets the same guards.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import socket
from typing import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import BadRequest, Forbidden

from digitalisering.errors import ConfigError

__all__ = ["CSRFError", "CrossOrigin", "ForeignHost", "allowed_hosts", "format_host", "parse_host", "protect"]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")
DEFAULT_PORTS = {"http": 80, "https": 443}

_HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::(?P<port>[0-9]{1,5}))?")
_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


class ForeignHost(BadRequest):
    """The request names a host this server does not answer to (400)."""

    description = "This server does not answer to the host named in the request."


class CrossOrigin(Forbidden):
    """A state-changing request that did not come from a page of this server (403)."""

    description = "This request did not come from a page of this server."


def parse_host(value: str | None, default_port: int = 80) -> tuple[str, int] | None:
    """``host[:port]`` as (lower-case name or IP address without brackets, port); None when it is not
    a plain host name or IP address with an optional port (user info, paths, spaces, bad ports)."""
    m = _HOST.fullmatch(value or "")
    if not m:
        return None
    port = int(m["port"]) if m["port"] else default_port
    if not 0 < port < 65536:
        return None
    if m["ip6"] is not None:
        try:
            return str(ipaddress.IPv6Address(m["ip6"])), port
        except ValueError:
            return None
    name = m["name"].lower().rstrip(".")  # "localhost." is "localhost"
    if not _NAME.fullmatch(name):
        return None
    return name, port


def format_host(name: str, port: int) -> str:
    """(name, port) as a Host header value (IPv6 addresses in brackets)."""
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(bind_host: str, port: int, extra: Iterable[str] = ()) -> list[str]:
    """The ``host:port`` values a server bound to ``bind_host:port`` answers to: the bound address
    (with the loopback names when it is a loopback address; with the loopback names and the machine's
    name when it listens on every address) and ``extra`` (``name`` or ``name:port``; without a port,
    the bound one). Raises ConfigError for an ``extra`` value that is not a host."""
    names: list[str] = []
    if bind_host in WILDCARD_HOSTS:
        names += [*LOOPBACK_NAMES, socket.gethostname()]
    else:
        if _is_loopback(bind_host):
            names += LOOPBACK_NAMES
        names.append(bind_host.strip("[]"))
    out: list[str] = []
    for name in names:
        parsed = parse_host(format_host(name, port))
        if parsed:
            out.append(format_host(*parsed))
    for value in extra:
        parsed = parse_host(value, default_port=port)
        if parsed is None:
            raise ConfigError("--allowed-host {value!r} is not a host name or address with an optional :port", value=value)
        out.append(format_host(*parsed))
    return list(dict.fromkeys(out))


def _origin(url: str | None) -> tuple[str, str, int] | None:
    """scheme, host and port of an Origin or Referer value."""
    if not url or url == "null":
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return None
    host = parse_host(parts.netloc, DEFAULT_PORTS[scheme])  # user info ("a@b") does not parse: refused
    return (scheme, *host) if host else None


def _own_origin() -> tuple[str, str, int] | None:
    host = parse_host(request.environ.get("HTTP_HOST"), DEFAULT_PORTS.get(request.scheme, 80))
    return (request.scheme, *host) if host else None


def same_origin() -> bool:
    """Whether the current request was sent by a page of this server (Origin, else Referer)."""
    own = _own_origin()
    if own is None:
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        return _origin(origin) == own
    return _origin(request.headers.get("Referer")) == own


def protect(app: Flask, hosts: Iterable[str], session_cookie: str | None = None) -> CSRFProtect:
    """Install the host allow-list, the same-origin check, CSRF protection and the response headers
    on ``app``. ``hosts``: ``host:port`` values (see ``allowed_hosts``). The session (which holds the
    CSRF token) is signed with a random key made here unless the app has a SECRET_KEY: tokens last as
    long as the server runs. ``session_cookie``: the cookie's name (browsers share cookies between the
    ports of one host, so two apps side by side need different names)."""
    allowed = set()
    for value in hosts:
        parsed = parse_host(value)
        if parsed is None:
            raise ValueError(f"not a host:port value: {value!r}")
        allowed.add(parsed)
    if not allowed:
        raise ValueError("an app that answers to no host cannot serve anyone")
    app.extensions["digitalisering.allowed_hosts"] = frozenset(allowed)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config.update(WTF_CSRF_TIME_LIMIT=None, SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True)
    if session_cookie:
        app.config["SESSION_COOKIE_NAME"] = session_cookie

    # before_request functions run in the order they are registered: host, origin, then the token
    @app.before_request
    def check_host() -> None:
        host = parse_host(request.environ.get("HTTP_HOST"), DEFAULT_PORTS.get(request.scheme, 80))
        if host not in app.extensions["digitalisering.allowed_hosts"]:
            raise ForeignHost()

    @app.before_request
    def check_origin() -> None:
        if request.method in UNSAFE_METHODS and not same_origin():
            raise CrossOrigin()

    csrf = CSRFProtect(app)

    @app.after_request
    def guard_headers(response: Response) -> Response:
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return csrf
