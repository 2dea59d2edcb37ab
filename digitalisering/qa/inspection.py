"""The inspection of one batch: its run results, the automated checks, the drawn sample, the
archivist's decisions, the lot's verdict and the rescan list.

The sample is drawn once and stored (``qa_samples``), so that decisions always refer to the same
pages; ``redraw=True`` draws again (logged). Decisions are stored one by one with who and when
(``qa_decisions``); the latest decision on the page's current version counts. A rejected page goes
into state 'rescan' and onto the rescan list; when the scanner re-delivers its file, ``ingest``
replaces it (the old version stays in the page history) and the page is reviewed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from digitalisering.csvtext import csv_text
from digitalisering.errors import InputFileError, StateError, UnknownBatchError
from digitalisering.fileio import write_text_atomic
from digitalisering.locks import folder_lock
from digitalisering.ocr.model import PageText
from digitalisering.pagerecord import PageResult
from digitalisering.qa.checks import CheckReport, Finding, run_checks
from digitalisering.qa.images import page_jpeg
from digitalisering.qa.iso2859 import SamplingPlan
from digitalisering.qa.numbering import PagePlace, document_label, page_places
from digitalisering.qa.sampling import batch_seed, draw, lot_pages, plan_for, plan_json
from digitalisering.resultsfile import read_results
from digitalisering.store import Batch, Decision, SampleRecord, Store
from digitalisering.store.records import PageStatus
from digitalisering.workspace import Workspace
from digitalisering.i18n import gettext

APPROVED, REJECTED = "approved", "rejected"
OPEN, ACCEPTED, NOT_ACCEPTED = "open", "accepted", "not_accepted"
RESCAN_FILE = "rescan.csv"


class ReviewError(InputFileError):
    """A decision that cannot be recorded (unknown page, no reason for a rejection, ...)."""


@dataclass(frozen=True)
class Verdict:
    status: str
    """'open' (still pages to review), 'accepted' or 'not_accepted'."""
    sample_size: int
    reviewed: int
    rejected: int
    acceptance: int
    rejection: int


@dataclass
class Inspection:
    store: Store
    workspace: Workspace
    batch: Batch
    out_dir: Path
    results: dict
    checks: CheckReport
    sample: SampleRecord
    plan: SamplingPlan
    pages_by_seq: dict[int, dict] = field(default_factory=dict)
    page_ids: dict[int, int] = field(default_factory=dict)
    """seq -> page id in the store."""

    # -- where a page is, as people read it -------------------------------------------------------
    @cached_property
    def places(self) -> dict[int, PagePlace]:
        """seq -> dossier, document and blad (from 1) and the delivered file (``qa.numbering``)."""
        return page_places(self.results)

    def page_label(self, seq: int, lang: str = "nl") -> str:
        place = self.places.get(seq)
        return place.label(lang) if place else str(seq)

    def where(self, finding: Finding, lang: str = "nl") -> str:
        """What a finding is about, as people read it: a page's place, a document, a dossier."""
        if finding.scope == "page" and finding.pages:
            return self.page_label(finding.pages[0], lang)
        if finding.scope == "document":
            return document_label(self.results, finding.key, lang)
        return finding.key

    # -- who is reviewed ------------------------------------------------------------------------
    @property
    def sample_seqs(self) -> list[int]:
        by_id = {v: k for k, v in self.page_ids.items()}
        return sorted(by_id[i] for i in self.sample.page_ids if i in by_id)

    def extra_pages(self) -> dict[int, list[str]]:
        """Pages reviewed in addition to the sample: failed a check, blank, or corrected before
        (re-delivered after a rescan), with the reasons."""
        out = {seq: list(reasons) for seq, reasons in self.checks.review_pages().items()}
        history = {h.page_id for h in self.store.page_history(self.batch.id)}
        for seq, pid in self.page_ids.items():
            if pid in history:
                out.setdefault(seq, []).append("redelivered")
        for seq in self.sample_seqs:
            out.pop(seq, None)
        return dict(sorted(out.items()))

    def review_list(self) -> list[int]:
        return sorted(set(self.sample_seqs) | set(self.extra_pages()))

    # -- decisions ------------------------------------------------------------------------------
    def current_decisions(self) -> dict[int, Decision]:
        """seq -> the latest decision on the page's current version."""
        by_id = {v: k for k, v in self.page_ids.items()}
        shas = self.current_shas()
        out: dict[int, Decision] = {}
        for d in self.store.decisions(self.batch.id):
            seq = by_id.get(d.page_id)
            if seq is not None and d.page_sha256 == shas.get(seq):
                out[seq] = d
        return out

    def current_shas(self) -> dict[int, str]:
        """seq -> the SHA-256 of the page's source file as the store has it now (a re-delivery changes it)."""
        files = {f.id: f.sha256 for f in self.store.files(self.batch.id)}
        return {p.seq: files[p.file_id] for p in self.store.pages(self.batch.id)}

    def current_sha(self, seq: int) -> str:
        page = self.store.page_by_id(self.page_ids[seq])
        return self.store.file_by_id(page.file_id).sha256

    def decide(self, seq: int, decision: str, reason: str | None, who: str) -> Decision:
        if seq not in self.page_ids:
            raise ReviewError("page {seq} is not in batch {name}", seq=seq, name=self.batch.name)
        if decision not in (APPROVED, REJECTED):
            raise ReviewError("decision must be {approved} or {rejected}, not {decision!r}", approved=APPROVED, rejected=REJECTED, decision=decision)
        reason = (reason or "").strip() or None
        if decision == REJECTED and not reason:
            raise ReviewError("a rejection needs a reason (what is wrong with the page)")
        pid = self.page_ids[seq]
        sample_id = self.sample.id if pid in self.sample.page_ids else None
        with self.store.transaction():
            record = self.store.add_decision(self.batch.id, pid, sample_id, decision, reason, who,
                                             self.current_sha(seq))
            page = self.store.page_by_id(pid)
            if decision == REJECTED and page.status == PageStatus.DONE:
                self.store.set_page_status(pid, PageStatus.RESCAN)
            elif decision == APPROVED and page.status == PageStatus.RESCAN:
                self.store.set_page_status(pid, PageStatus.DONE)  # a rejection taken back
            self.store.log(self.batch.id, who, f"qa.{decision}", page=seq, reason=reason,
                           in_sample=sample_id is not None)
        self.write_rescan_list()
        return record

    def verdict(self, decided: dict[int, Decision] | None = None) -> Verdict:
        """The sample's verdict; ``decided``: ``current_decisions()`` when the caller has them."""
        if decided is None:
            decided = self.current_decisions()
        sample = self.sample_seqs
        reviewed = [s for s in sample if s in decided]
        rejected = sum(1 for s in reviewed if decided[s].decision == REJECTED)
        if rejected >= self.plan.rejection:
            status = NOT_ACCEPTED
        elif len(reviewed) == len(sample):
            status = ACCEPTED
        else:
            status = OPEN
        return Verdict(status, len(sample), len(reviewed), rejected, self.plan.acceptance, self.plan.rejection)

    # -- the rescan list ------------------------------------------------------------------------
    def rescan_rows(self) -> list[dict[str, str]]:
        return rescan_rows(self.store, self.batch, self.results)

    def rescan_csv(self) -> str:
        return rescan_csv_text(self.rescan_rows())

    @property
    def rescan_path(self) -> Path:
        return self.workspace.batch_dir(self.batch.name) / RESCAN_FILE

    def write_rescan_list(self) -> Path:
        """Write the rescan list as the store has it now. Two review pages deciding at once take
        turns, so that the list written last was read after both decisions."""
        folder = self.rescan_path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError("cannot write in {folder}: {error}", folder=folder, error=exc.strerror or exc) from exc
        with folder_lock(folder, "{path} is being written by another command for more than 30 s", path=self.rescan_path,
                         wait_s=30):
            write_text_atomic(self.rescan_path, self.rescan_csv())
        return self.rescan_path

    # -- page files -----------------------------------------------------------------------------
    def page_dir(self, seq: int) -> Path:
        return self.workspace.page_dir(self.batch.name, self.page_ids[seq])

    def source_path(self, seq: int) -> Path:
        return Path(self.batch.delivery) / self.pages_by_seq[seq]["source"]

    def jpeg(self, seq: int, max_px: int) -> bytes:
        """The page as the PDF shows it, reduced to ``max_px``."""
        return page_jpeg(*self.jpeg_source(seq), max_px)

    def jpeg_source(self, seq: int) -> tuple:
        """What the page's picture is made from, as read from the store: ``page_jpeg``'s arguments
        but the size (the picture itself is then made without the store)."""
        page = self.store.page_by_id(self.page_ids[seq])
        fmt = self.store.file_by_id(page.file_id).format
        return PageResult.from_json(page.result), self.page_dir(seq), self.source_path(seq), page.page_index, fmt

    def ocr_text(self, seq: int) -> str:
        """The page's recognised text, line by line ('' when it has none)."""
        page = self.store.page_by_id(self.page_ids[seq])
        path = PageResult.from_json(page.result).artifact_path(self.page_dir(seq), "words")
        if not path:
            return ""
        try:
            return PageText.read(path).text
        except (OSError, ValueError, KeyError):
            return ""

    def findings_for(self, seq: int) -> list[Finding]:
        return [f for f in self.checks.findings if seq in f.pages]


RESCAN_FIELDS = ["dossier", "document", "blad", "bestand", "pagina_in_bestand", "reden", "beoordelaar", "tijdstip",
                 "sha256"]
"""The rescan list's columns: the page's place as archivists count (dossier, document number and blad
from 1) and as the scanner delivered it (file, page in the file from 1)."""


def rescan_rows(store: Store, batch: Batch, results: dict | None = None) -> list[dict[str, str]]:
    """The pages in state 'rescan' with the reason, reviewer and time of their rejection."""
    places = page_places(results or {})
    files = {f.id: f for f in store.files(batch.id)}
    latest: dict[int, Decision] = {}
    for d in store.decisions(batch.id):
        latest[d.page_id] = d
    rows = []
    for page in store.pages(batch.id, [PageStatus.RESCAN]):
        place, f, d = places.get(page.seq), files[page.file_id], latest.get(page.id)
        rows.append({
            "dossier": (place.dossier if place else None) or page.folder or "",
            "document": str(place.document) if place and place.document else "",
            "blad": str(place.blad) if place and place.blad else "",
            "bestand": f.relpath, "pagina_in_bestand": str(page.page_index + 1),
            "reden": (d.reason or "") if d else "", "beoordelaar": d.who if d else "", "tijdstip": d.at if d else "",
            "sha256": f.sha256,
        })
    return rows


def rescan_csv_text(rows: list[dict[str, str]]) -> str:
    """The rescan list as CSV (semicolons, as Dutch spreadsheet programs expect)."""
    return csv_text(RESCAN_FIELDS, ([row.get(k, "") for k in RESCAN_FIELDS] for row in rows))


def run_out_dir(store: Store, batch: Batch) -> Path:
    """The output folder of the batch's latest run."""
    for event in reversed(store.events(batch.id)):
        if event.action == "run.start" and event.detail.get("out"):
            return Path(event.detail["out"])
    raise StateError("batch {name} has not been run yet (digitalisering run {delivery} --out DIR)", name=batch.name, delivery=batch.delivery)


def find_batch(store: Store, name: str) -> Batch:
    """The batch called ``name``; UnknownBatchError (exit 2, as for every command) when there is none."""
    batch = store.find_batch(name=name)
    if batch is None:
        names = ", ".join(b.name for b in store.batches()) or gettext("none")
        raise UnknownBatchError("no batch {name!r} in this workspace (batches: {names})", name=name, names=names)
    return batch


def open_inspection(store: Store, workspace: Workspace, batch_name: str, qa_config: dict, archive_config: dict,
                    *, who: str, redraw: bool = False) -> Inspection:
    """Load a batch for QA: its results, the checks, and its sample (drawn now if it has none)."""
    batch = find_batch(store, batch_name)
    out_dir = run_out_dir(store, batch)
    if not out_dir.is_dir():
        raise StateError("cannot read {out_dir}: run the batch first (no folder {out_dir})", out_dir=out_dir)
    # the results and the outputs are read as one run left them: not while a run rewrites them
    with folder_lock(out_dir, "{out_dir} is being written by a run; check batch {name} when it is done",
                     out_dir=out_dir, name=batch.name,
                     shared=True):
        results = read_results(out_dir)
        checks = run_checks(results, out_dir, qa_config, archive_config, operator=who,
                            delivery=Path(batch.delivery))
    page_ids = {p.seq: p.id for p in store.pages(batch.id)}
    sampling = qa_config["sampling"]
    lot = lot_pages(results)
    plan = plan_for(lot, sampling["aql"], sampling["level"])
    sample = store.latest_sample(batch.id)
    if sample is None or redraw:
        seed = int(sampling["seed"]) if "seed" in sampling else batch_seed(batch.name)
        chosen = [page_ids[s] for s in draw(lot, plan, seed)]
        with store.transaction():
            store.serialise(f"qa-sample:{batch.id}")
            sample = None if redraw else store.latest_sample(batch.id)  # another command may have drawn it
            if sample is None:
                sample = store.record_sample(batch.id, who, plan_json(plan), seed, chosen)
                store.log(batch.id, who, "qa.sample", lot=len(lot), sample=len(chosen), seed=seed, aql=plan.aql,
                          level=plan.level, code_letter=plan.code_letter, acceptance=plan.acceptance,
                          rejection=plan.rejection, redraw=redraw)
    stored = sample.plan
    plan = SamplingPlan(**{k: stored[k] for k in SamplingPlan.__dataclass_fields__})
    return Inspection(store, workspace, batch, out_dir, results, checks, sample, plan,
                      {p["seq"]: p for p in results["pages"]}, page_ids)
