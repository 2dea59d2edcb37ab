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


def read_barcodes(ink: Ink) -> list[Barcode]:
    # separator barcodes are big and printed black on paper: no need to search downscaled or
    # inverted copies (3x faster); turned sheets are still read (try_rotate stays on)
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
