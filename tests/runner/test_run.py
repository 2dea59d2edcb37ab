"""End to end on a generated delivery: PDFs per dossier with the Dutch text, failures reported."""

import json
import subprocess

import pikepdf

from digitalisering.metadata.fixity import sha256_file
from digitalisering.resultsfile import validate_results
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store


def dossier_pdfs(out, dossier: str) -> list:
    """The dossier's document PDFs in document order (file names carry the index)."""
    return sorted((out / dossier).glob("*.pdf"))


def dossier_text(out, dossier: str) -> str:
    return "".join(subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True, check=True).stdout
                   for p in dossier_pdfs(out, dossier))


def test_searchable_pdfs_per_document_of_each_dossier(processed):
    out, expected = processed["out"], processed["expected"]
    for dossier, words in expected.items():
        text = dossier_text(out, dossier)
        for word in words:
            assert word in text, f"{word!r} missing from {dossier}"


def test_pages_in_delivery_order_including_multipage_tiff_and_pdf(processed):
    out = processed["out"]

    def pages(dossier: str) -> int:
        total = 0
        for path in dossier_pdfs(out, dossier):
            with pikepdf.open(path) as pdf:
                total += len(pdf.pages)
        return total

    assert pages("BWT-1975-0002") == 3 and pages("BWT-1980-0003") == 2
    text = dossier_text(out, "BWT-1975-0002")
    assert text.index("Vergunning") < text.index("Gereedmelding") < text.index("Constructie")


def test_results_json_follows_the_schema_and_lists_failures(processed):
    data = json.loads((processed["out"] / "results.json").read_text())
    validate_results(data)
    assert data["summary"]["pages"] == 11
    assert data["summary"]["pages_done"] == 8 and data["summary"]["pages_failed"] == 3
    failed = {p["source"]: p["error"] for p in data["pages"] if p["status"] == "failed"}
    assert failed == {
        "BWT-1980-0003/notanimage.jpg": "not a TIFF, JPEG, PNG or PDF file (content looks like text)",
        "BWT-1980-0003/truncated.tif": failed["BWT-1980-0003/truncated.tif"],
        "BWT-1980-0003/zero.tif": "empty file (0 bytes)",
    }
    assert failed["BWT-1980-0003/truncated.tif"].startswith("damaged TIFF")
    done = [p for p in data["pages"] if p["status"] == "done"]
    assert all(p["ocr"]["lang"] == "nld" and p["ocr"]["words"] > 0 for p in done)
    assert all(p["image"]["dpi"] == 150 for p in done)
    by_id = {d["id"]: d for d in data["dossiers"]}
    assert by_id["BWT-1980-0003"]["status"] == "incomplete"
    assert by_id["BWT-1962-0001"]["status"] == "complete"
    for doc in data["documents"]:
        assert sha256_file(processed["out"] / doc["output"]["path"]) == doc["output"]["sha256"]
        # nothing learned in the workspace: the base model decided; what it is unsure of is listed
        assert data["models"]["document"].startswith("base-")
        assert set(doc["needs_review"]) <= {"type", "boundary"}
        assert ("type" in doc["needs_review"]) == (doc["type_confidence"] < 0.6)
        assert ("boundary" in doc["needs_review"]) == (doc["boundary_confidence"] is not None
                                                       and doc["boundary_confidence"] < 0.6)


def test_failures_are_in_the_summary_and_event_log(processed):
    summary = processed["summary"]
    assert sorted(f.source for f in summary.failures) == [
        "BWT-1980-0003/notanimage.jpg", "BWT-1980-0003/truncated.tif", "BWT-1980-0003/zero.tif"]
    rows = (processed["out"] / "failures.csv").read_text().splitlines()
    assert rows[0] == "seq;source;page;reason" and len(rows) == 4
    assert "BWT-1980-0003/zero.tif;1;empty file (0 bytes)" in rows[-1]
    with Store(processed["workspace"].database) as store:
        events = store.events(processed["batch"].id)
    actions = [e.action for e in events]
    assert actions.count("run.start") == 1
    written = [e.detail["kind"] for e in events if e.action == "output.written"]
    assert written.count("document-pdf") == len(list(processed["out"].rglob("*.pdf")))
    assert written.count("document-alto") == written.count("document-pdf")  # one event per document's ALTO files


def test_second_run_redoes_nothing_and_rewrites_nothing(delivery, workspace, tmp_path):
    root, _ = delivery
    out = tmp_path / "out"
    from digitalisering.ingest import ingest_delivery
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        first = run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "t")
        stamps = {p: p.stat().st_mtime_ns for p in [*out.rglob("*.pdf"), *out.rglob("*.alto.xml")]}
        assert any(p.name.endswith(".alto.xml") for p in stamps)
        second = run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "t")
        assert first.pages_done == 8
        # the failed pages are tried again (they fail again), no done page is redone
        assert second.pages_done == 0 and second.already_done == 8
        assert all(not o.rebuilt for o in second.outputs)
        assert {p: p.stat().st_mtime_ns for p in [*out.rglob("*.pdf"), *out.rglob("*.alto.xml")]} == stamps
        assert all(p.attempts == 1 for p in store.pages(batch.id) if p.status == "done")


def test_source_changed_after_ingest_is_not_processed(delivery, workspace, tmp_path):
    root, _ = delivery
    from digitalisering.ingest import ingest_delivery
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        target = root / "BWT-1962-0001" / "0002.tif"
        target.write_bytes(target.read_bytes() + b"x")
        summary = run_batch(store, workspace, batch, tmp_path / "out", RunOptions(jobs=1, progress=False), "t")
        reasons = {f.source: f.reason for f in summary.failures}
        assert "changed since ingest" in reasons["BWT-1962-0001/0002.tif"]
        assert any(e.action == "fixity.mismatch" for e in store.events(batch.id))


def test_blank_pages_and_separators_are_counted_but_not_in_the_pdf(workspace, tmp_path):
    import pagegen
    from digitalisering.ingest import ingest_delivery

    root = tmp_path / "stapel"
    pagegen.save(pagegen.barcode_sheet("DOSSIER:BWT-1999-0001"), root / "scan_0001.tif", dpi=200)
    pagegen.save(pagegen.letter_page(dpi=200), root / "scan_0002.tif", dpi=200, compression="tiff_lzw")
    pagegen.save(pagegen.blank_back(dpi=200), root / "scan_0003.tif", dpi=200, compression="tiff_lzw")
    pagegen.save(pagegen.letter_page(dpi=200).rotate(180), root / "scan_0004.tif", dpi=200,
                 compression="tiff_lzw")
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        first = run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "t")
        data = json.loads((out / "results.json").read_text())
        pages = {p["source"]: p for p in data["pages"]}
        assert pages["scan_0001.tif"]["is_separator"] and pages["scan_0001.tif"]["separator"]["dossier_id"] == \
            "BWT-1999-0001"
        assert pages["scan_0003.tif"]["is_blank"] and pages["scan_0003.tif"]["ocr"] is None
        assert pages["scan_0004.tif"]["orientation"] == 180
        assert [p["in_output"] for p in data["pages"]] == [False, True, False, True]
        assert data["summary"]["pages"] == 4 and data["summary"]["pages_done"] == 4
        pdf_path = out / first.outputs[0].relpath
        with pikepdf.open(pdf_path) as pdf:
            assert len(pdf.pages) == 2
        text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
        assert text.count("Gemeente Leiden") == 4  # both letters (2 lines each); the upside-down one turned
        # keeping blank pages afterwards needs no reprocessing, only a new PDF
        again = run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False, keep_blank=True), "t")
        assert again.pages_processed == 0 and again.outputs[0].rebuilt
        with pikepdf.open(pdf_path) as pdf:
            assert len(pdf.pages) == 3


def test_operator_overrides_rewrite_the_outputs_without_reading_pages_again(delivery, workspace, tmp_path):
    from digitalisering.documents.overrides import parse_overrides
    from digitalisering.documents.vocabulary import default_vocabulary
    from digitalisering.ingest import ingest_delivery

    root, _ = delivery
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "t")
        before = json.loads((out / "results.json").read_text())
        dossier = "BWT-1975-0002"
        docs = [d for d in before["documents"] if d["dossier"] == dossier]
        pages = [s for d in docs for s in d["pages"]]
        # one document for the whole dossier, typed by hand
        rows = ["page;action;value"] + [f"{s};merge;" for s in pages[1:]] + [f"{pages[0]};type;vergunning"]
        overrides = parse_overrides("\n".join(rows), default_vocabulary().type_names)
        again = run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "t", overrides)
        assert again.pages_processed == 0
        after = json.loads((out / "results.json").read_text())
        merged = [d for d in after["documents"] if d["dossier"] == dossier]
        assert len(merged) == 1 and merged[0]["pages"] == pages
        assert merged[0]["type"] == "vergunning" and merged[0]["type_evidence"] == ["override"]
        assert sorted(p.name for p in (out / dossier).glob("*.pdf")) == [f"{dossier}-01-vergunning.pdf"]
        # the ALTO files follow the PDFs: one per page of the merged document, none of the old split
        assert sorted(p.name for p in (out / dossier).glob("*.alto.xml")) == [
            f"{dossier}-01-vergunning-{n:03d}.alto.xml" for n in range(1, len(merged[0]["output"]["alto"]) + 1)]
        assert any(e.action == "output.removed" for e in store.events(batch.id)) == (len(docs) > 1)
        # the corrections are kept with the batch: a later run without them keeps the same split
        run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "t")
        kept = json.loads((out / "results.json").read_text())
        assert [d["pages"] for d in kept["documents"] if d["dossier"] == dossier] == [pages]
        # ... in the state database, with who and where they came from
        from digitalisering.corrections import corrections_for, record_correction
        stored = corrections_for(store, batch)
        assert len(stored) == len(rows) - 1 and {(c.source, c.who) for c in stored} == {("overrides", "t")}
        # a correction made in the review page counts at the next run, again without reading a page
        record_correction(store, batch, "type", who="archivaris", page=pages[0], value="brief")
        third = run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "t")
        assert third.pages_processed == 0
        retyped = [d for d in json.loads((out / "results.json").read_text())["documents"] if d["dossier"] == dossier]
        assert [(d["pages"], d["type"]) for d in retyped] == [(pages, "brief")]
        assert sorted(p.name for p in (out / dossier).glob("*.pdf")) == [f"{dossier}-01-brief.pdf"]


def test_dossier_pdf_has_a_bookmark_per_document(processed, workspace, tmp_path):
    from digitalisering.ingest import ingest_delivery

    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, processed["root"]).batch
        run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False, dossier_pdf=True), "t")
    data = json.loads((out / "results.json").read_text())
    dossier = next(d for d in data["dossiers"] if d["id"] == "BWT-1975-0002")
    docs = [d for d in data["documents"] if d["dossier"] == "BWT-1975-0002" and d["output"]]
    with pikepdf.open(out / dossier["output"]["path"]) as pdf:
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert len(titles) == len(docs) and titles[0].startswith("1. ")


def test_addresses_are_linked_to_the_bag_and_written_into_the_pdf_metadata(workspace, tmp_path):
    import pagegen
    from digitalisering.bag.index import INDEX_FILE, import_extract
    from digitalisering.ingest import ingest_delivery
    from digitalisering.pdfa import xmp

    repo = __import__("pathlib").Path(__file__).resolve().parents[2]
    import_extract(repo / "batches/demo-bag/BAGNLDL-01102026-demo.zip", workspace.root / INDEX_FILE, "0546")
    root = tmp_path / "levering" / "BWT-1974-0475"
    lines = ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aan de heer J. Visser", "Morsweg 12",
             "Onderwerp: bouwvergunning", "Geachte heer Visser,", "vergunning voor het vernieuwen van de kap",
             "op het perceel Morsweg 138 te Leiden.", "Hoogachtend,"]
    pagegen.save(pagegen.page_image(lines, dpi=200), root / "0001.tif", dpi=200, compression="tiff_lzw")
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root.parent).batch
        run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t")
    data = json.loads((out / "results.json").read_text())
    validate_results(data)
    assert data["bag"]["stand_date"] == "2026-10-01"
    doc = data["documents"][0]
    by_number = {a["huisnummer"]: a for a in doc["addresses"]}
    assert by_number[138]["role"] == "object" and by_number[138]["nummeraanduiding_ids"] == ["0546200000385399"]
    assert by_number[12]["role"] == "other"
    assert [a["nummeraanduiding_ids"] for a in data["dossiers"][0]["addresses"]] == [["0546200000385399"]]
    with pikepdf.open(out / doc["output"]["path"]) as pdf:
        props = xmp.read_properties(pdf.Root.Metadata.read_bytes())
    assert props["addresses"] == ["Morsweg 138"] and "0546200000385399" in props["bagIds"]
    # an archivist says the dossier is about Breestraat 163 instead: the next run follows, no page read
    from digitalisering.corrections import record_correction
    with Store(workspace.database) as store:
        record_correction(store, batch, "address_remove", who="archivaris", dossier="BWT-1974-0475",
                          value="0546200000385399")
        record_correction(store, batch, "address_add", who="archivaris", dossier="BWT-1974-0475",
                          value="0546200000318960")
        again = run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t")
    assert again.pages_processed == 0
    data = json.loads((out / "results.json").read_text())
    validate_results(data)
    [dossier_address] = data["dossiers"][0]["addresses"]
    assert dossier_address["nummeraanduiding_ids"] == ["0546200000318960"] and dossier_address["corrected"]


def test_overrides_of_pages_the_batch_lacks_are_refused_before_any_page_is_touched(delivery, tmp_path):
    from click.testing import CliRunner

    from digitalisering.cli import main
    from digitalisering.documents.overrides import Override, Overrides, load_saved_overrides, save_overrides
    from digitalisering.store.records import PageStatus
    from digitalisering.workspace import Workspace

    root, _ = delivery
    ws = Workspace.open(tmp_path / "ws")
    assert CliRunner().invoke(main, ["--workspace", str(ws.root), "ingest", str(root)]).exit_code in (0, 1)
    with Store(ws.database) as store:
        [batch] = store.batches()
        seqs = sorted(p.seq for p in store.pages(batch.id))
        before = {p.id: p.status for p in store.pages(batch.id)}
    kept = ws.batch_dir(batch.name) / "overrides.json"
    save_overrides(Overrides([Override(seqs[1], "split")]), kept)  # an earlier run's corrections
    corrections = tmp_path / "correcties.csv"
    corrections.write_text(f"page;action;value\n{seqs[2]};split;\n998;merge;\n999;type;brief\n")
    res = CliRunner().invoke(main, ["--workspace", str(ws.root), "run", str(root), "--out", str(tmp_path / "out"),
                                    "--overrides", str(corrections), "--no-progress"])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip().splitlines() == [
        f"error: {corrections}:3: pages 998 (line 3), 999 (line 4) not in batch {batch.name} (it has pages "
        f"{seqs[0]}-{seqs[-1]}); expected the seq of a page of this batch, as in results.json"]
    with Store(ws.database) as store:
        after = {p.id: p.status for p in store.pages(batch.id)}
        assert after == before and PageStatus.DONE not in after.values()  # nothing was processed
        assert not [e for e in store.events(batch.id) if e.action in ("run.start", "overrides.set")]
    assert load_saved_overrides(kept).items == [Override(seqs[1], "split")]  # the kept ones are not replaced
    assert not (tmp_path / "out" / "results.json").exists()
