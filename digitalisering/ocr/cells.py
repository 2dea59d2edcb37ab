"""Ruled tables and title blocks read cell by cell, each cell line by line.

The page reading (``ocr.engine``) finds columns, paragraphs and lines on the whole page; a ruled
grid does not fit that picture. On the dev-folders delivery (the pages of ``bench/ocr_lines.py``
that hold tables and title blocks, read as the OCR stage reads them, with the second reading;
crops of the missed lines looked at) 46 words of 3+ letters of these kinds were missed, for these
causes:

- **the grid left unread** (31: 21 title-block values, 10 labels): the page reading took two
  drawings' title blocks for pictures and returned no word or a few letters for them (a clean
  300 ppi block, and a negative print at 150 ppi, light lines on a dark ground, which the
  flattened copy no longer shows as text); the second reading (``ocr.reread``) did not get them
  back either (the block joins the drawing's region, too large to read again);
- **rows read into each other** (8: 5 table, 3 table-header words): a berekening's table has tight
  rows in a ruled box with a dashed rule through its header; the page reading joined pieces of two
  rows into one line (``belastin ei en nuttige astin``) or cut words (``totaa``, ``gewic``);
- **small type at 150 ppi** (4) and **letters at their cell's rule** (3: ``PERGEEL``, ``EK`` of
  ``WERK``). Words under 3 letters (``kg``, ``de``, ``No``) are not counted by the bench.

So the grid is found (``ocr.grid``: the ruled lines by a morphological opening along rows and
columns, on the copy before ``ocr.cleanup`` paints the rules over, a negative print inverted) and each of its cells,
with a neighbouring cell (a lone box is a stamp's frame, not a grid), is cut out with its rules
painted over, enlarged when its type is small, and put on one sheet that the engine reads once as
sparse text (laid out and its words brought back to the page by ``ocr.sheet``): one more engine
call on a page with a grid the page reading was unsure of, none on a page without (only such cells
go on the sheet: ``_unsure``). A cell's words
take the place of the page reading's words in it only when they are better (more confident
characters, ``_better``): good first-pass words are never replaced with worse ones. The grid's
words are brought back to page pixels and make one block, row by row (cells in order of their row,
then their left; lines in a cell top to bottom), so a title block reads ``WERK verbouw``,
``PERCEEL Breestraat 12`` instead of all labels and then all values.

Tables, looked at again (dev-folders, the 8 pages with a table; each missed table and header
word's crop looked at after the first and second reading and this pass as it was): 8 of 64 words
missed, all in the berekening's ruled load table, whose box is drawn without regard to its rows:

- **the header rule through the header's letters** (3: ``omschrijving``, ``belasting``): the
  header cell held the letters' upper halves, the body cell their lower halves, and neither
  reading read them (``gaschrijving``, ``Opschrijving``);
- **tight rows read into each other** (3: ``eigen``, ``gewicht``, ``belasting``): the body is one
  cell of three rows whose descenders touch the next row's ascenders (``ei en gewie t‚yloer``);
- **the last row struck through by the bottom rule** (2: ``totaal``): read as ``tot`` + ``aa``, or
  left out while the rows above it were read at 90 % and more, so the cell was not read again.

No table without rules, no unit or amount (the bench counts words of 3+ letters: ``kg/m2`` has
none) and no table split over columns in the reading order was among them. So a cell is read by
its lines of type (``_rows``): the letters that lie at least a third inside it, out to
``REACH_MM`` beyond its rules, split at the deep valleys of their row profile (``_line_cuts``),
a letter joined to the next line's cut at the border, each line cut out alone and put on the
sheet with paper around it; two cells one above the other whose shared rule runs through type
are one cell (``grid.merge_crossed``); dashed rules (gaps up to ``DASH_GAP_MM``) go like solid ones
(``_dashed``); a cell with a line in which the page reading put no word is read again
(``_unsure``); per line the better reading is kept, and a line both readings read alike is kept
as surer (``_agreed``: else the second reading replaced a doubtful but right header with a
confident fragment of it).

The numbers were chosen on dev-folders and are scored on dev-stack and dev-planted
(``bench/ocr_lines.py --kinds ... --before REV``, see its docstring and docs/architecture.md, OCR
decisions). On dev-folders (tuned on): title-block values 0.896 -> 1.000, labels 0.853 -> 0.980,
tables 0.896 and table headers 0.812 unchanged; the rows read into each other are not mended.
Held out (dev-stack + dev-planted, the 27 pages with these kinds, before and after in one run):
title blocks 0.886 -> 0.892, labels 0.869 -> 0.881, tables 0.859 -> 0.872, table headers 0.885
equal, no other kind changed; OCR stage time on those pages x1.149. Read line by line (dev-folders,
the 30 pages with tables or title blocks, tuned on): tables 0.896 -> 0.979, headers 0.812 ->
1.000, title-block labels 0.977 -> 0.985, the rest equal; held out (dev-stack + dev-planted, 48
pages with tables, title blocks or forms, scored once): tables 0.872 -> 0.962, headers 0.885 ->
0.962, form values 0.972 -> 0.969, the rest equal or better; OCR stage time x1.019, within the
run's noise (x1.024 on the pages without a grid).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from digitalisering.ocr.cleanup import RULE_MAX_THICK_MM, long_runs
from digitalisering.ocr.engines import OcrEngine
from digitalisering.ocr.grid import RULE_INK, RULE_MM, Cell, find_cells, merge_crossed, reading_order, upright_grey
from digitalisering.ocr.model import Block, Line, PageText, Word
from digitalisering.ocr.sheet import Sheet, centre_in, lay_out, paper_grey, scaled

PAD_MM = 0.5
"""A cell is read out to this beyond its box (to its rules, which are painted over)."""
REACH_MM = 3.0
"""A cell's letters are looked for out to this above and below its box: a line of type struck
through by the cell's top or bottom rule (a table's last row) still belongs to it when at least
half of each letter lies inside (the generated berekening tables: letters of 3.2-4.2 mm)."""
DASH_GAP_MM = 2.0
"""Gaps up to this long in a cell's rule make it a dashed rule (a header's dashed rule through its
letters, which ``grid.find_cells`` closing only 0.3 mm does not take for a rule: the cell holds both)."""
DASH_SPAN = 0.6
"""A dashed rule runs over at least this share of its cell's width: a header word it runs through
is shorter (closed up, the word and the rule make one thick band, which stays)."""
VALLEY = 0.7
"""Two lines of type part where the ink between them falls below this share of the lower line's
(on dev-folders' tight tables the valleys between rows were 0.28-0.64 of the lower row's peak;
the test title block's valleys inside one line of small type 0.82-0.99)."""
BEYOND_LETTERS = 0.6
"""A letter joined to one outside the cell (tall, across the cell's rule) loses what lies beyond
the rule only when that reaches further out than this many letter heights: the foot of a last
row struck through by the bottom rule (joined to a descender of the row above) stays."""
INSIDE_SHARE = 1 / 3
"""A letter belongs to a cell when at least this share of its height lies inside the cell's box
(the bottom rule of a dev-folders table ran through a row at 0.6 of its letters' height; 0.5
lost its letters)."""
TARGET_HEIGHT_PX = 32
"""Small type is enlarged until its median letter is about this high, at most MAX_ENLARGE times."""
MAX_ENLARGE = 3.0
MAX_SHEET_MEGAPIXELS = 6.0
"""The sheet holds cells in reading order up to this size."""
MIN_CONF = 70.0
"""Cell words read with less confidence are left out (not tuned: between the second reading's
DOUBT_CONF and MIN_CONF; a cell's words still have to beat the page reading's, ``_better``),
unless the page reading read the same line alike (``_agreed``)."""
MIN_CHARS = 1
SURE_CONF = 90.0
"""A cell whose words the page reading gave with at least this confidence, each, is not read again
(a form's boxes read well cost no engine call)."""



@dataclass(frozen=True)
class CellRows:
    """What a cell holds to read: its lines of type, each cut out on its own (``_rows``)."""
    rows: list[np.ndarray]
    """Each line of type, grey, dark ink on light paper: only its own letters (the rules, the
    other lines' letters and the next cells' letters painted over with paper)."""
    origins: list[tuple[int, int]]
    """Where each row's top left lies on the page."""
    letter: float | None
    """The cell's median letter height in page pixels (None: no letters)."""
    reach: tuple[int, int, int, int]
    """Where the cell's type lies on the page: its box, and beyond it where its letters cross its
    rules (a table's last row struck through by the table's bottom rule)."""


@dataclass(frozen=True)
class Grid:
    """The cells of a page's ruled grids, in reading order, each with its lines to read."""
    cells: list[Cell]
    reads: list[CellRows]
    paper: int


def find_grid(image: Image.Image, dpi: float) -> Grid:
    """The cells of the ruled grids of a straightened page, read off the copy before
    ``ocr.cleanup`` paints its rules over; their lines come from that copy too (``_rows``; the
    flattened copy of a negative print is no longer readable). Two cells one above the other whose
    shared rule runs through letters are one cell (``grid.merge_crossed``)."""
    grey = upright_grey(image)
    paper = paper_grey(grey)
    cells = find_cells(grey, dpi)
    if cells:
        cells = reading_order(merge_crossed(grey, cells, dpi, paper))
    return Grid(cells, [_rows(grey, cell, dpi, paper) for cell in cells], paper)


def _rows(grey: np.ndarray, cell: Cell, dpi: float, paper: int) -> CellRows:
    """The lines of type of ``cell``: its letters (ink less the rules, ``ocr.cleanup.long_runs``:
    where a letter crosses a rule, the letter stays) that lie at least half inside its box, out to
    ``REACH_MM`` beyond its top and bottom (letters struck through by the cell's rule), split into
    lines at the least inked row between two lines (``_line_cuts``); a letter joined to one of the
    next line (a descender touching an ascender in tight rows) is cut there. Each line is cut out
    with only its own letters: tight rows read as one picture run into each other
    (``belastin ei en nuttige astin``)."""
    mm = dpi / 25.4
    h, w = grey.shape
    bx0, by0, bx1, by1 = cell.box
    pad, reach = int(round(PAD_MM * mm)), int(round(REACH_MM * mm))
    x0, y0, x1, y1 = max(0, bx0 - pad), max(0, by0 - reach), min(w, bx1 + pad), min(h, by1 + reach)
    crop = grey[y0:y1, x0:x1]
    ink = (crop < paper * RULE_INK).astype(np.uint8)
    long = int(round(min(RULE_MM * mm, 0.8 * (bx1 - bx0))))
    thick = max(1, int(round(RULE_MAX_THICK_MM * mm)))
    rules = long_runs(ink, long, thick)
    rules |= _dashed(ink & ~rules, max(long, int(DASH_SPAN * (bx1 - bx0))), thick, mm)
    letters = (ink & ~cv2.dilate(rules.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(letters, connectivity=8)
    ys, yt = stats[1:, 1], stats[1:, 1] + stats[1:, 3]
    inside = np.minimum(yt, by1 - y0) - np.maximum(ys, by0 - y0)
    cx = stats[1:, 0] + stats[1:, 2] / 2
    keep = ((inside >= INSIDE_SHARE * stats[1:, 3]) & (cx >= bx0 - x0) & (cx < bx1 - x0)
            & (stats[1:, 4] >= max(2, (0.15 * mm) ** 2)))
    heights = stats[1:, 3][keep]
    letter_sized = heights[(heights >= 0.8 * mm) & (heights <= 8 * mm)]
    if not len(letter_sized):
        return CellRows([], [], None, cell.box)
    letter = float(np.median(letter_sized))
    keep |= _feet(stats[1:], keep, (by0 - y0, by1 - y0), thick + 3 + pad, letter)
    mask = np.r_[False, keep][labels]
    # letters joined across the cell's rule to a letter outside it (a descender of the line above
    # the table touching the table's header): what lies beyond the rule is not the cell's
    inner_top, inner_bottom = by0 - y0 - pad, by1 - y0 + pad
    beyond = BEYOND_LETTERS * letter  # further out than the foot of a row struck through by the rule
    for k in np.flatnonzero(keep & (stats[1:, 3] > 1.3 * letter)
                            & ((ys < inner_top - beyond) | (yt > inner_bottom + beyond))) + 1:
        x, y, bw, bh = (int(v) for v in stats[k, :4])
        rows = np.arange(y, y + bh)
        out = (rows < inner_top) if y < inner_top - beyond else np.zeros(bh, bool)
        if y + bh > inner_bottom + beyond:
            out |= rows >= inner_bottom
        mask[rows[out], x:x + bw] = False
    cuts = _line_cuts(mask.sum(axis=1), letter)
    bounds = [0, *cuts, mask.shape[0]]
    row_of = np.zeros(mask.shape, np.int16)  # each pixel's line: by its letter, or by the cut
    for k in np.flatnonzero(keep) + 1:
        x, y, bw, bh = (int(v) for v in stats[k, :4])
        own = (labels[y:y + bh, x:x + bw] == k) & mask[y:y + bh, x:x + bw]
        crossing = [c for c in cuts if y + 0.3 * letter <= c <= y + bh - 0.3 * letter]
        if crossing:  # joined to a letter of the next line: cut at the lines' border
            rows = np.searchsorted(cuts, np.arange(y, y + bh), side="right")
            row_of[y:y + bh, x:x + bw][own] = np.broadcast_to(rows[:, None], own.shape)[own]
        else:
            row_of[y:y + bh, x:x + bw][own] = int(np.searchsorted(cuts, y + bh / 2, side="right"))
    out, origins = [], []
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)  # letters' soft edges
    near_row = cv2.dilate(row_of.astype(np.uint16), np.ones((3, 3), np.uint8))
    top_all, bottom_all = by0, by1
    for r in range(len(bounds) - 1):
        mine = mask & (row_of == r)
        if not mine.any():
            continue
        rows_at, cols_at = np.flatnonzero(mine.any(axis=1)), np.flatnonzero(mine.any(axis=0))
        t, b = max(0, rows_at[0] - 2), min(mask.shape[0], rows_at[-1] + 3)
        l, rgt = max(0, cols_at[0] - 2), min(mask.shape[1], cols_at[-1] + 3)
        # the row's letters with their soft edges, on paper: no rule, no other line's letters
        keep_px = (mine | (grown & ~mask & (near_row == r)))[t:b, l:rgt]
        tile = np.full((b - t, rgt - l), paper, np.uint8)
        tile[keep_px] = crop[t:b, l:rgt][keep_px]
        out.append(tile)
        origins.append((x0 + l, y0 + t))
        top_all, bottom_all = min(top_all, y0 + t), max(bottom_all, y0 + b)
    return CellRows(out, origins, letter, (bx0, top_all, bx1, bottom_all))


def _feet(stats: np.ndarray, keep: np.ndarray, edges: tuple[int, int], near: float, letter: float) -> np.ndarray:
    """Pieces of the cell's letters that its rule cut off beyond it: small (below 0.7 letters),
    outside the box but within ``near`` of its edge, under or over a letter kept (the foot of
    ``totaal`` below the table's bottom rule, the tops of a header's letters above its rule)."""
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    top, bottom = edges
    outside = ((y + h <= top) & (y + h >= top - near)) | ((y >= bottom) & (y <= bottom + near))
    found = np.zeros(len(stats), bool)
    kept = np.flatnonzero(keep)
    for k in np.flatnonzero(~keep & outside & (h < 0.7 * letter)):
        overlap = (np.minimum(x[kept] + w[kept], x[k] + w[k]) - np.maximum(x[kept], x[k])) > 0
        gap = np.maximum(y[kept], y[k]) - np.minimum(y[kept] + h[kept], y[k] + h[k])
        found[k] = bool((overlap & (gap <= near)).any())
    return found


def _dashed(ink: np.ndarray, long: int, thick: int, mm: float) -> np.ndarray:
    """The pixels of dashed rules in ``ink`` (0/1, solid rules taken out): its gaps up to
    ``DASH_GAP_MM`` closed, the long thin runs (``ocr.cleanup.long_runs``: where a letter crosses
    the rule, the letter stays). Thin is thinner than a third of the type's letters here: a line of
    small type closed up is a band as high as its letters, which stays."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights = stats[1:, 3]
    heights = heights[(heights >= 0.8 * mm) & (heights <= 8 * mm)]
    if not len(heights):
        return np.zeros(ink.shape, bool)
    thin = max(1, min(thick, int(np.median(heights) / 3)))
    gap = max(3, int(round(DASH_GAP_MM * mm)))
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, gap), np.uint8))
    return long_runs(closed, long, thin) & (ink > 0)


def _line_cuts(profile: np.ndarray, letter: float) -> list[int]:
    """Where lines of type part, from the count of letter pixels per row (smoothed over 0.3
    letter): the least inked row between two peaks (the x-height bands of two lines) at least 0.8
    letter heights apart with a valley between them below ``VALLEY`` of the lower peak. One line's
    top and foot (a sans serif's x-height and baseline strokes) are two peaks with a shallow
    valley: cut there, a title block's value was read as two halves (``verhamumm``)."""
    k = max(3, int(letter * 0.3)) | 1
    smooth = np.convolve(profile.astype(np.float64), np.ones(k) / k, mode="same")
    if not smooth.max():
        return []
    rising = np.r_[False, smooth[1:-1] >= smooth[:-2], False] & np.r_[False, smooth[1:-1] > smooth[2:], False]
    peaks: list[int] = []
    for p in np.flatnonzero(rising & (smooth > 0.15 * smooth.max())):
        if peaks and (p - peaks[-1] < 0.8 * letter
                      or smooth[peaks[-1]:p].min() > VALLEY * min(smooth[p], smooth[peaks[-1]])):
            if smooth[p] > smooth[peaks[-1]]:
                peaks[-1] = int(p)
        else:
            peaks.append(int(p))
    return [int(a + np.argmin(smooth[a:b])) for a, b in zip(peaks[:-1], peaks[1:])]


def _sheet(grid: Grid, dpi: float, which: list[int]) -> Sheet | None:
    """One picture of the lines of the cells ``which``, each line on its own with GAP_PX of paper
    around it, small type enlarged, up to MAX_SHEET_MEGAPIXELS; None when none of them has letters.
    Each line's tile knows it by (cell, line)."""
    def lines():
        for k in which:
            read = grid.reads[k]
            if read.letter is None:
                continue
            scale = float(min(MAX_ENLARGE, max(1.0, TARGET_HEIGHT_PX / read.letter)))
            for r, (row, origin) in enumerate(zip(read.rows, read.origins)):
                if scale > 1.0:
                    row = cv2.resize(row, (round(row.shape[1] * scale), round(row.shape[0] * scale)),
                                     interpolation=cv2.INTER_CUBIC)
                yield row, scaled(scale, origin, (k, r))

    return lay_out(lines(), grid.paper, MAX_SHEET_MEGAPIXELS)


def _weight(words: list[Word]) -> float:
    """Confident characters: the letters and digits of the words, each counted by its word's
    confidence."""
    return sum(sum(ch.isalnum() for ch in w.text) * max(0.0, w.conf) / 100.0 for w in words)


def _unsure(words: list[Word], read: CellRows) -> bool:
    """Whether a cell is worth reading on its own: the page reading put no word in it, or one it
    was not sure of (below SURE_CONF), or none in one of its lines (a table's last row, struck
    through by its rule, was left out while the rows above it were read well)."""
    if not words or min(w.conf for w in words) < SURE_CONF:
        return True
    middles = [w.top + w.height / 2 for w in words]
    return any(not any(y <= m < y + row.shape[0] for m in middles) for row, (_, y) in zip(read.rows, read.origins))


def _better(new: list[Word], old: list[Word]) -> bool:
    """Whether a cell's own reading beats the page reading's words in it: more confident characters."""
    return _weight(new) > _weight(old)


def _letters(words: list[Word]) -> str:
    return "".join(ch for w in sorted(words, key=lambda w: w.left) for ch in w.text if ch.isalnum()).lower()


def _agreed(new: list[Word], old: list[Word]) -> list[Word] | None:
    """A line the cell's reading and the page reading read alike (the same letters and digits, word
    for word): the cell's words, each as sure as two independent readings that agree,
    1 - (1 - p1)(1 - p2). A header the page reading gave at 52 % (``„omschrijving``) and the cell
    at 44 % stayed doubtful, and the second reading (``ocr.reread``) put a confident fragment of it
    in its place (``chrijving``); None when they differ."""
    if not new or len(new) != len(old) or _letters(new) != _letters(old) or not _letters(new):
        return None
    pairs = zip(sorted(new, key=lambda w: w.left), sorted(old, key=lambda w: w.left))
    if any(_letters([a]) != _letters([b]) for a, b in pairs):
        return None
    out = []
    for a, b in zip(sorted(new, key=lambda w: w.left), sorted(old, key=lambda w: w.left)):
        sure = 100.0 * (1.0 - (1.0 - max(0.0, a.conf) / 100.0) * (1.0 - max(0.0, b.conf) / 100.0))
        out.append(replace(a, conf=round(sure, 2)))
    return out


def _lines(words: list[Word]) -> list[Line]:
    """Words of one cell in lines (overlapping rows), top to bottom, each left to right."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.top + w.height / 2):
        cy = w.top + w.height / 2
        if rows:
            last = rows[-1]
            top, bottom = min(x.top for x in last), max(x.bottom for x in last)
            if top <= cy <= bottom:
                last.append(w)
                continue
        rows.append([w])
    return [Line(sorted(r, key=lambda w: w.left)) for r in rows]


def _by_row(words: list[Word], read: CellRows) -> dict[int, list[Word]]:
    """The page reading's words of a cell by the line of ``read`` their middle lies in (the
    nearest line's middle where two overlap); -1: in none."""
    out: dict[int, list[Word]] = {}
    for w in words:
        m = w.top + w.height / 2
        near = [(abs(m - (y + row.shape[0] / 2)), r) for r, (row, (_, y)) in enumerate(zip(read.rows, read.origins))
                if y <= m < y + row.shape[0]]
        out.setdefault(min(near)[1] if near else -1, []).append(w)
    return out


@dataclass(frozen=True)
class CellReading:
    text: PageText
    """The page's text: the first reading less the words in the grid's cells, plus one block of
    them, row by row: in each cell its own reading where that was better, else the page
    reading's words. The block stands where the grid's first word stood in the page reading
    (a table in the middle of a berekening stays there), or, with none, before the first block
    below its top."""
    cells: int
    """Lines of cells whose own reading was taken."""
    words: int
    """Words of the grid's block."""


def read_cells(engine: OcrEngine, grid: Grid, dpi: float, text: PageText, lang: str,
               timeout: float = 0) -> CellReading | None:
    """``text`` (boxes in the pixels of the page ``grid`` was found on) with the cells of ``grid``
    read one by one (see ``CellReading``); None when no cell's reading was better than the page's
    (the page's text stays as it was, in its order)."""
    cells = grid.cells
    if not cells:
        return None
    first = text.words
    which = [k for k, read in enumerate(grid.reads) if read.rows
             and _unsure([w for w in first if centre_in(w, read.reach)], read)]
    made = _sheet(grid, dpi, which)
    if made is None:
        return None
    found = made.read(engine, lang, dpi, timeout, sparse=True)
    per_row: dict[tuple[int, int], list[Word]] = {}
    for w in found.words:
        if sum(ch.isalnum() for ch in w.text) < MIN_CHARS:
            continue
        tile = made.tile_of(w)
        if tile is None:
            continue
        per_row.setdefault(tile.key, []).append(tile.to_page(w))
    chosen: list[list[Word]] = []
    out: set[int] = set()
    better = 0
    for k, read in enumerate(grid.reads):
        old = [w for w in first if id(w) not in out and centre_in(w, read.reach)]
        out.update(id(w) for w in old)
        words: list[Word] = []
        by_row = _by_row(old, read)
        for r in range(len(read.rows)):
            read_as, was = per_row.get((k, r), []), by_row.get(r, [])
            agreed = _agreed(read_as, was)
            new = [w for w in read_as if w.conf >= MIN_CONF]
            if agreed is not None:
                better += 1
                words += agreed
            elif new and _better(new, was):
                better += 1
                words += new
            else:
                words += was
        words += by_row.get(-1, [])
        if words:
            chosen.append(words)
    if not better:
        return None
    kept: list[Block] = []
    at = None  # the grid's place in the reading order: where its first word was, else by its top
    for block in text.blocks:
        if at is None and any(id(w) in out for w in block.words):
            at = len(kept)
        lines = [Line([w for w in line.words if id(w) not in out]) for line in block.lines]
        lines = [line for line in lines if line.words]
        if lines:
            kept.append(Block(lines))
    block = Block([line for words in chosen for line in _lines(words)])
    if at is None:
        top = block.box.top
        at = next((k for k, b in enumerate(kept) if b.box.top > top), len(kept))
    return CellReading(replace(text, blocks=kept[:at] + [block] + kept[at:]), better, len(block.words))
