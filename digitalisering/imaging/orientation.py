"""Page orientation (0/90/180/270) and skew from the text-like components of the working copy.

1. Line direction: the component centres line up in rows far better along the text lines than
   across them; comparing the best row-profile score of the page as is and turned by 90 degrees
   tells portrait text from text running up or down the page.
2. Skew: the row profile of the component baselines in the text-horizontal frame (``skew.py``).
3. Up or down: in Latin script, more components rise above the x-height (ascenders, capitals, the
   dots of i and j) than hang below the baseline (g j p q y). Counted per line after deskewing.
4. Drawings (large format, little running text): the up/down cues of scattered labels are noise
   (ascenders 541 against descenders 495 on a drawing on its side), and OSD on the whole sheet
   reads mostly lines. Most of a drawing's words (title block, labels) run horizontally in the
   upright drawing, so the line direction gives the likely quarter turn; OSD then reads the densest
   text windows (title block first), cut from the scan itself, turned and straightened, enlarged
   to letters ~20 px tall; its answers vote (it may overrule the line direction), and the title
   block's usual place (bottom right) checks the winner (``_drawing_orientation``). Tuned on the
   dev-folders and dev-stack drawings as scanned and turned 90/180/270 (bench/imaging.py
   --before, one run, 2026-12-07): right 126/128, flagged 10, none wrong unflagged (before: right
   55/128, flagged 104); held out, dev-planted's 4 drawings x 4 turns: right 16/16, none flagged
   (before 10/16); text pages, real scans and blank pages unchanged. Cost: the analysis of a
   drawing 223 -> 850 ms (median of 36, same run; OSD on two windows), A4 pages unchanged.

Orientation is reported as the angle (degrees) the page was turned counter-clockwise from upright,
i.e. the clockwise rotation that makes it upright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image

from digitalisering.imaging.ink import H, Ink, W, X, Y, find_ink
from digitalisering.imaging.skew import profile_sharpness, search_skew
from digitalisering.imaging.transform import rotation_matrix

if TYPE_CHECKING:  # imaging needs only the capability, not the OCR package
    from digitalisering.ocr.engines import OrientationDetector

MIN_COMPONENTS = 40
"""Fewer text-like components than this: no orientation or skew decision from text."""
MAX_SKEW = 20.0
TEXT_SHARE = 0.5
"""A large-format page counts as a text page with at least this share of its ink in text."""
BALANCE_SCALE = 0.15
MARGIN_SCALE = 0.3
"""The up/down score is balance / BALANCE_SCALE + margin / MARGIN_SCALE (> 0: upright)."""
UNCERTAIN_SCORE = 0.4
"""Below this |score| tesseract's OSD is asked."""
OSD_MIN_CONFIDENCE = 2.0
FULL_EVIDENCE_VOTES = 1000
"""Ink pixels above and below the line cores (working copy) from which the up/down cue counts in
full; with fewer its confidence shrinks in proportion (a page of centred capitals has ~350)."""
ORIENTATION_REVIEW_BELOW = 0.5
"""A page whose orientation confidence is below this is flagged ``orientation_uncertain`` and
reviewed in QA whatever the sample (bench/imaging.py: see the README for the confidence of the
wrong decisions against this line)."""
OSD_FULL_TEXT_HEIGHT = 9
"""Median text height (working pixels) of the crop below which OSD's word counts less: on letters
8 px tall OSD turned an upright 1,024 px typewritten page with confidence 2.5 (bench/ocr_real.py,
Oulipo btv1b10010116f_7); its confidence shrinks in proportion, so such a decision is reviewed."""
DRAWING_TEXT = True
"""Drawings (large format, little running text) are turned by the direction of their text lines
and OSD on their densest text windows (``_drawing_orientation``); False: kept as scanned unless OSD
on the whole text confirms a turn (before issue 17's drawing fix)."""
SECOND_OPINION = True
"""A text page decided by its own cues with a confidence below ORIENTATION_REVIEW_BELOW asks the
OCR engine's OSD too: agreeing, the page is not flagged; disagreeing, it is (confidence 0.1)."""


@dataclass(frozen=True)
class OrientationEstimate:
    orientation: int
    """0, 90, 180 or 270: counter-clockwise turn of the page from upright."""
    confidence: float
    """0..1."""
    skew: float
    """degrees, counter-clockwise positive, in the upright frame."""
    skew_confidence: float
    components: int
    lines: int
    ascenders: int
    descenders: int
    margin_balance: float
    line_direction_ratio: float
    """row-profile score along the chosen text direction over the other (>1)."""
    text_page: bool
    """enough text to decide from text."""
    method: str
    """how the orientation was decided."""


def _rotate_mask_cw90(mask: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(mask, k=-1))


def rule_length(mm: float) -> int:
    return max(5, int(6 * mm))


def without_rules(mask: np.ndarray, mm: float) -> np.ndarray:
    """``mask`` without horizontal rules and underlines (runs of ink at least 6 mm long and thin):
    an underline below the baseline would count as descenders."""
    length = rule_length(mm)
    rules = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    if not rules.any():
        return mask
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    return mask & (1 - rules)


CROP_PAD = 3
"""Empty pixels kept around the ink's box in the straightened window."""


@dataclass(frozen=True)
class StraightFrame:
    """Where the straightened analysis happens: the window of the (turned) working copy rotated by
    ``angle`` (``rotate_array``'s expanded canvas) that holds the rotated box of its ink, with
    CROP_PAD pixels around it. Straightening, rule removal and labelling cost in proportion to the
    canvas, and the margins hold nothing to analyse. The window samples the source at the same
    positions as the whole canvas would (a shifted matrix, not a rotation of a crop)."""
    matrix: np.ndarray
    """the whole canvas's affine matrix, shifted to the window."""
    size: tuple[int, int]
    """width, height of the window."""

    @classmethod
    def around(cls, mask: np.ndarray, angle: float) -> "StraightFrame":
        h, w = mask.shape
        m, nw, nh = rotation_matrix(w, h, angle)
        x, y, bw, bh = cv2.boundingRect(mask)
        corners = np.array([[x, y, 1], [x + bw, y, 1], [x, y + bh, 1], [x + bw, y + bh, 1]], dtype=np.float64)
        out = corners @ m.T
        u0 = max(0, int(np.floor(out[:, 0].min())) - CROP_PAD)
        v0 = max(0, int(np.floor(out[:, 1].min())) - CROP_PAD)
        u1 = min(nw, int(np.ceil(out[:, 0].max())) + CROP_PAD + 1)
        v1 = min(nh, int(np.ceil(out[:, 1].max())) + CROP_PAD + 1)
        shifted = m.copy()
        shifted[0, 2] -= u0
        shifted[1, 2] -= v0
        return cls(shifted, (max(1, u1 - u0), max(1, v1 - v0)))

    def apply(self, arr: np.ndarray, interpolation: int, border: int) -> np.ndarray:
        return cv2.warpAffine(arr, self.matrix, self.size, flags=interpolation,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _line_direction(ink: Ink, max_points: int = 6000) -> tuple[bool, float]:
    """(text runs up/down the page?, how clearly): the ink pixels of text-like components form
    sharp rows along the text lines, much less so across them (even monospaced typewriter text,
    whose letters also line up in columns: the column gaps are narrow, the line gaps wide)."""
    keep = np.zeros(int(ink.labels.max()) + 1, dtype=bool)
    keep[ink.text_labels] = True
    # the ink pixels in row-major order (as np.flatnonzero gives them, at a third of its cost)
    points = cv2.findNonZero(ink.mask)
    points = np.zeros((0, 2), np.int32) if points is None else points.reshape(-1, 2)
    if len(points) > 3 * max_points:  # sample before looking up labels: the label image is big
        points = points[np.random.default_rng(0).integers(0, len(points), 3 * max_points)]
    flat = points[:, 1].astype(np.int64) * ink.mask.shape[1] + points[:, 0]
    flat = flat[keep[ink.labels.ravel()[flat]]][:max_points]
    ys, xs = np.divmod(flat, ink.mask.shape[1])
    xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    along = profile_sharpness(xs, ys)
    across = profile_sharpness(ys.max() - ys, xs)
    ratio = max(along, across) / max(1e-9, min(along, across))
    return across > along, ratio


def text_lines(stats: np.ndarray, min_members: int = 3) -> list[np.ndarray]:
    """Indices of the components of each text line (deskewed text), top to bottom: components
    whose centres are within 0.6 of the median component height of the previous one."""
    if len(stats) == 0:
        return []
    cy = stats[:, Y] + stats[:, H] / 2.0
    hm = float(np.median(stats[:, H]))
    order = np.argsort(cy)
    breaks = np.flatnonzero(np.diff(cy[order]) > 0.6 * hm) + 1
    return [m for m in np.split(order, breaks) if len(m) >= min_members]


def _margin_balance(text: Ink) -> float:
    """(left-aligned lines - right-aligned lines) / both: typed text is flush left, ragged right.

    Upside down, the ragged edge is on the left. Near 0 for justified or centred text.
    """
    stats = text.stats
    if len(stats) < MIN_COMPONENTS:
        return 0.0
    lines = text_lines(stats)
    if len(lines) < 4:
        return 0.0
    starts = [stats[m, X].min() for m in lines]
    ends = [(stats[m, X] + stats[m, W]).max() for m in lines]
    tol = max(2.0, float(np.median(stats[:, H])))

    def aligned(xs: list[int]) -> int:
        arr = np.asarray(xs, dtype=np.float64)
        return max(int((np.abs(arr - x) <= tol).sum()) for x in arr)

    left, right = aligned(starts), aligned(ends)
    return (left - right) / (left + right)


def _up_down_mass(text: Ink) -> tuple[int, int, int]:
    """(ink above the x-height band, ink below the baseline, lines used) of deskewed text.

    Components are grouped into lines by their centres; each line's row profile (its own
    components only) has a dense core between baseline and x-height; what sticks out above it
    (ascenders, capitals, dots) and below it (descenders) is summed over the lines. Works on whole
    words too: at working resolution typewritten letters often touch.
    """
    stats = text.stats
    if len(stats) == 0:
        return 0, 0, 0
    hm = float(np.median(stats[:, H]))
    up = down = lines = 0
    line_of = np.zeros(int(text.labels.max()) + 1, dtype=np.int32)  # label -> line number + 1
    groups = text_lines(stats)
    for number, members in enumerate(groups, start=1):
        line_of[text.text_labels[members]] = number
    for number, members in enumerate(groups, start=1):
        st = stats[members]
        x0, y0 = int(st[:, X].min()), int(st[:, Y].min())
        x1, y1 = int((st[:, X] + st[:, W]).max()), int((st[:, Y] + st[:, H]).max())
        if y1 - y0 < 6:
            continue
        own = line_of[text.labels[y0:y1, x0:x1]] == number
        # short pieces of the line: warped pages and typewriter jitter bend long lines
        u, d, used = _outside_core(own, max(8, int(6 * hm)))
        up, down, lines = up + u, down + d, lines + used
    return up, down, lines


def _outside_core(own: np.ndarray, piece: int) -> tuple[int, int, bool]:
    """Cut the line's pixels ``own`` into pieces ``piece`` wide; in each piece's row profile the
    core is the rows with at least half the fullest row's count: (pixels above the core, pixels
    below it, any piece usable). Pieces with fewer than 2 pixels in a row or a core thinner than
    3 rows are left out."""
    h, w = own.shape
    n = -(-w // piece)
    padded = np.zeros((h, n * piece), dtype=np.int32)
    padded[:, :w] = own
    profiles = padded.reshape(h, n, piece).sum(axis=2)  # one column per piece
    peak = profiles.max(axis=0)
    core = 2 * profiles >= peak[None, :]
    first = np.argmax(core, axis=0)
    last = h - 1 - np.argmax(core[::-1], axis=0)
    usable = (peak >= 2) & (core.sum(axis=0) >= 3)
    if not usable.any():
        return 0, 0, False
    cum = np.vstack([np.zeros((1, n), dtype=np.int64), np.cumsum(profiles, axis=0)])
    cols = np.flatnonzero(usable)
    above = cum[first[cols], cols].sum()
    below = (cum[h, cols] - cum[last[cols] + 1, cols]).sum()
    return int(above), int(below), True


def _rotate_grey(grey: np.ndarray, turned: bool, frame: StraightFrame, paper: int) -> np.ndarray:
    """The working copy in the frame of the straightened mask (same turn, crop and canvas), so
    that component boxes found on the straightened mask point at the same text."""
    if turned:
        grey = np.ascontiguousarray(np.rot90(grey, k=-1))
    return frame.apply(grey, cv2.INTER_LINEAR, int(paper))

def _osd_upside_down(ink: Ink, turned: bool, frame: StraightFrame, straight: Ink,
                     osd: OrientationDetector) -> tuple[bool | None, float]:
    """Ask the OCR engine's orientation detection (``osd``) whether the straightened text is
    upside down, on a crop of its text.

    Returns (upside down?, confidence), or (None, 0) when OSD has no clear opinion; the confidence
    of an opinion on text smaller than OSD_FULL_TEXT_HEIGHT is reduced in proportion.
    """
    grey = _rotate_grey(ink.work.grey, turned, frame, ink.work.paper)
    st = straight.stats
    if len(st) == 0:
        return None, 0.0
    # the text block, at most ~20 lines high, around its middle: OSD time grows with the text
    hm = float(np.median(st[:, H]))
    y0, y1 = int(np.percentile(st[:, Y], 5)), int(np.percentile(st[:, Y] + st[:, H], 95))
    x0, x1 = int(np.percentile(st[:, X], 2)), int(np.percentile(st[:, X] + st[:, W], 98))
    span = int(40 * hm)
    if y1 - y0 > span:
        mid = (y0 + y1) // 2
        y0, y1 = mid - span // 2, mid + span // 2
    pad = int(2 * hm)
    crop = grey[max(0, y0 - pad): y1 + pad, max(0, x0 - pad): x1 + pad]
    if crop.size == 0:
        return None, 0.0
    guess = osd.detect_orientation(Image.fromarray(np.ascontiguousarray(crop)), ink.work.dpi)
    if guess is None:
        return None, 0.0
    if guess.confidence < OSD_MIN_CONFIDENCE or guess.rotate not in (0, 180):
        return None, guess.confidence
    return guess.rotate == 180, guess.confidence * min(1.0, hm / OSD_FULL_TEXT_HEIGHT)


TEXT_WINDOW_LINES = 24
"""The text window OSD reads on a drawing is this many text heights high (a title block's rows)
and TEXT_WINDOW_WIDTH wide."""
TEXT_WINDOW_WIDTH = 100
TEXT_WINDOW_CELL = 4
"""The density grid's cell, in text heights."""
DRAWING_OSD_TEXT_HEIGHT = 20
"""A text window is enlarged (bicubic) until its median text height is about this many pixels."""
DRAWING_MAX_ENLARGE = 3
DRAWING_WEAK_OSD = 1.0
"""OSD's margin (sum of confidences for the winner minus the runner-up) that decides a drawing
when the title block's place agrees; OSD_MIN_CONFIDENCE decides alone."""
DRAWING_PRIOR_WEIGHT = 1.5
"""What the title block's usual place adds to OSD's margin (confidence = margin / 5)."""
DRAWING_PRIOR_BAND = 0.2
"""The densest text window's centre beyond 0.5 +- this along the top-left/bottom-right diagonal
counts for (bottom right) or against (top left) an orientation."""
DRAWING_OSD_WINDOWS = 2
"""At most this many text windows (the densest, then the densest apart from it) are read by OSD."""


def _text_windows(straight: Ink, n: int = DRAWING_OSD_WINDOWS) -> list[tuple[int, int, int, int, float, float]]:
    """The ``n`` densest windows of text-like components in the straightened frame, densest first:
    (x0, y0, x1, y1, fx, fy), fx and fy the centre's place across and down the ink (0..1).

    A drawing's words gather in its title block and its labels; OSD reads a window of them far
    better than the whole sheet, which is mostly lines and paper."""
    st = straight.stats
    h, w = straight.mask.shape
    hm = max(4.0, float(np.median(st[:, H])))
    cell = max(4, int(TEXT_WINDOW_CELL * hm))
    gw, gh = -(-w // cell), -(-h // cell)
    grid = np.zeros((gh, gw), np.float32)
    cx = ((st[:, X] + st[:, W] / 2) // cell).astype(int).clip(0, gw - 1)
    cy = ((st[:, Y] + st[:, H] / 2) // cell).astype(int).clip(0, gh - 1)
    np.add.at(grid, (cy, cx), 1.0)
    kw = max(1, int(round(TEXT_WINDOW_WIDTH * hm / cell)))
    kh = max(1, int(round(TEXT_WINDOW_LINES * hm / cell)))
    dens = cv2.boxFilter(grid, -1, (kw, kh), normalize=False, borderType=cv2.BORDER_CONSTANT)
    x, y, bw, bh = cv2.boundingRect(straight.mask)
    out = []
    for _ in range(n):
        iy, ix = np.unravel_index(int(np.argmax(dens)), dens.shape)
        if dens[iy, ix] < 8:  # fewer components than a line or two: nothing to read
            break
        ccx, ccy = (ix + 0.5) * cell, (iy + 0.5) * cell
        x0, x1 = int(ccx - kw * cell / 2), int(ccx + kw * cell / 2)
        y0, y1 = int(ccy - kh * cell / 2), int(ccy + kh * cell / 2)
        fx, fy = (ccx - x) / max(1, bw), (ccy - y) / max(1, bh)
        out.append((max(0, x0), max(0, y0), min(w, x1), min(h, y1), float(fx), float(fy)))
        dens[max(0, iy - kh): iy + kh + 1, max(0, ix - kw): ix + kw + 1] = 0
    return out


def _window_from_source(source: Image.Image, work_shape: tuple[int, int], scale: float, turned: bool,
                        frame: StraightFrame, window: tuple[int, int, int, int], zoom: float) -> np.ndarray:
    """The text window ``window`` of the straightened frame, cut from the full-resolution scan
    ``source`` (turned and straightened like the working copy, ``zoom`` output pixels per working
    pixel): OSD reads the scan's own letters, not the working copy's blurred ones."""
    h, w = work_shape
    x0, y0, x1, y1 = window
    s = np.array([[scale, 0, 0.5 * scale - 0.5], [0, scale, 0.5 * scale - 0.5], [0, 0, 1]])
    t = np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64) if turned else np.eye(3)
    f = np.vstack([frame.matrix, [0, 0, 1]])
    z = np.array([[zoom, 0, -zoom * x0], [0, zoom, -zoom * y0], [0, 0, 1]])
    m = z @ f @ t @ s  # source pixel -> output pixel
    size = (max(1, int((x1 - x0) * zoom)), max(1, int((y1 - y0) * zoom)))
    corners = np.array([[0, 0, 1], [size[0], 0, 1], [0, size[1], 1], [size[0], size[1], 1]], dtype=np.float64)
    back = corners @ np.linalg.inv(m).T
    left, top = max(0, int(back[:, 0].min()) - 2), max(0, int(back[:, 1].min()) - 2)
    right = min(source.width, int(np.ceil(back[:, 0].max())) + 2)
    bottom = min(source.height, int(np.ceil(back[:, 1].max())) + 2)
    if right <= left or bottom <= top:
        return np.zeros((0, 0), np.uint8)
    piece = source.crop((left, top, right, bottom))
    grey = np.asarray(piece if piece.mode == "L" else piece.convert("L"))
    m = m @ np.array([[1, 0, left], [0, 1, top], [0, 0, 1]], dtype=np.float64)
    paper = int(np.percentile(grey, 95)) if grey.size else 255
    # (warpAffine takes INTER_AREA as INTER_LINEAR: a reduction, rare here, is linear too)
    return cv2.warpAffine(np.ascontiguousarray(grey), m[:2], size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=paper)


def _towards_bottom_right(fx: float, fy: float, turn: int) -> float:
    """Where a point at (fx, fy) of the page (fractions across and down) lands along the diagonal
    from top-left (0) to bottom-right (1) once the page is turned ``turn`` degrees clockwise."""
    for _ in range(turn // 90):
        fx, fy = 1.0 - fy, fx
    return (fx + fy) / 2


def _drawing_orientation(ink: Ink, turned: bool, frame: StraightFrame, straight: Ink,
                         osd: OrientationDetector, source: Image.Image | None = None
                         ) -> tuple[int | None, float, str]:
    """The orientation of a drawing: OSD on its densest text windows (title block, labels), cut
    from the scan turned as the text-line direction says (``turned``) and straightened; each
    window's answer (0/90/180/270: OSD may overrule the line direction) is a vote weighted by
    OSD's confidence. The title block's usual place (bottom right of the upright drawing: where
    the densest window lands) checks the winner: agreeing it adds DRAWING_PRIOR_WEIGHT and lets a
    weak vote (DRAWING_WEAK_OSD) decide; disagreeing, the page is left to a person.

    Returns (orientation, confidence 0..1, method), orientation None without an opinion."""
    if len(straight.stats) < MIN_COMPONENTS:
        return None, 0.0, "kept (no clear evidence)"
    base = 90 if turned else 0
    grey = _rotate_grey(ink.work.grey, turned, frame, ink.work.paper) if source is None else None
    hm = float(np.median(straight.stats[:, H]))
    factor = max(1, min(DRAWING_MAX_ENLARGE, math.ceil(DRAWING_OSD_TEXT_HEIGHT / hm)))
    if source is not None:  # the scan's own pixels: as fine as it has them, at most the target height
        factor = max(1.0, min(DRAWING_MAX_ENLARGE / ink.work.scale, DRAWING_OSD_TEXT_HEIGHT / hm))
    votes = dict.fromkeys((0, 90, 180, 270), 0.0)  # relative to ``base``
    windows = _text_windows(straight)
    for x0, y0, x1, y1, _, _ in windows:
        if source is not None:
            crop = _window_from_source(source, ink.work.grey.shape, ink.work.scale, turned, frame,
                                       (x0, y0, x1, y1), factor)
        else:
            crop = grey[y0:y1, x0:x1]
            if factor > 1:  # OSD needs letters, not blobs: a drawing's labels are small in the working copy
                crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        if crop.size == 0:
            continue
        guess = osd.detect_orientation(Image.fromarray(np.ascontiguousarray(crop)), ink.work.dpi * factor)
        if guess is not None and guess.rotate in votes:
            votes[guess.rotate] += guess.confidence
    ranked = sorted(votes, key=votes.get, reverse=True)
    best = ranked[0]
    strength = votes[best] - votes[ranked[1]]
    place = _towards_bottom_right(windows[0][4], windows[0][5], best) if windows else 0.5
    prior = 1 if place > 0.5 + DRAWING_PRIOR_BAND else -1 if place < 0.5 - DRAWING_PRIOR_BAND else 0
    if strength >= OSD_MIN_CONFIDENCE and prior < 0:  # OSD against the title block's usual place
        return (base + best) % 360, min(0.1, strength / 5.0), "drawing text, title block disagrees"
    if strength >= OSD_MIN_CONFIDENCE or (strength >= DRAWING_WEAK_OSD and prior > 0):
        conf = min(1.0, (strength + DRAWING_PRIOR_WEIGHT * max(0, prior)) / 5.0)
        return (base + best) % 360, conf, "drawing text" + (", title block agrees" if prior > 0 else "")
    return None, 0.0, "kept (no clear evidence)"


def estimate_orientation(ink: Ink, large_format: bool = False,
                         osd: OrientationDetector | None = None,
                         source: Image.Image | None = None) -> OrientationEstimate:
    """Orientation and skew of the page whose ink is ``ink``.

    Text pages are decided from the line direction and two up/down cues: the ascender balance
    and the flush-left margin. When both are weak, the OCR engine's orientation detection
    (``osd``, optional: see ``ocr.engines.OrientationDetector``) breaks the tie. Large-format
    pages with little running text (drawings) keep their orientation unless OSD confirms a turn.
    """
    stats = ink.stats
    n = len(stats)
    if n < MIN_COMPONENTS:
        return OrientationEstimate(0, 0.0, 0.0, 0.0, n, 0, 0, 0, 0.0, 1.0, False, "too little text")
    turned, ratio = _line_direction(ink)

    mask = _rotate_mask_cw90(ink.mask) if turned else ink.mask
    text = find_ink(ink.work, mask) if turned else ink
    st = text.stats
    bx = st[:, X] + st[:, W] / 2.0
    by = (st[:, Y] + st[:, H]).astype(np.float64)
    fine = search_skew(bx, by, MAX_SKEW, coarse_step=0.25)
    frame = StraightFrame.around(mask, fine.angle)
    straight_mask = frame.apply(mask, cv2.INTER_NEAREST, 0)
    # a run of L ink pixels in the straightened mask lies in one component at least L cos(20 deg)
    # wide before straightening: without such a wide component there is no rule to take out
    widths = ink.all_stats[:, H if turned else W] if len(ink.all_stats) else np.zeros(1)
    if widths.max() >= 0.9 * rule_length(ink.mm):
        straight_mask = without_rules(straight_mask, ink.mm)
    straight = find_ink(ink.work, straight_mask)
    up, down, lines = _up_down_mass(straight)
    votes = up + down
    balance = (up - down) / votes if votes else 0.0
    margin = _margin_balance(straight)
    score = balance / BALANCE_SCALE + margin / MARGIN_SCALE
    text_page = (ink.text_share >= TEXT_SHARE or not large_format) and lines >= 5 and votes >= 200
    skew_conf = round(min(1.0, (fine.sharpness - 1.0) / 2.0), 3)
    dir_conf = min(1.0, (ratio - 1.0) / 0.5)

    method = "text"
    # without clear evidence a page stays as scanned; OSD may overrule below
    flipped = score <= -UNCERTAIN_SCORE
    # a strong-looking balance from few pixels (capitals and digits only, a short line or two) is
    # the font's noise, not evidence: the confidence grows with the pixels counted
    ud_conf = min(1.0, abs(score) / 2.0) * min(1.0, votes / FULL_EVIDENCE_VOTES)
    short_text = not text_page and not large_format and lines >= 2 and votes >= 100
    if text_page:
        ask = abs(score) < UNCERTAIN_SCORE
    else:
        ask = short_text or turned or flipped
    drawing = large_format and not text_page
    if drawing and osd is not None and DRAWING_TEXT:
        # a drawing: most of its words (title block, labels) run horizontally in the upright
        # drawing, so the line direction gives the likely quarter turn; OSD on its densest text
        # (the title block) reads which way up, the title block's usual place (bottom right) checks it
        found, ud_conf, method = _drawing_orientation(ink, turned, frame, straight, osd, source)
        turned, flipped = (found or 0) in (90, 270), (found or 0) >= 180
        # OSD read the letters in the frame the line direction gave: its answer covers the axis too
        dir_conf = 1.0
    elif ask and osd is not None:
        osd_flip, osd_conf = _osd_upside_down(ink, turned, frame, straight, osd)
        if osd_flip is not None:
            flipped, ud_conf, method = osd_flip, min(1.0, osd_conf / 5.0), "text+osd"
        elif not text_page and not (short_text and abs(score) >= 1.0):
            turned = flipped = False
            method = "kept (no clear evidence)"
    elif ask and not text_page and not (short_text and abs(score) >= 1.0):
        turned = flipped = False
        method = "kept (no clear evidence)"

    orientation = (90 if turned else 0) + (180 if flipped else 0)
    decided = orientation or text_page or (drawing and method.startswith("drawing"))
    confidence = round(min(dir_conf, ud_conf), 3) if decided else 0.0
    if text_page and not ask and osd is not None and confidence < ORIENTATION_REVIEW_BELOW and SECOND_OPINION:
        # the page's cues decided, weakly: a second, independent opinion settles it when it agrees
        # (OSD reads the letters, the cues count pixels), and leaves the page to a person when not
        osd_flip, osd_conf = _osd_upside_down(ink, turned, frame, straight, osd)
        if osd_flip is not None and osd_flip == flipped:
            confidence, method = round(max(confidence, min(1.0, osd_conf / 5.0)), 3), "text, osd agrees"
        elif osd_flip is not None:
            confidence, method = round(min(confidence, 0.1), 3), "text, osd disagrees"
    return OrientationEstimate(orientation, confidence, fine.angle, skew_conf, n, lines, up, down,
                               round(margin, 3), round(ratio, 3), text_page, method)
