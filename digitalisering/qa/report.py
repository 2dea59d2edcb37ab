"""The QA report of a batch: a self-contained static HTML folder (Dutch by default) and a CSV of every
finding that is not a pass.

    <report>/index.html          summary, plan and verdict, check counts, failures and warnings with
                                 thumbnails, the sample and the always-reviewed pages
    <report>/pages/<seq>.html    one page: the page image, its OCR text, metadata and findings
    <report>/img/                thumbnails and screen-sized page images (JPEG)
    <report>/bevindingen.csv     every warning and failure (findings.csv with --lang en)

The folder is written beside the target and renamed into place, so a report is whole or absent.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from digitalisering import __version__
from digitalisering.csvtext import csv_text
from digitalisering.errors import DigitaliseringError, StateError
from digitalisering.fileio import (check_folder_renames, empty_folder, is_within, require_text_path, write_bytes_atomic,
                                    write_text_atomic)
from digitalisering.metadata.package import enclosing_bag
from digitalisering.locks import folder_lock
from digitalisering.qa.images import THUMB_PX, VIEW_PX
from digitalisering.qa.inspection import Inspection, Verdict
from digitalisering.i18n import Localised, timestamp
from digitalisering.qa.messages import check_label, page_failure, render, ui
from digitalisering.i18n import WrittenDecimal, Word

DEFECTS_FILE = {"nl": "bevindingen.csv", "en": "findings.csv"}
STYLESHEET = Path(__file__).resolve().parent.parent / "web" / "static" / "portal.css"
"""The web application's one stylesheet, put inside the report (a self-contained folder): one look."""


def template_env(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("digitalisering.qa", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.globals.update(t=lambda key, **kw: ui(key, lang, **kw), label=lambda name: check_label(name, lang),
                       lang=lang, num=number_filter(lang), failure=lambda page: page_failure(page, lang), stylesheet=Markup(STYLESHEET.read_text(encoding="utf-8")))
    return env


def number_filter(lang: str):
    """``num(value, digits=None, sign=False)`` for the templates: a number the reader's way, '–' for none."""
    def num(value, digits: int | None = None, sign: bool = False) -> str:
        if value is None or isinstance(value, str):
            return "–" if value is None else value
        spec = ("+" if sign else "") + (f".{digits}f" if digits is not None else "g")
        return format(Localised(value, lang), spec)
    return num


def plan_values(plan) -> dict:
    """The plan's figures for ``plan_text``; the code letter shows the arrow that was followed."""
    letter = plan.code_letter if plan.plan_letter == plan.code_letter else f"{plan.code_letter} → {plan.plan_letter}"
    try:  # the table's label ("4.0", "0.65") as a number, written the reader's way (4,0; 0,65)
        aql: object = WrittenDecimal(str(plan.aql))
    except (TypeError, ValueError):
        aql = plan.aql
    return {**plan.__dict__, "code_letter": letter, "aql": aql}


def extra_reasons(insp: Inspection, lang: str) -> dict[int, str]:
    """seq -> why the page is reviewed besides the sample, in words."""
    return {seq: ", ".join(ui("redelivered", lang) if r == "redelivered" else check_label(r, lang) for r in reasons)
            for seq, reasons in insp.extra_pages().items()}


def verdict_text(v: Verdict, lang: str) -> tuple[str, dict]:
    values = {"reviewed": v.reviewed, "sample_size": v.sample_size, "rejected": v.rejected,
              "acceptance": v.acceptance, "rejection": v.rejection}
    return ui(f"verdict_{v.status}", lang, **values), values


DEFECT_FIELDS = {
    "nl": ["status", "controle", "dossier", "document", "blad", "bestand", "pagina_in_bestand", "bevinding",
           "extra_beoordelen"],
    "en": ["status", "check", "dossier", "document", "sheet", "file", "page_in_file", "finding",
           "always_reviewed"],
}


def defects_csv(insp: Inspection, lang: str) -> str:
    """Every warning and failure, one row each, in the reader's language: where it is as archivists
    count (dossier, document and blad from 1) and as delivered (file, page in the file)."""
    documents = {d["id"]: d for d in insp.results["documents"]}
    rows = []
    for f in insp.checks.problems():
        place = insp.places.get(f.pages[0]) if f.scope == "page" and f.pages else None
        doc = documents.get(f.key) if f.scope == "document" else None
        if place is not None:
            where = [place.dossier or "", place.document or "", place.blad or "", place.file, place.file_page]
        elif doc is not None:
            where = [doc["dossier"], doc["index"], "", "", ""]
        else:
            where = [f.key, "", "", "", ""]
        rows.append([ui(f.status, lang), f.label(lang), *where, f.message(lang),
                     ui("yes", lang) if f.review else ""])
    return csv_text(DEFECT_FIELDS[lang], rows, ";" if lang == "nl" else ",")


@dataclass
class ReportSummary:
    path: Path
    pages_with_images: int
    problems: int
    image_failures: list[str]


def is_report(folder: Path) -> bool:
    """Whether ``folder`` holds a QA report and nothing else (what ``_write`` puts there: index.html,
    the findings CSV, img/*.jpg, pages/*.html), so that replacing it loses nothing. Anything else
    (the output folder, a delivery, a folder of one's own, a note added to a report) is not."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return False
    allowed = {"index.html": "file", "img": "dir", "pages": "dir", **{n: "file" for n in DEFECTS_FILE.values()}}
    for child in folder.iterdir():
        kind = allowed.get(child.name)
        if child.is_symlink() or kind is None or (kind == "dir") != child.is_dir():
            return False
        if kind == "dir":
            pattern = re.compile(r"^(thumb|page)-\d+\.jpg$" if child.name == "img" else r"^\d+\.html$")
            if not all(pattern.match(f.name) and f.is_file() and not f.is_symlink() for f in child.iterdir()):
                return False
    return True


def write_report(insp: Inspection, target: Path, *, who: str, lang: str = "nl") -> ReportSummary:
    """Write the report folder for ``insp`` at ``target``, replacing an earlier report there (and
    only a report: ``--to`` an existing folder of anything else is refused; it used to be removed
    whole, also when it was the run's output folder or the delivery)."""
    target = require_text_path(Path(target))
    work = target.with_name(f".{target.name}.part")
    old = target.with_name(f".{target.name}.old")
    if (target.exists() or target.is_symlink()) and not is_report(target):
        raise StateError("{target} exists and is not a QA report; choose a new report folder", target=target)
    # never inside the delivery (the next ingest took the report's page pictures for scans) or a package
    for what, folder in (("delivery", Path(insp.results["batch"]["delivery"])),
                         ("package", enclosing_bag(target.parent))):
        if folder is not None and is_within(target, folder):
            raise StateError("the report folder {target} is inside the {what} {folder}; choose a report folder outside it", target=target, what=Word(what), folder=folder)
    if work.is_symlink() or ((old.exists() or old.is_symlink()) and not is_report(old)):
        raise StateError("{value} is not a work folder of a QA report; remove it or choose another report folder", value=work if work.is_symlink() else old)
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError("cannot write in {parent}: {error}", parent=target.parent, error=exc.strerror or exc) from exc
    # the run's outputs stay as they are meanwhile, and one command at a time writes this report
    with folder_lock(insp.out_dir, "{out_dir} is being written by a run; report when it is done", out_dir=insp.out_dir,
                     shared=True), folder_lock(work, "{target} is being written by another command", target=target):
        empty_folder(work)  # what a killed report left
        if not (target.exists() or target.is_symlink()) and old.is_dir() and not old.is_symlink():
            # killed between the two renames at the end: the earlier report was hidden in ``old``,
            # no report at its place until the next one; it is put back first (``is_report``: above)
            os.replace(old, target)
        try:
            check_folder_renames(work, target)  # probed inside our own work folder
        except StateError:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return _write(insp, target, work, who, lang)


def _write(insp: Inspection, target: Path, work: Path, who: str, lang: str) -> ReportSummary:
    (work / "img").mkdir()
    (work / "pages").mkdir()
    env = template_env(lang)
    problems = insp.checks.problems()
    sample = insp.sample_seqs
    extra = insp.extra_pages()
    shown = sorted(set(sample) | set(extra) | {s for f in problems for s in f.pages[:1]})
    pictured = [s for s in shown if insp.pages_by_seq[s]["status"] != "failed"]
    failures: list[str] = []
    for seq in pictured:
        try:
            write_bytes_atomic(work / "img" / f"thumb-{seq}.jpg", insp.jpeg(seq, THUMB_PX))
            write_bytes_atomic(work / "img" / f"page-{seq}.jpg", insp.jpeg(seq, VIEW_PX))
        except (DigitaliseringError, OSError, ValueError) as exc:
            failures.append(f"page {seq}: {exc}")
    decisions = insp.current_decisions()
    documents = {d["id"]: d for d in insp.results["documents"]}
    common = {"batch": insp.batch, "pages": insp.pages_by_seq, "decisions": decisions, "lang": lang,
              "where": lambda s: insp.page_label(s, lang), "where_finding": lambda f: insp.where(f, lang),
              "page_href": lambda s: f"pages/{s}.html", "thumb_href": lambda s: f"img/thumb-{s}.jpg"}
    page_tpl = env.get_template("report_page.html")
    for seq in shown:
        p = insp.pages_by_seq[seq]
        write_text_atomic(work / "pages" / f"{seq}.html", page_tpl.render(
            p=p, doc=documents.get(p.get("document")), findings=insp.findings_for(seq), text=insp.ocr_text(seq),
            review=False, **common))
    verdict = insp.verdict(decisions)
    text, _ = verdict_text(verdict, lang)
    card = env.get_template("_card.html").make_module(common).card
    summary = insp.results["summary"]
    plan = insp.plan
    write_text_atomic(work / "index.html", env.get_template("report.html").render(
        generated=timestamp(datetime.now(timezone.utc), lang), who=who, version=__version__,
        summary=summary, plan=plan, plan_values=plan_values(plan),
        sample=insp.sample, drawn_at=timestamp(insp.sample.drawn_at, lang), verdict=verdict, verdict_text=text, counts=insp.checks.counts(),
        not_run={name: render(code, {}, lang) for name, code in insp.checks.not_run.items()},
        problems=problems, sample_seqs=sample, extra=extra_reasons(insp, lang),
        rescan_count=len(insp.rescan_rows()), defects_csv=DEFECTS_FILE[lang], card=card, **common))
    write_text_atomic(work / DEFECTS_FILE[lang], defects_csv(insp, lang))
    if target.exists():
        if not is_report(target):  # (made meanwhile by someone else)
            raise StateError("{target} exists and is not a QA report; choose a new report folder", target=target)
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)  # a report (checked above), left by a killed command
        os.replace(target, old)
        os.replace(work, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, target)
    return ReportSummary(target, len(pictured), len(problems), failures)
