"""Page k of a multi-page TIFF without walking k page directories every time.

Pillow reaches frame k of a freshly opened TIFF by reading the directory (IFD) of every frame before
it, so loading each page of a 5,000-page file in turn reads 12.5 million directories. Here the chain
of directory offsets is read once per file (``ifd_offsets``: a count and a pointer per page, nothing
else), and page k is opened through a view of the file whose header points at the k-th directory:
Pillow (and libtiff, which is handed the directory's offset) read page k as the file's first page.
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path
from typing import BinaryIO

from digitalisering.errors import InputFileError

_CLASSIC, _BIG = 42, 43


def ifd_offsets(path: Path) -> tuple[int, ...]:
    """File offsets of the TIFF's page directories, in order (as Pillow counts frames: the chain
    ends at a zero pointer or at a directory seen before)."""
    try:
        with open(path, "rb") as fh:
            return _walk(fh, os.fstat(fh.fileno()).st_size)
    except OSError as exc:
        raise InputFileError("cannot read file: {error}", error=exc.strerror or exc) from exc


def _walk(fh: BinaryIO, size: int) -> tuple[int, ...]:
    head = fh.read(16)
    order = {b"II": "<", b"MM": ">"}.get(head[:2])
    if order is None or len(head) < 8:
        raise InputFileError("damaged TIFF file: no TIFF header")
    magic = struct.unpack(order + "H", head[2:4])[0]
    if magic == _CLASSIC:
        count_fmt, entry, next_fmt = "H", 12, "I"
        first = struct.unpack(order + "I", head[4:8])[0]
    elif magic == _BIG and len(head) == 16:
        count_fmt, entry, next_fmt = "Q", 20, "Q"
        first = struct.unpack(order + "Q", head[8:16])[0]
    else:
        raise InputFileError("damaged TIFF file: no TIFF header")
    count_size, next_size = struct.calcsize(count_fmt), struct.calcsize(next_fmt)
    offsets: list[int] = []
    seen: set[int] = set()
    offset = first
    while offset and offset not in seen:
        if offset + count_size > size:
            raise InputFileError("damaged TIFF file: page {value} lies beyond the end of the file", value=len(offsets) + 1)
        seen.add(offset)
        offsets.append(offset)
        fh.seek(offset)
        (count,) = struct.unpack(order + count_fmt, fh.read(count_size))
        fh.seek(offset + count_size + count * entry)
        pointer = fh.read(next_size)
        offset = struct.unpack(order + next_fmt, pointer)[0] if len(pointer) == next_size else 0
    if not offsets:
        raise InputFileError("damaged TIFF file: no pages")
    return tuple(offsets)


def open_page(raw: BinaryIO, offsets: tuple[int, ...], page_index: int) -> BinaryIO:
    """A file object over ``raw`` (an open TIFF) in which page ``page_index`` is the first page."""
    if not 0 <= page_index < len(offsets):
        raise InputFileError("page {value} does not exist in this file", value=page_index + 1)
    return io.BufferedReader(_FirstPageView(raw, offsets[page_index]))


class _FirstPageView(io.RawIOBase):
    """The bytes of the file, except the header's first-directory pointer, which is ``ifd``.
    Offsets are the file's own, so everything the header does not say is read where it is."""

    def __init__(self, raw: BinaryIO, ifd: int):
        super().__init__()
        self._fd = raw.fileno()
        self._size = os.fstat(self._fd).st_size
        self._pos = 0
        head = os.pread(self._fd, 16, 0)
        order = "<" if head[:2] == b"II" else ">"
        big = struct.unpack(order + "H", head[2:4])[0] == _BIG
        self._patch_at = 8 if big else 4
        self._patch = struct.pack(order + ("Q" if big else "I"), ifd)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd  # libtiff reads the file itself, from the directory offset it is given

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer) -> int:
        data = os.pread(self._fd, len(buffer), self._pos)
        start, end = self._pos, self._pos + len(data)
        lo, hi = max(start, self._patch_at), min(end, self._patch_at + len(self._patch))
        if lo < hi:
            data = (data[: lo - start] + self._patch[lo - self._patch_at: hi - self._patch_at]
                    + data[hi - start:])
        buffer[: len(data)] = data
        self._pos = end
        return len(data)
