"""What the QA findings say. A finding carries a message code and its values; the report, the CSV
files and the review page render it in the reader's language. The texts here are the English message
ids; their Dutch lives in the ``messages`` catalogue (``digitalisering/locale/nl/LC_MESSAGES``,
see ``digitalisering.i18n``); numbers in them are written the reader's way (300 ppi, 0,55)."""

from __future__ import annotations

from digitalisering.i18n import LANGS, N_, Np_, gettext, localised, ngettext

CHECK_LABELS: dict[str, str] = {
    "processing": N_("Processing"),
    "resolution": N_("Resolution (Metamorfoze)"),
    "stated_resolution": N_("Stated resolution"),
    "colour_mode": N_("Colour mode and bit depth"),
    "skew": N_("Residual skew"),
    "orientation": N_("Orientation"),
    "ocr": N_("OCR quality"),
    "completeness": N_("Text completeness"),
    "blank": N_("Blank page"),
    "separator": N_("Separator sheet"),
    "pdfa": N_("PDF/A validity and fixity"),
    "alto": N_("ALTO per page: validity and fixity"),
    "mdto": N_("MDTO validity"),
    "address": N_("Address linked to the BAG"),
    "split": N_("Document boundary and type"),
    "page_count": N_("Page count against the manifest"),
}

MESSAGES: dict[str, str | tuple[str, str]] = {
    "failed": N_("not processed: {error}"),
    "pending": N_("not processed yet (run the batch again)"),
    "rescan": N_("rejected, waiting for a rescan"),
    "processed": N_("processed"),
    "separator": N_("separator sheet {value}"),
    "dpi_stated": N_("{dpi:g} ppi stated, consistent with a {size} page"),
    "dpi_inferred": N_("stated resolution not usable ({stated}); {dpi:g} ppi used (makes the page {size})"),
    "dpi_assumed": N_("resolution unknown; assumed {dpi:g} ppi"),
    "resolution_pass": N_("{dpi:g} ppi, at least {required} ppi required for {size}"),
    "resolution_warn": N_("{dpi:g} ppi, just below the {required} ppi required for {size}"),
    "resolution_fail": N_("{dpi:g} ppi, less than the {required} ppi required for {size}"),
    "colour_bitonal": N_("bitonal (1 bit): fine for typed text, loses pencil, stamps and faint writing"),
    "colour_ok": N_("{mode}, {bits} bits per sample"),
    "blank": N_("blank page, left out of the PDF: confirm it is empty"),
    "blank_uncertain": N_("probably blank, but faint marks stand in lines: kept in the PDF; confirm it holds no text"),
    "faint": N_("faint type (almost no dark ink): kept as a text page; check it is legible, rescan if not"),
    "skew_unmeasured": N_("no skew could be measured (too little text or lines)"),
    "skew": N_("measured {skew:+.2f}°, {residual:.2f}° left"),
    "skew_uncertain": N_("measured {skew:+.2f}°, {residual:.2f}° left; measurement uncertain (confidence {conf:.2f})"),
    "orientation": N_("turned {turn}°, confidence {conf:.2f}"),
    "orientation_uncertain": N_("orientation {turn}° uncertain (confidence {conf:.2f})"),
    "text_missing": Np_("{pct:.0f}% of the text on the page was not read ({regions} region, marked on the image)",
                        "{pct:.0f}% of the text on the page was not read ({regions} regions, marked on the image)"),
    "text_complete": N_("all text read ({pct:.0f}% not covered)"),
    "ocr_missing": N_("no OCR result"),
    "ocr_timeout": N_("OCR timed out: the page has no text layer"),
    "ocr_empty": N_("no text recognised: a drawing or photo?"),
    "ocr": N_("mean word confidence {conf:.0f}, {chars} characters"),
    "ocr_reduced": N_("mean word confidence {conf:.0f}, {chars} characters (read at reduced resolution)"),
    "pdf_missing": N_("{path} is missing"),
    "pdf_changed": N_("{path} changed since it was written (SHA-256 differs)"),
    "pdf_valid": Np_("{format}: {n} check passed, SHA-256 matches", "{format}: {n} checks passed, SHA-256 matches"),
    "pdf_invalid": N_("not valid {format}: {detail}"),
    "alto_valid": Np_("{n} ALTO file valid (ALTO 4.4), SHA-256 matches", "{n} ALTO files valid (ALTO 4.4), SHA-256 matches"),
    "alto_none": N_("no ALTO files (output of an earlier version: run the batch again)"),
    "alto_missing": N_("{path} is missing"),
    "alto_changed": N_("{path} changed since it was written (SHA-256 differs)"),
    "alto_invalid": N_("{path} is not valid ALTO 4.4: {detail}"),
    "mdto_dossier": N_("dossier record valid (MDTO 1.0.1)"),
    "mdto_document": N_("document and file records valid (MDTO 1.0.1)"),
    "mdto_invalid": N_("MDTO record invalid: {detail}"),
    "address_linked": N_("{n} linked: {names}"),
    "address_unlinked": Np_("{n} address found, not linked to the BAG", "{n} addresses found, none linked to the BAG"),
    "split_sure": N_("boundary and type {type} sure enough"),
    "split_review": N_("to check: {what} (type {type}, confidence {confidence})"),
    "address_none": N_("no address found in the text"),
    "address_review": N_("to check: is {names} the dossier's object? ({n} unsure)"),
    "address_not_run": N_("not run: the workspace had no BAG index when the batch was processed; import one (digitalisering bag import) and run the batch again"),
    "manifest_unreadable": N_("manifest unreadable: {detail}"),
    "manifest_absent_dossier": N_("not in the manifest"),
    "page_count": Np_("{counted} page scanned, manifest says {expected}", "{counted} pages scanned, manifest says {expected}"),
    "manifest_not_delivered": N_("in the manifest ({expected} pages) but not delivered"),
}


WORDS = {"grey": N_("grey"), "colour": N_("colour"), "bitonal": N_("bitonal")}
"""Words that stand as values in messages (a page's colour mode)."""


COUNTED_BY = {"text_missing": "regions", "page_count": "counted"}
"""The value a message with a singular and a plural form counts, where it is not ``n``."""


def render(code: str, values: dict, lang: str = "nl") -> str:
    """Message ``code`` in ``lang`` with ``values`` filled in (numbers in the language's own way; a
    count of one in the singular)."""
    filled = {k: _shown(v, lang) for k, v in values.items()}
    message = MESSAGES[code]
    if isinstance(message, tuple):
        count = values.get(COUNTED_BY.get(code, "n"))
        return ngettext(*message, count if isinstance(count, int) else 0, lang,
                        **{k: v for k, v in filled.items() if k != "n"})
    return gettext(message, lang).format(**filled)


def _shown(value: object, lang: str) -> object:
    if isinstance(value, dict):  # a failure reason (results.json ``error_message``): in this reader's language
        from digitalisering.errors import shown_message

        return shown_message(value, lang) or "?"
    return gettext(WORDS[value], lang) if isinstance(value, str) and value in WORDS else localised(value, lang)


def check_label(check: str, lang: str = "nl") -> str:
    return gettext(CHECK_LABELS[check], lang) if check in CHECK_LABELS else check

UI: dict[str, str] = {
    "report_title": N_("Quality report"),
    "review_title": N_("Review"),
    "batch": N_("Batch"),
    "delivery": N_("Delivery"),
    "generated": N_("Generated"),
    "by": N_("by"),
    "summary": N_("Summary"),
    "pages": N_("Pages"),
    "dossiers": N_("Dossiers"),
    "documents": N_("Documents"),
    "lot": N_("Lot (pages without separator sheets)"),
    "plan": N_("Sampling plan"),
    "plan_text": N_("ISO 2859-1, single sampling, normal inspection, inspection level {level}, AQL {aql}: code letter {code_letter}, sample {sample_size}, Ac {acceptance}, Re {rejection}"),
    "full_inspection": N_("sample = whole lot: every page is reviewed"),
    "seed": N_("Seed of the draw"),
    "drawn": N_("drawn"),
    "verdict": N_("Verdict on the lot"),
    "verdict_open": N_("Not decided yet: {reviewed} of {sample_size} sample pages reviewed, {rejected} rejected (Ac {acceptance}, Re {rejection})"),
    "verdict_accepted": N_("Accepted: {rejected} rejected in the sample of {sample_size} (Ac {acceptance})"),
    "verdict_not_accepted": N_("Not accepted: {rejected} rejected in the sample (Re {rejection})"),
    "checks": N_("Automated checks"),
    "check": N_("Check"),
    "pass": N_("pass"),
    "warn": N_("warning"),
    "fail": N_("fail"),
    "problems": N_("Failures and warnings"),
    "no_problems": N_("No failures or warnings."),
    "sample": N_("Sample"),
    "extra": N_("Always reviewed (besides the sample)"),
    "extra_text": N_("Pages that failed a check, blank pages and pages rescanned before."),
    "page": N_("Page"),
    "yes": N_("yes"),
    "where": N_("Dossier · document · sheet"),
    "source": N_("Source file"),
    "dossier": N_("Dossier"),
    "document": N_("Document"),
    "type": N_("Type"),
    "status": N_("Status"),
    "message": N_("Finding"),
    "unread_region": N_("text that OCR did not read"),
    "ocr_text": N_("Recognised text (OCR)"),
    "no_text": N_("(no text recognised)"),
    "metadata": N_("Metadata"),
    "decision": N_("Decision"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "not_reviewed": N_("not reviewed yet"),
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "reason": N_("Reason for rejection"),
    "reason_placeholder": N_("e.g. unreadable, skewed, cut off"),
    "reviewer": N_("Reviewer"),
    "history": N_("Earlier decisions"),
    "rescan": N_("Rescan list"),
    "rescan_count": Np_("{n} page on the rescan list", "{n} pages on the rescan list"),
    "download_csv": N_("Download CSV"),
    "defects_csv": N_("All findings as CSV"),
    "next": N_("Next"),
    "previous": N_("Previous"),
    "overview": N_("Overview"),
    "orientation": N_("Orientation"),
    "skew": N_("Skew"),
    "resolution": N_("Resolution"),
    "size_class": N_("Size"),
    "ocr_conf": N_("OCR confidence"),
    "in_sample": N_("in the sample"),
    "why_extra": N_("extra, because"),
    "redelivered": N_("re-delivered after a rescan"),
    "error_reason": N_("Give a reason when rejecting."),
    "error_title": N_("Refused"),
    "error_host": N_("Unknown address: open the review page at the address 'digitalisering qa review' shows."),
    "error_origin": N_("Refused: this request did not come from the review page itself. Nothing was stored."),
    "error_csrf": N_("Not stored: the form had expired or did not come from this page (for instance after the review page was restarted). Judge the page again."),
}


def ui(key: str, lang: str = "nl", **values: object) -> str:
    if isinstance(UI[key], tuple):  # a count (``n``): one in the singular
        return ngettext(*UI[key], values.get("n", 0), lang, **{k: v for k, v in values.items() if k != "n"})
    text = gettext(UI[key], lang)
    return text.format(**{k: localised(v, lang) for k, v in values.items()}) if values else text


def page_failure(page: dict, lang: str | None = None) -> str:
    """Why a page of results.json failed, in the reader's language (``error_message``: the reason's
    catalogue entry and values); the run's text when results.json has only that (an earlier version)."""
    from digitalisering.errors import shown_message

    return shown_message(page.get("error_message"), lang) or page.get("error") or ""
