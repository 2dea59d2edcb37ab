"""The portal's pages without a browser: a dossier's page lists its documents, in
Dutch, each document's PDF/A and ALTO files download as written, every dossier and document has a
permanent link, and what is not published is a 404."""

from __future__ import annotations

import shutil

import pytest
from webhelpers import HOST, open_all, sign_in

from digitalisering.catalog import Catalog
from digitalisering.store import Store
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.workspace import Workspace


@pytest.fixture
def published(processed, tmp_path):
    """A copy of the processed workspace (the tests store decisions and accounts in it)."""
    return Workspace.open(shutil.copytree(processed["workspace"].root, tmp_path / "ws")), processed["batch"].name


def make_site(ws):
    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64))
    return app.test_client()


@pytest.fixture
def site(published):
    ws, batch = published
    with Store(ws.database) as store:
        open_all(store, ws, batch)
        dossiers = Catalog(store, ws).dossiers(batch)
    return make_site(ws), dossiers


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


def test_a_document_nobody_opened_is_not_shown_to_the_public_but_to_an_archivist(published):
    from digitalisering.web import users

    ws, batch = published
    with Store(ws.database) as store:
        dossiers = Catalog(store, ws).dossiers(batch)
        dossier = next(d for d in dossiers if len(d.documents) > 1)
        closed = dossier.documents[-1]
        open_all(store, ws, batch, except_ids=(closed.id,))
        users.add_user(store, "anna", users.ARCHIVARIS, "anna-wachtwoord-2", "test")
    client = make_site(ws)
    url = f"/dossier/{dossier.batch}/{dossier.folder}"
    html = get(client, url).get_data(as_text=True)
    assert f'id="document-{closed.index}"' not in html and 'id="closed-documents"' in html
    assert "niet openbaar" in html
    for path in [f"{url}/{closed.index}", f"{url}/{closed.index}/pdf", f"{url}/{closed.index}/alto/1"]:
        assert get(client, path).status_code == 403, path
    page = closed.pages[0]
    assert get(client, f"/iiif/image/{dossier.batch}/{page.seq}/info.json").status_code == 403
    sign_in(client, "anna")
    html = get(client, url).get_data(as_text=True)
    assert f'id="document-{closed.index}"' in html and 'id="closed-documents"' not in html
    assert get(client, f"{url}/{closed.index}/pdf").data == closed.pdf.read_bytes()
    assert get(client, f"/iiif/image/{dossier.batch}/{page.seq}/info.json").status_code == 200


def test_a_closed_dossier_is_not_counted_for_the_public_in_search(published):
    """Totals, facets and hits come from the documents the reader may see: a public visitor searching
    a word only a closed dossier holds finds nothing at all (not "1 dossier found" with no hit)."""
    import re

    from digitalisering.web import users

    ws, batch = published
    with Store(ws.database) as store:
        catalog = Catalog(store, ws)
        dossiers = catalog.dossiers(batch)
        words = {d.id: {w.text.lower() for p in d.pages for w in catalog.page_text(batch, p.seq).words
                        if re.fullmatch(r"[a-zA-Z]{6,}", w.text)} for d in dossiers}
        closed = next(d for d in dossiers if words[d.id] - set().union(*(words[o.id] for o in dossiers if o is not d)))
        word = sorted(words[closed.id] - set().union(*(words[o.id] for o in dossiers if o is not closed)))[0]
        open_all(store, ws, batch, except_ids=tuple(doc.id for doc in closed.documents))
        users.add_user(store, "anna", users.ARCHIVARIS, "anna-wachtwoord-2", "test")
    client = make_site(ws)
    html = get(client, f"/?q={word}").get_data(as_text=True)
    assert closed.id not in html
    assert re.search(r"\b1 dossier", html) is None
    assert "soort=" not in html  # no facet links (counts of its document types)
    sign_in(client, "anna")
    html = get(client, f"/?q={word}").get_data(as_text=True)
    assert closed.id in html
