"""The review page driven in a real browser (Playwright with Debian's chromium): the archivist opens
sampled pages, approves and rejects, and the decisions, the verdict and the rescan list follow."""

from __future__ import annotations

import csv
import io
import threading
import urllib.request

import pytest

from test_review import PASSWORD, REVIEWER, review_app

from digitalisering.qa.inspection import NOT_ACCEPTED
from digitalisering.store.records import PageStatus
from digitalisering.web.server import WebServer, listen



@pytest.fixture
def server(inspection):
    """The review pages served as `qa review` serves them (waitress, the host allow-list of its address)."""
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    srv = WebServer(review_app(inspection, port), sock)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    srv.shutdown()
    thread.join(10)


def sign_in(page, server: str) -> None:
    page.goto(server + "/aanmelden")
    page.fill("#name", REVIEWER)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert REVIEWER in page.locator("header").inner_text()


def test_approve_reject_verdict_and_rescan_list(inspection, server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, server)
    server = f"{server}/qa/{inspection.batch.name}"
    page.goto(server + "/")
    assert "Beoordeling" in page.title()
    assert page.locator("#verdict").get_attribute("data-status") == "open"
    sample = inspection.sample_seqs
    assert page.locator("#sample .card").count() == len(sample)
    page.screenshot(path=str(tmp_path / "review-overview.png"), full_page=True)

    # first sampled page: approve; the page shows the image, the OCR text and the findings
    page.click(f"#sample .card[data-seq='{sample[0]}'] a")
    page.wait_for_function("() => { const i = document.querySelector('img.page'); return i && i.complete; }")
    assert page.locator("img.page").evaluate("img => img.naturalWidth") > 100
    assert page.locator("pre.ocr").inner_text().strip()
    page.screenshot(path=str(tmp_path / "review-page.png"), full_page=True)
    assert len(page.locator("form.decide input[name=csrf_token]").get_attribute("value")) > 20
    page.click("button.approve")
    page.wait_for_load_state()
    # it moved on to the next page to judge
    assert f"/page/{sample[0]}" not in page.url

    # rejecting without a reason is refused with a message, nothing stored
    page.goto(f"{server}/page/{sample[1]}")
    page.click("button.reject")
    assert "Geef een reden op" in page.locator(".error").inner_text()
    assert len(inspection.store.decisions(inspection.batch.id)) == 1

    page.fill("#reason", "vlekken over de tekst")
    page.click("button.reject")
    page.wait_for_load_state()

    decisions = inspection.store.decisions(inspection.batch.id)
    assert [(d.decision, d.who, d.reason) for d in decisions] == [
        ("approved", REVIEWER, None), ("rejected", REVIEWER, "vlekken over de tekst")]
    assert all(d.at and d.sample_id == inspection.sample.id for d in decisions)
    assert inspection.verdict().status == NOT_ACCEPTED  # Ac 0, Re 1
    rejected_page = inspection.store.page_by_id(inspection.page_ids[sample[1]])
    assert rejected_page.status == PageStatus.RESCAN

    page.goto(server + "/")
    assert page.locator("#verdict").get_attribute("data-status") == NOT_ACCEPTED
    assert "Afgekeurd" in page.locator("#verdict").inner_text()
    assert page.locator(f"#sample .card[data-seq='{sample[1]}'] .badge").inner_text() == "afgekeurd"
    page.screenshot(path=str(tmp_path / "review-verdict.png"), full_page=True)

    with urllib.request.urlopen(server + "/rescan.csv") as resp:  # the public is sent to the sign-in page
        assert "/aanmelden?next=" in resp.url
    download = page.request.get(server + "/rescan.csv")
    rows = list(csv.DictReader(io.StringIO(download.text()), delimiter=";"))
    place = inspection.places[sample[1]]
    assert [(r["dossier"], r["document"], r["blad"], r["reden"], r["beoordelaar"]) for r in rows] == [
        (place.dossier, str(place.document or ""), str(place.blad or ""), "vlekken over de tekst", REVIEWER)]
    assert inspection.rescan_path.read_text(encoding="utf-8") == inspection.rescan_csv()


def test_changing_a_decision_keeps_the_earlier_one(inspection, server, browser):
    page = browser.new_page()
    sign_in(page, server)
    server = f"{server}/qa/{inspection.batch.name}"
    seq = inspection.sample_seqs[0]
    page.goto(f"{server}/page/{seq}")
    page.fill("#reason", "te donker")
    page.click("button.reject")
    page.goto(f"{server}/page/{seq}")
    page.click("button.approve")
    page.goto(f"{server}/page/{seq}")
    assert "goedgekeurd" in page.locator("#current-decision").inner_text()
    assert page.locator("table tr:has-text('te donker')").count() == 1  # the history
    assert inspection.store.page_by_id(inspection.page_ids[seq]).status == PageStatus.DONE
    assert inspection.rescan_rows() == []


def test_a_form_on_another_web_site_cannot_decide(inspection, server, browser):
    """A page of another site that posts a rejection to the review page (as in the issue): refused,
    nothing stored, the page not in rescan, even while the reviewer has the review page open."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server)
    server = f"{server}/qa/{inspection.batch.name}"
    seq = inspection.sample_seqs[0]
    page.goto(f"{server}/page/{seq}")  # the reviewer's session exists
    evil = (f'<form id="f" method="post" action="{server}/page/{seq}">'
            '<input name="decision" value="rejected"><input name="reason" value="vals"></form>'
            '<script>document.getElementById("f").submit()</script>')
    page.route("http://evil.example/**", lambda route: route.fulfill(body=evil, content_type="text/html"))
    with page.expect_response(f"{server}/page/{seq}") as answer:
        page.goto("http://evil.example/")
    assert answer.value.status == 403
    assert inspection.store.decisions(inspection.batch.id) == []
    assert inspection.store.page_by_id(inspection.page_ids[seq]).status == PageStatus.DONE
    context.close()
