"""Recognise scan files by their content (not their extension) and count their pages."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from digitalisering.errors import InputFileError, first_line, library_reason
from digitalisering.imaging import limits  # noqa: F401 (Pillow's bomb guard on, at the product's limit)
from digitalisering.i18n import N_, Word

SCAN_EXTENSIONS = {".tif", ".tiff", ".jpg", ".jpeg", ".png", ".pdf"}

_MAGIC = [
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
]
_OTHER_MAGIC = [
    (b"PK\x03\x04", "a ZIP archive"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"RIFF", "a RIFF (WebP/AVI/WAV) file"),
    (b"\x00\x00\x00\x0cjP", "a JPEG 2000 file"),
    (b"<?xml", "an XML file"),
]


@dataclass(frozen=True)
class FileInfo:
    format: str
    page_count: int


def sniff(head: bytes) -> str | None:
    """Format name from the first bytes of a file, or None when it is not a supported scan format."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if b"%PDF-" in head[:1024]:
        return "PDF"
    return None


def describe_unknown(head: bytes) -> str:
    for magic, name in _OTHER_MAGIC:
        if head.startswith(magic):
            return name
    if not head:
        return N_("empty")
    try:
        head.decode("utf-8")
        return N_("text")
    except UnicodeDecodeError:
        return N_("unknown binary data")


def inspect_file(path: Path) -> FileInfo:
    """Format and page count of a scan file; raises InputFileError with a one-line reason."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except OSError as exc:
        raise InputFileError("cannot read file: {error}", error=exc.strerror or exc) from exc
    if not head:
        raise InputFileError("empty file (0 bytes)")
    fmt = sniff(head)
    if fmt is None:
        raise InputFileError(
            "not a TIFF, JPEG, PNG or PDF file (content looks like {value})", value=Word(describe_unknown(head))
        )
    if fmt == "PDF":
        from digitalisering.ingest.pdfsource import pdf_page_count

        return FileInfo(fmt, pdf_page_count(path))
    try:
        # Only headers are read here; the pixel limit of the run is applied when a page is loaded.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                count = getattr(im, "n_frames", 1) if fmt == "TIFF" else 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputFileError("damaged {fmt} file: {value}", fmt=fmt, value=library_reason(exc)) from exc
    except Image.DecompressionBombError as exc:
        raise InputFileError("{fmt} image is too large: {value}", fmt=fmt, value=first_line(exc)) from exc
    return FileInfo(fmt, int(count))
