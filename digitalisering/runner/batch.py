"""Run a batch: every page not yet done goes through the page chain in worker processes; then the
dossier chain builds the outputs; then results.json is written. Killed at any point, it resumes."""

from __future__ import annotations

import logging
import sqlite3
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from digitalisering.ocr.engines import get_engine
from digitalisering.ingest.register import check_workspace_apart
from digitalisering.access.vulnerable import check_exclusions_file
from digitalisering.bag.link import load_gazetteer
from digitalisering.errors import (DigitaliseringError, MissingDependencyError, StateError, error_from_reason,
                                   shown_reason, stored_reason)
from digitalisering.fileio import remove_temporaries
from digitalisering.locks import folder_lock
from digitalisering.metadata.fixity import sha256_file
from digitalisering.pagerecord import PageResult
from digitalisering.corrections import as_overrides, corrections_for, record_overrides
from digitalisering.documents.overrides import Overrides, load_saved_overrides
from digitalisering.runner.dossier_chain import ChainResult, Output, remove_stale_outputs, run_dossier_chain
from digitalisering.runner.executors import DaskExecutor, LocalExecutor
from digitalisering.runner.lock import batch_lock
from digitalisering.runner.options import RunOptions
from digitalisering.runner.page_chain import PageJob
from digitalisering.runner.worker import PageOutcome, init_worker, process_page
from digitalisering.qa.failures import FAILURES_FILE, Failure, list_failures, write_failures_csv
from digitalisering.resultsfile import RESULTS_FILE
from digitalisering.runner.results import check_out_dir, write_results
from digitalisering.store import Batch, Store
from digitalisering.store.records import PageRecord, PageStatus
from digitalisering.workspace import Workspace
from digitalisering.i18n import N_, gettext

log = logging.getLogger(__name__)

MAX_CRASHES = 2


@dataclass
class RunSummary:
    batch: Batch
    out_dir: Path
    pages_total: int
    pages_processed: int
    pages_done: int
    pages_failed: int
    already_done: int
    elapsed_s: float
    failures: list[Failure] = field(default_factory=list)
    """Every failed page of the batch (also in OUT/failures.csv)."""
    outputs: list[Output] = field(default_factory=list)
    results_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    """Split problems for the operator (pages before the first dossier separator, ...)."""
    documents: int = 0
    dossiers: int = 0
    pages_s: float = 0.0
    """Wall time of the page stages; the rest of ``elapsed_s`` went to splitting and writing outputs."""
    counts: dict[str, int] = field(default_factory=dict)
    """The batch's pages by status after the run (pending, done, failed, rescan)."""
    addresses_unlinked: bool = False
    """The workspace has no BAG index: no address of any dossier was linked (the run exits 1)."""

    @property
    def pages_per_minute(self) -> float:
        return self.pages_processed * 60 / self.elapsed_s if self.elapsed_s > 0 else 0.0


def run_batch(
    store: Store,
    workspace: Workspace,
    batch: Batch,
    out_dir: Path,
    options: RunOptions,
    operator: str,
    overrides: Overrides | None = None,
    page_fn: Callable[[PageJob], PageOutcome] = process_page,
) -> RunSummary:
    """Process every page not yet done, then split, classify and write the outputs.

    ``overrides``: operator corrections of the split; kept with the batch for later runs (a run
    without them uses the last ones given). Corrections of pages the batch does not have are refused
    (ConfigError) before anything is done. ``page_fn``: what a worker runs per page (a module-level
    function, so that it can be sent to worker processes; tests use it to inject faults).
    """
    get_engine(options.ocr_engine).require(options.lang)
    out_dir = Path(out_dir).resolve()
    check_workspace_apart(Path(batch.delivery), workspace.root)
    check_out_dir(out_dir, batch, workspace.root)
    if options.gazetteer:
        load_gazetteer(Path(options.gazetteer))  # a ConfigError now, not after the pages
    if options.exclusions:
        check_exclusions_file(Path(options.exclusions))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError("cannot create the output folder {out_dir}: {error}", out_dir=out_dir, error=exc.strerror or exc) from exc
    with batch_lock(workspace.lock_file(batch.name), batch.name), store.batch_claim(batch), \
            folder_lock(out_dir, "{out_dir} is in use by another command (a run, package or qa); "
                                 "run again when it is done", out_dir=out_dir):
        check_out_dir(out_dir, batch, workspace.root)  # (another batch's run may have finished there meanwhile)
        if overrides is not None:  # refused before any page is touched; the saved ones stay as they were
            overrides.check_pages({p.seq for p in store.pages(batch.id)}, batch.name)
        started = time.monotonic()
        _remove_leftovers(store, workspace, batch, out_dir, operator)
        files = {f.id: f for f in store.files(batch.id)}
        todo = [p for p in store.pages(batch.id) if p.status in (PageStatus.PENDING, PageStatus.FAILED)
                and files[p.file_id].error is None]
        again = _outdated_blank_pages(store, batch, files)
        total = sum(store.page_counts(batch.id).values())
        store.log(batch.id, operator, "run.start", out=str(out_dir), pages=len(todo) + len(again),
                  options=options.output_affecting())
        if again:
            store.log(batch.id, operator, "run.blank_recheck", pages=[p.seq for p in again])
        todo = sorted(todo + again, key=lambda p: p.seq)
        todo = _drop_changed_sources(store, batch, todo, files, operator, {p.id for p in again})
        jobs = [
            PageJob(p.id, p.seq, str(Path(batch.delivery) / files[p.file_id].relpath), p.page_index,
                    files[p.file_id].format or "", str(workspace.page_dir(batch.name, p.id)), options)
            for p in todo
        ]
        done, failed = _process_pages(store, batch, jobs, options, operator, page_fn)
        pages_s = time.monotonic() - started
        overrides = _overrides(store, workspace, batch, overrides, operator)
        chain: ChainResult = run_dossier_chain(store, workspace, batch, out_dir, options, operator, overrides,
                                               remove_stale=False)
        results_path = write_results(store, batch, out_dir, options, chain, workspace.root)
        remove_stale_outputs(chain)  # only now: until results.json was replaced, it named them
        problems = list(chain.plan.problems) + _update_search_index(store, workspace, batch, operator)
        elapsed = time.monotonic() - started
        store.log(batch.id, operator, "run.end", processed=len(jobs), done=done, failed=failed,
                  seconds=round(elapsed, 1), pages_seconds=round(pages_s, 1),
                  outputs_seconds=round(elapsed - pages_s, 1))
        failures = list_failures(store, batch, chain.plan.unassigned)
        failures_csv = out_dir / FAILURES_FILE
        if failures:
            write_failures_csv(failures, failures_csv)
        else:
            failures_csv.unlink(missing_ok=True)
    already_done = store.page_counts(batch.id)[PageStatus.DONE] - done
    return RunSummary(batch, out_dir, total, len(jobs), done, failed, already_done, elapsed,
                      failures, chain.outputs, results_path, problems,
                      documents=sum(len(d.documents) for d in chain.plan.dossiers), dossiers=len(chain.plan.dossiers),
                      pages_s=pages_s, counts=store.page_counts(batch.id), addresses_unlinked=chain.addresses is None and bool(chain.plan.dossiers))


def _update_search_index(store: Store, workspace: Workspace, batch: Batch, operator: str) -> list[str]:
    """The batch's rows in the search index, replaced as a whole. A failure leaves the outputs as
    they are and the index with the batch's previous rows; it is reported and `index` repairs it."""
    from digitalisering.index.build import index_after_run

    try:
        stats = index_after_run(store, workspace, batch.name)
    except (DigitaliseringError, sqlite3.DatabaseError) as exc:  # (a damaged file: DatabaseError)
        store.log(batch.id, operator, "index.failed", reason=str(exc))
        if isinstance(exc, sqlite3.DatabaseError) and not _index_trouble(exc):
            raise  # a bug (a wrong query, a table of another schema): exit 15 with the log, not a warning
        return [gettext("search index not updated ({error}); run: digitalisering index {batch}", error=exc,
                        batch=batch.name)]
    store.log(batch.id, operator, "index.updated", dossiers=stats.dossiers, pages=stats.pages,
              seconds=round(stats.seconds, 2))
    return []


_INDEX_TROUBLE = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
                  sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
"""What SQLite answers when search.sqlite's disk is full or failing, another process holds it past the
busy timeout (an ``index`` on another station), it may not be written or it is damaged (a power cut:
SQLITE_CORRUPT, a DatabaseError): the outputs stand, ``index`` repairs the index later. Any other
error (no such table or column, a syntax error) is the code's fault and must not pass for a warning."""


def _index_trouble(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _INDEX_TROUBLE


def _remove_leftovers(store: Store, workspace: Workspace, batch: Batch, out_dir: Path, operator: str) -> None:
    """Unfinished files of a killed run (temporary files of atomic writes) in the page work folders
    and of results.json and failures.csv: nobody else writes them now (the batch and the output
    folder are held). Those in the dossier folders go when the dossier chain knows its folders; the
    output folder is not searched further down (it may hold another batch's output folder)."""
    removed = remove_temporaries(workspace.batch_dir(batch.name) / "pages") + remove_temporaries(
        out_dir, recursive=False, targets=lambda name: name in (RESULTS_FILE, FAILURES_FILE))
    if removed:
        store.log(batch.id, operator, "run.leftovers_removed", files=[str(p) for p in removed])


def _outdated_blank_pages(store: Store, batch: Batch, files: dict) -> list[PageRecord]:
    """Done pages that an older version called blank before the faint look existed
    (``PageResult.blank_verdict_outdated``): processed again, so that faint type on them reaches
    the PDF. They stay done meanwhile (a run killed before it reached them finds them again); only
    they are read again, no other page's OCR is redone."""
    return [p for p in store.pages(batch.id, [PageStatus.DONE]) if files[p.file_id].error is None
            and PageResult.from_json(p.result).blank_verdict_outdated]


def _overrides(store: Store, workspace: Workspace, batch: Batch, given: Overrides | None,
               operator: str) -> Overrides:
    """The split and type corrections that count now: those of the state database, after the
    lines of ``given`` (an ``--overrides`` file) were stored there. Overrides an older version kept
    in ``overrides.json`` are stored once, when the database has none of this batch."""
    legacy = workspace.batch_dir(batch.name) / "overrides.json"
    if legacy.exists() and not corrections_for(store, batch):
        record_overrides(store, batch, load_saved_overrides(legacy), operator)
    if given is not None:
        recorded = record_overrides(store, batch, given, operator)
        store.log(batch.id, operator, "overrides.set", items=given.to_json(), stored=recorded.added,
                  withdrawn=recorded.withdrawn)
    return as_overrides(corrections_for(store, batch))


def _drop_changed_sources(store: Store, batch: Batch, todo: list[PageRecord], files: dict,
                          operator: str, recheck: set[int] = frozenset()) -> list[PageRecord]:
    """Check each source file's SHA-256 once; pages of a changed file fail and are not processed.
    A done page only looked at again (``recheck``: ``_outdated_blank_pages``) stays done as it was:
    its source moved away or changed since is no reason to lose its verdict and fail the run."""
    problem: dict[int, str | None] = {}  # file id -> reason it cannot be used, None when intact
    keep: list[PageRecord] = []
    for page in todo:
        rec = files[page.file_id]
        if rec.id not in problem:
            try:
                intact = sha256_file(Path(batch.delivery) / rec.relpath) == rec.sha256
                problem[rec.id] = None if intact else \
                    stored_reason(N_("source file changed since ingest (SHA-256 differs); not processed"))
            except OSError as exc:
                problem[rec.id] = stored_reason(N_("source file missing or unreadable since ingest: {error}"),
                                                error=exc.strerror or exc)
            if problem[rec.id]:
                store.log(batch.id, operator, "fixity.mismatch", file=rec.relpath, reason=shown_reason(problem[rec.id]))
        if problem[rec.id]:
            if page.id not in recheck:
                store.finish_page(page.id, PageStatus.FAILED, None, problem[rec.id])
        else:
            keep.append(page)
    return keep


def _executor(options: RunOptions, jobs: int) -> LocalExecutor | DaskExecutor:
    if options.scheduler:
        return DaskExecutor(options.scheduler)
    return LocalExecutor(min(options.workers, jobs), init_worker)


def _process_pages(store: Store, batch: Batch, jobs: list[PageJob], options: RunOptions,
                   operator: str, page_fn: Callable[[PageJob], PageOutcome] = process_page) -> tuple[int, int]:
    """Process ``jobs`` on the executor; persist each page's outcome as it arrives.

    When a local worker process dies (killed, out of memory), the pages that were in flight are
    retried one at a time, so that a page that kills its worker twice is identified and marked failed
    while the innocent pages are processed normally. On Dask the scheduler does this itself and
    reports a page that killed its workers with ``KilledWorker``.
    """
    if not jobs:
        return 0, 0
    counts = {"done": 0, "failed": 0}
    queue = list(reversed(jobs))
    suspects: list[PageJob] = []
    crashes: dict[int, int] = {}
    executor = _executor(options, len(jobs))
    workers = executor.workers
    bar = tqdm(total=len(jobs), unit=" " + gettext("pages"), desc=batch.name, disable=not options.progress,
               dynamic_ncols=True, smoothing=0.1)
    in_flight: dict[Future, PageJob] = {}

    def record(job: PageJob, outcome: PageOutcome) -> None:
        if outcome.fatal:
            raise error_from_reason(outcome.error or stored_reason(N_("a required program is missing")),
                                    MissingDependencyError)
        if outcome.ok:
            store.finish_page(job.page_id, PageStatus.DONE, outcome.result, None)
            counts["done"] += 1
        else:
            store.finish_page(job.page_id, PageStatus.FAILED, None, outcome.error)
            store.log(batch.id, operator, "page.failed", page=job.page_id, seq=job.seq,
                      source=job.source, page_index=job.page_index, error=shown_reason(outcome.error))
            if outcome.trace:
                log.debug("page %s failed:\n%s", job.page_id, outcome.trace)
            counts["failed"] += 1
        bar.update(1)
        bar.set_postfix(failed=counts["failed"], refresh=False)

    def died(job: PageJob) -> PageOutcome:
        return PageOutcome(job.page_id, False, None, stored_reason(
            N_("the worker process died on this page {times} times (out of memory or crash)"), times=MAX_CRASHES))

    def crashed(job: PageJob, alone: bool) -> None:
        # Only a crash with this page alone in the pool counts against it.
        if alone:
            crashes[job.page_id] = crashes.get(job.page_id, 0) + 1
        if crashes.get(job.page_id, 0) >= MAX_CRASHES:
            record(job, died(job))
        else:
            suspects.append(job)

    def submit(job: PageJob) -> None:
        store.start_page(job.page_id)
        in_flight[executor.submit(page_fn, job)] = job

    try:
        while queue or suspects or in_flight:
            if suspects:
                if not in_flight:  # after a crash: one page at a time until the culprit is known
                    submit(suspects.pop(0))
            else:
                while queue and len(in_flight) < workers * 2:
                    submit(queue.pop())
            alone = len(in_flight) == 1
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for fut in finished:
                job = in_flight.pop(fut)
                exc = fut.exception()
                if executor.is_crash(exc):
                    if executor.reschedules_crashes:
                        record(job, died(job))
                    else:
                        broken = True
                        crashed(job, alone)
                elif exc is not None:
                    # the executor itself failed (a lost Dask scheduler): stop; the page stays pending
                    raise StateError("page work stopped: {name}: {error}; run again to resume", name=type(exc).__name__, error=exc)
                else:
                    record(job, fut.result())
            if broken:
                for job in in_flight.values():
                    crashed(job, False)
                in_flight.clear()
                executor.restart()
    finally:
        bar.close()
        executor.shutdown()
    return counts["done"], counts["failed"]
