"""The catalog: what a run published, typed, as the index, IIIF and the portal read it."""

from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree

from digitalisering.catalog import Catalog, CatalogError
from digitalisering.store import Store
from digitalisering.workspace import Workspace

ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"


@pytest.fixture
def catalog(processed):
    with Store(processed["workspace"].database) as store:
        yield Catalog(store, processed["workspace"]), processed


def test_dossiers_documents_and_pages_as_published(catalog):
    cat, processed = catalog
    batches = cat.batches()
    assert [b.name for b in batches] == [processed["batch"].name]
    assert batches[0].out_dir == processed["out"]
    dossiers = cat.dossiers(processed["batch"].name)
    assert sorted(d.id for d in dossiers) == sorted(processed["expected"])
    for dossier in dossiers:
        assert [d.index for d in dossier.documents] == list(range(1, len(dossier.documents) + 1))
        for doc in dossier.documents:
            assert doc.pdf is not None and doc.pdf.is_file()
            # blad numbers count the pages of the document's PDF from 1
            assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))
            for page in doc.pages:
                assert page.alto is not None and page.alto.is_file() and page.document == doc.id


def test_page_words_image_and_alto_share_one_coordinate_system(catalog):
    cat, processed = catalog
    name = processed["batch"].name
    page = next(p for d in cat.dossiers(name) for p in d.pages if cat.page_text(name, p.seq).words)
    image = cat.page_image(name, page.seq)
    text = cat.page_text(name, page.seq)
    assert image.size == (page.width_px, page.height_px) == (text.width, text.height)
    alto = etree.parse(str(page.alto))
    strings = alto.findall(f".//{ALTO}String")
    assert [s.get("CONTENT") for s in strings] == [w.text for w in text.words]
    first = strings[0]
    assert int(first.get("HPOS")) == text.words[0].left and int(first.get("VPOS")) == text.words[0].top


def test_unknown_batch_dossier_and_page_are_one_error(catalog):
    cat, processed = catalog
    with pytest.raises(CatalogError, match="no published batch"):
        cat.dossiers("nope")
    with pytest.raises(CatalogError, match="no dossier"):
        cat.dossier(processed["batch"].name, "BWT-0000-0000")
    with pytest.raises(CatalogError, match="no published page"):
        cat.page(processed["batch"].name, 10_000)


def test_a_new_run_is_seen_without_a_new_catalog(catalog, tmp_path):
    cat, processed = catalog
    name = processed["batch"].name
    before = cat.dossiers(name)
    results = processed["out"] / "results.json"
    saved = tmp_path / "results.json"
    shutil.copy2(results, saved)
    try:
        data = results.read_text(encoding="utf-8")
        first = before[0].id
        # a re-split that renamed nothing but dropped a dossier's documents: the catalog follows the file
        parsed = json.loads(data)
        parsed["documents"] = [d for d in parsed["documents"] if d["dossier"] != first]
        results.write_text(json.dumps(parsed), encoding="utf-8")
        assert first not in [d.id for d in cat.dossiers(name)]
    finally:
        shutil.copy2(saved, results)
    assert [d.id for d in cat.dossiers(name)] == [d.id for d in before]


def test_a_workspace_without_runs_publishes_nothing(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    with Store(ws.database) as store:
        assert Catalog(store, ws).batches() == []
