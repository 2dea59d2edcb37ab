"""Record a delivery in the store: checksums, pages and an event log. Re-ingesting is a no-op."""

from __future__ import annotations

import getpass
import os
import unicodedata
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from digitalisering.i18n import N_, gettext, ngettext
from digitalisering.errors import (ConfigError, DeliveryError, InputFileError, StateError, reason_of, shown_reason,
                                   stored_reason)
from digitalisering.fileio import is_within
from digitalisering.ingest.delivery import Delivery, DeliveryFile, discover
from digitalisering.naming import fresh_name, printable
from digitalisering.ingest.formats import inspect_file
from digitalisering.metadata.fixity import sha256_file
from digitalisering.store import Batch, FileRecord, Store
from digitalisering.store.records import PageStatus


@dataclass
class ChangedFile:
    relpath: str
    recorded_sha256: str
    current_sha256: str
    redeliverable: bool = False
    """The recorded version failed (or went missing): ``--accept-redelivery`` would take the new one."""


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
    """Files that came back changed and replace the recorded version (pages rejected for rescan, or a
    failed or missing file accepted with ``accept_redelivery``)."""
    redelivery_refused: dict[str, str] = field(default_factory=dict)
    """Files named for re-delivery that were not taken, with the reason."""
    station: str | None = None
    """The scanning station recorded for the files this ingest added or took again."""
    renamed_files: dict[str, str] = field(default_factory=dict)
    """A file found under a name that differs from a missing recorded file's only in case or Unicode
    form (``Café`` written NFD after a copy through macOS, ``0001.TIF`` through a FAT disk) -> the
    recorded name, when its SHA-256 is the recorded one. Not taken as a new file: it is the recorded
    file renamed by a copy (before, it was added beside the missing one, and its dossier appeared
    twice in the batch). A look-alike name with other content is a new file."""

    @property
    def is_noop(self) -> bool:
        return not (self.created or self.added_files or self.changed_files or self.missing_files
                    or self.redelivered_files)


def operator_name(explicit: str | None = None) -> str:
    """Who does it: ``--operator``, else the account's name; kept as ``naming.printable`` text (a
    control character in it stopped ``events --premis`` and ``package`` with an internal error)."""
    if explicit:
        return printable(explicit)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


STATION_ENV = "DIGITALISERING_STATION"


def station_name(explicit: str | None = None) -> str:
    """The scanning station files come from: ``--station``, else ``$DIGITALISERING_STATION``, else
    this machine's host name (ingest usually runs on the scanning station's own computer)."""
    import socket

    name = printable((explicit or os.environ.get(STATION_ENV) or "").strip())
    if name:
        return name
    try:
        return socket.gethostname() or "unknown"
    except OSError:
        return "unknown"


def _mtime(seconds: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def ingest_delivery(
    store: Store,
    delivery_path: Path,
    *,
    operator: str | None = None,
    batch_name: str | None = None,
    layout: str = "auto",
    wait_s: float = Store.REGISTRATION_WAIT_S,
    workspace_root: Path | None = None,
    accept_redelivery: Iterable[str | Path] = (),
    station: str | None = None,
) -> IngestReport:
    """Register (or re-check) the delivery at ``delivery_path`` and return what changed."""
    with registered(store, delivery_path, operator=operator, batch_name=batch_name, layout=layout,
                    wait_s=wait_s, workspace_root=workspace_root, accept_redelivery=accept_redelivery,
                    station=station) as report:
        return report


@contextmanager
def registered(
    store: Store,
    delivery_path: Path,
    *,
    operator: str | None = None,
    batch_name: str | None = None,
    layout: str = "auto",
    wait_s: float = Store.REGISTRATION_WAIT_S,
    workspace_root: Path | None = None,
    accept_redelivery: Iterable[str | Path] = (),
    station: str | None = None,
) -> Iterator[IngestReport]:
    """Register (or re-check) the delivery and hold its batch while the block runs (``run`` processes
    it there): no other command registers, changes or runs it meanwhile.

    Two commands registering the same delivery are serialised: the second waits (at most ``wait_s``
    seconds) and then finds the batch registered; a batch that another command holds (a run) is
    refused with StateError. A new batch appears with all its files at once or not at all.

    ``workspace_root``: refused when it lies inside the delivery (the next ingest took the page
    work images of the workspace for scans of a dossier named after its folder).

    ``accept_redelivery`` names files (relative to the delivery, or paths inside it) whose recorded
    version failed or went missing and that the scanner delivered again: the new version replaces
    the recorded one (kept in the page history and the event log) and is processed again. A named
    file whose recorded pages were fine stays a fixity error.

    ``station``: the scanning station the new (and re-delivered) files come from, kept per file with
    the file's modification time (when the scanner wrote it) for the progress per station; default
    :func:`station_name`.
    """
    who = operator_name(operator)
    station = station_name(station)
    root = Path(delivery_path)
    if workspace_root is not None:
        check_workspace_apart(root, workspace_root)
    delivery = discover(root, layout)
    with ExitStack() as hold:
        with store.registration(str(delivery.root), wait_s):
            existing = store.find_batch(delivery=str(delivery.root))
            if existing is not None:
                hold.enter_context(store.batch_claim(existing))
            accept = _redelivery_names(delivery.root, accept_redelivery)
            report = _register(store, delivery, root, existing, who, batch_name, layout, accept, station)
            report.station = station
            if existing is None:
                hold.enter_context(store.batch_claim(report.batch))
        yield report


def _register(store: Store, delivery: Delivery, root: Path, existing: Batch | None, who: str,
              batch_name: str | None, layout: str, accept: set[str] = frozenset(),
              station: str | None = None) -> IngestReport:
    """Read every file (checksums, formats), then record what is new in one transaction."""
    if existing and layout != "auto" and existing.layout != delivery.layout:
        raise DeliveryError(
            "batch {name} was ingested with layout {layout}, not {layout2}", name=existing.name, layout=existing.layout, layout2=delivery.layout
        )
    if existing is None:
        report = IngestReport(None, created=True)  # type: ignore[arg-type]  # the batch is made below
    else:
        if batch_name and batch_name != existing.name:
            raise DeliveryError(
                "this delivery is already batch {name!r}; leave out --batch or use that name", name=existing.name
            )
        report = IngestReport(existing, created=False)
        if existing.layout != delivery.layout:
            delivery = discover(root, existing.layout)

    known = {f.relpath: f for f in store.files(existing.id)} if existing else {}
    unknown = sorted(accept - set(known))
    if unknown:
        if existing:
            raise ConfigError("--accept-redelivery {file}: not a file of batch {name}; name a file by its path "
                              "in the delivery, e.g. DOSSIER/0002.tif", file=unknown[0], name=existing.name)
        raise ConfigError("--accept-redelivery {file}: not a file of this delivery (it was never ingested); name a "
                          "file by its path in the delivery, e.g. DOSSIER/0002.tif", file=unknown[0])
    found = {f.relpath for f in delivery.files}
    report.missing_files = sorted(set(known) - found)
    missing_by_key = {_name_key(rel): rel for rel in report.missing_files}
    for rel in sorted(accept & set(report.missing_files)):
        report.redelivery_refused[rel] = N_("still missing from the delivery")
    report.ignored_files = delivery.ignored
    report.skipped = delivery.skipped
    candidates = [(f, None) for f in delivery.files] + [
        (DeliveryFile(rel, None), stored_reason(N_("scan outside a dossier folder (folders layout)")))
        for rel in delivery.misplaced
    ]
    new: list[tuple[DeliveryFile, int, str, str | None, int, str | None]] = []
    redelivered: list[tuple[FileRecord, int, str, str | None, int, str]] = []
    written: dict[str, str] = {}  # relpath -> when the scanner wrote it
    rescan = _awaiting_rescan(store, existing.id) if existing else set()
    failed = _failed_files(store, existing.id) if existing else set()
    went_missing = _went_missing(store, existing.id) if existing else set()
    for dfile, placement_error in candidates:
        path = delivery.root / dfile.relpath
        try:
            st = path.stat()
            size = st.st_size
            written[dfile.relpath] = _mtime(st.st_mtime)
            digest = sha256_file(path)
        except OSError as exc:
            report.failed_files[dfile.relpath] = gettext("cannot read file: {error}", error=exc.strerror or exc)
            continue
        record = known.get(dfile.relpath)
        if record is not None:
            broken = record.id in failed or record.relpath in went_missing
            if record.sha256 == digest:
                report.unchanged_files += 1
                if record.relpath in accept:
                    report.redelivery_refused[record.relpath] = N_("unchanged since ingest: nothing to accept")
            elif record.id in rescan:
                replacement = _redelivery(record, path, report, same_pages=True)
                if replacement is not None:
                    redelivered.append((record, size, digest, *replacement, N_("rescan")))
            elif record.relpath in accept and broken:
                replacement = _redelivery(record, path, report, same_pages=False)
                if replacement is not None:
                    why = N_("failed") if record.id in failed else N_("missing")
                    redelivered.append((record, size, digest, *replacement, why))
            else:
                if record.relpath in accept:
                    report.redelivery_refused[record.relpath] = N_(
                        "its recorded pages did not fail and were not rejected in QA: a changed file "
                        "stays a fixity error")
                report.changed_files.append(ChangedFile(dfile.relpath, record.sha256, digest, broken))
            continue
        recorded = missing_by_key.get(_name_key(dfile.relpath))
        if recorded is not None and known[recorded].sha256 == digest:  # other content: a new file, not a rename
            report.renamed_files[dfile.relpath] = recorded
            continue
        try:
            info = inspect_file(path)
            fmt, count, error = info.format, info.page_count, placement_error
        except InputFileError as exc:
            fmt, count, error = None, 0, reason_of(exc)
        if error:
            report.failed_files[dfile.relpath] = shown_reason(error) or ""
        new.append((dfile, size, digest, fmt, count, error))
        report.added_files.append(dfile.relpath)
        report.added_pages += max(count, 1)

    with store.transaction():
        if existing is None:
            store.serialise("batch-names")
            name = _unique_batch_name(store, batch_name or delivery.root.name)
            report.batch = store.create_batch(name, str(delivery.root), delivery.layout, who)
            store.log(report.batch.id, who, "batch.created", delivery=str(delivery.root), layout=delivery.layout)
        batch = report.batch
        for changed in report.changed_files:
            store.log(batch.id, who, "file.changed", file=changed.relpath,
                      recorded_sha256=changed.recorded_sha256, current_sha256=changed.current_sha256)
        for record, size, digest, fmt, count, why in redelivered:
            store.replace_file(record.id, size, digest, fmt, count, who, station, written.get(record.relpath))
            store.log(batch.id, who, "file.redelivered", file=record.relpath, previous_sha256=record.sha256,
                      previous_size=record.size, previous_pages=record.page_count,
                      previous_error=shown_reason(record.error), sha256=digest, size=size, pages=count, reason=why,
                      accepted="automatic (rejected in QA)" if why == "rescan" else "--accept-redelivery")
            report.redelivered_files.append(record.relpath)
        for rel, reason in report.redelivery_refused.items():
            store.log(batch.id, who, "file.redelivery_refused", file=rel, reason=reason)
        seq = store.next_seq(batch.id)
        for dfile, size, digest, fmt, count, error in new:
            store.add_file(batch.id, dfile.relpath, dfile.folder, size, digest, fmt, count, error, seq,
                           station=station, scanned_at=written.get(dfile.relpath))
            store.log(batch.id, who, "file.ingested", file=dfile.relpath, sha256=digest, size=size,
                      format=fmt, pages=count, error=shown_reason(error), station=station)
            seq += max(count, 1)
        for rel in report.missing_files:
            store.log(batch.id, who, "file.missing", file=rel)
        for rel, recorded in report.renamed_files.items():
            store.log(batch.id, who, "file.renamed", file=recorded, found_as=rel, sha256=known[recorded].sha256)
        store.log(batch.id, who, "ingest", station=station, added_files=len(report.added_files),
                  added_pages=report.added_pages, unchanged=report.unchanged_files,
                  changed=len(report.changed_files), missing=len(report.missing_files),
                  failed=len(report.failed_files), ignored=len(report.ignored_files),
                  skipped=report.skipped)
    return report


def check_workspace_apart(delivery: Path, workspace_root: Path) -> None:
    """StateError when the workspace is the delivery or lies inside it."""
    if is_within(workspace_root, delivery):
        raise StateError("the workspace {workspace_root} is inside the delivery {delivery}; its work files would be read as scans: use a workspace outside the delivery (--workspace)", workspace_root=Path(workspace_root).resolve(), delivery=Path(delivery).resolve())


def _awaiting_rescan(store: Store, batch_id: int) -> set[int]:
    """The ids of the batch's files that have pages rejected for rescan."""
    return {p.file_id for p in store.pages(batch_id, [PageStatus.RESCAN])}


def _failed_files(store: Store, batch_id: int) -> set[int]:
    """The ids of the batch's files that failed at ingest or have pages that failed in a run."""
    return {p.file_id for p in store.pages(batch_id, [PageStatus.FAILED])}


def _name_key(relpath: str) -> str:
    """A file's path as a copy may have changed it: Unicode NFC, case folded."""
    return unicodedata.normalize("NFC", relpath).casefold()


def _went_missing(store: Store, batch_id: int) -> set[str]:
    """The files an earlier ingest found missing from the delivery."""
    return {e.detail.get("file") for e in store.events(batch_id) if e.action == "file.missing"}


def _redelivery_names(root: Path, names: Iterable[str | Path]) -> set[str]:
    """The delivery-relative names of the files given to ``--accept-redelivery``: as written relative
    to the delivery, or a path (absolute or from the current folder) that lies inside it."""
    out: set[str] = set()
    for name in names:
        path = Path(name)
        try:
            out.add((path if path.is_absolute() else Path.cwd() / path).resolve()
                    .relative_to(root.resolve()).as_posix())
        except ValueError:  # not a path inside the delivery: a name relative to it
            out.add(PurePosixPath(str(name).replace("\\", "/")).as_posix())
    return out


def _redelivery(record: FileRecord, path: Path, report: IngestReport, *,
                same_pages: bool) -> tuple[str | None, int] | None:
    """A re-delivered file replaces the recorded one; the old version is kept in the page history and
    the event log. A rescan must bring the same pages (format, page count); a file that failed or
    went missing may bring more pages than were recorded (a 0-byte file recorded none), not fewer."""
    try:
        info = inspect_file(path)
    except InputFileError as exc:
        report.failed_files[record.relpath] = gettext("re-delivered file cannot be used: {error}", error=exc)
        return None
    if not same_pages:
        if info.page_count < record.page_count:
            report.failed_files[record.relpath] = ngettext(
                "re-delivered file has {n} page, the one it replaces {recorded}; deliver at least the same pages again",
                "re-delivered file has {n} pages, the one it replaces {recorded}; deliver at least the same pages "
                "again", info.page_count, recorded=record.page_count)
            return None
        return info.format, info.page_count
    if info.page_count != record.page_count:
        report.failed_files[record.relpath] = ngettext(
            "re-delivered file has {n} page, the one it replaces {recorded}; deliver the same pages again",
            "re-delivered file has {n} pages, the one it replaces {recorded}; deliver the same pages again",
            info.page_count, recorded=record.page_count)
        return None
    return info.format, info.page_count


def _unique_batch_name(store: Store, wanted: str) -> str:
    """A batch name for ``wanted`` that no other batch has, also not in another case: the name is a
    folder in the workspace and in packages."""
    return fresh_name(wanted, (b.name for b in store.batches()), "batch")
