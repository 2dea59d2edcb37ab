"""A second, relative look at a page the ink threshold calls blank: is there faint type on it?

The first look (``ink.ink_mask``) counts as ink what is darker than 62 % of the paper level. Grey
type on grey paper stays above that line: a real typewritten page (tapuscorpus, Giono *Colline* II
p. 305: type ~186 on paper ~229) showed 4 ink components and was called blank, so its text silently
left the document's PDF. A text page taken for blank is worse than a missed word.

This look measures ink against the page's own neighbourhood (``ink.relative_mask``: a median
background, a shape level of 6 % of the paper, hysteresis on the components' darkest pixel) and
asks whether the text-like components stand in lines (a horizontal smear of ~3 mm joins the letters
of a typed line), and whether those lines read as the mirror image of a typed page (flush right with the
ascenders up, or flush left with them down), i.e. show-through from the back. Three verdicts:

- **text**: at least ``MIN_LINES`` lines, not mirrored, whose letters stand out by ``TEXT_SEED``
  (16 %) of the paper: the page is not blank; imaging goes on with the relative ink (orientation,
  skew), OCR reads it, it is in the PDF, and QA has it reviewed (faint type: legible? rescan?).
- **uncertain**: such lines only at ``UNCERTAIN_SEED`` (9 %), or mirrored lines at 16 %: the page
  stays blank (no OCR) but is kept in the PDF whatever ``keep_blank`` says, and QA always has it
  reviewed.
- **blank**: no lines even at 9 %, or only mirrored ones there (show-through).

Why these levels (``bench/imaging.py --blank``; tuned on the Giono page and dev-folders, scored on
dev-stack, dev-planted and the other real scans): the dev deliveries' blank backs carry mirrored
show-through (``bleed`` up to 0.12, blurred) whose marks peak at 5-7 % of the paper level and form
no line at 9 %; the Giono page's letters peak at 20-56 % (10th-90th percentile, median 26 %). The
tests' generated blank back (``tests/pagegen.blank_back``: sharp mirrored type at 11.7 %) forms
lines at 9 % that are flush right: show-through, blank. Only pages the first look calls blank get
this look (~100-250 ms on the working copy); ordinary pages pay nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from digitalisering.imaging.ink import H, W, Ink, WorkingImage, components, find_ink

TEXT_SEED = 0.16
"""A page's faint type: letters whose darkest pixel stands out of the paper by this share of its level."""
UNCERTAIN_SEED = 0.09
"""Lines of marks this faint (but not TEXT_SEED) leave a blank verdict uncertain: kept and reviewed."""
MIN_LINES = 3
"""Text: at least this many lines."""
LINE_GAP_MM = 3.0
"""Letters and words nearer than this on one height are one line (a typewriter's word space is ~2.5 mm)."""
MIN_LINE_COMPONENTS = 5
MIN_LINE_MM = 20.0
MAX_LINE_HEIGHT_MM = 12.0
FLUSH_MM = 2.5
"""Line ends within this of the outermost one are flush with it."""
MIRROR_FLUSH = 0.5
MIRROR_MARGIN = 0.25
"""A flush side: at least MIRROR_FLUSH of the lines end flush on it, MIRROR_MARGIN more than on the
other side (typed pages are flush left; their show-through, a mirror image, flush right)."""


@dataclass(frozen=True)
class FaintLook:
    verdict: str
    """'text', 'uncertain' or 'blank'."""
    lines: int
    """Lines of text-like components found (at TEXT_SEED for 'text', at UNCERTAIN_SEED otherwise)."""
    ink: Ink | None = None
    """The relative ink of a 'text' page (its working copy has ``relative`` set)."""


@dataclass(frozen=True)
class Lines:
    count: int
    parity: int = 0
    """+1: the lines read as a typed page (flush left with ascenders up, or turned upside down:
    flush right with ascenders down); -1: as its mirror image (flush right with ascenders up, or
    flush left with ascenders down), i.e. show-through from the back; 0: no clear flush side."""

    @property
    def mirrored(self) -> bool:
        return self.parity < 0


def text_lines(ink: Ink) -> Lines:
    """The lines the text-like components of ``ink`` form, along the rows or, on a page turned a
    quarter, along the columns: components joined by a smear of LINE_GAP_MM, a line at least
    MIN_LINE_MM long holding MIN_LINE_COMPONENTS or more."""
    if len(ink.stats) < MIN_LINE_COMPONENTS:
        return Lines(0)
    lut = np.zeros(int(ink.labels.max()) + 1, np.uint8)
    lut[ink.text_labels] = 1
    text = lut[ink.labels]
    rows = _lines(text, ink.stats, ink.mm)
    if rows.count >= MIN_LINES:
        return rows
    # a page turned a quarter: its columns, transposed (a transpose is itself a mirror image)
    columns = _lines(np.ascontiguousarray(text.T), ink.stats[:, [1, 0, 3, 2, 4]], ink.mm)
    return Lines(columns.count, -columns.parity) if columns.count > rows.count else rows


def _lines(text: np.ndarray, st: np.ndarray, mm: float) -> Lines:
    gap = max(3, int(round(LINE_GAP_MM * mm)))
    smeared = cv2.dilate(text, np.ones((1, gap), np.uint8))
    n, labels, stats = components(smeared)
    if n <= 1:
        return Lines(0)
    cx = np.clip(st[:, 0] + st[:, W] // 2, 0, labels.shape[1] - 1)
    cy = np.clip(st[:, 1] + st[:, H] // 2, 0, labels.shape[0] - 1)
    member_of = labels[cy, cx].astype(np.int64)
    members = np.bincount(member_of, minlength=n)
    width = stats[:, W] - gap  # the smear widens a line by the gap on its right
    line = (members >= MIN_LINE_COMPONENTS) & (width >= MIN_LINE_MM * mm) & (stats[:, H] <= MAX_LINE_HEIGHT_MM * mm)
    line[0] = False
    count = int(line.sum())
    if count < MIN_LINES:
        return Lines(count)
    left = stats[line, 0].astype(np.float64)
    right = left + width[line]
    flush = FLUSH_MM * mm
    flush_left = float(np.mean(left <= left.min() + flush))
    flush_right = float(np.mean(right >= right.max() - flush))
    if flush_right >= MIRROR_FLUSH and flush_right > flush_left + MIRROR_MARGIN:
        flush_side = -1
    elif flush_left >= MIRROR_FLUSH and flush_left > flush_right + MIRROR_MARGIN:
        flush_side = 1
    else:
        return Lines(count)
    return Lines(count, flush_side * _ascenders(text, labels, stats, np.flatnonzero(line)))


def _ascenders(text: np.ndarray, labels: np.ndarray, stats: np.ndarray, lines: np.ndarray) -> int:
    """+1 when the lines carry more ink above their core band (the rows as dark as half the densest
    one: the x-height) than below it (ascenders and capitals outweigh descenders in upright Latin
    type), else -1.

    Measured on each line's row profile, not per letter: at 150 ppi a sharp show-through's letters
    run together into words whose tops all reach the ascender line, so counting letters that reach
    above their line's median top found none and called a mirrored back upright (kept, reviewed)."""
    above = below = 0
    for i in lines:
        x, y, w, h = (int(v) for v in stats[i, :4])
        profile = ((labels[y:y + h, x:x + w] == i) & (text[y:y + h, x:x + w] > 0)).sum(axis=1)
        core = np.flatnonzero(profile >= 0.5 * profile.max())
        above += int(profile[:core[0]].sum())
        below += int(profile[core[-1] + 1:].sum())
    return 1 if above > below else -1


def look(work: WorkingImage) -> FaintLook:
    """The second look at a page whose ink (``ink.find_ink``) is below the blank line."""
    weak = text_lines(find_ink(replace(work, relative=UNCERTAIN_SEED)))
    if weak.count < MIN_LINES:
        return FaintLook("blank", weak.count)
    strong_ink = find_ink(replace(work, relative=TEXT_SEED))
    strong = text_lines(strong_ink)
    if strong.count >= MIN_LINES:
        # mirrored lines this dark: strong show-through or a page scanned mirrored; keep it
        return FaintLook("uncertain", strong.count) if strong.mirrored else FaintLook("text", strong.count, strong_ink)
    # faint lines: uncertain, unless they are the mirror image of the front (show-through)
    return FaintLook("blank" if weak.mirrored else "uncertain", weak.count)
