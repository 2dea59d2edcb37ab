"""Per-file work done once per process, not once per page: the opened and checked PDF, the offsets
of a TIFF's pages.

A worker loads the pages of a file one at a time. Opening a 20,000-page PDF and checking all its
pages for JavaScript, or reading a TIFF's page directories up to page k, costs time in proportion
to the file; done for every page it grows with the square of the page count. So it is done once
and kept, keyed by the file's identity (path, device, inode, size, modification time): a file
replaced on disk is opened and checked again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pikepdf

from digitalisering.errors import InputFileError, library_reason
from digitalisering.imaging import tiffpages
from digitalisering.ingest.pdfsource import open_pdf

OPEN_PDFS = 2
"""PDFs kept open per process (pages of one file are mostly handed out together)."""

FileKey = tuple[str, int, int, int, int]


def file_key(path: Path) -> FileKey:
    try:
        st = path.stat()
    except OSError as exc:
        raise InputFileError("cannot read file: {error}", error=exc.strerror or exc) from exc
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class OpenPdf:
    pdf: pikepdf.Pdf
    pages: list[pikepdf.Page]
    """The pages in order, listed once (pikepdf's ``pdf.pages[k]`` and ``len(pdf.pages)`` cost time
    in proportion to the page count: 4 ms each in a 20,000-page file)."""


class _OpenPdfs:
    """The last few PDFs opened (and refused or accepted) in this process."""

    def __init__(self, keep: int):
        self._keep = keep
        self._pdfs: OrderedDict[FileKey, OpenPdf | InputFileError] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def use(self, path: Path) -> Iterator[OpenPdf]:
        """The open, checked PDF at ``path``; one thread at a time (pikepdf objects are not
        thread-safe)."""
        key = file_key(path)
        with self._lock:
            entry = self._pdfs.get(key)
            if entry is None:
                entry = _open(path)
                self._pdfs[key] = entry
                while len(self._pdfs) > self._keep:
                    _close(self._pdfs.popitem(last=False)[1])
            self._pdfs.move_to_end(key)
            if isinstance(entry, InputFileError):
                raise InputFileError(entry.msgid, **entry.values)
            yield entry

    def clear(self) -> None:
        with self._lock:
            while self._pdfs:
                _close(self._pdfs.popitem()[1])


def _open(path: Path) -> OpenPdf | InputFileError:
    try:
        pdf = open_pdf(path)  # the encryption and JavaScript checks, once per file
    except InputFileError as exc:
        return exc  # refused once, refused for every page
    try:
        return OpenPdf(pdf, list(pdf.pages))
    except pikepdf.PikepdfError as exc:
        pdf.close()
        return InputFileError("damaged PDF: {value}", value=library_reason(exc))


def _close(entry: OpenPdf | InputFileError) -> None:
    if isinstance(entry, OpenPdf):
        entry.pdf.close()


open_pdfs = _OpenPdfs(OPEN_PDFS)


def tiff_offsets(path: Path) -> tuple[int, ...]:
    """The file offsets of the TIFF's page directories (read once per file)."""
    return _tiff_offsets(file_key(path))


@lru_cache(maxsize=16)
def _tiff_offsets(key: FileKey) -> tuple[int, ...]:
    return tiffpages.ifd_offsets(Path(key[0]))
