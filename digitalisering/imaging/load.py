"""Load one page of a scan file into a normalised image ('1', 'L' or 'RGB') with what the file says.

Real scans lie: the stated resolution may be missing or absurd, the mode may be CMYK, 16-bit,
palette or carry alpha. We normalise the mode and keep a note of every assumption.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, UnidentifiedImageError

from digitalisering.errors import InputFileError, library_reason
from digitalisering.imaging import tiffpages
from digitalisering.imaging.checks import ASSUMED_DPI, infer_dpi  # noqa: F401 (ASSUMED_DPI re-exported)
from digitalisering.imaging.limits import (  # noqa: F401 (DEFAULT_MAX_PIXELS, MIN_SIDE re-exported)
    BOMB_ERRORS,
    DEFAULT_MAX_PIXELS,
    MIN_SIDE,
    bomb_error,
    check_size,
    set_pixel_limit,
)
from digitalisering.imaging.openfiles import tiff_offsets
from digitalisering.imaging.raster import colour_sample


@dataclass
class PageInfo:
    """What we know about a page's image, as stored in results.json."""

    width_px: int
    height_px: int
    source_mode: str
    mode: str
    bits_per_sample: int
    stated_dpi: list[float] | None
    dpi: float
    format: str
    compression: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class LoadedPage:
    image: Image.Image
    info: PageInfo
    original_jpeg: bytes | None = None
    """The file's own JPEG data when the page is a plain JPEG file (kept to avoid re-encoding)."""


def load_page(
    path: Path, page_index: int, fmt: str, max_pixels: int = DEFAULT_MAX_PIXELS
) -> LoadedPage:
    """Decode page ``page_index`` of ``path`` (format ``fmt`` from ingest), refusing an image of
    more than ``max_pixels`` before it is decoded (Pillow's and pikepdf's guards are set to the
    same limit)."""
    set_pixel_limit(max_pixels)
    if fmt == "PDF":
        from digitalisering.imaging.pdfimage import extract_pdf_page_image

        image, stated_dpi, compression = extract_pdf_page_image(path, page_index, max_pixels)
        return _normalise(image, stated_dpi, fmt, compression, None)
    try:
        if fmt == "TIFF":
            im = _load_tiff_page(path, page_index, max_pixels)
        else:
            if page_index:
                raise InputFileError("page {value} does not exist in this file", value=page_index + 1)
            im = Image.open(path)
            check_size(*im.size, max_pixels)
            im.load()
        compression = im.info.get("compression")
        stated = im.info.get("dpi")
    except InputFileError:
        raise
    except BOMB_ERRORS as exc:
        raise bomb_error(exc, max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputFileError("cannot decode {fmt} page {value}: {value2}", fmt=fmt, value=page_index + 1, value2=library_reason(exc)) from exc
    original = path.read_bytes() if fmt == "JPEG" else None
    if fmt == "JPEG":
        compression = "jpeg"
    return _normalise(im, stated, fmt, compression, original)


def _load_tiff_page(path: Path, page_index: int, max_pixels: int) -> Image.Image:
    """Page ``page_index`` of a TIFF, opened at its own directory (``tiffpages``): the cost does not
    grow with the page's place in the file."""
    offsets = tiff_offsets(path)
    with open(path, "rb") as raw, tiffpages.open_page(raw, offsets, page_index) as view:
        im = Image.open(view, formats=["TIFF"])
        check_size(*im.size, max_pixels)
        im.load()
    return im


def _normalise(
    im: Image.Image, stated: object, fmt: str, compression: str | None, original_jpeg: bytes | None
) -> LoadedPage:
    notes: list[str] = []
    source_mode = im.mode
    bits = _bits_per_sample(im)
    if "transparency" in im.info or im.mode in ("RGBA", "LA", "PA"):
        im = _flatten_alpha(im)
        notes.append("alpha channel flattened onto white")
        original_jpeg = None
    if im.mode == "CMYK":
        im = _cmyk_to_rgb(im)
        notes.append("CMYK converted to sRGB")
        original_jpeg = None
    elif im.mode == "P":
        im = im.convert("RGB")
        if _is_grey(im):
            im = im.convert("L")
        notes.append("palette image expanded")
    elif im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.uint32)
        im = Image.fromarray((arr >> 8 if arr.max() > 255 else arr).astype(np.uint8), "L")
        notes.append("16-bit greyscale reduced to 8 bits")
    elif im.mode not in ("1", "L", "RGB"):
        im = im.convert("RGB")
        notes.append(f"{source_mode} converted to RGB")
    dpi = _dpi(im.size, stated, notes)
    info = PageInfo(
        width_px=im.width,
        height_px=im.height,
        source_mode=source_mode,
        mode=im.mode,
        bits_per_sample=bits,
        stated_dpi=[float(d) for d in stated] if isinstance(stated, tuple) else None,
        dpi=dpi,
        format=fmt,
        compression=compression,
        notes=notes,
    )
    return LoadedPage(im, info, original_jpeg)


def _dpi(size: tuple[int, int], stated: object, notes: list[str]) -> float:
    """The resolution to start from: the stated one when it is believable, else inferred from the
    pixel size (the same rule as the technical checks, ``checks.infer_dpi``)."""
    value = None
    if isinstance(stated, tuple) and len(stated) == 2:
        x, y = (float(v) for v in stated)
        if abs(x - y) > 1:
            notes.append(f"unequal resolution {x:g}x{y:g} ppi; using {x:g}")
        value = x if x > 0 else None
    dpi, _, note = infer_dpi(size[0], size[1], value)
    if note:
        notes.append(note)
    return dpi

def _bits_per_sample(im: Image.Image) -> int:
    return {"1": 1, "I;16": 16, "I;16B": 16, "I;16L": 16, "I": 32, "F": 32}.get(im.mode, 8)


def _flatten_alpha(im: Image.Image) -> Image.Image:
    rgba = im.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(background, rgba).convert("RGB")
    return flat.convert("L") if im.mode in ("LA",) else flat


def _cmyk_to_rgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            return ImageCms.profileToProfile(im, src, dst, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError):
            pass
    # Without a profile: Pillow's naive conversion (Pillow already undoes Adobe's inverted CMYK).
    return im.convert("RGB")


def _is_grey(im: Image.Image) -> bool:
    small = colour_sample(im).astype(np.int16)
    return bool(np.abs(small[..., 0] - small[..., 1]).max() <= 2 and np.abs(small[..., 1] - small[..., 2]).max() <= 2)
