"""The portal's pages without a browser: a dossier's page lists its documents, in
Dutch, each document's PDF/A and ALTO files download as written, every dossier and document has a
permanent link, and what is not published is a 404."""

from __future__ import annotations

import shutil

import pytest
from webhelpers import HOST

from digitalisering.catalog import Catalog
from digitalisering.store import Store
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.workspace import Workspace


@pytest.fixture
def site(processed, tmp_path):
    ws = Workspace.open(shutil.copytree(processed["workspace"].root, tmp_path / "ws"))
    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64))
    with Store(ws.database) as store:
        dossiers = Catalog(store, ws).dossiers(processed["batch"].name)
    return app.test_client(), dossiers


def get(client, path: str):
    return client.get(path, headers={"Host": HOST})


def test_dossier_page_documents_downloads_and_permanent_links(site):
    client, dossiers = site
    dossier = dossiers[0]
    url = f"/dossier/{dossier.batch}/{dossier.folder}"
    html = get(client, url).get_data(as_text=True)
    assert f"<h1>Dossier {dossier.id}</h1>" in html
    assert f'value="http://{HOST}{url}"' in html  # the permanent link, absolute
    for doc in dossier.documents:
        assert f'id="document-{doc.index}"' in html
        res = get(client, f"{url}/{doc.index}/pdf")
        assert res.status_code == 200 and res.mimetype == "application/pdf"
        assert res.data == doc.pdf.read_bytes()
        assert doc.pdf.name in res.headers["Content-Disposition"]
        for page in doc.pages:
            if page.alto is None:
                continue
            res = get(client, f"{url}/{doc.index}/alto/{page.number}")
            assert res.status_code == 200 and res.data == page.alto.read_bytes()
            assert b"<alto" in res.data[:400]
        permalink = get(client, f"{url}/{doc.index}").get_data(as_text=True)
        assert f'value="http://{HOST}{url}/{doc.index}"' in permalink and 'aria-current="true"' in permalink


def test_what_is_not_published_is_404(site):
    client, dossiers = site
    dossier = dossiers[0]
    url = f"/dossier/{dossier.batch}/{dossier.folder}"
    for path in [f"/dossier/{dossier.batch}/GEEN-DOSSIER", f"/dossier/geen-batch/{dossier.folder}", f"{url}/99",
                 f"{url}/99/pdf", f"{url}/1/alto/99", f"{url}/1/alto/0", "/bestaat-niet"]:
        res = get(client, path)
        assert res.status_code == 404, path
        assert "Deze pagina bestaat niet." in res.get_data(as_text=True) or "Niet gevonden" in res.get_data(as_text=True)


def test_dutch_by_default_english_on_request(site):
    client, dossiers = site
    dossier = dossiers[0]
    url = f"/dossier/{dossier.batch}/{dossier.folder}"
    nl = get(client, url).get_data(as_text=True)
    assert '<html lang="nl">' in nl and "PDF/A downloaden" in nl and "Vaste link" in nl
    en = get(client, url + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Download PDF/A" in en and "Permanent link" in en
