"""Content Search 2.0 inside a dossier: hits from the page words, with boxes on the canvas."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import digitalisering.iiif.search as search_module
from digitalisering.iiif.search import normalise

CANVAS = "http://localhost/iiif/presentation/{batch}/{dossier}/canvas/{seq}"


def _dossier_with(catalog, batch, word):
    for dossier in catalog.dossiers(batch):
        for page in dossier.pages:
            for i, w in enumerate(catalog.page_text(batch, page.seq).words):
                if normalise(w.text) == normalise(word):
                    return dossier, page, i, w
    raise AssertionError(f"{word!r} is on no page")


def _search(client, batch, dossier, query):
    r = client.get(f"/iiif/presentation/{batch}/{dossier}/search?{query}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    return r.get_json()


def test_a_word_is_found_with_its_box_on_its_canvas(client, published):
    catalog, batch, _ = published
    dossier, page, index, word = _dossier_with(catalog, batch, "Haarlemmerstraat")
    result = _search(client, batch, dossier.id, "q=haarlemmerstraat")
    assert result["@context"] == ["http://iiif.io/api/presentation/3/context.json",
                                  "http://iiif.io/api/search/2/context.json"]
    assert result["type"] == "AnnotationPage"
    assert result["id"].endswith("/search?q=haarlemmerstraat")
    [hit] = result["items"]
    canvas = CANVAS.format(batch=batch, dossier=dossier.id, seq=page.seq)
    assert hit["target"] == f"{canvas}#xywh={word.left},{word.top},{word.width},{word.height}"
    assert hit["body"] == {"type": "TextualBody", "value": word.text, "format": "text/plain"}
    assert hit["motivation"] == "supplementing"
    [context] = result["annotations"][0]["items"]
    assert context["motivation"] == "contextualizing"
    selector = context["target"][0]["selector"][0]
    assert context["target"][0]["source"] == hit["id"] and selector["exact"] == word.text
    assert selector["suffix"].strip().startswith("100")


def test_the_box_is_where_the_word_is_inked(client, published):
    """Highlighting the hit's box on the image marks the word: the box is dark, the page is not."""
    catalog, batch, _ = published
    dossier, page, _, _ = _dossier_with(catalog, batch, "Haarlemmerstraat")
    hit = _search(client, batch, dossier.id, "q=Haarlemmerstraat")["items"][0]
    xywh = hit["target"].split("#xywh=")[1]
    box = Image.open(io.BytesIO(client.get(f"/iiif/image/{batch}/{page.seq}/{xywh}/max/0/gray.png").data))
    whole = Image.open(io.BytesIO(client.get(f"/iiif/image/{batch}/{page.seq}/full/pct:25/0/gray.png").data))
    assert np.asarray(box, dtype=float).mean() < np.asarray(whole, dtype=float).mean() - 25


def test_phrases_prefixes_case_and_accents(client, published):
    catalog, batch, _ = published
    dossier, page, index, _ = _dossier_with(catalog, batch, "Haarlemmerstraat")
    phrase = _search(client, batch, dossier.id, "q=Haarlemmerstraat+100")
    assert len(phrase["items"]) == 2  # one phrase, two words, one snippet
    assert len(phrase["annotations"][0]["items"]) == 1
    assert phrase["annotations"][0]["items"][0]["target"][0]["selector"][0]["exact"].endswith("100")
    reversed_ = _search(client, batch, dossier.id, "q=100+Haarlemmerstraat")
    assert len(reversed_["items"]) == 2 and len(reversed_["annotations"][0]["items"]) == 2  # two single hits
    assert len(_search(client, batch, dossier.id, "q=HAARLEMMERSTRÄAT,")["items"]) == 1
    assert len(_search(client, batch, dossier.id, "q=haarlem*")["items"]) == 1
    assert _search(client, batch, dossier.id, "q=haarlem")["items"] == []
    assert _search(client, batch, dossier.id, "q=")["items"] == []


def test_search_stays_inside_its_dossier(client, published):
    catalog, batch, _ = published
    dossier, _, _, _ = _dossier_with(catalog, batch, "Haarlemmerstraat")
    other = next(d for d in catalog.dossiers(batch) if d.id != dossier.id)
    assert _search(client, batch, other.id, "q=Haarlemmerstraat")["items"] == []


def test_unsupported_parameters_are_ignored_and_named(client, published):
    catalog, batch, _ = published
    dossier, _, _, _ = _dossier_with(catalog, batch, "Haarlemmerstraat")
    result = _search(client, batch, dossier.id, "q=Haarlemmerstraat&user=someone&date=2020")
    assert result["ignored"] == ["date", "user"] and len(result["items"]) == 1
    assert _search(client, batch, dossier.id, "q=Haarlemmerstraat&motivation=painting")["items"] == []
    assert len(_search(client, batch, dossier.id, "q=Haarlemmerstraat&motivation=supplementing")["items"]) == 1


def test_many_hits_come_in_pages(client, published, monkeypatch):
    catalog, batch, _ = published
    dossier = max(catalog.dossiers(batch), key=lambda d: len(d.pages))
    words = [w.text for p in dossier.pages for w in catalog.page_text(batch, p.seq).words]
    query = " ".join(sorted({normalise(w) for w in words if normalise(w)})[:3])
    total = len(_search(client, batch, dossier.id, f"q={query}")["items"])
    assert total >= 3
    monkeypatch.setattr(search_module, "PAGE_SIZE", 1)
    first = _search(client, batch, dossier.id, f"q={query}")
    assert len(first["items"]) == 1 and first["partOf"]["total"] == total
    assert "prev" not in first and first["next"]["id"].endswith("page=2")
    assert first["partOf"]["last"]["id"].endswith(f"page={total}")
    last = _search(client, batch, dossier.id, f"q={query}&page={total}")
    assert "next" not in last and last["prev"]["id"].endswith(f"page={total - 1}")
    for bad in (f"page={total + 1}", "page=0", "page=x"):
        r = client.get(f"/iiif/presentation/{batch}/{dossier.id}/search?q={query}&{bad}")
        assert r.status_code == 400 and "Traceback" not in r.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/iiif/presentation/nope/X/search?q=a",
                                  "/iiif/presentation/{batch}/BWT-0000-0000/search?q=a",
                                  "/iiif/presentation/{batch}/BWT-0000-0000/manifest"])
def test_unknown_dossier_is_404(client, published, path):
    _, batch, _ = published
    r = client.get(path.format(batch=batch))
    assert r.status_code == 404 and "Traceback" not in r.get_data(as_text=True)
