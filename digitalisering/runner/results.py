"""Build and write results.json from a run (its name, schema and reader: ``resultsfile``).

Every file written is validated against ``schemas/results.schema.json`` first.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from digitalisering import __version__
from digitalisering._exec import tesseract
from digitalisering.access.proposals import DETECTOR_VERSION
from digitalisering.bag.index import INDEX_FILE, read_meta
from digitalisering.errors import StateError, reason_message, shown_reason
from digitalisering.fileio import is_within, require_text_path, write_text_atomic
from digitalisering.pagerecord import PageResult
from digitalisering.qa.failures import FAILURES_FILE
from digitalisering.resultsfile import RESULTS_FILE, SCHEMA_VERSION, results_batch, validate_results
from digitalisering.runner.dossier_chain import DOCUMENT_PDF, DOSSIER_PDF, ChainResult, Output
from digitalisering.runner.options import RunOptions
from digitalisering.store import Batch, Store
from digitalisering.store.records import PageRecord, PageStatus
from digitalisering.i18n import Word, gettext


def _ocr_entry(ocr) -> dict[str, Any] | None:
    """How the page was read; why OCR gave no text (``error``, a stored reason) in the run's
    language and as its catalogue entry (``error_message``), like the page's own failure reason."""
    if ocr is None:
        return None
    entry = asdict(ocr)
    entry["error"], entry["error_message"] = shown_reason(ocr.error), reason_message(ocr.error)
    return entry


def page_entry(page: PageRecord, source: str, sha256: str, dossier: str | None, document: str | None,
               keep_blank: bool) -> dict[str, Any]:
    record = PageResult.from_json(page.result)
    load, encode, imaging = record.load, record.encode, record.imaging
    image = None
    if load:
        image = {**asdict(load), "encoding": encode.encoding if encode else None}
        if encode:
            image["width_px"], image["height_px"] = encode.width_px, encode.height_px
        if imaging:
            image["dpi"] = imaging.technical.dpi
    return {
        "seq": page.seq,
        "source": source,
        "page_index": page.page_index,
        "sha256": sha256,
        "status": page.status,
        "error": shown_reason(page.error),
        "error_message": reason_message(page.error),
        "attempts": page.attempts,
        "finished_at": page.finished_at,
        "dossier": dossier,
        "document": document,
        "image": image,
        "orientation": imaging.orientation if imaging else None,
        "orientation_confidence": imaging.orientation_confidence if imaging else None,
        "orientation_uncertain": imaging.orientation_uncertain if imaging else None,
        "skew_deg": imaging.skew_deg if imaging else None,
        "skew_confidence": imaging.skew_confidence if imaging else None,
        "skew_method": imaging.skew_method if imaging else None,
        "deskew_deg": encode.deskew_deg if encode else None,
        "is_blank": imaging.is_blank if imaging else None,
        "blank_uncertain": imaging.blank_uncertain if imaging else None,
        "faint": imaging.faint if imaging else None,
        "is_separator": imaging.is_separator if imaging else None,
        "separator": asdict(imaging.separator) if imaging and imaging.separator else None,
        "in_output": record.in_output(keep_blank) if page.status == PageStatus.DONE else None,
        "technical": imaging.technical.to_json() if imaging else None,
        "ocr": _ocr_entry(record.ocr),
        "worker_seconds": record.seconds,
    }


def _output_json(out: Output | None) -> dict[str, Any] | None:
    if out is None:
        return None
    data = {"path": out.relpath, "sha256": out.sha256, "bytes": out.bytes, "format": f"PDF/A-{out.pdfa}",
            "checks_passed": list(out.checks)}
    if out.alto:
        data["alto"] = [{"page": a.page, "seq": a.seq, "path": a.relpath, "sha256": a.sha256, "bytes": a.bytes}
                        for a in out.alto]
    return data


def build_results(store: Store, batch: Batch, options: RunOptions, chain: ChainResult,
                  workspace_root: Path | None = None) -> dict[str, Any]:
    files = {f.id: f for f in store.files(batch.id)}
    pages = store.pages(batch.id)
    by_seq = {p.seq: p for p in pages}
    plan = chain.plan
    dossier_of = plan.dossier_of()
    document_of = plan.document_of()
    documents, dossiers = [], []
    linked = chain.addresses
    for d in plan.dossiers:
        statuses = {by_seq[s].status for s in d.pages}
        if statuses == {PageStatus.DONE}:
            status = "complete"
        elif PageStatus.DONE not in statuses:
            status = "failed" if PageStatus.FAILED in statuses else "pending"
        else:
            status = "incomplete"
        dates = sorted({x for doc in d.documents for x in chain.dates.get(doc.id, [])})
        dossiers.append({"id": d.id, "folder": chain.folders[d.id], "pages": d.pages, "documents": [doc.id for doc in d.documents],
                         "status": status,
                         "period": {"from": dates[0].isoformat(), "to": dates[-1].isoformat()} if dates else None,
                         "addresses": [a.to_json() for a in linked.dossiers.get(d.id, [])] if linked else [],
                         "addresses_decided_by": f"model {chain.models.get('address', 'package')}" if linked else None,
                         "addresses_to_review": [a.to_json() for a in linked.review.get(d.id, [])] if linked else [],
                         "output": _output_json(chain.output(DOSSIER_PDF, d.id))})
        for doc in d.documents:
            out = chain.output(DOCUMENT_PDF, doc.id)
            documents.append({
                "id": doc.id, "dossier": d.id, "index": doc.index, "type": doc.type,
                "type_confidence": doc.type_confidence, "type_evidence": doc.evidence, "boundary": doc.boundary,
                "boundary_confidence": doc.boundary_confidence, "needs_review": doc.needs_review,
                "decided_by": {k: (f"model {chain.models.get('document')}" if v == "model" else v)
                               for k, v in doc.decided_by.items()},
                "pages": doc.pages,
                "missing_pages": [s for s in doc.pages if by_seq[s].status != PageStatus.DONE],
                "output": _output_json(out),
                "addresses": [a.to_json() for a in linked.documents.get(doc.id, [])] if linked else [],
                "dates": [x.isoformat() for x in chain.dates.get(doc.id, [])],
                "access_proposals": chain.access[doc.id].to_json() if doc.id in chain.access else None,
            })
    outputs = chain.outputs
    bag_meta = None
    if linked is not None:
        meta = read_meta(workspace_root / INDEX_FILE) if workspace_root else {}
        bag_meta = {"stand_date": meta.get("stand_date"), "source": meta.get("source"),
                    "gemeente": meta.get("gemeente") or None}
    counts = store.page_counts(batch.id)
    try:
        tess = tesseract.version()
    except Exception:  # results are still written when tesseract went missing meanwhile
        tess = None
    return {
        "schema": "digitalisering-results",
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "digitalisering", "version": __version__, "tesseract": tess},
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "batch": {"name": batch.name, "delivery": batch.delivery, "layout": batch.layout,
                  "created_at": batch.created_at, "created_by": batch.created_by},
        "options": options.output_affecting(),
        "summary": {
            "files": len(files),
            "files_failed": sum(1 for f in files.values() if f.error),
            "pages": len(pages),
            "pages_done": counts[PageStatus.DONE],
            "pages_failed": counts[PageStatus.FAILED],
            "pages_pending": counts[PageStatus.PENDING],
            "pages_rescan": counts[PageStatus.RESCAN],
            "dossiers": len(dossiers),
            "documents": len(documents),
            "pages_unassigned": len(plan.unassigned),
            "outputs_bytes": sum(o.bytes for o in outputs),
        },
        "problems": plan.problems + ([] if linked is not None else
                                     [gettext("no BAG index in the workspace: addresses are not linked "
                                              "(digitalisering bag import EXTRACT.zip)")]),
        "bag": bag_meta,
        "access": {"detector_version": DETECTOR_VERSION, "exclusions": options.exclusions},
        "models": {"document": chain.models.get("document"), "address": chain.models.get("address", "package")},
        "files": [{"path": f.relpath, "sha256": f.sha256, "size": f.size, "format": f.format,
                   "pages": f.page_count, "error": shown_reason(f.error), "error_message": reason_message(f.error)}
                  for f in files.values()],
        "pages": [page_entry(p, files[p.file_id].relpath, files[p.file_id].sha256, dossier_of.get(p.seq),
                             document_of[p.seq].id if p.seq in document_of else None, options.keep_blank)
                  for p in pages],
        "dossiers": dossiers,
        "documents": documents,
    }


def check_out_dir(out_dir: Path, batch: Batch, workspace_root: Path | None = None) -> None:
    """An output folder belongs to one batch and lies outside the delivery and the workspace.

    Refused: a folder that holds another batch's results. A batch is known by its name, delivery
    and registration time together, not by its name alone: two workspaces (two operators, or a
    fresh workspace for a re-delivery) both name a batch after its delivery folder ``levering``, and
    the second run overwrote the first one's results.json and PDFs. Also refused: the delivery
    itself or a folder inside it (the run's PDFs were ingested as scans by the next run) and the
    workspace or a folder inside it (its page work files are not outputs), a delivery package (a
    BagIt bag) or a folder inside one; and a folder where a results.json or failures.csv that no
    run wrote would be overwritten (or, failures.csv, removed).
    """
    results = require_text_path(Path(out_dir)) / RESULTS_FILE
    other = results_batch(out_dir)
    if other is None and (results.exists() or results.is_symlink()):
        raise StateError("{results} exists and is not the results of a batch; move it away or choose another --out", results=results)
    if other is None and ((Path(out_dir) / FAILURES_FILE).exists() or (Path(out_dir) / FAILURES_FILE).is_symlink()):
        # written only after results.json: without ours, it is someone else's file
        raise StateError("{value} exists and was not written by a run here; move it away or choose another --out", value=Path(out_dir) / FAILURES_FILE)
    if other and (other.get("name"), other.get("delivery"), other.get("created_at")) != \
            (batch.name, batch.delivery, batch.created_at):
        same_name = other.get("name") == batch.name
        found = {"out_dir": out_dir, "name": other.get("name"), "delivery": other.get("delivery"),
                 "created_at": other.get("created_at")}
        if same_name:
            raise StateError("{out_dir} holds the results of another batch {name} (delivery {delivery}, registered "
                             "{created_at}); choose another --out", **found)
        raise StateError("{out_dir} holds the results of batch {name} (delivery {delivery}, registered {created_at}); "
                         "choose another --out", **found)
    from digitalisering.metadata.package import enclosing_bag

    places = {"delivery": Path(batch.delivery), "package": enclosing_bag(out_dir)}
    if workspace_root is not None:
        places["workspace"] = Path(workspace_root)
    for what, folder in places.items():
        if folder is None:
            continue
        if is_within(out_dir, folder):
            raise StateError("the output folder {out_dir} is inside the {what} {folder}; choose an output folder outside it", out_dir=Path(out_dir).resolve(), what=Word(what), folder=folder.resolve())


def write_results(store: Store, batch: Batch, out_dir: Path, options: RunOptions, chain: ChainResult,
                  workspace_root: Path | None = None) -> Path:
    target = Path(out_dir) / RESULTS_FILE
    check_out_dir(out_dir, batch, workspace_root)
    data = build_results(store, batch, options, chain, workspace_root)
    validate_results(data)
    write_text_atomic(target, json.dumps(data, ensure_ascii=False, indent=1))
    return target
