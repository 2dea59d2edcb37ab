"""What a PDF image stream claims against what it holds, checked before the image is decoded.

The image dictionary's /Width and /Height are only a claim: a JPEG (or JPEG 2000) carries its own
size in its frame header, and Flate, LZW and RunLength data can inflate to any size. So: the claim
must be a sane size within the pixel limit; a JPEG's own size must be the claimed size; and the
general filters are decoded piece by piece, counting, and refused as soon as they give more bytes
than the claimed size allows (width x height x components x bits, plus a PNG predictor's byte per
row), so that an inflated bomb is never held in memory.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pikepdf
from PIL import Image, UnidentifiedImageError

from digitalisering.errors import InputFileError, first_line, library_reason
from digitalisering.imaging.limits import BOMB_ERRORS, bomb_error, check_size

CHUNK = 1 << 20
"""Bytes of decoded data produced at a time while counting."""

TRANSPORT = {"/ASCIIHexDecode", "/ASCII85Decode"}
"""Text encodings: they only shrink the data."""
GENERAL = {"/FlateDecode", "/LZWDecode", "/RunLengthDecode"}
"""Filters whose output size is not bounded by their input in any useful way."""
CODECS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}
"""Image codecs (the last filter): their own decoder produces the pixels."""
HEADER_SIZED = {"/DCTDecode", "/JPXDecode"}
"""Codecs whose data states its own image size (read by Pillow from the header)."""

_COMPONENTS = {"1": 1, "L": 1, "I;16": 1, "P": 1, "RGB": 3, "LAB": 3, "CMYK": 4}


@dataclass(frozen=True)
class Claim:
    """What the image dictionary says about the pixels."""

    width: int
    height: int
    components: int
    bits: int

    @property
    def row_bytes(self) -> int:
        return math.ceil(self.width * self.components * self.bits / 8)

    @property
    def data_limit(self) -> int:
        """The most decoded bytes this image can need: every row, a predictor byte per row, and one
        spare row (some writers pad)."""
        return (self.height + 1) * (self.row_bytes + 1)


def check_image_stream(pim: pikepdf.PdfImage, page_no: int, max_pixels: int) -> Claim:
    """Check the image of PDF page ``page_no`` (1-based) before decoding it; its claimed size."""
    claim = image_claim(pim, page_no, max_pixels)
    filters = [str(f) for f in pim.filters]
    parms = [p if isinstance(p, pikepdf.Dictionary) else None for p in pim.decode_parms]
    parms += [None] * (len(filters) - len(parms))
    codec = filters[-1] if filters and filters[-1] in CODECS else None
    general = filters[:-1] if codec else filters
    for name in general:
        if name in CODECS:
            raise InputFileError("PDF page {page_no}: image codec {value} is not the last filter", page_no=page_no, value=name.lstrip('/'))
        if name not in GENERAL | TRANSPORT:
            raise InputFileError("PDF page {page_no}: image filter {value} is not supported", page_no=page_no, value=name.lstrip('/'))
    expanding = [name for name in general if name in GENERAL]
    if len(expanding) > 1 or (expanding and general[-1] not in GENERAL):
        raise InputFileError("PDF page {page_no}: image filters {items} are not supported (compressed twice)", page_no=page_no, items='+'.join(f.lstrip('/') for f in general))
    if codec and expanding and expanding[0] != "/FlateDecode":
        raise InputFileError("PDF page {page_no}: {value} before {value2} is not supported", page_no=page_no, value=expanding[0].lstrip('/'), value2=codec.lstrip('/'))
    if not filters:
        return claim  # uncompressed: the data is no larger than its part of the file
    if codec and codec not in HEADER_SIZED and not general:
        return claim  # CCITT and JBIG2 are decoded to the claimed size (checked again after decoding)
    # a codec's own data is at most about the raw image size (JPEG at quality 100 included)
    limit = 2 * claim.data_limit + CHUNK if codec else claim.data_limit
    parm = parms[len(general) - 1] if expanding else None
    data = _decoded(pim.obj.read_raw_bytes(), general, parm, limit, page_no, keep=codec is not None)
    if codec in HEADER_SIZED:
        assert data is not None
        own = _header_size(data, codec, page_no, max_pixels)
        if own != (claim.width, claim.height):
            raise InputFileError(
                "PDF page {page_no}: the image dictionary says {width}x{height} pixels but its {value} data is {own}x{own2}", page_no=page_no, width=claim.width, height=claim.height, value='JPEG' if codec == '/DCTDecode' else 'JPEG 2000', own=own[0], own2=own[1]
            )
    return claim


def image_claim(pim: pikepdf.PdfImage, page_no: int, max_pixels: int) -> Claim:
    """The claimed size, refused when it is not a whole positive number of pixels within the limit."""
    width, height = pim.obj.get("/Width"), pim.obj.get("/Height")
    if not (type(width) is int and type(height) is int) or width < 1 or height < 1:
        raise InputFileError(
            "PDF page {page_no}: the image dictionary claims an impossible size of {width}x{height} pixels", page_no=page_no, width=width, height=height
        )
    check_size(width, height, max_pixels)
    bits = pim.bits_per_component
    if bits not in (1, 2, 4, 8, 16):
        raise InputFileError("PDF page {page_no}: image with {bits} bits per component", page_no=page_no, bits=bits)
    if pim.image_mask:
        return Claim(width, height, 1, 1)
    try:
        mode = pim.mode
    except (NotImplementedError, ValueError, TypeError, pikepdf.PikepdfError) as exc:
        raise InputFileError("PDF page {page_no}: unsupported image colour space: {value}", page_no=page_no, value=first_line(exc)) from exc
    components = _COMPONENTS.get(mode)
    if components is None:
        raise InputFileError("PDF page {page_no}: unsupported image colour space ({mode})", page_no=page_no, mode=mode)
    return Claim(width, height, components, bits)


def _header_size(data: bytes, codec: str, page_no: int, max_pixels: int) -> tuple[int, int]:
    """The image size a JPEG or JPEG 2000 stream states in its own header (nothing decoded)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except BOMB_ERRORS as exc:
        raise bomb_error(exc, max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        kind = "JPEG" if codec == "/DCTDecode" else "JPEG 2000"
        raise InputFileError("PDF page {page_no}: damaged {kind} image data: {value}", page_no=page_no, kind=kind, value=library_reason(exc)) from exc


def _decoded(data: bytes, filters: list[str], parm: pikepdf.Dictionary | None, limit: int, page_no: int,
             keep: bool) -> bytes | None:
    """The stream decoded through ``filters`` (text encodings, then at most one of Flate, LZW and
    RunLength) when ``keep``, else only counted; InputFileError once it gives more than ``limit``
    bytes."""
    try:
        for name in filters:
            if name in TRANSPORT:
                data = _untext(data, name)
            elif name == "/FlateDecode":
                pieces = _inflate(data, limit)
                if keep:
                    return b"".join(pieces)
                for _ in pieces:
                    pass
            elif name == "/LZWDecode":
                early = int(parm.get("/EarlyChange", 1)) if parm is not None else 1
                _lzw_length(data, limit, early)
            else:
                _runlength_length(data, limit)
        return data if keep else None
    except _TooLarge:
        raise InputFileError(
            "PDF page {page_no}: the image data decodes to more than the {value:.1f} MB its claimed size allows (decompression bomb)", page_no=page_no, value=limit / 1e6
        ) from None
    except (zlib.error, ValueError, binascii.Error) as exc:
        raise InputFileError("PDF page {page_no}: damaged image data: {value}", page_no=page_no, value=library_reason(exc)) from exc


class _TooLarge(Exception):
    pass


def _inflate(data: bytes, limit: int) -> Iterator[bytes]:
    """zlib data inflated at most ``CHUNK`` bytes at a time; _TooLarge past ``limit``."""
    inflater = zlib.decompressobj()
    total = 0
    pending = data
    while pending and not inflater.eof:
        out = inflater.decompress(pending, CHUNK)
        pending = inflater.unconsumed_tail
        total += len(out)
        if total > limit:
            raise _TooLarge
        yield out
    if not inflater.eof:
        tail = inflater.flush(CHUNK)
        if total + len(tail) > limit:
            raise _TooLarge
        yield tail


_LZW_ENTRIES = 4096 - 258
"""Strings an LZW table holds after a clear (codes 258-4095)."""


def _lzw_length(data: bytes, limit: int, early_change: int) -> int:
    """How many bytes PDF LZW data (ISO 32000 7.4.4) decodes to, counted without decoding them;
    _TooLarge past ``limit``.

    Code 256 clears the table, 257 ends the data; code 258 + m stands for the string of the m-th
    code after the clear plus one byte, so a code's length is one more than that code's length.
    Codes are 9 to 12 bits wide, one bit wider as the table reaches 512, 1024 and 2048 entries (one
    code early with EarlyChange 1); they are taken out of the bits a block at a time with numpy.
    """
    padded = np.frombuffer(data + b"\0\0\0", dtype=np.uint8).astype(np.int64)
    bits = len(data) * 8
    total = pos = 0
    lengths: list[int] = []  # the decoded length of each code since the last clear
    while True:
        j = np.arange(len(lengths), len(lengths) + 4096)
        size = np.minimum(258 + np.maximum(j - 1, 0), 4096)  # table entries when code j is read
        width = np.minimum(np.floor(np.log2(size + early_change)).astype(np.int64) + 1, 12)
        ends = pos + np.cumsum(width)
        width = width[ends <= bits]
        if not len(width):
            return total  # no whole code left (the end-of-data code is missing)
        starts = ends[: len(width)] - width
        at = starts >> 3
        window = (padded[at] << 16) | (padded[at + 1] << 8) | padded[at + 2]
        codes = (window >> (24 - width - (starts & 7))) & ((1 << width) - 1)
        special = np.flatnonzero((codes == 256) | (codes == 257))
        cut = int(special[0]) if len(special) else len(codes)
        for code in codes[:cut].tolist():
            if code < 256:
                length = 1
            else:
                m = code - 258
                if m >= len(lengths) or m >= _LZW_ENTRIES:
                    raise ValueError(f"LZW code {code} out of sequence")
                length = lengths[m] + 1
            lengths.append(length)
            total += length
        if total > limit:
            raise _TooLarge
        if cut == len(codes):
            pos = int(ends[cut - 1])
            continue
        if codes[cut] == 257:
            return total
        lengths = []  # clear
        pos = int(ends[cut])


def _runlength_length(data: bytes, limit: int) -> int:
    """How many bytes RunLength data (ISO 32000 7.4.5) decodes to: n < 128 copies the next n + 1
    bytes, n > 128 repeats the next byte 257 - n times, 128 ends; _TooLarge past ``limit``."""
    total = i = 0
    n = len(data)
    while i < n:
        run = data[i]
        if run == 128:
            break
        if run < 128:
            total += min(run + 1, n - i - 1)
            i += run + 2
        else:
            total += 257 - run
            i += 2
        if total > limit:
            raise _TooLarge
    return total


def _untext(data: bytes, name: str) -> bytes:
    """ASCIIHex or ASCII85 text decoded (the result is smaller than the text)."""
    text = b"".join(data.split())
    if name == "/ASCIIHexDecode":
        text = text.split(b">", 1)[0]
        return binascii.unhexlify(text + b"0" * (len(text) % 2))
    text = text.split(b"~>", 1)[0]
    return base64.a85decode(text + b"~>", adobe=True)
