"""The review app refuses what other web sites make a browser send (issue 16, finding 2): a
decision from a page that is not the review page itself is not stored and moves no page to rescan;
a name that is not the server's own (DNS rebinding) gets nothing to read."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from markupsafe import escape

from digitalisering.qa.messages import ui
from digitalisering.qa.review import create_app
from digitalisering.store.records import PageStatus
from digitalisering.web.security import allowed_hosts
from digitalisering.web.server import WebServer, listen

HOST = "127.0.0.1:8765"
OWN = {"Host": HOST, "Origin": f"http://{HOST}"}


@pytest.fixture
def client(inspection):
    app = create_app(inspection, reviewer="A. Archivaris", allowed_hosts=allowed_hosts("127.0.0.1", 8765))
    return app.test_client()


def token(client, seq: int) -> str:
    html = client.get(f"/page/{seq}", headers={"Host": HOST}).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def nothing_changed(inspection, seq: int) -> bool:
    page = inspection.store.page_by_id(inspection.page_ids[seq])
    return (inspection.store.decisions(inspection.batch.id) == [] and page.status == PageStatus.DONE
            and inspection.rescan_rows() == [])


def test_a_rejection_from_the_review_form_is_stored(inspection, client):
    seq = inspection.sample_seqs[0]
    res = client.post(f"/page/{seq}", headers=OWN,
                      data={"csrf_token": token(client, seq), "decision": "rejected", "reason": "scheef"})
    assert res.status_code == 302
    assert [(d.decision, d.reason) for d in inspection.store.decisions(inspection.batch.id)] == [("rejected", "scheef")]
    assert inspection.store.page_by_id(inspection.page_ids[seq]).status == PageStatus.RESCAN


def test_a_cross_site_rejection_is_refused_and_nothing_changes(inspection, client):
    seq = inspection.sample_seqs[0]
    form = {"decision": "rejected", "reason": "vals"}
    # as reproduced: another site's form, sent with its own Origin (and a name pointed at this machine)
    res = client.post(f"/page/{seq}", data=form, headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert res.status_code == 400
    res = client.post(f"/page/{seq}", data=form, headers={"Host": HOST, "Origin": "http://evil.example"})
    assert res.status_code == 403
    assert ui("error_origin") in res.get_data(as_text=True)
    # refused on the origin alone: even a valid token of the reviewer's session does not help
    form["csrf_token"] = token(client, seq)
    res = client.post(f"/page/{seq}", data=form, headers={"Host": HOST, "Origin": "http://evil.example"})
    assert res.status_code == 403
    res = client.post(f"/page/{seq}", data=form, headers={"Host": HOST})  # neither Origin nor Referer
    assert res.status_code == 403
    assert nothing_changed(inspection, seq)


def test_a_decision_without_the_token_is_refused_and_can_be_made_again(inspection, client):
    seq = inspection.sample_seqs[0]
    token(client, seq)  # the reviewer's session exists
    res = client.post(f"/page/{seq}", data={"decision": "rejected", "reason": "vlek"}, headers=OWN)
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    assert ui("error_csrf") in html
    assert nothing_changed(inspection, seq)
    res = client.post(f"/page/{seq}", data={"decision": "rejected", "reason": "vlek", "csrf_token": "vervalst"},
                      headers=OWN)
    assert res.status_code == 400 and nothing_changed(inspection, seq)
    # the page shown with the message has a fresh form: the reviewer clicks once more and it is stored
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    res = client.post(f"/page/{seq}", data={"decision": "approved", "csrf_token": fresh}, headers=OWN)
    assert res.status_code == 302
    assert [d.decision for d in inspection.store.decisions(inspection.batch.id)] == ["approved"]


def test_a_foreign_host_gets_400_and_nothing_to_read(inspection, client):
    seq = inspection.sample_seqs[0]
    routes = ["/", "/api/state", f"/page/{seq}", f"/img/{seq}/thumb.jpg", f"/img/{seq}/view.jpg", "/rescan.csv"]
    for path in routes:  # the server's own name answers ...
        assert client.get(path, headers={"Host": HOST}).status_code == 200, path
    for host in ["evil.example", "evil.example:8765", "127.0.0.1:9999"]:  # ... another name does not
        for path in routes:
            res = client.get(path, headers={"Host": host})
            assert res.status_code == 400, (host, path)
            body = res.get_data(as_text=True)
            assert res.mimetype == "text/html" and inspection.batch.name not in body
            assert 'id="verdict"' not in body and '"decisions"' not in body and "csrf_token" not in body
    refused = client.get("/api/state", headers={"Host": "evil.example"})
    assert str(escape(ui("error_host"))) in refused.get_data(as_text=True)


def test_concurrent_requests_on_the_threaded_server_all_count(inspection):
    """Served as the CLI serves it (worker threads): decisions and reads arriving at once all succeed
    and every decision is stored once (the store's one connection is used by one request at a time)."""
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = WebServer(create_app(inspection, "A. Archivaris", allowed_hosts=allowed_hosts("127.0.0.1", port)), sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        seqs = inspection.review_list()
        html = opener.open(f"{base}/page/{seqs[0]}", timeout=10).read().decode()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

        def work(seq: int) -> list[int]:
            codes = []
            body = urllib.parse.urlencode({"decision": "approved", "csrf_token": csrf}).encode()
            req = urllib.request.Request(f"{base}/page/{seq}", data=body, headers={"Origin": base})
            picture = f"{base}/img/{inspection.sample_seqs[0]}/view.jpg"
            for url in [req, f"{base}/api/state", picture, f"{base}/", f"{base}/page/{seq}"]:
                with opener.open(url, timeout=20) as resp:
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
    assert len(inspection.store.decisions(inspection.batch.id)) == len(seqs)
