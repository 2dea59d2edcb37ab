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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pikepdf
from PIL import Image, UnidentifiedImageError

from digitalisering.errors import InputFileError, first_line
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
            raise InputFileError(f"PDF page {page_no}: image codec {name.lstrip('/')} is not the last filter")
        if name not in GENERAL | TRANSPORT:
            raise InputFileError(f"PDF page {page_no}: image filter {name.lstrip('/')} is not supported")
    if not filters:
        return claim  # uncompressed: the data is no larger than its part of the file
    if codec is None:
        for _ in _decoded(pim.obj.read_raw_bytes(), general, parms, claim.data_limit, page_no):
            pass  # counted, not kept
        return claim
    if codec not in HEADER_SIZED and not general:
        return claim  # CCITT and JBIG2 are decoded to the claimed size (checked again after decoding)
    data = pim.obj.read_raw_bytes()
    if general:
        # a codec's own data is at most about the raw image size (JPEG at quality 100 included)
        data = b"".join(_decoded(data, general, parms, 2 * claim.data_limit + CHUNK, page_no))
    if codec in HEADER_SIZED:
        own = _header_size(data, codec, page_no, max_pixels)
        if own != (claim.width, claim.height):
            raise InputFileError(
                f"PDF page {page_no}: the image dictionary says {claim.width}x{claim.height} pixels but its "
                f"{'JPEG' if codec == '/DCTDecode' else 'JPEG 2000'} data is {own[0]}x{own[1]}"
            )
    return claim


def image_claim(pim: pikepdf.PdfImage, page_no: int, max_pixels: int) -> Claim:
    """The claimed size, refused when it is not a whole positive number of pixels within the limit."""
    width, height = pim.obj.get("/Width"), pim.obj.get("/Height")
    if not (type(width) is int and type(height) is int) or width < 1 or height < 1:
        raise InputFileError(
            f"PDF page {page_no}: the image dictionary claims an impossible size of {width}x{height} pixels"
        )
    check_size(width, height, max_pixels)
    bits = pim.bits_per_component
    if bits not in (1, 2, 4, 8, 16):
        raise InputFileError(f"PDF page {page_no}: image with {bits} bits per component")
    if pim.image_mask:
        return Claim(width, height, 1, 1)
    try:
        mode = pim.mode
    except (NotImplementedError, ValueError, TypeError, pikepdf.PdfError) as exc:
        raise InputFileError(f"PDF page {page_no}: unsupported image colour space: {first_line(exc)}") from exc
    components = _COMPONENTS.get(mode)
    if components is None:
        raise InputFileError(f"PDF page {page_no}: unsupported image colour space ({mode})")
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
        raise InputFileError(f"PDF page {page_no}: damaged {kind} image data: {first_line(exc)}") from exc


def _decoded(data: bytes, filters: list[str], parms: list, limit: int, page_no: int) -> Iterator[bytes]:
    """The stream decoded through ``filters``, in pieces; InputFileError once more than ``limit``
    bytes come out of any filter."""
    try:
        pieces: Iterable[bytes] = [data]
        for name, parm in zip(filters, parms):
            if name == "/FlateDecode":
                pieces = _inflate(pieces, limit)
            elif name == "/LZWDecode":
                early = int(parm.get("/EarlyChange", 1)) if parm is not None else 1
                pieces = _unlzw(b"".join(pieces), limit, early)
            elif name == "/RunLengthDecode":
                pieces = _unrunlength(b"".join(pieces), limit)
            else:
                pieces = [_untext(b"".join(pieces), name)]
        total = 0
        for piece in pieces:
            total += len(piece)
            if total > limit:
                raise _TooLarge
            yield piece
    except _TooLarge:
        raise InputFileError(
            f"PDF page {page_no}: the image data decodes to more than the {limit / 1e6:.1f} MB its "
            "claimed size allows (decompression bomb)"
        ) from None
    except (zlib.error, ValueError, binascii.Error) as exc:
        raise InputFileError(f"PDF page {page_no}: damaged image data: {first_line(exc)}") from exc


class _TooLarge(Exception):
    pass


def _inflate(pieces: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """zlib data inflated at most ``CHUNK`` bytes at a time; stops after ``limit``."""
    inflater = zlib.decompressobj()
    total = 0
    for piece in pieces:
        pending = piece
        while pending and not inflater.eof:
            out = inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
            total += len(out)
            if total > limit:
                raise _TooLarge
            if out:
                yield out
        if inflater.eof:
            break
    tail = inflater.flush(CHUNK) if not inflater.eof else b""
    if tail:
        if total + len(tail) > limit:
            raise _TooLarge
        yield tail


def _unlzw(data: bytes, limit: int, early_change: int) -> Iterator[bytes]:
    """PDF LZW (ISO 32000 7.4.4): 9 to 12 bit codes, 256 = clear table, 257 = end of data."""
    out = bytearray()
    total = 0
    table: list[bytes] = []
    previous: bytes | None = None
    width = 9
    bits = nbits = 0
    for byte in data:
        bits = (bits << 8) | byte
        nbits += 8
        while nbits >= width:
            nbits -= width
            code = (bits >> nbits) & ((1 << width) - 1)
            bits &= (1 << nbits) - 1
            if code == 256:
                table = [bytes((i,)) for i in range(256)] + [b"", b""]
                previous, width = None, 9
                continue
            if code == 257:
                if out:
                    yield bytes(out)
                return
            if not table:
                table = [bytes((i,)) for i in range(256)] + [b"", b""]
            if code < len(table) and code not in (256, 257):
                entry = table[code]
            elif code == len(table) and previous is not None:
                entry = previous + previous[:1]
            else:
                raise ValueError(f"LZW code {code} out of sequence")
            if previous is not None and len(table) < 4096:
                table.append(previous + entry[:1])
            previous = entry
            out += entry
            total += len(entry)
            if total > limit:
                raise _TooLarge
            if len(out) >= CHUNK:
                yield bytes(out)
                out.clear()
            if len(table) + early_change >= (1 << width) and width < 12:
                width += 1
    if out:
        yield bytes(out)


def _unrunlength(data: bytes, limit: int) -> Iterator[bytes]:
    """RunLength (ISO 32000 7.4.5): n < 128 copies n + 1 bytes, n > 128 repeats one byte 257 - n times."""
    out = bytearray()
    total = 0
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            run = data[i + 1:i + 2 + length]
            i += 2 + length
        else:
            run = data[i + 1:i + 2] * (257 - length)
            i += 2
        out += run
        total += len(run)
        if total > limit:
            raise _TooLarge
        if len(out) >= CHUNK:
            yield bytes(out)
            out.clear()
    if out:
        yield bytes(out)


def _untext(data: bytes, name: str) -> bytes:
    """ASCIIHex or ASCII85 text decoded (the result is smaller than the text)."""
    text = b"".join(data.split())
    if name == "/ASCIIHexDecode":
        text = text.split(b">", 1)[0]
        return binascii.unhexlify(text + b"0" * (len(text) % 2))
    text = text.split(b"~>", 1)[0]
    return base64.a85decode(text + b"~>", adobe=True)
