"""The index after a run: built from the catalog at the end of every run, rebuilt by `index`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from digitalisering.catalog import Catalog
from digitalisering.cli import main
from digitalisering.index.build import Readers, address_rows, batch_rows, open_for, rebuild
from digitalisering.catalog import AddressLink
from digitalisering.index.model import SearchQuery
from digitalisering.index.search import Searcher
from digitalisering.store import Store


def test_address_link_rows_carry_every_bag_id():
    link = AddressLink("Breestraat 12", "ambiguous", "object", "Breestraat", 12, None, None, "2311 cs",
                       ("0546200000000001", "0546200000000002"), ("0546010000000001",),
                       ("0546100000000001", "0546100000000002"))
    rows = address_rows(link)
    assert [r.num_id for r in rows] == ["0546200000000001", "0546200000000002", None]
    assert rows[-1].pand_id == "0546100000000002" and rows[0].postcode == "2311CS"


@pytest.mark.slow
def test_run_indexes_its_batch_and_index_rebuilds_it(processed):
    ws, batch = processed["workspace"], processed["batch"]
    with Store(ws.database) as store:
        catalog = Catalog(store, ws)
        dossiers = catalog.dossiers(batch.name)
        some = dossiers[0].documents[0].pages[0]
        words = [w.text for w in catalog.page_text(batch.name, some.seq).words if len(w.text) >= 6 and w.text.isalpha()]
        index = open_for(store, ws)
        try:
            counts = index.batches()[batch.name]  # the run put it there
            assert counts[0] == len(dossiers)
            assert counts[2] == sum(len(d.pages) for d in dossiers)
            result = Searcher(index).search(SearchQuery(words[0], mode="text", fuzzy=False))
            pages = {(h.dossier, p.seq) for h in result.hits for p in h.pages}
            assert any(seq == some.seq for _, seq in pages) or result.total >= 1
            assert words[0] in [m for h in result.hits for p in h.pages for m in p.matched]
            assert rebuild(index, catalog)[0].pages == counts[2]
            assert index.batches()[batch.name] == counts
        finally:
            index.close()
    r = CliRunner().invoke(main, ["--workspace", str(ws.root), "index", batch.name])
    assert r.exit_code == 0 and f"batch {batch.name}: {counts[0]} dossiers" in r.output


@pytest.mark.slow
def test_worker_processes_read_the_same_rows(processed):
    ws, batch = processed["workspace"], processed["batch"]
    with Store(ws.database) as store:
        catalog = Catalog(store, ws)
        serial = list(batch_rows(catalog, batch.name))
        with Readers(2, ws.database, ws.root) as readers:
            readers.MIN_PAGES = 0
            parallel = list(batch_rows(catalog, batch.name, readers))
    assert len(serial) >= 2 and parallel == serial
    assert sum(len(p.words) for d in serial for doc in d.documents for p in doc.pages) > 0
