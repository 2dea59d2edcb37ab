"""Record a delivery in the store: checksums, pages and an event log. Re-ingesting is a no-op."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

from digitalisering.errors import DeliveryError, InputFileError
from digitalisering.naming import fresh_name
from digitalisering.ingest.delivery import DeliveryFile, discover
from digitalisering.ingest.formats import inspect_file
from digitalisering.metadata.fixity import sha256_file
from digitalisering.store import Batch, FileRecord, Store
from digitalisering.store.records import PageStatus


@dataclass
class ChangedFile:
    relpath: str
    recorded_sha256: str
    current_sha256: str


@dataclass
class IngestReport:
    batch: Batch
    created: bool
    added_files: list[str] = field(default_factory=list)
    added_pages: int = 0
    unchanged_files: int = 0
    failed_files: dict[str, str] = field(default_factory=dict)
    changed_files: list[ChangedFile] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Entries not read at all (links, hidden, FIFOs, unreadable folders) with the reason."""
    redelivered_files: list[str] = field(default_factory=list)
    """Files whose pages were rejected for rescan and that came back changed: they replace the old ones."""

    @property
    def is_noop(self) -> bool:
        return not (self.created or self.added_files or self.changed_files or self.missing_files)


def operator_name(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def ingest_delivery(
    store: Store,
    delivery_path: Path,
    *,
    operator: str | None = None,
    batch_name: str | None = None,
    layout: str = "auto",
) -> IngestReport:
    """Register (or re-check) the delivery at ``delivery_path`` and return what changed."""
    who = operator_name(operator)
    root = Path(delivery_path)
    delivery = discover(root, layout)
    existing = store.find_batch(delivery=str(delivery.root))
    if existing and layout != "auto" and existing.layout != delivery.layout:
        raise DeliveryError(
            f"batch {existing.name} was ingested with layout {existing.layout}, not {delivery.layout}"
        )
    if existing is None:
        name = _unique_batch_name(store, batch_name or delivery.root.name)
        batch = store.create_batch(name, str(delivery.root), delivery.layout, who)
        store.log(batch.id, who, "batch.created", delivery=str(delivery.root), layout=delivery.layout)
        report = IngestReport(batch, created=True)
    else:
        if batch_name and batch_name != existing.name:
            raise DeliveryError(
                f"this delivery is already batch {existing.name!r}; leave out --batch or use that name"
            )
        batch = existing
        report = IngestReport(batch, created=False)
        if batch.layout != delivery.layout:
            delivery = discover(root, batch.layout)

    known = {f.relpath: f for f in store.files(batch.id)}
    found = {f.relpath for f in delivery.files}
    report.missing_files = sorted(set(known) - found)
    report.ignored_files = delivery.ignored
    report.skipped = delivery.skipped
    candidates = [(f, None) for f in delivery.files] + [
        (DeliveryFile(rel, None), "scan outside a dossier folder (folders layout)")
        for rel in delivery.misplaced
    ]
    for dfile, placement_error in candidates:
        path = delivery.root / dfile.relpath
        try:
            size = path.stat().st_size
            digest = sha256_file(path)
        except OSError as exc:
            report.failed_files[dfile.relpath] = f"cannot read file: {exc.strerror or exc}"
            continue
        record = known.get(dfile.relpath)
        if record is not None:
            if record.sha256 == digest:
                report.unchanged_files += 1
            elif _awaiting_rescan(store, record.id):
                _redeliver(store, batch, record, path, size, digest, who, report)
            else:
                report.changed_files.append(ChangedFile(dfile.relpath, record.sha256, digest))
                store.log(batch.id, who, "file.changed", file=dfile.relpath,
                          recorded_sha256=record.sha256, current_sha256=digest)
            continue
        try:
            info = inspect_file(path)
            fmt, count, error = info.format, info.page_count, placement_error
        except InputFileError as exc:
            fmt, count, error = None, 0, str(exc)
        if error:
            report.failed_files[dfile.relpath] = error
        with store.transaction():
            store.add_file(batch.id, dfile.relpath, dfile.folder, size, digest, fmt, count, error,
                           store.next_seq(batch.id))
            store.log(batch.id, who, "file.ingested", file=dfile.relpath, sha256=digest, size=size,
                      format=fmt, pages=count, error=error)
        report.added_files.append(dfile.relpath)
        report.added_pages += max(count, 1)

    for rel in report.missing_files:
        store.log(batch.id, who, "file.missing", file=rel)
    store.log(batch.id, who, "ingest", added_files=len(report.added_files),
              added_pages=report.added_pages, unchanged=report.unchanged_files,
              changed=len(report.changed_files), missing=len(report.missing_files),
              failed=len(report.failed_files), ignored=len(report.ignored_files),
              skipped=report.skipped)
    return report


def _awaiting_rescan(store: Store, file_id: int) -> bool:
    return any(p.file_id == file_id for p in store.pages(store.file_by_id(file_id).batch_id, [PageStatus.RESCAN]))


def _redeliver(store: Store, batch: Batch, record: FileRecord, path: Path, size: int, digest: str, who: str,
               report: IngestReport) -> None:
    """A rescanned file replaces the recorded one when it has the same pages; the old version is kept
    in the page history and the event log."""
    try:
        info = inspect_file(path)
    except InputFileError as exc:
        report.failed_files[record.relpath] = f"re-delivered file cannot be used: {exc}"
        return
    if info.page_count != record.page_count:
        report.failed_files[record.relpath] = (
            f"re-delivered file has {info.page_count} page(s), the one it replaces {record.page_count}; "
            "deliver the same pages again")
        return
    with store.transaction():
        store.replace_file(record.id, size, digest, info.format, info.page_count, who)
        store.log(batch.id, who, "file.redelivered", file=record.relpath, previous_sha256=record.sha256,
                  sha256=digest, size=size)
    report.redelivered_files.append(record.relpath)


def _unique_batch_name(store: Store, wanted: str) -> str:
    """A batch name for ``wanted`` that no other batch has, also not in another case: the name is a
    folder in the workspace and in packages."""
    return fresh_name(wanted, (b.name for b in store.batches()), "batch")
