"""Assemble one PDF/A file from processed page images and their invisible text layers.

img2pdf embeds each image without re-encoding (JPEG and CCITT G4 pass through); the invisible text
layer is drawn over it from the page text model (``digitalisering.text.pdf_layer``); pikepdf writes
the metadata (XMP in sync with DocInfo, our own properties declared by a PDF/A extension schema),
the sRGB output intent (``pikepdf.pdfa.prepare``) and a deterministic file, which is validated before it replaces the
target: an output that is not valid PDF/A is an error, never a silent result.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import img2pdf
import pikepdf
import pikepdf.pdfa
from pikepdf import Name

from digitalisering import __version__
from digitalisering.errors import DigitaliseringError
from digitalisering.fileio import atomic_path
from digitalisering.imaging.transform import straight_size
from digitalisering.ocr.model import PageText
from digitalisering.pdfa import xmp
from digitalisering.pdfa.validate import PdfValidation, validate_pdf
from digitalisering.text.pdf_layer import add_font, draw_text_layer

PRODUCER = f"digitalisering {__version__}"


@dataclass(frozen=True)
class PdfPage:
    image_path: Path
    text: PageText | None
    """The page's words (boxes in pixels of the straightened page); None: no text layer."""
    dpi: float
    deskew_deg: float = 0.0
    """Counter-clockwise skew of the image, undone by drawing it rotated clockwise."""
    fill: tuple[int, ...] = ()
    """Paper colour (0-255, grey or RGB) under a rotated image; white when empty."""
    crop_px: tuple[int, int, int, int] | None = None
    """(x0, y0, x1, y1) in pixels of the straightened page: shown as the page's CropBox (viewers and
    printers show only that part; the image and the text layer stay whole)."""


DEFAULT_FLAVOUR = "2b"


class OutputInvalidError(DigitaliseringError):
    """A PDF we wrote did not pass the PDF/A checks (a bug; the file was not put in place)."""


@dataclass(frozen=True)
class PdfInfo:
    title: str
    created: datetime
    """Creation date written into the file (the time the last page was finished, for reproducibility)."""
    subject: str = ""
    dossier_id: str = ""
    document_id: str = ""
    document_type: str = ""
    batch: str = ""
    addresses: tuple[str, ...] = ()
    bag_ids: tuple[str, ...] = ()
    language: str = "nl"
    batch_identity: str = ""
    """With ``batch``, the batch's identity (``store.records.Batch.identity``: a hash of its delivery
    and registration time, never the delivery's path, as the PDF may be published): a file is known
    as that batch's output even when the run that wrote it died before recording it."""

    def custom_properties(self) -> dict[str, str | list[str]]:
        return {"dossier": self.dossier_id, "document": self.document_id, "documentType": self.document_type,
                "batch": self.batch, "addresses": list(self.addresses), "bagIds": list(self.bag_ids),
                "batchIdentity": self.batch_identity}


@dataclass(frozen=True)
class Bookmark:
    title: str
    page_index: int
    """0-based index of the first page."""


def _image_page_pdf(page: PdfPage) -> bytes:
    layout = img2pdf.get_fixed_dpi_layout_fun((page.dpi, page.dpi))
    return img2pdf.convert(page.image_path.read_bytes(), layout_fun=layout, nodate=True)


def _straighten_page(pdf: pikepdf.Pdf, target: pikepdf.Page, page: PdfPage) -> None:
    """Draw the page's image rotated clockwise by its skew on a page grown to hold all of it, over
    the paper colour. The image's own pixels are kept (no resampling, no re-encoding); the page is
    the size of the straightened raster OCR read, so the word boxes (its pixels) fit it exactly."""
    x0, y0, x1, y1 = (float(v) for v in target.mediabox)
    w, h = x1 - x0, y1 - y0
    px_w, px_h = round(w * page.dpi / 72), round(h * page.dpi / 72)
    nw_px, nh_px = straight_size(px_w, px_h, page.deskew_deg)
    nw, nh = nw_px * 72 / page.dpi, nh_px * 72 / page.dpi
    phi = math.radians(-page.deskew_deg)  # clockwise
    a, b, c, d = math.cos(phi), math.sin(phi), -math.sin(phi), math.cos(phi)
    cx, cy = x0 + w / 2, y0 + h / 2
    e, f = nw / 2 - (a * cx + c * cy), nh / 2 - (b * cx + d * cy)
    fill = page.fill or (255,)
    colour = (f"{fill[0] / 255:.4f} g" if len(fill) == 1
              else " ".join(f"{v / 255:.4f}" for v in fill[:3]) + " rg")
    before = f"q {colour} 0 0 {nw:.4f} {nh:.4f} re f Q\nq {a:.6f} {b:.6f} {c:.6f} {d:.6f} {e:.4f} {f:.4f} cm\n"
    target.contents_add(pdf.make_stream(before.encode("ascii")), prepend=True)
    target.contents_add(pdf.make_stream(b"\nQ\n"), prepend=False)
    target.obj.MediaBox = pikepdf.Array([0, 0, round(nw, 4), round(nh, 4)])


def _crop_page(target: pikepdf.Page, page: PdfPage) -> None:
    """The CropBox of the sheet: pixels of the straightened page (top-left origin) to points."""
    _x0, _y0, _x1, top = (float(v) for v in target.mediabox)
    x0, y0, x1, y1 = (v * 72 / page.dpi for v in page.crop_px)
    target.obj.CropBox = pikepdf.Array([round(x0, 4), round(max(0.0, top - y1), 4), round(x1, 4),
                                        round(min(top, top - y0), 4)])


def _write_metadata(pdf: pikepdf.Pdf, info: PdfInfo, flavour: str) -> None:
    created = info.created.isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = info.title
        if info.subject:
            meta["dc:description"] = info.subject
        if info.document_id or info.dossier_id:
            meta["dc:identifier"] = info.document_id or info.dossier_id
        meta["dc:language"] = [info.language]
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
        meta["xmp:CreateDate"] = created
        meta["xmp:ModifyDate"] = created
    # output intent, pdfaid, DocInfo from XMP; pikepdf stamps itself as producer and "now" as
    # the metadata date: both are set back below (ours, and the creation date: reproducible)
    pikepdf.pdfa.prepare(pdf, flavour)
    packet = xmp.add_properties(
        pdf.Root.Metadata.read_bytes(), info.custom_properties(),
        extra={"{http://ns.adobe.com/pdf/1.3/}Producer": PRODUCER,
               "{http://ns.adobe.com/xap/1.0/}MetadataDate": created},
    )
    pdf.Root.Metadata = pdf.make_stream(packet, Type=Name.Metadata, Subtype=Name.XML)
    pdf.docinfo[Name.Producer] = PRODUCER


def _add_bookmarks(pdf: pikepdf.Pdf, bookmarks: list[Bookmark]) -> None:
    with pdf.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(b.title, b.page_index) for b in bookmarks)
    pdf.Root.PageMode = Name.UseOutlines


class _Sink(io.RawIOBase):
    """The file qpdf writes the PDF into, through Python: a write error is kept (``error``, raised
    once qpdf is done) and never passed back into qpdf. qpdf writing to a disk that fills up while
    it computes the deterministic ID throws from where no exception may pass and aborts the whole
    process (exit 134, a ``.pikepdf.*`` temporary left beside the output). Streamed, not saved into
    memory first: a dossier of large drawings is held once (its pages' images), not twice."""

    def __init__(self, fh) -> None:
        super().__init__()
        self.fh = fh
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.error is None:
            try:
                self.fh.write(data)
            except OSError as exc:
                self.error = exc
        return len(data)


def build_pdf(pages: list[PdfPage], out_path: Path, info: PdfInfo, *, flavour: str = DEFAULT_FLAVOUR,
              bookmarks: list[Bookmark] | None = None) -> PdfValidation:
    """Write the PDF/A file atomically to ``out_path``; returns its validation (passed).

    Raises OutputInvalidError, leaving ``out_path`` as it was, when the written file fails a check.
    """
    if not pages:
        raise ValueError("a PDF needs at least one page")
    pdf = pikepdf.new()
    opened: list[pikepdf.Pdf] = []
    font = None
    try:
        for page in pages:
            single = pikepdf.open(io.BytesIO(_image_page_pdf(page)))
            opened.append(single)
            pdf.pages.append(single.pages[0])
            target = pdf.pages[-1]
            if page.deskew_deg:
                _straighten_page(pdf, target, page)
            if page.crop_px:
                _crop_page(target, page)
            if page.text is not None and page.text.words:
                font = font or add_font(pdf)
                draw_text_layer(pdf, target, page.text, font)
        if bookmarks:
            _add_bookmarks(pdf, bookmarks)
        _write_metadata(pdf, info, flavour)
        save_kwargs = pikepdf.pdfa.resolve_save_kwargs(
            flavour, deterministic_id=True, compress_streams=True,
            object_stream_mode=(pikepdf.ObjectStreamMode.disable if flavour.startswith("1")
                                else pikepdf.ObjectStreamMode.generate))
        with atomic_path(out_path) as tmp:
            with open(tmp, "wb") as fh:
                sink = _Sink(fh)
                pdf.save(sink, **save_kwargs)
                if sink.error is not None:
                    raise sink.error
            validation = validate_pdf(tmp, flavour, use_preflight=False)
            if not validation.passed:
                reasons = "; ".join(f"{c.name}: {c.detail}" for c in validation.failures)
                raise OutputInvalidError("{name} is not valid PDF/A-{flavour}: {reasons}", name=out_path.name, flavour=flavour, reasons=reasons)
        validation.path = str(out_path)
        return validation
    finally:
        for other in opened:
            other.close()
        pdf.close()
