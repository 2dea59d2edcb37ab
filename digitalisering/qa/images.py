"""Page pictures for the report and the review page: the page as the PDF shows it (upright, deskewed),
reduced to a thumbnail or a screen-sized view, as JPEG."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from digitalisering.errors import InputFileError
from digitalisering.imaging.load import load_page
from digitalisering.imaging.transform import deskew
from digitalisering.pagerecord import PageResult

THUMB_PX = 260
VIEW_PX = 1400


def _page_image(record: PageResult, page_dir: Path, source: Path, page_index: int, fmt: str | None) -> Image.Image:
    """The kept page image (already upright), or else the page decoded from the delivery."""
    kept = record.artifact_path(page_dir, "image")
    if kept and kept.is_file():
        return Image.open(kept)
    if fmt is None:
        raise InputFileError("no image of page {value} of {name}", value=page_index + 1, name=source.name)
    return load_page(source, page_index, fmt).image


def page_jpeg(record: PageResult, page_dir: Path, source: Path, page_index: int, fmt: str | None,
              max_px: int) -> bytes:
    """The page reduced to fit ``max_px`` (longest side), straightened as in the PDF, as JPEG bytes."""
    image = _page_image(record, page_dir, source, page_index, fmt)
    image.draft("L" if image.mode == "L" else "RGB", (max_px, max_px))  # JPEG: decode at reduced size
    image = image.convert("L" if image.mode in ("1", "L", "I;16") else "RGB")
    image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS if max_px <= THUMB_PX else Image.Resampling.BILINEAR)
    encode = record.encode
    angle = encode.deskew_deg if encode else 0.0
    if encode and angle:
        paper = tuple(encode.paper_colour or (255,))
        if max(paper) <= 1:  # a bitonal page's paper colour is given as 0/1
            paper = tuple(255 * v for v in paper)
        fill = paper[:1] if image.mode == "L" else (paper if len(paper) == 3 else paper[:1] * 3)
        image = deskew(image, angle, fill)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80, optimize=True)
    return buf.getvalue()
