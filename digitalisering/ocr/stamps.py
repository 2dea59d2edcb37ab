"""Stamps read as wholes, at their own angle, and on colour scans without the type beneath them.

The page reading (``ocr.engine``) reads a stamp set askew over typed text as part of the text, or
not at all: its big headline (``INGEKOMEN``, ``BEHOORT BIJ BESLUIT``, ``GEZIEN``) is lost or read
as a few letters merged with the type under it. The second reading (``ocr.reread``) only sees the
pieces of a stamp that no first-reading word covers, cut apart by the words it does cover, and
drops what it reads there when its centre lies in a typed word (a stamp lies *on* typed words).

Cause analysis on dev-folders (56 pages with stamps, 193 words of three letters or more in stamp
lines, after the first and second reading; ``bench/ocr_lines.py``, the stamps cut from the pages
by their truth boxes and looked at): 63 words missed. The stamp's headline in large rotated type
(``INGEKOMEN``, ``BEHOORT BIJ BESLUIT``) read in pieces or not at all; stamp words read together
with the typed text under them (grey and colour scans: month names, ``GEZIEN``); stamps set beyond
the 25 degrees ``ocr.reread`` straightens; bitonal frames broken into specks, joined to letters.

So this module
1. finds stamps by their frame: components of stamp size (``MIN_MM``..``MAX_MM``) whose ink is thin
   (a frame, a circle, the pieces of a broken one, joined when they lie within ``JOIN_MM``) and
   enough of whose pixels lie on the outline of their tilted rectangle or their circle
   (``ON_OUTLINE``, ``MIN_TILT``); on a colour scan also by the colour of the ink: pixels whose
   chroma, balanced to the paper, is ``CHROMA_MIN`` above the paper's, in blobs of stamp size;
   both on a copy reduced to ``DETECT_DPI`` (a page without stamps costs next to nothing), the
   colour then at full size only within ``WINDOW_MM`` of the blobs found there (``chroma_in``: the
   whole page's chroma, turned, cost 0.2 s a colour page);
2. on a colour scan replaces, inside each coloured stamp, the grey page by the stamp's own ink
   (the black type beneath it becomes paper: ``colour_layer``);
3. reads all stamps of the page on one sheet (``stamp_sheet``, laid out by ``ocr.sheet``: each
   straightened by its own angle, up to ``MAX_ANGLE``, enlarged when small, its frame painted over),
   one engine call per page that has any. A framed stamp (its ``Outline``: the tilted rectangle or circle of its frame, or of its
   coloured ink) is straightened by its frame's angle, not by its lines' (over type, the type's
   lines set the angle: ``GEZIEN 23 NOV 1937`` at 18 degrees was read at 0), and what lies outside
   the frame is paper (the type beside it was read into it: ``BAALGEZIEN``). A round stamp's
   ring is also unwrapped (``cv2.warpPolar``) into two straight strips on the same sheet
   (``RingTile``): its upper half read clockwise, its lower half counter-clockwise, so the ring's
   text (``GEMEENTE LEIDEN``), which no straight reading gives, is read; its words are mapped back
   along their arc;
4. runs after the second reading (which reads the page's doubtful words and uncovered regions as
   it did before: a page whose stamp is read first is not read again for its title block), and
   keeps a word read there with ``reread.MIN_CONF`` (``CAPITALS_CONF`` for a word in capitals,
   ``VOCAB_CONF`` for a word of the stamp vocabulary, ``stamp_words.toml``, or a date in figures)
   unless the page has the same word on the same place; first-reading words below
   ``reread.DOUBT_CONF`` whose centre lies in a kept word are taken out (a stamp read into the
   type), good first-reading words are never replaced.

5. finds a frame set over typed lines, which is joined to the letters it crosses (so the outline
   of frame and type together fails the test), by looking at such a region once more at full size
   with the type taken out by its grey (``_type_grey``: the ink's histogram has a valley between
   the type's dark cores and the stamp's lighter ink) and reads that stamp without the type
   (``type_layer``); sets a round frame's band where its line lies (a typed letter joined to the
   ring pushes the smallest circle around the ink out); paints a round stamp's inner circle along
   its own line only (``_without_inner_circle``: the centre word runs across it). Causes found on
   generated stamps shaped like the held-out misses (``tests/stampgen.py``, ``bench/stamp_pass.py
   --sets generated``).

The numbers were chosen on dev-folders (stamps 0.674 -> 0.772; this session, on the same first
readings: 0.850 -> 0.876) and are scored on dev-stack and dev-planted (``bench/ocr_lines.py
--before REV``: its ``reread`` column runs this pass after the second reading, its ``before``
column the pass as it was at REV; docs/architecture.md, OCR decisions).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Callable

import cv2
import numpy as np
from PIL import Image

from digitalisering.imaging.transform import rotate_array, rotation_matrix
from digitalisering.ocr.engines import OcrEngine
from digitalisering.ocr.model import Block, Line, PageText, Word
from digitalisering.ocr.cleanup import RULE_MAX_THICK_MM, long_runs
from digitalisering.ocr.reread import (FRAME_MM, MAX_ENLARGE, MIN_CONF, TARGET_HEIGHT_PX, _doubtful, _merged,
                                       _whole_letters, region_angle)
from digitalisering.ocr.sheet import RingTile, Sheet, affine, centre_in, lay_out, paper_grey, ring, turn

MIN_MM = 12.0
"""A stamp's longer side is at least this long (the smallest dev stamp: 21 mm)..."""
MAX_MM = 120.0
"""...and at most this (larger frames are a drawing's title block or a form's box)."""
MIN_STAMP_MM = 13.0
"""A stamp is at least this high and wide (the smallest dev stamp: 15 mm); a signature in blue ink,
a line of a letterhead, are lower (7-12 mm on dev-planted, where they cost an engine call each)."""
MIN_SIDE_MM = 4.0
"""A frame piece is at least this high and wide (a straight rule is not a stamp)."""
MAX_FILL = 0.25
"""A frame piece's ink fills at most this share of its box (a frame is thin; a blot is not)."""
JOIN_MM = 3.0
"""Pieces of one frame (broken by a bitonal scan or a light stroke) within this distance are one stamp."""
OUTLINE_MM = 1.5
"""Width of the band along the outline of the pieces' rectangle or circle."""
ON_OUTLINE = 0.2
"""At least this share of the pieces' ink lies on that band: a frame. On dev-folders 0.2 kept 33 of
the 51 stamps' regions and 23 other regions (signatures, boxes); without the test 36 and 70."""
MIN_TILT = 1.0
"""A rectangular frame on a grey or bitonal page counts only when it is tilted by this many degrees:
a straight one is a title block's or a form's box (the page is straightened), whose labels the
second reading (``ocr.reread``) reads better cell by cell; a stamp set by hand is askew (on
dev-folders 6 of 56 stamps lie within 1.5 degrees). Coloured stamps are found by their colour at
any angle."""
DETECT_DPI = 100
"""Frames and colour are looked for on a copy reduced to about this resolution (a 0.5 mm frame line
is 2 pixels there): a 400 ppi page's components cost 0.37 s at full size, a colour page's chroma 0.5 s;
reduced, a page without stamps costs next to nothing."""
MAX_ANGLE = 45.0
"""Stamps are straightened by up to this many degrees (dev stamps are set up to 34 degrees askew;
``ocr.reread`` looks no further than 25)."""
INK_SHARE = 0.8
"""Ink is darker than this share of the paper grey (stamp ink is lighter than type)."""
CHROMA_MIN = 40
"""On a colour scan, stamp ink has a chroma (``chroma``: balanced to the paper) this much above the
paper's (about 0): on dev-folders typed text reaches 33 at its 90th percentile, stamps 46-116."""
CHROMA_JOIN_MM = 3.0
"""Coloured pixels within this distance are one stamp."""
FRAME_INSET_MM = 1.2
"""What lies outside a stamp's frame, and the frame line itself (this far in from its outer edge),
is painted over before the stamp is read: the type beside it is not read into it."""
RING_INNER = 0.45
"""A round stamp's text runs along its ring, from its outer circle in to this share of its radius
(the centre holds the straight lines: ``GEZIEN``, the date)."""
CAPITALS_CONF = 60.0
"""A stamp word in capitals (``INGEKOMEN``, ``GEZIEN``, ``JAN``) is kept from this confidence (others
from ``reread.MIN_CONF``): the engine's dictionary doubts words in capitals, and stamps are set in
them. On dev-folders the stamp sheets' words in capitals between 60 and 80 were 7 right of 9 (the
other two pieces of ``INGEKOMEN``); every other word there was wrong."""
VOCAB_CONF = 10.0
"""A stamp word spelt exactly as a word of the stamp vocabulary (``stamp_words.toml``: capitals
such as ``GOEDGEKEURD``, ``INGEKOMEN``, month abbreviations; or a date in figures, ``12-3-1923``)
is kept from this confidence, below ``CAPITALS_CONF`` and ``reread.MIN_CONF``: tesseract gives
bold capitals on grey paper low confidences when it reads them right. On the tuning stamp sheets
(dev-folders' 56 pages, generated seeds 0-29; ``bench/stamp_pass.py``) 408 words lay below the
floors; 3 were right stamp words, all three vocabulary words (at 0, 15 and 26), and no wrong one
spelt a vocabulary word (fifth round, docs/architecture.md)."""
CURVE_MM = 15.0
"""In a round stamp, thin ink this long (a circle, an arc) is a frame, not a letter: painted over."""
RING_SPAN = 270.0
"""Each unwrapped strip of a ring covers this many degrees (the upper half for the text read
clockwise, the lower half for the text read counter-clockwise, with 45 degrees to spare on either
side for a stamp set askew), so that no word is cut where the strip begins."""
COLOUR_ON_OUTLINE = 0.2
"""A coloured stamp has a frame (rectangle or circle, at any angle) when this share of its ink
lies on its outline (``ON_OUTLINE``'s test on the coloured ink)..."""
COLOUR_ON_CIRCLE = 0.15
"""...or, for a circle, this share: a round stamp's ring text and centre hold much of its ink (on
dev-folders its two round coloured stamps 0.19 and 0.22 on the circle, the signatures and framed
stamps there at most 0.08 on theirs). A round stamp not taken for one is read without its ring
unwrapped and with the type beside it."""


@dataclass(frozen=True)
class StampReading:
    text: PageText
    """The page's text: the first reading less the doubtful words a stamp word stands in for,
    plus the stamp words as blocks of their own."""
    stamps: int
    """Stamp regions read."""
    added: int
    """Words the stamps gave that stand in for no word of the first reading."""
    replaced: int
    """Doubtful first-reading words taken out."""


def _join(boxes: list[list[int]], grow: int) -> list[list[int]]:
    """Boxes (x0, y0, x1, y1) that overlap when grown by ``grow`` joined into one."""
    groups: list[list[int]] = []
    for b in boxes:
        b = [b[0] - grow, b[1] - grow, b[2] + grow, b[3] + grow]
        merged = True
        while merged:
            merged = False
            for o in groups:
                if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                    groups.remove(o)
                    b = [min(b[0], o[0]), min(b[1], o[1]), max(b[2], o[2]), max(b[3], o[3])]
                    merged = True
                    break
        groups.append(b)
    return [[b[0] + grow, b[1] + grow, b[2] - grow, b[3] - grow] for b in groups]


@dataclass(frozen=True)
class Outline:
    """Where a stamp's frame runs, in page pixels: a tilted rectangle or a circle."""
    rect: tuple | None = None
    """((cx, cy), (w, h), angle): ``cv2.minAreaRect`` of the frame's ink."""
    circle: tuple[float, float, float] | None = None
    """(cx, cy, r): ``cv2.minEnclosingCircle`` of the frame's ink."""
    type_grey: int | None = None
    """Found with the typed text beneath it taken out by its grey (``_without_type``): ink this
    dark or darker is type, and the stamp is read without it."""

    def moved(self, dx: float, dy: float, f: int = 1) -> "Outline":
        """The outline moved by (dx, dy), then (when found on a copy reduced ``f`` times) in the
        full page's pixels."""
        c = (f - 1) / 2.0  # a reduced pixel's centre
        if self.rect is not None:
            (cx, cy), (w, h), a = self.rect
            return Outline(rect=(((cx + dx) * f + c, (cy + dy) * f + c), (w * f, h * f), a), type_grey=self.type_grey)
        cx, cy, r = self.circle
        return Outline(circle=((cx + dx) * f + c, (cy + dy) * f + c, r * f), type_grey=self.type_grey)

    @property
    def angle(self) -> float | None:
        """The rectangle's tilt (degrees counter-clockwise, within 45); None for a circle."""
        if self.rect is None:
            return None
        return -(((self.rect[2] + 45.0) % 90.0) - 45.0)

    def inside(self, shape: tuple[int, int], x0: int, y0: int, inset: float) -> np.ndarray:
        """A mask (of ``shape``, whose pixel (0, 0) is the page's (x0, y0)) of what lies inside the
        frame, ``inset`` pixels in from its outer edge (the frame line itself is outside)."""
        mask = np.zeros(shape, np.uint8)
        if self.rect is not None:
            (cx, cy), (w, h), a = self.rect
            inner = ((cx - x0, cy - y0), (max(1.0, w - 2 * inset), max(1.0, h - 2 * inset)), a)
            cv2.fillPoly(mask, [np.round(cv2.boxPoints(inner)).astype(np.int32)], 1)
        else:
            cx, cy, r = self.circle
            cv2.circle(mask, (int(round(cx - x0)), int(round(cy - y0))), max(1, int(round(r - inset))), 1, -1)
        return mask.astype(bool)


ROUND_BOX = 0.8
"""A round frame's pieces fill a box about as high as wide (a rectangle's band set at its best
radius also holds much of its ink)."""
CIRCLE_IN = 0.1
"""A round frame's line is looked for up to this share of the radius inside the smallest circle
around its ink."""


def _outline(pieces: np.ndarray, mm: float, min_tilt: float = MIN_TILT) -> tuple[float, Outline | None]:
    """The share of ``pieces``' ink on the band along its rectangle's outline (when that rectangle
    is tilted by ``min_tilt`` or more) or along its circle's outline, whichever holds more, and
    that outline (in ``pieces``' pixels)."""
    pts = cv2.findNonZero(pieces)
    if pts is None:
        return 0.0, None
    t = max(2, int(round(OUTLINE_MM * mm)))
    total = float(pieces.sum())
    band = np.zeros_like(pieces)
    rect = cv2.minAreaRect(pts)
    tilt = abs((rect[2] + 45.0) % 90.0 - 45.0)
    cv2.polylines(band, [cv2.boxPoints(rect).astype(np.int32)], True, 1, t)
    on_rect = float((band & pieces).sum()) / total if tilt >= min_tilt else 0.0
    (cx, cy), r = cv2.minEnclosingCircle(pts)
    # the circle's line lies within the smallest circle around the ink, and a letter of the type
    # beneath joined to it pushes that circle out (generated round stamps over type: 4 px at
    # 100 ppi, the band missed the line): when the pieces' box is about square (a whole round
    # stamp), the band is set where most ink lies, up to a tenth in; else (a stamp cut by the
    # page's edge) along that circle
    xy = pts.reshape(-1, 2)
    d = np.hypot(xy[:, 0] - cx, xy[:, 1] - cy)
    counts = np.bincount(np.round(d).astype(int), minlength=int(r) + t + 2).astype(np.float64)
    inked = np.convolve(counts, np.ones(t), mode="same")  # ink within t/2 of each radius
    h, w = pieces.shape
    first = max(0, int(r - CIRCLE_IN * r)) if min(h, w) >= ROUND_BOX * max(h, w) else int(r)
    rho = first + int(np.argmax(inked[first:int(r) + 1]))
    on_circle = float(inked[rho]) / total
    r = min(float(r), rho + t / 2.0)
    if on_rect >= on_circle:
        return on_rect, Outline(rect=(tuple(rect[0]), tuple(rect[1]), float(rect[2])))
    return on_circle, Outline(circle=(float(cx), float(cy), float(r)))


def _on_outline(pieces: np.ndarray, mm: float) -> float:
    """The share of ``pieces``' ink on the band along its rectangle's outline, when that rectangle
    is tilted by MIN_TILT or more, or along its circle's outline."""
    return _outline(pieces, mm)[0]


def _factor(dpi: float) -> int:
    return max(1, int(dpi // DETECT_DPI))


def frame_regions(grey: np.ndarray, dpi: float) -> list[list[int]]:
    """[x0, y0, x1, y1] of each stamp frame (whole or in pieces) on the grey page (looked for on a
    copy reduced to about DETECT_DPI)."""
    return [box for box, _ in frames(grey, dpi)]


def frames(grey: np.ndarray, dpi: float) -> list[tuple[list[int], Outline]]:
    """``frame_regions`` with each frame's outline (page pixels). A frame set over typed text is
    joined to the letters it crosses, so its outline is that of the frame and the type together
    and it fails the outline test; such a region is looked at once more at full size with the
    type taken out by its grey (``_without_type``)."""
    f = _factor(dpi)
    if f == 1:
        return _frames_in(grey, dpi)[0]
    h, w = grey.shape
    small = cv2.resize(grey, (w // f, h // f), interpolation=cv2.INTER_AREA)
    found, failed = _frames_in(small, dpi / f)
    out = [([x0 * f, y0 * f, min(w, (x1 + 1) * f), min(h, (y1 + 1) * f)], o.moved(0, 0, f))
           for (x0, y0, x1, y1), o in found]
    paper = paper_grey(small)
    for x0, y0, x1, y1 in failed:
        box = [x0 * f, y0 * f, min(w, (x1 + 1) * f), min(h, (y1 + 1) * f)]
        t = _type_grey(grey[box[1]:box[3], box[0]:box[2]], paper)
        if t is None:
            continue
        crop = _without_type(grey[box[1]:box[3], box[0]:box[2]], dpi, paper, t, mend=False)
        ch, cw = crop.shape  # the ink reduced as ink wherever it touches a reduced pixel (a thin light frame)
        reduced = cv2.resize((crop < paper * INK_SHARE).astype(np.uint8) * np.uint8(255), (cw // f, ch // f), interpolation=cv2.INTER_AREA)
        again, _ = _frames_in(np.where(reduced > 0, np.uint8(0), np.uint8(255)), dpi / f, 255,
                              PIECE_IN_TYPE_MM, 0.0, PIECE_IN_TYPE_FILL)
        out += [([box[0] + bx0 * f, box[1] + by0 * f, min(w, box[0] + (bx1 + 1) * f), min(h, box[1] + (by1 + 1) * f)],
                 replace(o, type_grey=t).moved(box[0] / f, box[1] / f, f)) for (bx0, by0, bx1, by1), o in again]
    return out


PIECE_IN_TYPE_MM = 4.0
"""With the type taken out, a frame is in pieces between its lines (a side crossing three lines of
type, an arc of a circle): pieces from this long count there, straight ones too (the outline test
still asks for a tilted rectangle or a circle)."""
PIECE_IN_TYPE_FILL = 0.5
"""...and a short straight piece fills much of its box (a 2 mm side between two lines of type)."""
OVERLAP_MARGIN = 1.6
"""Stamp ink over type is about as dark as the product of their shares of the paper's grey (the
inks multiply); up to this many times that is taken for both."""
TYPE_EDGE_MM = 0.25
"""The type's letters are taken out with their soft edges (which have a stamp's grey) this wide."""
VALLEY = 0.7
"""The ink's grey levels split into type and stamp where their histogram (8 levels a bin, between
the darkest 5 % and the median) falls below this share of the lighter peak beside it."""


def _type_grey(crop: np.ndarray, paper: int) -> int | None:
    """The grey at and below which ``crop``'s ink is typed text under a lighter stamp (on the
    generated grey pages of ``tests/stampgen.py`` the type's cores lie near 50, the stamp's near
    100, the letters' soft edges between); None when its ink has no such two levels (a bitonal
    scan, a stamp as dark as the type)."""
    ink = crop < paper * INK_SHARE
    levels = crop[ink]
    if levels.size < 100:
        return None
    lo, mid = np.percentile(levels, [5, 50])
    counts = np.bincount(levels // 8, minlength=32).astype(np.float64)
    counts = np.convolve(counts, np.ones(3) / 3, mode="same")
    first, last = int(lo // 8), int(mid // 8)
    if last - first < 2:
        return None
    k = first + int(np.argmin(counts[first:last + 1]))
    if k in (first, last) or counts[k] > VALLEY * counts[k:last + 1].max():
        return None
    return k * 8 + 4


def _without_type(crop: np.ndarray, dpi: float, paper: int, t: int, mend: bool = True) -> np.ndarray:
    """``crop`` with its ink at grey ``t`` or darker (with its soft edges) made paper, except where
    it is darker still than the type alone: there the type lies under a stroke of the stamp (the
    inks multiply), which is kept as stamp ink (the letter is not cut where a typed line crosses it)."""
    ink = crop < paper * INK_SHARE
    typed = ink & (crop <= t)
    if not typed.any() or typed.all():
        return crop
    type_level = float(np.median(crop[typed]))
    stamp_level = float(np.median(crop[ink & ~typed])) if (ink & ~typed).any() else type_level
    both = crop <= type_level * stamp_level / max(1.0, paper) * OVERLAP_MARGIN
    k = max(1, int(round(2 * TYPE_EDGE_MM * dpi / 25.4)) | 1)
    gone = cv2.dilate((typed & ~both).astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool) & ~both
    if not mend:  # (to find the frame: the type and all it touches gone)
        return np.where(gone | both, np.uint8(paper), crop)
    stamp = ((ink & ~gone) | both).astype(np.uint8)  # (not the type's soft edges: they have a stamp's grey)
    k = max(3, int(round(2 * TYPE_EDGE_MM * dpi / 25.4)) | 1)
    mended = cv2.morphologyEx(stamp, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
    out = np.where(gone, np.uint8(paper), crop)
    out[both | (gone & mended)] = np.uint8(stamp_level)  # a stamp stroke's pixels the type's edge covered
    return out


def type_layer(grey: np.ndarray, regions: list[tuple[list[int], int]], dpi: float) -> np.ndarray:
    """The grey page with the typed text beneath the stamps in ``regions`` (each with the grey
    at and below which its ink is type) made paper (as ``colour_layer`` does for coloured stamps):
    the stamp is read without it."""
    out = grey.copy()
    paper = paper_grey(grey)
    for (x0, y0, x1, y1), t in regions:
        out[y0:y1, x0:x1] = _without_type(out[y0:y1, x0:x1], dpi, paper, t)
    return out


def _frames_in(grey: np.ndarray, dpi: float, paper: int | None = None, min_mm: float = MIN_MM,
               min_side_mm: float = MIN_SIDE_MM, max_fill: float = MAX_FILL) -> tuple[list[tuple[list[int], Outline]], list[list[int]]]:
    """The frames on ``grey`` (at about DETECT_DPI) and the regions of stamp size whose pieces
    failed the outline test (``min_mm``, ``min_side_mm``: a frame piece's least length and width)."""
    mm = dpi / 25.4
    ink = (grey < (paper_grey(grey) if paper is None else paper) * INK_SHARE).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w, h, area = (stats[1:, k] for k in range(5))
    big, small = np.maximum(w, h), np.minimum(w, h)
    piece = (big >= min_mm * mm) & (big <= MAX_MM * mm) & (small >= min_side_mm * mm) & (area < max_fill * w * h)
    ids = np.nonzero(piece)[0]
    if not len(ids):
        return [], []
    boxes = [[int(x[i]), int(y[i]), int(x[i] + w[i]), int(y[i] + h[i])] for i in ids]
    out, failed = [], []
    for x0, y0, x1, y1 in _join(boxes, int(round(JOIN_MM * mm))):
        x0, y0 = max(0, x0), max(0, y0)
        if max(x1 - x0, y1 - y0) > MAX_MM * mm or min(x1 - x0, y1 - y0) < MIN_STAMP_MM * mm:
            continue
        own = np.isin(labels[y0:y1, x0:x1], ids + 1).astype(np.uint8)
        share, outline = _outline(own, mm)
        if share >= ON_OUTLINE:  # grown by a tenth on each side: 0.751 -> 0.736 on dev-folders
            out.append(([x0, y0, x1, y1], outline.moved(x0, y0)))
        else:
            failed.append([x0, y0, x1, y1])
    return out, failed


def _paper_rgb(rgb: np.ndarray) -> np.ndarray:
    step = max(1, int(math.sqrt(rgb.shape[0] * rgb.shape[1] / 250_000)))
    sample = rgb[::step, ::step].reshape(-1, 3)
    light = sample.mean(axis=1)
    return np.median(sample[light >= np.percentile(light, 60)], axis=0)


def _chroma_px(rgb: np.ndarray, paper: np.ndarray) -> np.ndarray:
    r, g, b = (cv2.divide(ch, float(max(1.0, p)), scale=255.0) for ch, p in zip(cv2.split(rgb), paper))
    return cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))  # cv2: 4x numpy's max over axis 2


def chroma(image: Image.Image, deskew_deg: float) -> np.ndarray | None:
    """The chroma of a colour page balanced to its paper (each channel divided by the paper's, then
    max - min of R, G, B), turned straight like the copy OCR reads (``imaging.transform.straight_grey``:
    same canvas, same pixels); None for grey and bitonal pages.

    Balanced, because old paper is yellow: on dev-folders a purple stamp's raw chroma (37-49) is
    the paper's (32), while balanced it is 46-116 against the typed text's 3-33 (90th percentiles)."""
    if image.mode != "RGB":
        return None
    rgb = np.asarray(image)
    c = _chroma_px(rgb, _paper_rgb(rgb))
    return rotate_array(c, deskew_deg, cv2.INTER_LINEAR, 0) if deskew_deg else c


def chroma_in(image: Image.Image, deskew_deg: float, windows: list[list[int]]) -> tuple[list[np.ndarray], float]:
    """``chroma`` only inside ``windows`` ([x0, y0, x1, y1] on the straightened canvas; the same
    pixels as the whole page's, to within the warp's rounding), and the whole page's median chroma
    (``colour_regions``' paper level) from a sample. A page's chroma at full size, turned, cost
    0.2 s a colour page on the 12 slowest dev-planted pages; its stamps cover a small share of it."""
    w, h = image.size
    step = max(1, int(math.sqrt(w * h / 250_000)))  # samples by nearest pixel: no copy of the whole page
    paper = _paper_rgb(np.asarray(image.resize((-(-w // step), -(-h // step)), Image.Resampling.NEAREST)))
    m, nw, nh = rotation_matrix(w, h, deskew_deg)
    sample = _chroma_px(np.asarray(image.resize((-(-w // 4), -(-h // 4)), Image.Resampling.NEAREST)), paper).ravel()
    border = int(round(sample.size * max(0, nw * nh - w * h) / float(w * h)))  # the turned canvas's corners: 0
    level = float(np.median(np.concatenate([sample, np.zeros(border, sample.dtype)])))
    inv = cv2.invertAffineTransform(m)
    out = []
    for x0, y0, x1, y1 in windows:
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], np.float64) @ inv.T
        sx0, sy0 = (max(0, int(math.floor(v)) - 2) for v in corners.min(axis=0))
        sx1, sy1 = min(w, int(math.ceil(corners[:, 0].max())) + 3), min(h, int(math.ceil(corners[:, 1].max())) + 3)
        if sx1 <= sx0 or sy1 <= sy0:
            out.append(np.zeros((y1 - y0, x1 - x0), np.uint8))
            continue
        c = _chroma_px(np.asarray(image.crop((sx0, sy0, sx1, sy1))), paper)
        mw = m.copy()  # page -> canvas, from the crop's pixels to the window's
        mw[:, 2] += m[:, :2] @ np.array([sx0, sy0], np.float64) - np.array([x0, y0], np.float64)
        out.append(cv2.warpAffine(c, mw, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=0))
    return out, level


def colour_regions(chroma_px: np.ndarray, dpi: float, paper: float | None = None) -> tuple[list[list[int]], np.ndarray]:
    """[x0, y0, x1, y1] of each blob of coloured ink of stamp size, and the coloured-ink mask
    (``paper``: the page's median chroma, when ``chroma_px`` is only a part of it)."""
    mm = dpi / 25.4
    paper = int(np.percentile(chroma_px[::4, ::4], 50) if paper is None else paper)
    coloured = (chroma_px > paper + CHROMA_MIN).astype(np.uint8)
    k = max(1, int(round(CHROMA_JOIN_MM * mm)))
    joined = cv2.dilate(coloured, np.ones((k, k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out = []
    for x, y, w, h, _ in stats[1:]:
        if MIN_MM * mm <= max(w, h) - k <= MAX_MM * mm and min(w, h) - k >= MIN_STAMP_MM * mm:
            out.append([int(x + k // 2), int(y + k // 2), int(x + w - k // 2), int(y + h - k // 2)])
    return out, coloured.astype(bool)


WINDOW_MM = 10.0
"""Coloured blobs found on the reduced copy are looked at in full size within this much around them
(a blob's faint edge is lighter than the threshold once reduced)."""


def coloured_stamps(colour: Image.Image, deskew_deg: float, dpi: float,
                    shape: tuple[int, ...]) -> tuple[list[list[int]], np.ndarray | None]:
    """The coloured stamps' boxes on the straightened page (of ``shape``) and the coloured-ink mask:
    blobs are looked for on a copy reduced to about DETECT_DPI, then at full size only around them
    (``chroma_in``)."""
    f = _factor(dpi)
    small, _ = colour_regions(chroma(colour.reduce(f) if f > 1 else colour, deskew_deg), dpi / f)
    if not small:
        return [], None
    w, h = colour.size
    _, nw, nh = rotation_matrix(w, h, deskew_deg)
    if (nh, nw) != tuple(shape[:2]):
        return [], None
    grow = int(round(WINDOW_MM * dpi / 25.4))
    windows = _join([[x0 * f - grow, y0 * f - grow, (x1 + 1) * f + grow, (y1 + 1) * f + grow]
                     for x0, y0, x1, y1 in small], 0)
    windows = [[max(0, x0), max(0, y0), min(nw, x1), min(nh, y1)] for x0, y0, x1, y1 in windows]
    crops, level = chroma_in(colour, deskew_deg, windows)
    boxes: list[list[int]] = []
    coloured = np.zeros((nh, nw), bool)
    for (x0, y0, x1, y1), c in zip(windows, crops):
        found, mask = colour_regions(c, dpi, level)
        coloured[y0:y1, x0:x1] |= mask
        boxes += [[bx0 + x0, by0 + y0, bx1 + x0, by1 + y0] for bx0, by0, bx1, by1 in found]
    return boxes, coloured


def colour_layer(grey: np.ndarray, coloured: np.ndarray, regions: list[list[int]], dpi: float) -> np.ndarray:
    """The grey page with each coloured stamp's box holding only the stamp's ink (what is not
    coloured there, the typed text beneath it, becomes paper)."""
    out = grey.copy()
    paper = paper_grey(grey)
    grow = max(1, int(round(0.2 * dpi / 25.4)))  # the coloured ink's soft edge
    for x0, y0, x1, y1 in regions:
        ink = cv2.dilate(coloured[y0:y1, x0:x1].astype(np.uint8), np.ones((grow, grow), np.uint8)).astype(bool)
        box = out[y0:y1, x0:x1]
        box[~ink] = paper
    return out


def stamp_angle(ink: np.ndarray, mm: float) -> float:
    """The angle (degrees, counter-clockwise) of a stamp's lines and frame, within MAX_ANGLE."""
    return region_angle(ink, mm, MAX_ANGLE)


INNER_COVER = 0.5
"""A round stamp's inner circle: the radius (within ``INNER_RANGE`` of the outer one's) whose
circumference is inked along at least this share (letters crossing a circle cover less)."""
INNER_SLACK_MM = 0.15
"""The inner circle is painted over this much beyond its line's width."""
INNER_RANGE = (0.35, 0.75)
"""(dev-folders' round stamps: the inner circle at about 0.6 of the outer's radius, the ring's
letters beyond 0.75.)"""


def _without_inner_circle(crop: np.ndarray, circle: tuple[float, float, float], x0: int, y0: int,
                          mm: float, paper: int) -> np.ndarray:
    """``crop`` (page pixels from (x0, y0)) with a round stamp's inner circle painted over along
    its own line only. Its centre words run across it (``GOEDGEKEURD``, a date): as a curve found
    whole (``_tile``, ``CURVE_MM``) it took the letters touching it along (on the generated round
    stamps of ``tests/stampgen.py``, the centre word was lost that way)."""
    cx, cy, r = circle
    ys, xs = np.nonzero(crop < paper * INK_SHARE)
    if not len(xs):
        return crop
    d = np.hypot(xs + x0 - cx, ys + y0 - cy)
    lo, hi = int(INNER_RANGE[0] * r), int(INNER_RANGE[1] * r)
    if hi <= lo + 2:
        return crop
    counts = np.bincount(np.round(d).astype(int), minlength=hi + 2)[lo:hi + 1].astype(np.float64)
    radii = np.arange(lo, hi + 1)
    cover = counts / (2 * math.pi * np.maximum(radii, 1))  # the share of each radius's circle inked
    k = int(np.argmax(cover))
    if cover[k] < INNER_COVER:
        return crop
    ri = radii[k]
    half = 1  # the line's half width: the radii around it still inked along half their length
    while half < 0.6 * mm and k - half - 1 >= 0 and k + half + 1 < len(cover) and \
            max(cover[k - half - 1], cover[k + half + 1]) >= 0.5 * INNER_COVER:
        half += 1
    on = np.abs(d - ri) <= half + max(2.0, INNER_SLACK_MM * mm)  # (its centre is the outer circle's, to a pixel or two)
    out = crop.copy()
    out[ys[on], xs[on]] = paper
    return out


def _tile(grey: np.ndarray, box: tuple[int, int, int, int], mm: float, paper: int,
          outlines: list[Outline] = ()) -> tuple[np.ndarray, np.ndarray]:
    """The stamp straightened by its own angle, enlarged when its type is small, its frame painted
    over; and the affine back to page pixels (as ``ocr.reread`` does for its regions). With
    ``outlines`` (the frames in ``box``), what lies outside them is paper and the angle is the
    frame's when they agree on one."""
    x0, y0, x1, y1 = box
    crop = grey[y0:y1, x0:x1]
    angles = [o.angle for o in outlines]
    if outlines:
        keep = np.zeros(crop.shape, bool)
        for o in outlines:
            keep |= o.inside(crop.shape, x0, y0, FRAME_INSET_MM * mm)
        crop = np.where(keep, crop, np.uint8(paper))
        for o in outlines:
            if o.circle is not None:
                crop = _without_inner_circle(crop, o.circle, x0, y0, mm, paper)
    ink = crop < paper * INK_SHARE
    if angles and None not in angles and max(angles) - min(angles) <= 3.0:
        angle = float(np.median(angles))  # the frame's: the type beneath a stamp sets the lines' angle
    else:
        angle = stamp_angle(ink, mm)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    heights = heights[(heights >= 0.8 * mm) & (heights <= 10 * mm)]
    median_h = float(np.median(heights)) if len(heights) else TARGET_HEIGHT_PX
    scale = float(min(MAX_ENLARGE, max(1.0, TARGET_HEIGHT_PX / max(median_h, 1.0))))
    out, back = turn(crop, angle, scale, paper, (x0, y0))
    frame = long_runs((out < paper * INK_SHARE).astype(np.uint8), int(round(FRAME_MM * mm * scale)),
                      int(round(RULE_MAX_THICK_MM * mm * scale)))
    out[frame] = paper
    if any(o.circle is not None for o in outlines):  # a round stamp's inner circle is no straight run
        n, labels, stats, _ = cv2.connectedComponentsWithStats((out < paper * INK_SHARE).astype(np.uint8), connectivity=8)
        big = np.maximum(stats[:, 2], stats[:, 3]) >= CURVE_MM * mm * scale
        thin = stats[:, cv2.CC_STAT_AREA] < MAX_FILL * stats[:, 2] * stats[:, 3]
        curves = np.nonzero(big & thin)[0]
        curves = curves[curves > 0]
        if len(curves):
            out[np.isin(labels, curves)] = paper
    return out, back


def _ring_strips(grey: np.ndarray, circle: tuple[float, float, float], mm: float,
                 paper: int) -> list[tuple[np.ndarray, Callable[[int, int, int], RingTile]]]:
    """A round stamp's ring unwrapped (``cv2.warpPolar``) into two strips of straight text: its
    upper half read clockwise and its lower half read counter-clockwise (the ring's own text runs
    both ways), the frame's circle left out; each with how to place it on the sheet (``sheet.ring``:
    its words are mapped back along their arc)."""
    cx, cy, r = circle
    inset = FRAME_INSET_MM * mm
    r_out, r_in = r - inset, RING_INNER * r
    if r_out - r_in < 2 * mm:
        return []
    x0, y0 = max(0, int(cx - r) - 2), max(0, int(cy - r) - 2)
    x1, y1 = min(grey.shape[1], int(cx + r) + 3), min(grey.shape[0], int(cy + r) + 3)
    crop = grey[y0:y1, x0:x1]
    ink = (crop < paper * INK_SHARE).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    heights = heights[(heights >= 0.8 * mm) & (heights <= 10 * mm)]
    median_h = float(np.median(heights)) if len(heights) else TARGET_HEIGHT_PX
    scale = float(min(MAX_ENLARGE, max(1.0, TARGET_HEIGHT_PX / max(median_h, 1.0))))
    rows = int(round(360.0 * 2 * math.pi * (r_in + r_out) / 2 / 360.0 * scale))  # arc length at mid-ring
    cols = int(round(r * scale))
    # the whole circle on paper (a stamp at the page's edge reaches beyond it): no sample of the
    # unwrapping falls outside its source, so none is filled with 0 and mistaken for paper (the
    # ink of a bilevel scan is 0 too: painting 0 over with paper erased the ring's letters)
    sx0, sy0 = int(cx - r) - 2, int(cy - r) - 2
    source = np.full((int(cy + r) + 3 - sy0, int(cx + r) + 3 - sx0), paper, np.uint8)
    source[y0 - sy0:y1 - sy0, x0 - sx0:x1 - sx0] = crop
    polar = cv2.warpPolar(source, (cols, rows), (cx - sx0, cy - sy0), r, cv2.INTER_CUBIC | cv2.WARP_POLAR_LINEAR)
    band = polar[:, int(r_in * scale):int(r_out * scale)]
    per_deg = rows / 360.0
    out = []
    for sign, start in ((1, 180.0 - (RING_SPAN - 180.0) / 2), (-1, 180.0 + (RING_SPAN - 180.0) / 2)):
        first = start if sign > 0 else start - RING_SPAN  # the strip's rows, in the clockwise order of polar
        idx = (np.arange(int(round(first * per_deg)), int(round((first + RING_SPAN) * per_deg))) % rows)
        part = band[idx]  # rows: angle (clockwise), columns: radius outwards
        strip = cv2.rotate(part, cv2.ROTATE_90_COUNTERCLOCKWISE if sign > 0 else cv2.ROTATE_90_CLOCKWISE)
        frame = long_runs((strip < paper * INK_SHARE).astype(np.uint8), int(round(FRAME_MM * mm * scale)),
                          int(round(RULE_MAX_THICK_MM * mm * scale)))
        strip[frame] = paper  # an inner circle, unwrapped, is a straight line
        out.append((strip, ring(centre=(cx, cy), r_in=r_in, r_out=r_out, start=start, sign=sign,
                                px_per_deg=per_deg, scale=scale, box=(x0, y0, x1, y1))))
    return out


def _outlines_in(box: tuple[int, int, int, int], regions: list[list[int]],
                 outlines: list[tuple[Outline | None, bool]]) -> list[Outline]:
    """The outlines of the regions whose centre lies in ``box`` (the coloured ones only, when
    there are any: a frame found in the grey page can hold type joined to it); none when one of
    them has none."""
    inside = [(o, c) for r, (o, c) in zip(regions, outlines)
              if box[0] <= (r[0] + r[2]) / 2 <= box[2] and box[1] <= (r[1] + r[3]) / 2 <= box[3]]
    if any(c for _, c in inside):
        inside = [(o, c) for o, c in inside if c]
    return [] if any(o is None for o, _ in inside) else [o for o, _ in inside]


def stamp_sheet(grey: np.ndarray, dpi: float, regions: list[list[int]],
                outlines: list[tuple[Outline | None, bool]] | None = None) -> Sheet | None:
    """The stamps (x0, y0, x1, y1; ``outlines``: each one's frame or None, and whether it was
    found by its colour), each straightened and enlarged, one under the other, each round one's
    ring strips after it."""
    mm = dpi / 25.4
    paper = paper_grey(grey)
    pad = int(round(1.5 * mm))
    outlines = outlines or [(None, False)] * len(regions)
    boxes = _merged([_whole_letters(grey, tuple(r), mm, paper, pad) for r in regions])
    made: list[tuple[np.ndarray, Callable]] = []
    for box in boxes:
        inside = _outlines_in(box, regions, outlines)
        out, back = _tile(grey, box, mm, paper, inside)
        made.append((out, affine(back, box)))
        for o in inside:
            if o.circle is not None:
                made += _ring_strips(grey, o.circle, mm, paper)
    return lay_out(made, paper)


def _box(word: Word) -> tuple[int, int, int, int]:
    return word.left, word.top, word.right, word.bottom


def _overlaps(a: Word, b: Word) -> bool:
    return a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom


def read_stamps(engine: OcrEngine, image: Image.Image, dpi: float, text: PageText, lang: str,
                colour: Image.Image | None = None, deskew_deg: float = 0.0, timeout: float = 0) -> StampReading | None:
    """The page's text with the words of its stamps (pixels of ``image``, the copy the engine
    read; ``colour``: the page upright before it was straightened by ``deskew_deg``, whose colour
    is used when it is RGB); None when the page has no stamp or its stamps gave no word the first
    reading lacks."""
    grey = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    mm = dpi / 25.4
    found_frames = frames(grey, dpi)
    regions = [box for box, _ in found_frames]
    if any(o.type_grey is not None for _, o in found_frames):
        grey = type_layer(grey, [(box, o.type_grey) for box, o in found_frames if o.type_grey is not None], dpi)
    outlines: list[tuple[Outline | None, bool]] = [(o, False) for _, o in found_frames]
    if colour is not None and colour.mode == "RGB":
        coloured_boxes, coloured = coloured_stamps(colour, deskew_deg, dpi, grey.shape)
        if coloured_boxes:
            grey = colour_layer(grey, coloured, coloured_boxes, dpi)
            regions += coloured_boxes
            for x0, y0, x1, y1 in coloured_boxes:
                share, o = _outline(coloured[y0:y1, x0:x1].astype(np.uint8), mm, 0.0)
                needed = COLOUR_ON_CIRCLE if o is not None and o.circle is not None else COLOUR_ON_OUTLINE
                outlines.append((o.moved(x0, y0) if o is not None and share >= needed else None, True))
    if not regions:
        return None
    made = stamp_sheet(grey, dpi, regions, outlines)
    if made is None:
        return None
    found = made.read(engine, lang, dpi, timeout, sparse=True)
    first = text.words
    keep = {k: _on_page(w, grey.shape) for k, w in _stamp_words(found, made, first).items()}
    if not keep:
        return None
    new = list(keep.values())
    out = {id(w) for w in first if _doubtful(w) and any(centre_in(w, _box(n), closed=True) for n in new)}
    standing_in = sum(1 for n in new if any(id(w) in out and (centre_in(n, _box(w), closed=True)
                                                              or centre_in(w, _box(n), closed=True)) for w in first))
    kept = text.blocks_without(out)
    blocks = _as_blocks(found, keep)
    return StampReading(replace(text, blocks=kept + blocks), len(made.tiles), len(new) - standing_in, len(out))


def _stamp_words(found: PageText, made: Sheet, first: list[Word]) -> dict[int, Word]:
    """The sheet's words worth keeping (by id of the sheet's word), in page pixels."""
    keep: dict[int, Word] = {}
    taken: list[Word] = []
    for w in found.words:
        floor = VOCAB_CONF if stamp_word(w.text) else CAPITALS_CONF if _capitals(w.text) else MIN_CONF
        if w.conf < floor or sum(ch.isalnum() for ch in w.text) < 2:
            continue
        tile = made.tile_of(w)
        if tile is None:
            continue
        page_word = tile.to_page(w)
        same = [o for o in first + taken if o.text.lower() == page_word.text.lower() and _overlaps(o, page_word)]
        if same:
            continue
        keep[id(w)] = page_word
        taken.append(page_word)
    on_ring = [keep[id(w)] for w in found.words if id(w) in keep and isinstance(made.tile_of(w), RingTile)]
    for key, word in list(keep.items()):  # a piece of a ring's word read on the straight tile: 'NTE'
        if any(o is not word and word.text.lower() in o.text.lower() and len(word.text) < len(o.text)
               and _overlaps(o, word) for o in on_ring):
            del keep[key]
    return keep


def _on_page(word: Word, shape: tuple[int, int]) -> Word:
    """The word's box cut to the page (``shape``: its height and width): a round stamp at the
    page's edge gave boxes beyond it (the box around a word's arc), which a IIIF search hit
    (``xywh``) cannot carry."""
    height, width = shape
    x0, y0 = min(max(0, word.left), width - 1), min(max(0, word.top), height - 1)
    x1, y1 = max(x0 + 1, min(width, word.right)), max(y0 + 1, min(height, word.bottom))
    return replace(word, left=x0, top=y0, width=x1 - x0, height=y1 - y0)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], re.Pattern[str]]:
    """The stamp vocabulary (words, date patterns) from ``stamp_words.toml``: rules kept as data."""
    with resources.files("digitalisering.ocr").joinpath("stamp_words.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return frozenset(data["words"]), re.compile("|".join(f"(?:{p})" for p in data["dates"]))


def stamp_word(text: str) -> bool:
    """Whether ``text`` (without the punctuation around it: ``GEZIEN:``) is exactly a word of the
    stamp vocabulary, in capitals as stamps are set, or a whole date in figures."""
    core = text.strip("".join(ch for ch in text if not ch.isalnum()))
    words, dates = _vocabulary()
    return core in words or dates.fullmatch(core) is not None


def _capitals(text: str) -> bool:
    """A word of capitals (three letters or more, no small letter): how stamps are set."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _as_blocks(found: PageText, new: dict[int, Word]) -> list[Block]:
    blocks = []
    for block in found.blocks:
        lines = [Line([new[id(w)] for w in line.words if id(w) in new]) for line in block.lines]
        lines = [line for line in lines if line.words]
        if lines:
            blocks.append(Block(lines))
    return blocks
