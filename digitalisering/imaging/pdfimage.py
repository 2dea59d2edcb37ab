"""Take the scanned image out of one page of an image-only PDF, without rendering."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from PIL import Image

from digitalisering._exec import jbig2dec
from digitalisering.errors import InputFileError, MissingDependencyError, library_reason
from digitalisering.imaging.limits import BOMB_ERRORS, bomb_error
from digitalisering.imaging.openfiles import open_pdfs
from digitalisering.imaging.pdfstream import Claim, check_image_stream


def extract_pdf_page_image(
    path: Path, page_index: int, max_pixels: int
) -> tuple[Image.Image, tuple[float, float], str | None]:
    """The page's single image, its resolution from the page size, and its PDF filter name.

    The image stream is checked against what its dictionary claims before it is decoded
    (``pdfstream``); the PDF itself is opened and checked once per process (``openfiles``)."""
    page_no = page_index + 1
    with open_pdfs.use(path) as opened:
        try:
            image, claim, filters, page_size, rotate = _page_image(opened.pages, page_index, max_pixels)
        except (InputFileError, MissingDependencyError):
            raise
        except BOMB_ERRORS as exc:
            raise bomb_error(exc, max_pixels) from exc
        except (pikepdf.PikepdfError, NotImplementedError, OSError, ValueError, TypeError, KeyError) as exc:
            raise InputFileError("cannot decode the image on PDF page {page_no}: {value}", page_no=page_no, value=library_reason(exc)) from exc
    width_pt, height_pt = page_size
    try:
        image.load()  # a JPEG is decoded here, outside the PDF's lock
    except BOMB_ERRORS as exc:
        raise bomb_error(exc, max_pixels) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputFileError("cannot decode the image on PDF page {page_no}: {value}", page_no=page_no, value=library_reason(exc)) from exc
    if image.size != (claim.width, claim.height):
        raise InputFileError(
            "PDF page {page_no}: the image dictionary says {width}x{height} pixels but the image decodes to {width2}x{height2}", page_no=page_no, width=claim.width, height=claim.height, width2=image.width, height2=image.height
        )
    if width_pt <= 0 or height_pt <= 0:
        raise InputFileError("PDF page {page_no} has an empty page size", page_no=page_no)
    # The image fills the unrotated page; /Rotate turns the shown page clockwise.
    dpi = (round(image.width * 72 / width_pt, 2), round(image.height * 72 / height_pt, 2))
    if rotate:
        image = image.rotate(-rotate, expand=True)
        if rotate in (90, 270):
            dpi = (dpi[1], dpi[0])
    compression = filters[-1].lstrip("/") if filters else None
    return image, dpi, compression


def _page_image(
    pages: list[pikepdf.Page], page_index: int, max_pixels: int
) -> tuple[Image.Image, Claim, list[str], tuple[float, float], int]:
    """The page's image (checked, not yet decoded when it is a JPEG), its claim, its filters, the
    page size in points and the page's /Rotate."""
    page_no = page_index + 1
    if page_index >= len(pages):
        raise InputFileError("page {page_no} does not exist in this PDF", page_no=page_no)
    page = pages[page_index]
    images = list(page.get_images().values())
    if len(images) != 1:
        raise InputFileError("PDF page {page_no} has {n} images; expected one scanned image", page_no=page_no, n=len(images))
    pdfimage = pikepdf.PdfImage(images[0])
    claim = check_image_stream(pdfimage, page_no, max_pixels)
    if any(str(f) == "/JBIG2Decode" for f in pdfimage.filters):
        jbig2dec.require()
    image = pdfimage.as_pil_image()
    box = page.mediabox
    page_size = (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return image, claim, [str(f) for f in pdfimage.filters], page_size, rotate
