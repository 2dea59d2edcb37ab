"""Take the scanned image out of one page of an image-only PDF, without rendering."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from PIL import Image

from digitalisering.errors import InputFileError
from digitalisering.ingest.pdfsource import open_pdf


def extract_pdf_page_image(
    path: Path, page_index: int, max_pixels: int
) -> tuple[Image.Image, tuple[float, float], str | None]:
    """The page's single image, its resolution from the page size, and its PDF filter name."""
    with open_pdf(path) as pdf:
        if page_index >= len(pdf.pages):
            raise InputFileError(f"page {page_index + 1} does not exist in this PDF")
        page = pdf.pages[page_index]
        images = list(page.get_images().values())
        if len(images) != 1:
            raise InputFileError(
                f"PDF page {page_index + 1} has {len(images)} images; expected one scanned image"
            )
        raw = images[0]
        width, height = int(raw.get("/Width", 0)), int(raw.get("/Height", 0))
        if width * height > max_pixels:
            raise InputFileError(
                f"image of {width}x{height} = {width * height / 1e6:.0f} megapixels exceeds the limit "
                f"of {max_pixels / 1e6:.0f} megapixels (--max-megapixels)"
            )
        try:
            pdfimage = pikepdf.PdfImage(raw)
            image = pdfimage.as_pil_image()
        except (pikepdf.PdfError, NotImplementedError, OSError, ValueError) as exc:
            raise InputFileError(f"cannot decode the image on PDF page {page_index + 1}: {exc}") from exc
        filters = [str(f) for f in pdfimage.filters]
        box = page.mediabox
        width_pt = float(box[2]) - float(box[0])
        height_pt = float(box[3]) - float(box[1])
        rotate = int(page.obj.get("/Rotate", 0)) % 360
    if width_pt <= 0 or height_pt <= 0:
        raise InputFileError(f"PDF page {page_index + 1} has an empty page size")
    # The image fills the unrotated page; /Rotate turns the shown page clockwise.
    dpi = (round(image.width * 72 / width_pt, 2), round(image.height * 72 / height_pt, 2))
    if rotate:
        image = image.rotate(-rotate, expand=True)
        if rotate in (90, 270):
            dpi = (dpi[1], dpi[0])
    compression = filters[-1].lstrip("/") if filters else None
    return image, dpi, compression
