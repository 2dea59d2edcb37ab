"""Assemble one searchable PDF from processed page images and their invisible text layers.

img2pdf embeds each image without re-encoding (JPEG and CCITT G4 pass through); pikepdf lays the
tesseract text layer over it as a form XObject and writes a deterministic file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import img2pdf
import pikepdf

from digitalisering import __version__
from digitalisering.fileio import atomic_path

PRODUCER = f"digitalisering {__version__}"
TEXT_LAYER_NAME = "/OCRText"


@dataclass(frozen=True)
class PdfPage:
    image_path: Path
    text_pdf_path: Path | None
    dpi: float


@dataclass(frozen=True)
class PdfInfo:
    title: str
    created: datetime
    """Creation date written into the file (the time the last page was finished, for reproducibility)."""
    subject: str = ""


def _image_page_pdf(page: PdfPage) -> bytes:
    layout = img2pdf.get_fixed_dpi_layout_fun((page.dpi, page.dpi))
    return img2pdf.convert(page.image_path.read_bytes(), layout_fun=layout, nodate=True)


def _overlay_text_layer(pdf: pikepdf.Pdf, target: pikepdf.Page, text_page: pikepdf.Page) -> None:
    """Draw ``text_page`` (the invisible text) over ``target``, scaled to its media box.

    Done by hand rather than with ``Page.add_overlay`` so that the resource name is fixed and the
    output is byte-for-byte reproducible.
    """
    form = pdf.copy_foreign(text_page.as_form_xobject())
    tx0, ty0, tx1, ty1 = (float(v) for v in text_page.mediabox)
    px0, py0, px1, py1 = (float(v) for v in target.mediabox)
    sx, sy = (px1 - px0) / (tx1 - tx0), (py1 - py0) / (ty1 - ty0)
    resources = target.obj.Resources
    if "/XObject" not in resources:
        resources.XObject = pikepdf.Dictionary()
    resources.XObject[TEXT_LAYER_NAME] = form
    content = f"q {sx:.6f} 0 0 {sy:.6f} {px0 - tx0 * sx:.4f} {py0 - ty0 * sy:.4f} cm {TEXT_LAYER_NAME} Do Q\n"
    target.contents_add(pdf.make_stream(content.encode("ascii")), prepend=False)


def build_pdf(pages: list[PdfPage], out_path: Path, info: PdfInfo) -> None:
    """Write the PDF atomically to ``out_path``."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    pdf = pikepdf.new()
    opened: list[pikepdf.Pdf] = []
    try:
        for page in pages:
            single = pikepdf.open(io.BytesIO(_image_page_pdf(page)))
            opened.append(single)
            pdf.pages.append(single.pages[0])
            target = pdf.pages[-1]
            if page.text_pdf_path is not None:
                text = pikepdf.open(page.text_pdf_path)
                opened.append(text)
                _overlay_text_layer(pdf, target, text.pages[0])
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = info.title
            if info.subject:
                meta["dc:description"] = info.subject
            meta["pdf:Producer"] = PRODUCER
            meta["xmp:CreatorTool"] = PRODUCER
            meta["xmp:CreateDate"] = info.created.isoformat()
            meta["xmp:ModifyDate"] = info.created.isoformat()
        with atomic_path(out_path) as tmp:
            pdf.save(tmp, deterministic_id=True, compress_streams=True,
                     object_stream_mode=pikepdf.ObjectStreamMode.disable)
    finally:
        for other in opened:
            other.close()
        pdf.close()
