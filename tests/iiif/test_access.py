"""The may_view hook: nothing of a document it refuses is served, route by route."""

from __future__ import annotations

import pytest

from conftest import make_app
from digitalisering.iiif.search import normalise


@pytest.fixture
def restricted(published, tmp_path):
    """A client whose access rule refuses one document of a dossier with several, and a record of
    every question asked."""
    catalog, batch, _ = published
    dossier = max(catalog.dossiers(batch), key=lambda d: len(d.documents))
    assert len(dossier.documents) > 1
    refused = dossier.documents[-1]
    asked = []

    def may_view(b, dossier_id, document_id):
        asked.append((b, dossier_id, document_id))
        return document_id != refused.id

    app = make_app(catalog, tmp_path / "cache", may_view=may_view)
    return app.test_client(), batch, dossier, refused, asked


def test_images_and_info_of_a_refused_document_are_403(restricted):
    client, batch, dossier, refused, asked = restricted
    for page in refused.pages:
        for path in ("info.json", "full/max/0/default.jpg", "0,0,256,256/256,/0/default.jpg",
                     "full/pct:10/0/gray.png", "full/max/0/nonsense.jpg"):
            r = client.get(f"/iiif/image/{batch}/{page.seq}/{path}")
            assert r.status_code == 403, path
            assert not r.data.startswith(b"\xff\xd8") and b"width" not in r.data
        assert client.get(f"/iiif/image/{batch}/{page.seq}").status_code == 403
    assert (batch, dossier.id, refused.id) in asked
    allowed = dossier.documents[0].pages[0]
    assert client.get(f"/iiif/image/{batch}/{allowed.seq}/info.json").status_code == 200


def test_manifest_leaves_out_the_refused_document(restricted):
    client, batch, dossier, refused, _ = restricted
    manifest = client.get(f"/iiif/presentation/{batch}/{dossier.id}/manifest").get_json()
    text = str(manifest)
    assert refused.id not in text
    refused_seqs = {p.seq for p in refused.pages}
    shown = {int(c["id"].rsplit("/", 1)[1]) for c in manifest["items"]}
    assert shown and not shown & refused_seqs
    assert len(manifest["structures"]) == len(dossier.documents) - 1


def test_search_finds_nothing_on_refused_pages(restricted, published):
    client, batch, dossier, refused, _ = restricted
    catalog, _, _ = published
    words = [w.text for p in refused.pages for w in catalog.page_text(batch, p.seq).words if normalise(w.text)]
    assert words
    result = client.get(f"/iiif/presentation/{batch}/{dossier.id}/search?q={words[0]}").get_json()
    refused_seqs = {p.seq for p in refused.pages}
    for hit in result["items"]:
        assert int(hit["target"].split("/canvas/")[1].split("#")[0]) not in refused_seqs


def test_pdf_and_alto_of_a_refused_document_are_403(restricted):
    client, batch, dossier, refused, _ = restricted
    assert client.get(f"/iiif/presentation/{batch}/{dossier.id}/document/{refused.id}.pdf").status_code == 403
    for page in refused.pages:
        assert client.get(f"/iiif/presentation/{batch}/{dossier.id}/canvas/{page.seq}/alto.xml").status_code == 403
    allowed = dossier.documents[0]
    assert client.get(f"/iiif/presentation/{batch}/{dossier.id}/document/{allowed.id}.pdf").status_code == 200


def test_a_dossier_with_nothing_to_show_is_403_everywhere(published, tmp_path):
    catalog, batch, _ = published
    dossier = catalog.dossiers(batch)[0]
    client = make_app(catalog, tmp_path / "cache", may_view=lambda b, d, doc: d != dossier.id).test_client()
    for path in ("manifest", "search?q=a"):
        r = client.get(f"/iiif/presentation/{batch}/{dossier.id}/{path}")
        assert r.status_code == 403 and r.mimetype == "text/plain"
    assert client.get(f"/iiif/image/{batch}/{dossier.pages[0].seq}/info.json").status_code == 403
    other = next(d for d in catalog.dossiers(batch) if d.id != dossier.id)
    assert client.get(f"/iiif/presentation/{batch}/{other.id}/manifest").status_code == 200


def test_a_tile_cached_before_the_rule_changed_is_not_served(published, tmp_path):
    """The tile cache sits behind the access check: a tile seen while allowed is refused once the
    rule refuses its document."""
    catalog, batch, _ = published
    page = catalog.dossiers(batch)[0].pages[0]
    allowed = {"yes": True}
    client = make_app(catalog, tmp_path / "cache", may_view=lambda b, d, doc: allowed["yes"]).test_client()
    tile = f"/iiif/image/{batch}/{page.seq}/0,0,256,256/256,/0/default.jpg"
    assert client.get(tile).status_code == 200
    allowed["yes"] = False
    assert client.get(tile).status_code == 403
