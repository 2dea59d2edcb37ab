"""The dossier chain: once the pages are done, group them into dossiers and write the outputs.

Runs in the main process (cheap: no OCR). Each output carries a fingerprint of its inputs; an
output whose fingerprint and checksum still match is not rewritten, so a resumed run leaves the
finished dossiers byte-identical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from digitalisering import __version__
from digitalisering.fileio import ensure_inside, safe_name
from digitalisering.metadata.fixity import sha256_bytes, sha256_file
from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf
from digitalisering.runner.options import RunOptions
from digitalisering.store import Batch, Store
from digitalisering.store.records import PageRecord, PageStatus
from digitalisering.workspace import Workspace


@dataclass
class DossierGroup:
    dossier_id: str
    pages: list[PageRecord] = field(default_factory=list)

    @property
    def done_pages(self) -> list[PageRecord]:
        return [p for p in self.pages if p.status == PageStatus.DONE]

    def output_pages(self, keep_blank: bool = False) -> list[PageRecord]:
        """Done pages that go into the PDF: not separator sheets, blank pages only when kept."""
        return [p for p in self.done_pages if in_output(p.result, keep_blank)]


@dataclass
class DossierOutput:
    dossier_id: str
    relpath: str
    """Output file relative to the output folder."""
    sha256: str
    bytes: int
    page_seqs: list[int]
    missing_seqs: list[int]
    """Pages of the dossier that are not in the output because they failed."""
    rebuilt: bool
    pdfa: str = "2b"
    checks: tuple[str, ...] = ()
    """Names of the PDF/A checks the file passed when it was written."""


def in_output(result: dict, keep_blank: bool) -> bool:
    """Whether a done page with this result goes into the PDFs."""
    imaging = result.get("imaging") or {}
    if imaging.get("is_separator") or "image" not in result.get("artifacts", {}):
        return False
    return keep_blank or not imaging.get("is_blank")


def group_dossiers(batch: Batch, pages: list[PageRecord]) -> list[DossierGroup]:
    """Dossiers from the delivery layout: one per folder; a stack is one dossier until it is split."""
    groups: dict[str, DossierGroup] = {}
    for page in pages:
        key = page.folder if batch.layout == "folders" and page.folder else batch.name
        groups.setdefault(key, DossierGroup(key)).pages.append(page)
    return list(groups.values())


def output_relpath(dossier_id: str) -> str:
    name = safe_name(dossier_id, "dossier")
    return f"{name}/{name}.pdf"


def _fingerprint(group: DossierGroup, options: RunOptions) -> str:
    parts = [
        (p.id, p.result.get("artifacts", {}).get("image_sha256"), p.result.get("artifacts", {}).get("text_pdf_sha256"))
        for p in group.output_pages(options.keep_blank)
    ]
    blob = json.dumps({"v": __version__, "pages": parts, "options": options.output_affecting()}, sort_keys=True)
    return sha256_bytes(blob.encode())


def run_dossier_chain(
    store: Store, workspace: Workspace, batch: Batch, out_dir: Path, options: RunOptions, operator: str
) -> list[DossierOutput]:
    outputs: list[DossierOutput] = []
    for group in group_dossiers(batch, store.pages(batch.id)):
        done = group.output_pages(options.keep_blank)
        missing = [p.seq for p in group.pages if p.status != PageStatus.DONE]
        if not done:
            continue
        rel = output_relpath(group.dossier_id)
        target = ensure_inside(out_dir, out_dir / rel)
        fingerprint = _fingerprint(group, options)
        previous = store.output(batch.id, "dossier-pdf", group.dossier_id)
        if (previous and previous.fingerprint == fingerprint and previous.path == str(target)
                and target.exists() and sha256_file(target) == previous.sha256):
            outputs.append(DossierOutput(group.dossier_id, rel, previous.sha256, previous.size,
                                         [p.seq for p in done], missing, rebuilt=False, pdfa=options.pdfa,
                                         checks=tuple(previous.checks)))
            continue
        pdf_pages = [
            PdfPage(
                image_path=workspace.page_dir(batch.name, p.id) / p.result["artifacts"]["image"],
                text_pdf_path=(workspace.page_dir(batch.name, p.id) / p.result["artifacts"]["text_pdf"]
                               if "text_pdf" in p.result["artifacts"] else None),
                dpi=p.result["encode"]["dpi"],
            )
            for p in done
        ]
        created = max(datetime.fromisoformat(p.finished_at) for p in done if p.finished_at)
        info = PdfInfo(title=f"Bouwdossier {group.dossier_id}", created=created,
                       subject=f"Bouwdossier {group.dossier_id}, batch {batch.name}",
                       dossier_id=group.dossier_id, document_id=group.dossier_id, batch=batch.name)
        validation = build_pdf(pdf_pages, target, info, flavour=options.pdfa)
        checks = tuple(c.name for c in validation.checks)
        digest, size = sha256_file(target), target.stat().st_size
        store.record_output(batch.id, "dossier-pdf", group.dossier_id, str(target), digest, size, fingerprint,
                            checks=list(checks))
        store.log(batch.id, operator, "output.written", kind="dossier-pdf", dossier=group.dossier_id,
                  path=str(target), sha256=digest, pages=len(done), missing_pages=missing,
                  pdfa=options.pdfa, checks_passed=list(checks))
        outputs.append(DossierOutput(group.dossier_id, rel, digest, size, [p.seq for p in done], missing,
                                     rebuilt=True, pdfa=options.pdfa, checks=checks))
    return outputs
