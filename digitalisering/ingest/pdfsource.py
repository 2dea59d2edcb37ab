"""Image-only PDF scans: open safely, refuse encrypted or scripted files, count pages."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from digitalisering.errors import InputFileError, library_reason


def open_pdf(path: Path) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise InputFileError("encrypted PDF (password protected); deliver it unencrypted") from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise InputFileError("damaged PDF: {value}", value=library_reason(exc)) from exc
    if pdf.is_encrypted:
        pdf.close()
        raise InputFileError("encrypted PDF; deliver it unencrypted")
    if _has_javascript(pdf):
        pdf.close()
        raise InputFileError("PDF contains JavaScript; a scan delivery must be image-only PDF")
    return pdf


def pdf_page_count(path: Path) -> int:
    with open_pdf(path) as pdf:
        n = len(pdf.pages)
    if n == 0:
        raise InputFileError("PDF has no pages")
    return n


def _has_javascript(pdf: pikepdf.Pdf) -> bool:
    root = pdf.Root
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names:
        return True
    if _is_js_action(root.get("/OpenAction")) or "/AA" in root:
        return True
    for page in pdf.pages:
        if "/AA" in page.obj:
            return True
        for annot in page.obj.get("/Annots", []):
            if _is_js_action(annot.get("/A")) or "/AA" in annot:
                return True
    return False


def _is_js_action(action: object) -> bool:
    return isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.JavaScript
