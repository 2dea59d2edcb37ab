"""The correction form in a real browser (Playwright with Debian's chromium): an archivist signs in,
opens a dossier's correction page from the dossier page, corrects a document's type, splits a
document and names the dossier's address, and sees them in the page's history; they are stored in the state database with her
name, and the page has no serious or critical accessibility violation (WCAG 2.1 AA)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from test_web_corrections import DOSSIER, make_delivery
from webhelpers import PASSWORDS, ROLES

from digitalisering.corrections import corrections_for
from digitalisering.store import Store
from digitalisering.web import users
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.web.server import WebServer, listen
from digitalisering.workspace import Workspace

SHOTS = os.environ.get("DIGITALISERING_SHOTS")
"""A folder to keep the page's screenshot in (to look at it); none: the test's own folder."""
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def served(tmp_path):
    """The delivery run once, accounts of every role, the app served as `qa review` serves it."""
    from digitalisering.ingest import ingest_delivery
    from digitalisering.runner import RunOptions, run_batch

    ws = Workspace.open(tmp_path / "ws")
    with Store(ws.database) as store:
        batch = ingest_delivery(store, make_delivery(tmp_path / "levering")).batch
        run_batch(store, ws, batch, tmp_path / "out", RunOptions(jobs=1, progress=False), "operator")
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = WebServer(create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", port)), "c" * 64)),
                       sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{port}", "ws": ws, "batch": batch.name}
    server.shutdown()
    thread.join(10)


def serious_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.slow
def test_an_archivist_corrects_a_type_and_a_split_in_the_page(served, browser, tmp_path):
    site, batch = served["url"], served["batch"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/aanmelden?next=/dossier/{batch}/{DOSSIER}")
    page.fill("#name", "anna")
    page.fill("#password", PASSWORDS["anna"])
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.click("#correct-dossier")
    page.wait_for_selector("#correct-1")
    assert page.locator("h1").inner_text() == f"Dossier {DOSSIER} corrigeren"
    assert "nee: het model besliste" in page.locator("#correct-2 .state").inner_text()

    page.select_option("#type-2", "vergunning")  # the letter is the permit
    page.click("#correct-2 .type-form button[type=submit]")
    page.wait_for_selector("#history-table")
    assert "Correctie opgeslagen" in page.locator(".notice[role=status]").inner_text()
    state = page.locator("#correct-2 .state").inner_text()
    assert "ja: type vergunning door anna op " in state and "telt vanaf de volgende verwerking" in state

    page.click("#correct-1 button.split")  # the annex (blad 2) is a document of its own
    page.wait_for_selector("#correct-1 .badge.pass")
    assert page.locator("#page-1 .badge").all_inner_texts() == ["hier gesplitst", "telt vanaf de volgende verwerking"]

    page.fill("#add-address", "0546200000385399")  # the dossier is about this address
    page.click("#address-add button[type=submit]")
    page.wait_for_selector("text=Adres 0546200000385399: terug naar het model")
    rows = page.locator("#history-table tbody tr")
    assert rows.count() == 3
    assert "adres 0546200000385399 is het object van het dossier" in rows.nth(0).inner_text()
    assert "splitsing: hier begint een nieuw document (document 1, blad 2)" in rows.nth(1).inner_text()
    assert "type: vergunning (document 2, blad 1)" in rows.nth(2).inner_text()
    assert all("anna" in text for text in rows.all_inner_texts())
    assert serious_violations(page) == []
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "test-corrections.png"), full_page=True)

    with Store(served["ws"].database) as store:
        stored = corrections_for(store, batch)
    assert [(c.kind, c.page_seq, c.value, c.who, c.source) for c in stored] == [
        ("type", 2, "vergunning", "anna", "review"), ("boundary", 1, "split", "anna", "review"),
        ("address", None, "object", "anna", "review")]
    assert stored[2].dossier == DOSSIER and stored[2].target == "0546200000385399"
