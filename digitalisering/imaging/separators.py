"""Separator sheets: Code 128 / QR barcodes (read with zxing-cpp) and Kodak patch codes.

A barcode ``DOSSIER:<id>`` starts a new dossier; ``PATCHT`` or a patch code T starts a new document.
Other barcodes are recorded but do not separate anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import zxingcpp

from digitalisering.imaging.ink import AREA, H, Ink, W, X, Y

DOSSIER_PREFIX = "DOSSIER:"
DOCUMENT_PAYLOADS = {"PATCHT", "PATCH T", "PATCH-T"}
PATCH_PATTERNS = {"WNNW": "2", "WNWN": "3", "NWNW": "T", "WWNN": "1", "NWWN": "4", "NNWW": "6"}
"""Kodak patch codes: four bars, wide (5 mm) or narrow (2 mm), read across the bars."""
DOCUMENT_PATCHES = {"T"}
_FORMATS = (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode)


@dataclass(frozen=True)
class Barcode:
    symbology: str
    payload: str


@dataclass(frozen=True)
class Separator:
    kind: str
    """'dossier' or 'document'."""
    payload: str
    symbology: str
    dossier_id: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


def may_hold_barcode(ink: Ink) -> bool:
    """Whether the page's components look like a Code 128 symbol (at least 8 bars at least 5 mm long
    and 4 times as long as thick, in any direction) or a QR code (2 finder patterns: a square ring
    with a solid square in its middle, 3/7 of its size). Most text pages have neither, and the
    barcode reader, the dearest part of the separator search, is then not run."""
    st = ink.all_stats
    if len(st) < 2:
        return False
    mm = ink.mm
    w, h = st[:, W].astype(np.float64), st[:, H].astype(np.float64)
    longer, shorter = np.maximum(w, h), np.minimum(w, h)
    if int(((longer >= 5 * mm) & (longer >= 4 * shorter)).sum()) >= 8:
        return True
    fill = st[:, AREA] / np.maximum(1.0, w * h)
    squarish = (longer <= 1.35 * shorter) & (shorter >= 4)
    rings = np.flatnonzero(squarish & (shorter >= 2.0 * mm) & (fill > 0.3) & (fill < 0.75))
    blocks = np.flatnonzero(squarish & (fill >= 0.75))
    if len(rings) < 2 or len(blocks) < 2:
        return False
    cx, cy = st[:, X] + w / 2.0, st[:, Y] + h / 2.0
    finders = 0
    # rings x blocks at once (text pages: hundreds of ring-like letters, tens of blocks), in chunks
    step = max(1, 1_000_000 // len(blocks))
    for start in range(0, len(rings), step):
        r = rings[start:start + step][:, None]
        ratio = w[blocks][None, :] / w[r]
        centred = (np.abs(cx[blocks][None, :] - cx[r]) < 0.15 * w[r]) & \
            (np.abs(cy[blocks][None, :] - cy[r]) < 0.15 * h[r])
        finders += int((centred & (ratio > 0.25) & (ratio < 0.6)).any(axis=1).sum())
        if finders >= 2:
            return True
    return False


def read_barcodes(ink: Ink) -> list[Barcode]:
    # separator barcodes are big and printed black on paper: no need to search downscaled or
    # inverted copies (3x faster); turned sheets are still read (try_rotate stays on)
    found: list[Barcode] = []
    if may_hold_barcode(ink):
        codes = zxingcpp.read_barcodes(ink.work.grey, formats=_FORMATS, try_downscale=False, try_invert=False)
        found = [Barcode(str(b.format).split(".")[-1], b.text) for b in codes if b.valid and b.text]
    patch = find_patch_code(ink)
    if patch:
        found.append(Barcode("PatchCode", f"PATCH{patch}"))
    return found


def find_patch_code(ink: Ink) -> str | None:
    """The patch code on the page (its name, e.g. 'T'), or None.

    Looks for four solid parallel bars, each 1.5-6.5 mm wide and at least 40 mm long, side by side
    with ~2 mm gaps, and reads them as wide (W, ~5 mm) or narrow (N, ~2 mm).
    """
    st = ink.all_stats
    if len(st) < 4:
        return None
    mm = ink.mm
    w, h = st[:, W].astype(float), st[:, H].astype(float)
    fill = st[:, AREA] / np.maximum(1.0, w * h)
    for vertical in (True, False):
        thick, length = (w, h) if vertical else (h, w)
        bars = np.flatnonzero((fill > 0.8) & (thick > 1.4 * mm) & (thick < 6.5 * mm) & (length > 40 * mm))
        if len(bars) < 4:
            continue
        pos = st[bars, X] if vertical else st[bars, Y]
        order = bars[np.argsort(pos)]
        for i in range(len(order) - 3):
            group = order[i:i + 4]
            start = (st[group, X] if vertical else st[group, Y]).astype(float)
            size = thick[group]
            gaps = start[1:] - (start[:-1] + size[:-1])
            if np.any(gaps < 0.8 * mm) or np.any(gaps > 3.5 * mm):
                continue
            pattern = "".join("W" if s > 3.5 * mm else "N" for s in size)
            if pattern in PATCH_PATTERNS:
                return PATCH_PATTERNS[pattern]
    return None


def separator_from(barcodes: list[Barcode]) -> Separator | None:
    """The separator these barcodes make (a dossier separator wins over a document one)."""
    for b in barcodes:
        if b.payload.upper().startswith(DOSSIER_PREFIX):
            dossier = b.payload[len(DOSSIER_PREFIX):].strip()
            if dossier:
                return Separator("dossier", b.payload, b.symbology, dossier)
    for b in barcodes:
        if b.payload.upper() in DOCUMENT_PAYLOADS or (
                b.symbology == "PatchCode" and b.payload[len("PATCH"):] in DOCUMENT_PATCHES):
            return Separator("document", b.payload, b.symbology)
    return None
