"""The review pages refuse what other web sites make a browser send (issue 16, finding 2): a
decision from a page that is not the review page itself is not stored and moves no page to rescan;
a name that is not the server's own (DNS rebinding) gets nothing to read. The decisions are made
by the signed-in archivist (issue 19)."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from digitalisering.qa.review import ReviewBatches
from digitalisering.store.records import PageStatus
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.web.server import WebServer, listen
from digitalisering.web.users import ARCHIVARIS, add_user

HOST = "127.0.0.1:8765"
OWN = {"Host": HOST, "Origin": f"http://{HOST}"}
REVIEWER, PASSWORD = "a.archivaris", "lang-genoeg-wachtwoord"
REFUSED_ORIGIN = "Geweigerd: dit verzoek kwam niet van een pagina van deze site. Er is niets opgeslagen."
REFUSED_TOKEN = "Niet opgeslagen: het formulier was verlopen of kwam niet van deze pagina"
REFUSED_HOST = "Onbekend adres: open deze site via het adres waarop de server is gestart."


def review_app(inspection, port: int = 8765):
    """The web application serving ``inspection``'s review pages, with an archivist's account."""
    if inspection.store.user_by_name(REVIEWER) is None:
        add_user(inspection.store, REVIEWER, ARCHIVARIS, PASSWORD, "test")
    ws = inspection.workspace
    settings = WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", port)), "s" * 64)
    return create_app(settings, review=ReviewBatches.fixed(inspection))


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.fixture
def client(inspection):
    client = review_app(inspection).test_client()
    html = client.get("/aanmelden", headers={"Host": HOST}).get_data(as_text=True)
    res = client.post("/aanmelden", headers=OWN, data={"csrf_token": csrf(html), "name": REVIEWER,
                                                        "password": PASSWORD})
    assert res.status_code == 302
    return client


def page_url(inspection, seq: int) -> str:
    return f"/qa/{inspection.batch.name}/page/{seq}"


def token(client, inspection, seq: int) -> str:
    return csrf(client.get(page_url(inspection, seq), headers={"Host": HOST}).get_data(as_text=True))


def nothing_changed(inspection, seq: int) -> bool:
    page = inspection.store.page_by_id(inspection.page_ids[seq])
    return (inspection.store.decisions(inspection.batch.id) == [] and page.status == PageStatus.DONE
            and inspection.rescan_rows() == [])


def test_a_rejection_from_the_review_form_is_stored(inspection, client):
    seq = inspection.sample_seqs[0]
    res = client.post(page_url(inspection, seq), headers=OWN,
                      data={"csrf_token": token(client, inspection, seq), "decision": "rejected", "reason": "scheef"})
    assert res.status_code == 302
    assert [(d.decision, d.reason, d.who) for d in inspection.store.decisions(inspection.batch.id)] == [
        ("rejected", "scheef", REVIEWER)]
    assert inspection.store.page_by_id(inspection.page_ids[seq]).status == PageStatus.RESCAN


def test_a_cross_site_rejection_is_refused_and_nothing_changes(inspection, client):
    seq = inspection.sample_seqs[0]
    form = {"decision": "rejected", "reason": "vals"}
    target = page_url(inspection, seq)
    # as reproduced: another site's form, sent with its own Origin (and a name pointed at this machine)
    res = client.post(target, data=form, headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert res.status_code == 400
    res = client.post(target, data=form, headers={"Host": HOST, "Origin": "http://evil.example"})
    assert res.status_code == 403
    assert REFUSED_ORIGIN in res.get_data(as_text=True)
    # refused on the origin alone: even a valid token of the reviewer's session does not help
    form["csrf_token"] = token(client, inspection, seq)
    res = client.post(target, data=form, headers={"Host": HOST, "Origin": "http://evil.example"})
    assert res.status_code == 403
    res = client.post(target, data=form, headers={"Host": HOST})  # neither Origin nor Referer
    assert res.status_code == 403
    assert nothing_changed(inspection, seq)


def test_a_decision_without_the_token_is_refused_and_can_be_made_again(inspection, client):
    seq = inspection.sample_seqs[0]
    target = page_url(inspection, seq)
    res = client.post(target, data={"decision": "rejected", "reason": "vlek"}, headers=OWN)
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    assert "Niet opgeslagen: het formulier was verlopen" in html
    assert nothing_changed(inspection, seq)
    res = client.post(target, data={"decision": "rejected", "reason": "vlek", "csrf_token": "vervalst"}, headers=OWN)
    assert res.status_code == 400 and nothing_changed(inspection, seq)
    # the page shown with the message has a fresh form: the reviewer clicks once more and it is stored
    res = client.post(target, data={"decision": "approved", "csrf_token": csrf(html)}, headers=OWN)
    assert res.status_code == 302
    assert [d.decision for d in inspection.store.decisions(inspection.batch.id)] == ["approved"]


def test_a_foreign_host_gets_400_and_nothing_to_read(inspection, client):
    seq = inspection.sample_seqs[0]
    b = f"/qa/{inspection.batch.name}"
    routes = [f"{b}/", f"{b}/api/state", f"{b}/page/{seq}", f"{b}/img/{seq}/thumb.jpg", f"{b}/img/{seq}/view.jpg",
              f"{b}/rescan.csv", "/"]
    for path in routes:  # the server's own name answers ...
        assert client.get(path, headers={"Host": HOST}).status_code == 200, path
    for host in ["evil.example", "evil.example:8765", "127.0.0.1:9999"]:  # ... another name does not
        for path in routes:
            res = client.get(path, headers={"Host": host})
            assert res.status_code == 400, (host, path)
            body = res.get_data(as_text=True)
            assert res.mimetype == "text/html" and inspection.batch.name not in body
            assert 'id="verdict"' not in body and '"decisions"' not in body and "csrf_token" not in body
    refused = client.get(f"{b}/api/state", headers={"Host": "evil.example"})
    assert REFUSED_HOST in refused.get_data(as_text=True)


def test_concurrent_requests_on_the_threaded_server_all_count(inspection):
    """Served as `qa review` serves it (worker threads): decisions and reads arriving at once all
    succeed and every decision is stored once (the store's one connection is used by one request at
    a time)."""
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    b = f"{base}/qa/{inspection.batch.name}"
    server = WebServer(review_app(inspection, port), sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        html = opener.open(f"{base}/aanmelden", timeout=10).read().decode()
        body = urllib.parse.urlencode({"csrf_token": csrf(html), "name": REVIEWER, "password": PASSWORD}).encode()
        opener.open(urllib.request.Request(f"{base}/aanmelden", data=body, headers={"Origin": base}), timeout=10)
        seqs = inspection.review_list()
        html = opener.open(f"{b}/page/{seqs[0]}", timeout=10).read().decode()
        token_ = csrf(html)

        def work(seq: int) -> list[int]:
            codes = []
            body = urllib.parse.urlencode({"decision": "approved", "csrf_token": token_}).encode()
            req = urllib.request.Request(f"{b}/page/{seq}", data=body, headers={"Origin": base})
            picture = f"{b}/img/{inspection.sample_seqs[0]}/view.jpg"
            for u in [req, f"{b}/api/state", picture, f"{b}/", f"{b}/page/{seq}"]:
                with opener.open(u, timeout=20) as resp:
                    codes.append(resp.status)
            return codes

        with ThreadPoolExecutor(len(seqs)) as pool:
            results = list(pool.map(work, seqs))
    finally:
        server.shutdown()
        thread.join(10)
    assert all(code == 200 for codes in results for code in codes), results
    decided = inspection.current_decisions()
    assert sorted(decided) == seqs and {d.decision for d in decided.values()} == {"approved"}
    assert {d.who for d in decided.values()} == {REVIEWER}
    assert len(inspection.store.decisions(inspection.batch.id)) == len(seqs)
