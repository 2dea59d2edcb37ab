"""The portal in a real browser (Playwright with Debian's chromium), as a resident uses it: types an
address, opens the dossier, sees its page in the deep-zoom viewer, searches a word inside the
dossier and sees the word highlighted on the page image; axe-core finds no serious or critical
accessibility violation (WCAG 2.1 AA) on the search, dossier, viewer and sign-in pages."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from webhelpers import open_all

from digitalisering.catalog import Catalog
from digitalisering.index.build import open_for, rebuild
from digitalisering.store import Store
from digitalisering.web.app import OPENSEADRAGON, WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.web.server import WebServer, listen
from digitalisering.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
SHOTS = os.environ.get("DIGITALISERING_SHOTS")
"""A folder to keep the pages' screenshots in (to look at them); none: not kept."""
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


LETTER = ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aan de heer J. Visser", "Morsweg 12",
          "Onderwerp: bouwvergunning", "Geachte heer Visser,", "vergunning voor het vernieuwen van de kap",
          "op het perceel Morsweg 138 te Leiden.", "Hoogachtend,"]
OTHER = ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aanvraag om bouwvergunning",
         "het bouwen van een schuur op het perceel Zeemanlaan 71 te Leiden.", "Hoogachtend,"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Two dossiers about two addresses, run with the demo BAG extract (so their addresses are linked)
    and indexed: what a municipality publishes, in small."""
    import pagegen

    from digitalisering.bag.index import INDEX_FILE, import_extract
    from digitalisering.ingest import ingest_delivery
    from digitalisering.runner import RunOptions, run_batch

    base = tmp_path_factory.mktemp("portal")
    ws = Workspace.open(base / "ws")
    import_extract(REPO / "batches/demo-bag/BAGNLDL-01102026-demo.zip", ws.root / INDEX_FILE, "0546")
    delivery = base / "levering"
    pagegen.save(pagegen.page_image(LETTER, dpi=200), delivery / "BWT-1974-0475" / "0001.tif", dpi=200,
                 compression="tiff_lzw")
    pagegen.save(pagegen.page_image(OTHER, dpi=200), delivery / "BWT-1918-1177" / "0001.tif", dpi=200,
                 compression="tiff_lzw")
    with Store(ws.database) as store:
        batch = ingest_delivery(store, delivery).batch
        run_batch(store, ws, batch, base / "out", RunOptions(jobs=1, progress=False), "t")
        open_all(store, ws, batch.name)
        index = open_for(store, ws)
        try:
            rebuild(index, Catalog(store, ws), None)
        finally:
            index.close()
    return ws


@pytest.fixture
def portal(published):
    """The portal's app on the published workspace, served as `qa review` serves (waitress, a thread)."""
    if not (OPENSEADRAGON / "openseadragon.min.js").is_file():
        pytest.fail(f"OpenSeadragon is missing in {OPENSEADRAGON}: scripts/setup.sh installs it (npm ci)")
    ws = published
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", port)), "p" * 64))
    server = WebServer(app, sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(10)


def serious_violations(page) -> list[tuple[str, str, list]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.slow
def test_address_to_dossier_to_viewer_with_the_word_highlighted(portal, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(portal + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert serious_violations(page) == []

    page.fill("#q", "Morsweg 138")
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.results")
    assert page.locator("ol.results > li").count() == 1  # the dossier of that address, not the other one
    assert page.locator("#read-as").inner_text() == "Gezocht als het adres Morsweg 138"
    first = page.locator("ol.results > li h3 a").first
    assert first.inner_text() == "Dossier BWT-1974-0475 — Morsweg 138"
    assert serious_violations(page) == []
    shot(page, "test-search-address")

    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Dossier BWT-1974-0475"
    facts = page.locator("#dossier-facts").inner_text()
    assert "Morsweg 138" in facts and "0546200000385399" in facts  # the BAG nummeraanduiding
    pdf = page.locator("ul.downloads a[href$='/pdf']").first.get_attribute("href")
    assert page.request.get(portal + pdf).body()[:5] == b"%PDF-"
    assert page.locator("#permalink").input_value() == page.url
    assert serious_violations(page) == []
    shot(page, "test-dossier")

    page.click("#open-viewer")
    page.wait_for_selector("#viewer[data-ready]")
    page.wait_for_function("() => document.getElementById('viewer').osd.world.getItemAt(0).getFullyLoaded()",
                           timeout=30000)
    assert "Pagina 1 van" in page.locator("#page-status").inner_text()
    drawn = page.evaluate("""() => {  // the page image is on the canvas: not one flat colour
        const c = document.querySelector('#osd canvas'); const d = c.getContext('2d')
            .getImageData(0, 0, c.width, c.height).data; const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] >> 4); return seen.size; }""")
    assert drawn > 3
    assert serious_violations(page) == []

    page.fill("#search-q", "vernieuwen")
    page.click("#search-inside button[type=submit]")
    page.wait_for_selector("#osd .hit-box", timeout=15000)
    assert "vernieuwen" in page.locator("#hits-status").inner_text()
    box = page.locator("#osd .hit-box").first.bounding_box()
    frame = page.locator("#osd").bounding_box()
    assert box["width"] > 5 and box["height"] > 3
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    assert serious_violations(page) == []
    shot(page, "test-viewer-highlight")

    page.focus("#zoom-in")  # the viewer works with the keyboard
    before = page.evaluate("() => document.getElementById('viewer').osd.viewport.getZoom()")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.getElementById('viewer').osd.viewport.getZoom() > {before} * 1.2")


def test_sign_in_page_is_accessible_in_both_languages(portal, browser):
    page = browser.new_page()
    for lang in ("nl", "en"):
        page.goto(f"{portal}/aanmelden?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert serious_violations(page) == []
