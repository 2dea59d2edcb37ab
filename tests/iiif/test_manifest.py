"""The Presentation 3 manifest of each published dossier: valid, labelled, structured, linked."""

from __future__ import annotations

import jsonschema


def _manifest(client, batch, dossier_id):
    r = client.get(f"/iiif/presentation/{batch}/{dossier_id}/manifest")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    return r.get_json()


def test_every_manifest_validates_against_presentation_3(client, published, presentation_schema):
    catalog, batch, _ = published
    validator = jsonschema.Draft7Validator(presentation_schema)
    dossiers = catalog.dossiers(batch)
    assert dossiers
    for dossier in dossiers:
        manifest = _manifest(client, batch, dossier.id)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]
        assert not errors, errors[:5]
        assert manifest["@context"][-1] == "http://iiif.io/api/presentation/3/context.json"


def test_a_schema_violation_is_caught(client, published, presentation_schema):
    """The validation above can fail: a manifest without items or with a label that is not a language
    map is refused by the schema."""
    catalog, batch, _ = published
    manifest = _manifest(client, batch, catalog.dossiers(batch)[0].id)
    validator = jsonschema.Draft7Validator(presentation_schema)
    broken = dict(manifest, label="Bouwdossier")
    assert list(validator.iter_errors(broken))
    broken = {k: v for k, v in manifest.items() if k != "items"}
    assert list(validator.iter_errors(broken))


def test_canvases_ranges_and_links(client, published):
    catalog, batch, _ = published
    dossier = max(catalog.dossiers(batch), key=lambda d: len(d.documents))
    manifest = _manifest(client, batch, dossier.id)
    base = "http://localhost/iiif"
    assert manifest["id"] == f"{base}/presentation/{batch}/{dossier.id}/manifest"
    assert manifest["label"]["nl"][0].startswith(f"Bouwdossier {dossier.id}")
    assert manifest["label"]["en"][0].startswith(f"Building dossier {dossier.id}")
    # one canvas per published page, in order, the size of the page as the PDF shows it
    canvases = manifest["items"]
    assert [c["id"].rsplit("/", 1)[1] for c in canvases] == [str(p.seq) for p in dossier.pages]
    for canvas, page in zip(canvases, dossier.pages):
        assert (canvas["width"], canvas["height"]) == (page.width_px, page.height_px)
        doc = next(d for d in dossier.documents if d.id == page.document)
        assert canvas["label"]["nl"][0].endswith(f", blad {page.number}")
        assert canvas["label"]["en"][0].endswith(f", sheet {page.number}")
        anno = canvas["items"][0]["items"][0]
        assert anno["motivation"] == "painting" and anno["target"] == canvas["id"]
        service = anno["body"]["service"][0]
        assert service["id"] == f"{base}/image/{batch}/{page.seq}" and service["type"] == "ImageService3"
        assert canvas["seeAlso"][0]["format"] == "application/xml"
        assert canvas["seeAlso"][0]["id"].endswith(f"/canvas/{page.seq}/alto.xml")
        assert doc is not None
    # the documents are ranges over their canvases, each with its PDF/A
    assert len(manifest["structures"]) == len(dossier.documents)
    for rng, doc in zip(manifest["structures"], dossier.documents):
        assert [i["id"].rsplit("/", 1)[1] for i in rng["items"]] == [str(p.seq) for p in doc.pages]
        assert rng["rendering"][0]["format"] == "application/pdf"
        assert rng["rendering"][0]["id"] == f"{base}/presentation/{batch}/{dossier.id}/document/{doc.id}.pdf"
        assert rng["label"]["nl"][0].startswith(f"{doc.index}. ")
    # search service, thumbnail, rights and the required statement
    assert manifest["service"][0] == {"id": f"{base}/presentation/{batch}/{dossier.id}/search",
                                      "type": "SearchService2", "profile": "http://iiif.io/api/search/2/search"}
    assert manifest["thumbnail"][0]["service"][0]["id"] == f"{base}/image/{batch}/{dossier.pages[0].seq}"
    assert manifest["rights"].startswith("http://rightsstatements.org/")
    assert manifest["requiredStatement"]["label"] == {"nl": ["Bron"], "en": ["Source"]}
    labels = [m["label"]["nl"][0] for m in manifest["metadata"]]
    assert labels[0] == "Dossier" and "Documenttypen" in labels


def test_linked_files_and_thumbnails_are_served(client, published):
    catalog, batch, _ = published
    dossier = catalog.dossiers(batch)[0]
    manifest = _manifest(client, batch, dossier.id)
    local = lambda url: url.replace("http://localhost", "")  # noqa: E731
    pdf = client.get(local(manifest["structures"][0]["rendering"][0]["id"]))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    alto = client.get(local(manifest["items"][0]["seeAlso"][0]["id"]))
    assert alto.status_code == 200 and b"alto" in alto.data[:400]
    thumb = manifest["thumbnail"][0]
    r = client.get(local(thumb["id"]))
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    from PIL import Image
    import io
    assert Image.open(io.BytesIO(r.data)).size == (thumb["width"], thumb["height"])


def test_metadata_carries_addresses_bag_ids_types_and_dates(published):
    """Built from a dossier entry with everything filled in (the generated delivery has no BAG links)."""
    from dataclasses import replace

    from digitalisering.catalog import AddressLink
    from digitalisering.iiif.manifest import build_manifest
    from digitalisering.iiif.urls import Urls

    catalog, batch, _ = published
    dossier = max(catalog.dossiers(batch), key=lambda d: len(d.documents))
    assert len(dossier.documents) > 1
    link = AddressLink(written="Breestraat 12 A", status="exact", role="object", street="Breestraat", number=12,
                       letter="A", postcode="2311 CS", num_ids=("0546200000012345",),
                       vbo_ids=("0546010000012345",), pand_ids=("0546100000012345",))
    other = AddressLink(written="Rapenburg 8", status="exact", role="other", street="Rapenburg", number=8)
    docs = tuple(replace(d, dates=("1962-03-07",) if i == 0 else ("1958-05-03",), addresses=(link, other))
                 for i, d in enumerate(dossier.documents))
    dossier = replace(dossier, addresses=(link, other), documents=docs)
    manifest = build_manifest(batch, dossier, list(dossier.documents), Urls("https://archief.example/iiif"))
    meta = {m["label"]["nl"][0]: m["value"] for m in manifest["metadata"]}
    assert meta["Adres"]["nl"] == ["Breestraat 12A, 2311 CS"]  # the object, not the other address
    assert meta["BAG-nummeraanduiding"]["nl"] == ["0546200000012345"]
    assert meta["BAG-verblijfsobject"]["nl"] == ["0546010000012345"]
    assert meta["BAG-pand"]["nl"] == ["0546100000012345"]
    assert meta["Datering"] == {"nl": ["3 mei 1958 - 7 maart 1962"], "en": ["3 May 1958 - 7 March 1962"]}
    assert manifest["label"]["nl"] == [f"Bouwdossier {dossier.id}, Breestraat 12A, 2311 CS"]


def test_an_address_only_in_a_refused_document_is_not_named(published):
    from dataclasses import replace

    from digitalisering.catalog import AddressLink
    from digitalisering.iiif.manifest import build_manifest
    from digitalisering.iiif.urls import Urls

    catalog, batch, _ = published
    dossier = max(catalog.dossiers(batch), key=lambda d: len(d.documents))
    shown = AddressLink(written="Breestraat 12", status="exact", role="object", street="Breestraat", number=12)
    hidden = AddressLink(written="Rapenburg 8", status="exact", role="object", street="Rapenburg", number=8)
    first, *rest = dossier.documents
    docs = (replace(first, addresses=(shown,)),) + tuple(replace(d, addresses=(hidden,)) for d in rest)
    dossier = replace(dossier, addresses=(shown, hidden), documents=docs)
    text = str(build_manifest(batch, dossier, [docs[0]], Urls("https://archief.example/iiif")))
    assert "Breestraat 12" in text and "Rapenburg" not in text
    text = str(build_manifest(batch, dossier, list(docs), Urls("https://archief.example/iiif")))
    assert "Breestraat 12" in text and "Rapenburg 8" in text


def test_dossier_ids_with_slashes_spaces_and_accents_round_trip(published, tmp_path):
    """Dossier ids come from separator sheets and folder names: any character. The manifest's links
    lead back to the same dossier."""
    from dataclasses import replace
    from urllib.parse import urlsplit

    from conftest import make_app

    catalog, batch, _ = published
    real = catalog.dossiers(batch)[0]
    odd_id = "BWT 1962/0001 é#?"

    class Renamed:
        def __getattr__(self, name):
            return getattr(catalog, name)

        def dossier(self, b, dossier_id):
            assert dossier_id == odd_id, dossier_id
            return replace(real, id=odd_id)

    client = make_app(Renamed(), tmp_path / "cache").test_client()

    def get(url):  # as a browser sends it: the path percent-encoded, the server decodes it
        parts = urlsplit(url)
        return client.get(parts.path, query_string=parts.query)

    from digitalisering.iiif.urls import Urls
    manifest_url = Urls("http://localhost/iiif").manifest(batch, odd_id)
    r = get(manifest_url)
    assert r.status_code == 200, r.get_data(as_text=True)
    manifest = r.get_json()
    assert manifest["id"] == manifest_url and odd_id in manifest["label"]["nl"][0]
    assert get(manifest["service"][0]["id"] + "?q=x").status_code == 200
    assert get(manifest["structures"][0]["rendering"][0]["id"]).status_code == 200
