"""Automated checks on every page, document and dossier of a run, from what the stages recorded.

Page checks read ``results.json``; document checks look at the outputs themselves again (the PDF/A
on disk against its recorded SHA-256 and our PDF/A validation; the MDTO records built and validated
against the XSD); dossier checks compare with the BAG links and the delivery manifest. Each finding
is pass, warn or fail with a one-line reason. Pages that fail a check, and blank pages when so
configured, and pages whose orientation the imaging stage flagged as uncertain are reviewed by eye
in addition to the ISO 2859-1 sample (``review`` = True).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from digitalisering.errors import ConfigError
from digitalisering.metadata.fixity import sha256_file
from digitalisering.metadata.mdto import MetadataInvalidError, bestand_xml, informatieobject_xml
from digitalisering.metadata.package import (
    RecordContext,
    bestand_record,
    document_record,
    dossier_documents,
    dossier_record,
)
from digitalisering.operator_files import check, config_error, read_csv, read_text
from digitalisering.pdfa.validate import validate_pdf
from digitalisering.qa.messages import CHECK_LABELS, check_label, render
from digitalisering.text.alto import validation_errors as alto_validation_errors

PASS, WARN, FAIL = "pass", "warn", "fail"
STATUS_ORDER = {PASS: 0, WARN: 1, FAIL: 2}
LINKED = ("exact", "fuzzy", "corner")
LARGE_FORMAT = ("A0", "A1", "A2", ">A0")

CHECKS = tuple(CHECK_LABELS)


@dataclass(frozen=True)
class Finding:
    check: str
    scope: str
    """'page', 'document' or 'dossier'."""
    key: str
    """The page's seq, the document id or the dossier id."""
    status: str
    code: str
    """Message code (``qa.messages.MESSAGES``); ``values`` fill it in."""
    values: dict = field(default_factory=dict)
    pages: tuple[int, ...] = ()
    """The pages (seq) the finding is about."""
    review: bool = False
    """The pages are reviewed by eye whatever the sample (failed checks, blank pages)."""

    def message(self, lang: str = "nl") -> str:
        return render(self.code, self.values, lang)

    def label(self, lang: str = "nl") -> str:
        return check_label(self.check, lang)


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)
    """check -> message code of why it could not be run (e.g. no BAG index when the batch ran)."""

    def extend(self, items: Iterable[Finding]) -> None:
        self.findings.extend(items)

    def counts(self) -> dict[str, dict[str, int]]:
        """check -> {pass, warn, fail} counts, in the order of CHECKS."""
        out = {name: {PASS: 0, WARN: 0, FAIL: 0} for name in CHECKS}
        for f in self.findings:
            out[f.check][f.status] += 1
        return {k: v for k, v in out.items() if sum(v.values())}

    def problems(self) -> list[Finding]:
        """Warnings and failures, worst first."""
        return sorted((f for f in self.findings if f.status != PASS),
                      key=lambda f: (-STATUS_ORDER[f.status], f.check, f.pages[:1], f.key))

    def review_pages(self) -> dict[int, list[str]]:
        """seq -> the checks that put the page in the always-review set."""
        out: dict[int, list[str]] = {}
        for f in self.findings:
            if f.review:
                for seq in f.pages:
                    out.setdefault(seq, []).append(f.check)
        return out


# -- page checks --------------------------------------------------------------------------------
def _page(check: str, page: dict, status: str, code: str, review: bool | None = None, **values: Any) -> Finding:
    return Finding(check, "page", str(page["seq"]), status, code, values, (page["seq"],),
                   status == FAIL if review is None else review)


def page_findings(page: dict, thresholds: dict[str, float], review_blank: bool = True) -> Iterator[Finding]:
    """The findings for one page entry of results.json."""
    if page["status"] == "failed":
        # the reason's catalogue entry, shown in each reader's language (``render``): a finding
        # made once is read by reviewers of either language
        yield _page("processing", page, FAIL, "failed", error=page.get("error_message") or page.get("error") or "?")
        return
    if page["status"] in ("pending", "rescan"):
        yield _page("processing", page, WARN, page["status"], review=False)
        return
    yield _page("processing", page, PASS, "processed")
    if page.get("is_separator"):
        sep = page.get("separator") or {}
        yield _page("separator", page, PASS, "separator", value=f"{sep.get('kind', '')} {sep.get('payload', '')}".strip())
        return
    yield from _technical(page)
    if page.get("is_blank") and page.get("blank_uncertain"):
        # kept in the PDF; reviewed whatever review_blank says: it may hold faint text
        yield _page("blank", page, WARN, "blank_uncertain", review=True)
        return
    if page.get("is_blank"):
        yield _page("blank", page, WARN, "blank", review=review_blank)
        return
    if page.get("faint"):
        yield _page("blank", page, WARN, "faint", review=True)
    yield from _skew(page, thresholds)
    yield from _orientation(page, thresholds)
    yield _ocr(page, thresholds)
    completeness = _completeness(page, thresholds)
    if completeness:
        yield completeness


def _completeness(page: dict, t: dict[str, float]) -> Finding | None:
    """Text-like ink that no OCR word covers (``ocr.completeness``): missing text, however
    confident the words that were read. Drawings at most warn (their dimensions and hatching are
    text-sized ink that OCR is not asked to read)."""
    measured = (page.get("ocr") or {}).get("completeness")
    if not measured or measured.get("uncovered_share") is None:
        return None
    share, regions = measured["uncovered_share"], len(measured.get("regions") or [])
    values = {"pct": 100 * share, "regions": regions}
    drawing = (page.get("technical") or {}).get("size_class") in LARGE_FORMAT
    if share >= t["completeness_fail"] and not drawing:
        return _page("completeness", page, FAIL, "text_missing", **values)
    if share >= t["completeness_warn"]:
        return _page("completeness", page, WARN, "text_missing", review=True, **values)
    return _page("completeness", page, PASS, "text_complete", **values)


def _technical(page: dict) -> Iterator[Finding]:
    """The technical image checks the imaging stage recorded, said again from their figures."""
    tech = page.get("technical") or {}
    statuses = {c["name"]: c["status"] for c in tech.get("checks", [])}
    dpi, size = tech.get("dpi"), tech.get("size_class")
    if "stated_resolution" in statuses:
        source = tech.get("dpi_source")
        stated = (page.get("image") or {}).get("stated_dpi")
        code = {"stated": "dpi_stated", "inferred": "dpi_inferred"}.get(source, "dpi_assumed")
        yield _page("stated_resolution", page, statuses["stated_resolution"], code, dpi=dpi, size=size,
                    stated=f"{stated[0]:g} ppi" if stated else "-")
    if "resolution" in statuses:
        yield _page("resolution", page, statuses["resolution"], f"resolution_{statuses['resolution']}", dpi=dpi,
                    required=tech.get("required_dpi"), size=size)
    if "colour_mode" in statuses:
        mode = tech.get("colour_mode")
        yield _page("colour_mode", page, statuses["colour_mode"],
                    "colour_bitonal" if mode == "bitonal" else "colour_ok", mode=mode, bits=tech.get("bits_per_sample"))


def _orientation(page: dict, t: dict[str, float]) -> Iterator[Finding]:
    """A page the imaging stage flagged ``orientation_uncertain`` is reviewed by eye whatever the
    sample (it may be upside down or on its side); below ``orientation_confidence_warn`` otherwise a
    warning. Results written before the flag existed are flagged from the warning threshold."""
    turn, conf = page.get("orientation"), page.get("orientation_confidence")
    if turn is None or conf is None:
        return
    flagged = page.get("orientation_uncertain")
    if flagged is None:
        flagged = conf < t["orientation_confidence_warn"]
    if flagged or conf < t["orientation_confidence_warn"]:
        yield _page("orientation", page, WARN, "orientation_uncertain", review=bool(flagged), turn=turn, conf=conf)
    else:
        yield _page("orientation", page, PASS, "orientation", turn=turn, conf=conf)


def _skew(page: dict, t: dict[str, float]) -> Iterator[Finding]:
    skew = page.get("skew_deg")
    if skew is None:
        yield _page("skew", page, WARN, "skew_unmeasured", review=False)
        return
    residual = abs(skew - (page.get("deskew_deg") or 0.0))
    conf = page.get("skew_confidence")
    if residual >= t["residual_skew_fail_deg"]:
        yield _page("skew", page, FAIL, "skew", skew=skew, residual=residual)
    elif residual >= t["residual_skew_warn_deg"]:
        yield _page("skew", page, WARN, "skew", skew=skew, residual=residual)
    elif conf is not None and conf < t["skew_confidence_warn"]:
        yield _page("skew", page, WARN, "skew_uncertain", skew=skew, residual=residual, conf=conf)
    else:
        yield _page("skew", page, PASS, "skew", skew=skew, residual=residual)


def _ocr(page: dict, t: dict[str, float]) -> Finding:
    ocr = page.get("ocr")
    if not ocr:
        return _page("ocr", page, FAIL, "ocr_missing")
    if ocr.get("status") == "timeout":
        return _page("ocr", page, FAIL, "ocr_timeout")
    conf, chars = ocr.get("mean_confidence"), ocr.get("chars") or 0
    if conf is None or chars == 0:
        return _page("ocr", page, WARN, "ocr_empty")
    reduced = ocr.get("status") == "reduced"
    code = "ocr_reduced" if reduced else "ocr"
    drawing = (page.get("technical") or {}).get("size_class") in LARGE_FORMAT
    if conf < t["ocr_confidence_fail"] and not drawing:  # on drawings OCR reads only labels and title blocks
        return _page("ocr", page, FAIL, code, conf=conf, chars=chars)
    if conf < t["ocr_confidence_warn"] or chars < t["ocr_min_chars"] or reduced:
        return _page("ocr", page, WARN, code, conf=conf, chars=chars)
    return _page("ocr", page, PASS, code, conf=conf, chars=chars)


# -- document and dossier checks ----------------------------------------------------------------
def _doc(check: str, doc: dict, status: str, code: str, **values: Any) -> Finding:
    pages = tuple(doc.get("pages") or ())
    return Finding(check, "document", doc["id"], status, code, values, pages, status == FAIL)


def _dossier(check: str, dossier: dict | str, status: str, code: str, pages: tuple[int, ...] = (),
             **values: Any) -> Finding:
    ident = dossier if isinstance(dossier, str) else dossier["id"]
    return Finding(check, "dossier", ident, status, code, values, pages, status == FAIL)


def pdfa_findings(out_dir: Path, documents: list[dict]) -> Iterator[Finding]:
    """Each document's PDF/A: present, unchanged since it was written, and still valid."""
    for doc in documents:
        out = doc.get("output")
        if not out:
            continue
        path = Path(out_dir) / out["path"]
        if not path.is_file():
            yield _doc("pdfa", doc, FAIL, "pdf_missing", path=out["path"])
            continue
        if sha256_file(path) != out["sha256"]:
            yield _doc("pdfa", doc, FAIL, "pdf_changed", path=out["path"])
            continue
        flavour = out["format"].split("-")[-1].lower() if out.get("format") else None
        validation = validate_pdf(path, flavour, use_preflight=False)
        if validation.passed:
            yield _doc("pdfa", doc, PASS, "pdf_valid", format=out["format"], n=len(validation.checks))
        else:
            detail = "; ".join(f"{c.name}: {c.detail}" for c in validation.failures[:3])
            yield _doc("pdfa", doc, FAIL, "pdf_invalid", format=out["format"], detail=detail)


def alto_findings(out_dir: Path, documents: list[dict]) -> Iterator[Finding]:
    """Each document's ALTO files (one per PDF page): present, unchanged, valid ALTO 4.4."""
    for doc in documents:
        out = doc.get("output")
        if not out:
            continue
        files = out.get("alto") or []
        if not files:
            yield _doc("alto", doc, WARN, "alto_none")
            continue
        bad = False
        for alto in files:
            path = Path(out_dir) / alto["path"]
            values: dict[str, Any] = {"path": alto["path"]}
            if not path.is_file():
                code = "alto_missing"
            elif sha256_file(path) != alto["sha256"]:
                code = "alto_changed"
            else:
                errors = alto_validation_errors(path.read_bytes())
                code, values["detail"] = ("alto_invalid", errors[0]) if errors else ("", "")
            if code:
                bad = True
                yield Finding("alto", "document", doc["id"], FAIL, code, values, (alto["seq"],), True)
        if not bad:
            yield _doc("alto", doc, PASS, "alto_valid", n=len(files))


def mdto_findings(results: dict, archive_config: dict, operator: str) -> Iterator[Finding]:
    """The MDTO records the package would hold for each dossier and document, validated against the XSD."""
    ctx = RecordContext.from_results(results, archive_config, operator)
    for dossier, docs in dossier_documents(results):
        try:
            informatieobject_xml(dossier_record(dossier, docs, ctx))
            yield _dossier("mdto", dossier, PASS, "mdto_dossier")
        except MetadataInvalidError as exc:
            yield _dossier("mdto", dossier, FAIL, "mdto_invalid", tuple(dossier["pages"]), detail=str(exc))
        for doc in docs:
            name = Path(doc["output"]["path"]).name
            try:
                record = document_record(doc, dossier["id"], name, ctx)
                informatieobject_xml(record)
                bestand_xml(bestand_record(doc, record, name, doc["output"]["bytes"], ctx))
                yield _doc("mdto", doc, PASS, "mdto_document")
            except MetadataInvalidError as exc:
                yield _doc("mdto", doc, FAIL, "mdto_invalid", detail=str(exc))


def split_findings(documents: list[dict]) -> Iterator[Finding]:
    """Documents whose boundary or type the split was not sure of (``needs_review``, results.json
    1.3) go to a person: a warning that is always put up for review."""
    for doc in documents:
        what = doc.get("needs_review") or []
        if what:
            yield Finding("split", "document", doc["id"], WARN, "split_review",
                          {"what": ", ".join(what), "type": doc["type"], "confidence": doc.get("type_confidence")},
                          tuple(doc.get("pages") or ()), review=True)
        elif "needs_review" in doc:
            yield _doc("split", doc, PASS, "split_sure", type=doc["type"])


def address_findings(results: dict) -> Iterator[Finding]:
    """Every dossier should name at least one address that is linked to the BAG."""
    if not results.get("bag"):
        return  # run_checks records the check as not run
    for dossier in results["dossiers"]:
        first = tuple(dossier["pages"][:1])
        found = dossier.get("addresses", [])
        linked = [a for a in found if a.get("status") in LINKED]
        unsure = dossier.get("addresses_to_review") or []  # results.json 1.4
        if unsure:
            pages = tuple(sorted({a["page"] for a in unsure if a.get("page") is not None})) or first
            names = ", ".join(sorted({a.get("text") or a.get("street", "") for a in unsure})[:3])
            yield Finding("address", "dossier", dossier["id"], WARN, "address_review",
                          {"n": len(unsure), "names": names}, pages, review=True)
        elif linked:
            names = ", ".join(sorted({f"{a['street']} {a['huisnummer']}" for a in linked})[:3])
            yield _dossier("address", dossier, PASS, "address_linked", first, n=len(linked), names=names)
        elif found:
            yield _dossier("address", dossier, WARN, "address_unlinked", first, n=len(found))
        else:
            yield _dossier("address", dossier, WARN, "address_none", first)


MANIFEST_SCHEMA = "manifest.schema.json"


def read_manifest(delivery: Path, config: dict) -> dict[str, int] | None:
    """Expected page count per dossier from the delivery's manifest, or None when it has none.
    Each row is checked against ``schemas/manifest.schema.json``; a ConfigError names the line."""
    for name in config["names"]:
        path = Path(delivery) / name
        if path.is_file():
            break
    else:
        return None
    source = str(path)
    table = read_csv(read_text(path), source, delimiters=",;\t")
    if not table.header:
        return {}
    columns = {c.lower(): i for i, c in reversed(list(enumerate(table.header))) if c}
    dossier_col = next((columns[c] for c in config["dossier_columns"] if c in columns), None)
    pages_col = next((columns[c] for c in config["pages_columns"] if c in columns), None)
    if dossier_col is None or pages_col is None:
        raise config_error(source, table.header_line, "no dossier and page-count columns in the header",
                           f"one of {', '.join(config['dossier_columns'])} and one of "
                           f"{', '.join(config['pages_columns'])}")
    names = {"dossier": table.header[dossier_col], "pages": table.header[pages_col]}
    expected: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for line, fields in table.rows:
        row = {"dossier": fields[dossier_col] if dossier_col < len(fields) else "",
               "pages": fields[pages_col] if pages_col < len(fields) else ""}
        if re.fullmatch(r"[0-9]{1,12}", row["pages"]):
            row["pages"] = int(row["pages"])
        check(row, MANIFEST_SCHEMA, source, lambda _path, line=line: line,
              place=lambda p: names.get(p[0], "the row") if p else "the row")
        if row["dossier"] in expected:
            raise config_error(source, line, f"dossier {row['dossier']} is listed again (first on line "
                                             f"{first_line[row['dossier']]})", "each dossier once")
        expected[row["dossier"]] = row["pages"]
        first_line[row["dossier"]] = line
    return expected


def page_count_findings(results: dict, expected: dict[str, int]) -> Iterator[Finding]:
    """Pages counted per dossier (separator sheets not counted) against the manifest."""
    pages = {p["seq"]: p for p in results["pages"]}
    seen = set()
    for dossier in results["dossiers"]:
        seen.add(dossier["id"])
        first = tuple(dossier["pages"][:1])
        if dossier["id"] not in expected:
            yield _dossier("page_count", dossier, WARN, "manifest_absent_dossier", first)
            continue
        counted = sum(1 for s in dossier["pages"] if not pages.get(s, {}).get("is_separator"))
        want = expected[dossier["id"]]
        yield _dossier("page_count", dossier, PASS if counted == want else FAIL, "page_count", first,
                       counted=counted, expected=want)
    for ident in sorted(set(expected) - seen):
        yield _dossier("page_count", ident, FAIL, "manifest_not_delivered", expected=expected[ident])


def run_checks(results: dict, out_dir: Path, qa_config: dict, archive_config: dict, *,
               operator: str, delivery: Path | None = None) -> CheckReport:
    """Every automated check on the run described by ``results`` (its outputs in ``out_dir``)."""
    report = CheckReport()
    thresholds, review_blank = qa_config["thresholds"], qa_config["sampling"]["review_blank"]
    min_deg = (results.get("options") or {}).get("deskew_min_deg", 0.05)
    for page in results["pages"]:
        if "deskew_deg" not in page and page.get("skew_deg") is not None:  # results.json 1.0: not recorded
            page = {**page, "deskew_deg": page["skew_deg"] if abs(page["skew_deg"]) >= min_deg else 0.0}
        report.extend(page_findings(page, thresholds, review_blank))
    report.extend(pdfa_findings(out_dir, results["documents"]))
    report.extend(alto_findings(out_dir, results["documents"]))
    report.extend(mdto_findings(results, archive_config, operator))
    report.extend(split_findings(results["documents"]))
    report.extend(address_findings(results))
    if not results.get("bag") and results["dossiers"]:
        report.not_run["address"] = "address_not_run"
    if delivery is not None:
        try:
            expected = read_manifest(delivery, qa_config["manifest"])
        except ConfigError as exc:
            report.extend([_dossier("page_count", "manifest", FAIL, "manifest_unreadable", detail=str(exc))])
        else:
            if expected is not None:
                report.extend(page_count_findings(results, expected))
    return report
