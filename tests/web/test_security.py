"""The guards every web page of the project gets: a page of another web site (or a name pointed at
this machine by DNS rebinding) can neither read the app nor change anything through it."""

from __future__ import annotations

import re

import pytest
from flask import Flask, render_template_string, request

from digitalisering.errors import ConfigError
from digitalisering.web.security import allowed_hosts, parse_host, protect

HOST = "127.0.0.1:8765"
ORIGIN = f"http://{HOST}"
FORM = '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}"></form>'


@pytest.fixture
def app():
    """A minimal app with one form; ``changes`` records what the POSTs did."""
    app = Flask(__name__)
    protect(app, allowed_hosts("127.0.0.1", 8765))
    app.changes = []

    @app.get("/")
    def form():
        return render_template_string(FORM)

    @app.post("/")
    def change():
        app.changes.append(request.form.get("value"))
        return "stored"

    return app


@pytest.fixture
def client(app):
    return app.test_client()


def token(client) -> str:
    html = client.get("/", headers={"Host": HOST}).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post(client, headers: dict, **form):
    return client.post("/", data=form, headers={"Host": HOST, **headers})


def test_a_post_from_the_own_page_with_its_token_is_accepted(app, client):
    res = post(client, {"Origin": ORIGIN}, csrf_token=token(client), value="a")
    assert res.status_code == 200 and app.changes == ["a"]
    # browsers that send no Origin send the Referer of the page
    res = post(client, {"Referer": ORIGIN + "/page/3"}, csrf_token=token(client), value="b")
    assert res.status_code == 200 and app.changes == ["a", "b"]


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "http://127.0.0.1:9999"},  # another port is another origin
    {"Origin": "https://127.0.0.1:8765"},  # and another scheme
    {"Origin": "null"},  # sandboxed frames, data: URLs
    {"Origin": "http://evil.example@127.0.0.1:8765"},
    {"Referer": "http://evil.example/127.0.0.1:8765/"},
    {},  # neither Origin nor Referer
], ids=["foreign", "port", "scheme", "null", "userinfo", "foreign-referer", "none"])
def test_a_post_from_elsewhere_is_refused_even_with_a_valid_token(app, client, headers):
    res = post(client, headers, csrf_token=token(client), value="x")
    assert res.status_code == 403 and app.changes == []


def test_a_post_without_the_token_or_with_a_forged_one_is_refused(app, client):
    token(client)  # the session exists
    assert post(client, {"Origin": ORIGIN}, value="x").status_code == 400
    assert post(client, {"Origin": ORIGIN}, csrf_token="forged", value="x").status_code == 400
    other = app.test_client()  # a token from another session does not count either
    assert post(client, {"Origin": ORIGIN}, csrf_token=token(other), value="x").status_code == 400
    assert app.changes == []


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1:9999", "127.0.0.1",
                                  "localhost.evil.example:8765", "127.0.0.1:8765@evil.example", ""])
def test_a_foreign_host_gets_400_on_every_route(client, host):
    for method, path in [("get", "/"), ("get", "/no/such/page"), ("post", "/")]:
        res = getattr(client, method)(path, headers={"Host": host, "Origin": ORIGIN})
        assert res.status_code == 400, (method, path)
        assert "csrf_token" not in res.get_data(as_text=True)


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "LOCALHOST.:8765", "[::1]:8765"])
def test_the_bound_address_and_its_loopback_names_are_answered(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_pages_cannot_be_framed_by_another_site(client):
    res = client.get("/", headers={"Host": HOST})
    assert res.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in res.headers["Content-Security-Policy"]
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.headers["X-Frame-Options"] == "DENY"


def test_allowed_hosts():
    assert allowed_hosts("127.0.0.1", 8765) == ["localhost:8765", "127.0.0.1:8765", "[::1]:8765"]
    assert allowed_hosts("192.0.2.5", 80, ["scan-pc", "scan-pc.example.nl:8080"]) == [
        "192.0.2.5:80", "scan-pc:80", "scan-pc.example.nl:8080"]
    everywhere = allowed_hosts("0.0.0.0", 8765)
    assert "localhost:8765" in everywhere and len(everywhere) == 4  # + the machine's own name
    with pytest.raises(ConfigError, match="--allowed-host"):
        allowed_hosts("127.0.0.1", 8765, ["http://scan-pc/"])


def test_parse_host():
    assert parse_host("Scan-PC.example.nl.:8080") == ("scan-pc.example.nl", 8080)
    assert parse_host("[0:0::1]") == ("::1", 80)
    for bad in ["a b", "a/b", "a@b", "a:0", "a:70000", "[::1", "[nonsense]:1", "-a-", None]:
        assert parse_host(bad) is None, bad
