from pathlib import Path

from digitalisering.errors import shown_reason
from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.fixity import sha256_file


def test_ingest_records_checksums_pages_and_who(store, delivery):
    root, _ = delivery
    report = ingest_delivery(store, root, operator="ann")
    assert report.created and report.batch.name == root.name
    files = {f.relpath: f for f in store.files(report.batch.id)}
    tif = root / "BWT-1962-0001" / "0001.tif"
    assert files["BWT-1962-0001/0001.tif"].sha256 == sha256_file(tif)
    assert files["BWT-1975-0002/BWT-1975-0002.tif"].page_count == 2
    assert shown_reason(files["BWT-1980-0003/zero.tif"].error) == "empty file (0 bytes)"
    assert "manifest.csv" in report.ignored_files
    assert len(store.pages(report.batch.id)) == 11
    events = store.events(report.batch.id)
    assert events[0].who == "ann" and events[0].action == "batch.created"
    assert any(e.action == "file.ingested" and e.detail["file"] == "BWT-1962-0001/0001.tif" for e in events)


def test_reingest_is_a_noop(store, delivery):
    root, _ = delivery
    first = ingest_delivery(store, root, operator="ann")
    pages_before = store.pages(first.batch.id)
    again = ingest_delivery(store, root, operator="bob")
    assert again.is_noop and again.batch.id == first.batch.id
    assert store.pages(first.batch.id) == pages_before


def test_changed_file_is_reported_and_never_replaces_the_record(store, delivery):
    root, _ = delivery
    first = ingest_delivery(store, root)
    path = root / "BWT-1962-0001" / "0002.tif"
    recorded = sha256_file(path)
    path.write_bytes(path.read_bytes() + b"tampered")
    again = ingest_delivery(store, root)
    assert [c.relpath for c in again.changed_files] == ["BWT-1962-0001/0002.tif"]
    assert again.changed_files[0].recorded_sha256 == recorded
    rec = {f.relpath: f for f in store.files(first.batch.id)}["BWT-1962-0001/0002.tif"]
    assert rec.sha256 == recorded
    assert any(e.action == "file.changed" for e in store.events(first.batch.id))


def test_new_and_missing_files_in_a_later_ingest(store, delivery):
    root, _ = delivery
    first = ingest_delivery(store, root)
    n_pages = len(store.pages(first.batch.id))
    (root / "BWT-1962-0001" / "0003.jpg").rename(root / "BWT-1962-0001" / "0004.jpg")
    again = ingest_delivery(store, root)
    assert again.added_files == ["BWT-1962-0001/0004.jpg"]
    assert again.missing_files == ["BWT-1962-0001/0003.jpg"]
    pages = store.pages(first.batch.id)
    assert len(pages) == n_pages + 1 and pages[-1].seq == n_pages


def test_same_folder_name_elsewhere_gets_its_own_batch(store, delivery, tmp_path: Path):
    root, _ = delivery
    first = ingest_delivery(store, root)
    other = tmp_path / "elsewhere" / root.name
    other.mkdir(parents=True)
    (other / "scan.tif").write_bytes((root / "BWT-1962-0001" / "0001.tif").read_bytes())
    second = ingest_delivery(store, other)
    assert second.batch.name == f"{first.batch.name}-2"
