"""Openbaarheid in a real browser (Playwright with Debian's chromium): a public visitor opens a dossier
whose document is public only as a redacted copy and sees, in the deep-zoom viewer, the page with
the name burned out (one dark colour where it was); the restricted dossier shows only its notice;
an archivist who signs in sees the original (the name's letters are there)."""

from __future__ import annotations

import threading

import pytest
from accessfixture import RESTRICTED_WORDS, SECRETS, build
from test_portal_browser import browser, serious_violations, shot  # noqa: F401  (a fixture)
from webhelpers import PASSWORDS, ROLES

from digitalisering.store import Store
from digitalisering.web import users
from digitalisering.web.app import OPENSEADRAGON, WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.web.server import WebServer, listen


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = build(tmp_path_factory.mktemp("access-browser"))
    with Store(out.workspace.database) as store:
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    return out


@pytest.fixture
def site(published):
    if not (OPENSEADRAGON / "openseadragon.min.js").is_file():
        pytest.fail(f"OpenSeadragon is missing in {OPENSEADRAGON}: scripts/setup.sh installs it (npm ci)")
    ws = published.workspace
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", port)), "b" * 64))
    server = WebServer(app, sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(10)


REGION_SPREAD = """([x, y, w, h]) => {  // zoom the viewer onto an image region; the spread of its grey values
    const osd = document.getElementById('viewer').osd;
    const rect = osd.viewport.imageToViewportRectangle(x, y, w, h);
    osd.viewport.fitBounds(rect, true);
    return new Promise(resolve => {
        const measure = () => {
            if (!osd.world.getItemAt(0).getFullyLoaded()) { setTimeout(measure, 100); return; }
            const topLeft = osd.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
            const bottomRight = osd.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(x + w, y + h));
            const c = document.querySelector('#osd canvas');
            const ratio = c.width / c.clientWidth;
            const mx = (bottomRight.x - topLeft.x) * 0.15, my = (bottomRight.y - topLeft.y) * 0.2;
            const left = Math.round((topLeft.x + mx) * ratio), top = Math.round((topLeft.y + my) * ratio);
            const width = Math.round((bottomRight.x - topLeft.x - 2 * mx) * ratio);
            const height = Math.round((bottomRight.y - topLeft.y - 2 * my) * ratio);
            const d = c.getContext('2d').getImageData(left, top, width, height).data;
            let lo = 255, hi = 0, sum = 0, n = 0;
            for (let i = 0; i < d.length; i += 4) {
                const v = (d[i] + d[i + 1] + d[i + 2]) / 3; lo = Math.min(lo, v); hi = Math.max(hi, v); sum += v; n++;
            }
            resolve({lo, hi, mean: sum / n, n});
        };
        setTimeout(measure, 300);
    });
}"""


def open_viewer(page, site: str, published) -> dict:
    dossier = published.dossiers["redacted"]
    page.goto(f"{site}/dossier/{published.batch}/{dossier.folder}/viewer")
    page.wait_for_selector("#viewer[data-ready]")
    page.wait_for_function("() => document.getElementById('viewer').osd.world.getItemAt(0).getFullyLoaded()",
                           timeout=30000)
    region = published.regions[0]
    return page.evaluate(REGION_SPREAD, [region.left, region.top, region.width, region.height])


@pytest.mark.slow
def test_public_sees_the_redacted_page_and_the_notice_an_archivist_the_original(site, browser, published):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    redacted, restricted = published.dossiers["redacted"], published.dossiers["restricted"]

    page.goto(f"{site}/dossier/{published.batch}/{redacted.folder}")
    html = page.content()
    assert not [s for s in SECRETS if s in html]
    assert page.locator("#closed-documents").count() == 0  # its copy is shown, not a notice
    spread = open_viewer(page, site, published)
    assert spread["n"] > 100 and spread["hi"] - spread["lo"] <= 12 and spread["mean"] < 25, spread  # burned
    shot(page, "test-access-public-redacted")

    page.goto(f"{site}/dossier/{published.batch}/{restricted.folder}")
    notice = page.locator("#closed-documents").inner_text()
    assert "niet openbaar tot en met 31 december 2099" in notice
    assert not [w for w in RESTRICTED_WORDS if w in page.content().casefold()]
    assert page.locator("#open-viewer").count() == 0
    assert serious_violations(page) == []
    shot(page, "test-access-public-restricted")

    page.goto(f"{site}/aanmelden?next=/dossier/{published.batch}/{redacted.folder}")
    page.fill("#name", "anna")
    page.fill("#password", PASSWORDS["anna"])
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    spread = open_viewer(page, site, published)  # the same browser: no tile of the copy is reused
    assert spread["hi"] - spread["lo"] > 80, spread  # the name's letters on the paper
    shot(page, "test-access-archivist-original")
    page.goto(f"{site}/dossier/{published.batch}/{restricted.folder}")
    assert page.locator("#open-viewer").count() == 1
