"""Ruled tables and title blocks read cell by cell.

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

So the grid is found (the ruled lines by a morphological opening along rows and columns, on the
copy before ``ocr.cleanup`` paints the rules over, a negative print inverted) and each of its cells,
with a neighbouring cell (a lone box is a stamp's frame, not a grid), is cut out with its rules
painted over, enlarged when its type is small, and put on one sheet that the engine reads once as
sparse text: one more engine call on a page with a grid the page reading was unsure of, none on
a page without (only such cells go on the sheet: ``_unsure``). A cell's words
take the place of the page reading's words in it only when they are better (more confident
characters, ``_better``): good first-pass words are never replaced with worse ones. The grid's
words are brought back to page pixels and make one block, row by row (cells in order of their row,
then their left; lines in a cell top to bottom), so a title block reads ``WERK verbouw``,
``PERCEEL Breestraat 12`` instead of all labels and then all values.

The numbers were chosen on dev-folders and are scored on dev-stack and dev-planted
(``bench/ocr_lines.py --kinds ... --before REV``, see its docstring and docs/architecture.md, OCR
decisions). On dev-folders (tuned on): title-block values 0.896 -> 1.000, labels 0.853 -> 0.980,
tables 0.896 and table headers 0.812 unchanged; the rows read into each other are not mended.
Held out (dev-stack + dev-planted, the 27 pages with these kinds, before and after in one run):
title blocks 0.886 -> 0.892, labels 0.869 -> 0.881, tables 0.859 -> 0.872, table headers 0.885
equal, no other kind changed; OCR stage time on those pages x1.149.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from digitalisering.ocr.cleanup import RULE_MAX_THICK_MM, long_runs
from digitalisering.ocr.engines import OcrEngine
from digitalisering.ocr.model import Block, Line, PageText, Word

WORK_PX_PER_MM = 4.0
"""The grid is looked for on a copy reduced to about this resolution (100 ppi; every ink pixel of
a block kept, so a thin rule stays): a drawing of 30 megapixels costs a few tenths of a second."""
RULE_INK = 0.8
"""Ink for the rules: darker than this share of the paper level. A title block's inner rules are
often drawn lighter than its letters, and a negative print's thin white lines come out grey:
on dev-folders (``bench/ocr_lines.py`` pages) 0.6 (the letters' threshold) found no grid on three
150 ppi drawings and 0.8 did (title-block labels 0.912 -> 0.961, values 0.950 -> 0.964, tables
equal)."""
RULE_MM = 12.0
"""A ruled line is at least this long (a letter's stroke never is)."""
GAP_CLOSE_MM = 0.3
"""Gaps in a rule up to this long (a broken rule) are closed before it is looked for. Not more: at
1 mm the letters and words of a line of small type closed into a 'rule' that cut its cell in two
(a title block's ``OPDRACHTGEVER`` was lost; on dev-folders title-block labels 0.961 -> 0.980 and
values 0.964 -> 1.000 with 0.3, one table-header word of 16 lost)."""
CELL_MIN_MM = (5.0, 2.5)
"""Smallest cell (width, height): it holds at least one small line of type."""
CELL_MAX_MM = (400.0, 40.0)
"""Largest cell (width, height): higher ones are a drawing's plan or a page's frame."""
CELL_FILL = 0.8
"""A cell's area is at least this share of its box (it is a rectangle)."""
NEIGHBOUR_MM = 2.0
"""Two cells are neighbours when their boxes come this close along a shared side (the rule
between them is thinner)."""
INSET_MM = 0.4
"""A cell's inside, where MIN_INK is measured: its box less this on every side (its rule)."""
PAD_MM = 0.5
"""A cell is read out to this beyond its box (to its rules, which are painted over)."""
MIN_INK = 0.003
"""A cell with less of its area in ink holds no text (empty cells are not put on the sheet)."""
TARGET_HEIGHT_PX = 32
"""Small type is enlarged until its median letter is about this high, at most MAX_ENLARGE times."""
MAX_ENLARGE = 3.0
GAP_PX = 40
"""White space between the cells on the sheet."""
MAX_SHEET_MEGAPIXELS = 6.0
"""The sheet holds cells in reading order up to this size."""
MIN_CONF = 70.0
"""Cell words read with less confidence are left out (not tuned: between the second reading's
DOUBT_CONF and MIN_CONF; a cell's words still have to beat the page reading's, ``_better``)."""
MIN_CHARS = 1
SURE_CONF = 90.0
"""A cell whose words the page reading gave with at least this confidence, each, is not read again
(a form's boxes read well cost no engine call)."""
NEGATIVE_BELOW = 128
"""A page whose median grey is below this is a negative print (light lines on a dark ground)."""


@dataclass(frozen=True)
class Cell:
    """One cell of a ruled grid, in page pixels (x0, y0, x1, y1) of the copy before cleanup."""
    box: tuple[int, int, int, int]


def _ink(grey: np.ndarray, fraction: float = 0.6) -> np.ndarray:
    step = max(1, int(math.sqrt(grey.size / 250_000)))
    paper = int(np.percentile(grey[::step, ::step], 90))
    return grey < paper * fraction


def _upright_grey(image: Image.Image) -> np.ndarray:
    """The page as grey with dark ink on light paper: a negative print (a blueprint: light lines on
    a dark ground, its median below NEGATIVE_BELOW) is inverted."""
    grey = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    step = max(1, int(math.sqrt(grey.size / 250_000)))
    return 255 - grey if np.median(grey[::step, ::step]) < NEGATIVE_BELOW else grey


@dataclass(frozen=True)
class Grid:
    """The cells of a page's ruled grids, in reading order, each with its crop to read."""
    cells: list[Cell]
    crops: list[np.ndarray]
    """Each cell to read (``_crop``: its rules painted over), grey, dark ink on light paper."""
    origins: list[tuple[int, int]]
    """Where each crop's top left lies on the page."""
    paper: int


def find_grid(image: Image.Image, dpi: float) -> Grid:
    """The cells of the ruled grids of a straightened page, read off the copy before
    ``ocr.cleanup`` paints its rules over; their crops come from that copy too (``_crop``; the
    flattened copy of a negative print is no longer readable)."""
    grey = _upright_grey(image)
    cells = find_cells(grey, dpi)
    step = max(1, int(math.sqrt(grey.size / 250_000)))
    paper = int(np.percentile(grey[::step, ::step], 90))
    crops = [_crop(grey, cell, dpi, paper) for cell in cells]
    return Grid(cells, [c for c, _ in crops], [o for _, o in crops], paper)


def _crop(grey: np.ndarray, cell: Cell, dpi: float, paper: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The cell out to its rules (``PAD_MM``: the box of the grid's thickened lines stops short of
    them, and a label 3 pixels from its rule was cut: ``NERK``, ``3reestraat``), the rules painted
    over with paper (``ocr.cleanup.long_runs``: where a letter crosses a rule, the letter stays);
    and where its top left lies on the page."""
    mm = dpi / 25.4
    pad = int(round(PAD_MM * mm))
    x0, y0, x1, y1 = cell.box
    x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
    x1, y1 = min(grey.shape[1], x1 + pad), min(grey.shape[0], y1 + pad)
    crop = grey[y0:y1, x0:x1].copy()
    ink = (crop < paper * RULE_INK).astype(np.uint8)
    n, labels = cv2.connectedComponents(ink, connectivity=8)
    bx0, by0, bx1, by1 = cell.box[0] - x0, cell.box[1] - y0, cell.box[2] - x0, cell.box[3] - y0
    inner = np.zeros(n, bool)  # ink that reaches into the box: its letters (and a rule they touch)
    inner[np.unique(labels[by0:by1, bx0:bx1])] = True
    inner[0] = False
    band = np.ones(crop.shape, bool)
    band[by0:by1, bx0:bx1] = False
    crop[band & ~inner[labels] & (ink > 0)] = paper  # the rules and the next cells' letters
    long = int(round(min(RULE_MM * mm, 0.8 * (y1 - y0), 0.8 * (x1 - x0))))
    rules = long_runs(inner[labels].astype(np.uint8), long, max(1, int(round(RULE_MAX_THICK_MM * mm))))
    crop[cv2.dilate(rules.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0] = paper
    return crop, (x0, y0)


def find_cells(grey: np.ndarray, dpi: float) -> list[Cell]:
    """The cells of the ruled grids of a straightened page (grey, dark ink on light paper), in
    reading order (``reading_order``)."""
    ink = _ink(grey, RULE_INK).astype(np.uint8) * 255
    f = max(1, int(math.ceil(dpi / 25.4 / WORK_PX_PER_MM)))
    h, w = ink.shape
    small = cv2.resize(ink, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA) > 0
    small = small.astype(np.uint8)
    mm = dpi / 25.4 / f
    long, close = max(3, int(round(RULE_MM * mm))), max(1, int(round(GAP_CLOSE_MM * mm)))
    horiz = cv2.morphologyEx(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((1, close), np.uint8)),
                             cv2.MORPH_OPEN, np.ones((1, long), np.uint8))
    vert = cv2.morphologyEx(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((close, 1), np.uint8)),
                            cv2.MORPH_OPEN, np.ones((long, 1), np.uint8))
    lines = cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8))
    if not lines.any():
        return []
    n, labels, stats, _ = cv2.connectedComponentsWithStats((lines == 0).astype(np.uint8), connectivity=4)
    sh, sw = lines.shape
    boxes = []
    for k in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[k])
        if x == 0 or y == 0 or x + bw >= sw or y + bh >= sh:
            continue
        if not (CELL_MIN_MM[0] * mm <= bw <= CELL_MAX_MM[0] * mm and CELL_MIN_MM[1] * mm <= bh <= CELL_MAX_MM[1] * mm):
            continue
        if area < CELL_FILL * bw * bh:
            continue
        boxes.append((x, y, x + bw, y + bh))
    if len(boxes) < 2:
        return []
    b = np.array(boxes, dtype=np.float64)
    near = NEIGHBOUR_MM * mm + 3  # the dilated rule between them
    gap_x = np.maximum(b[:, None, 0], b[None, :, 0]) - np.minimum(b[:, None, 2], b[None, :, 2])
    gap_y = np.maximum(b[:, None, 1], b[None, :, 1]) - np.minimum(b[:, None, 3], b[None, :, 3])
    # side by side (rows overlap, columns within ``near``) or one above the other
    neighbour = ((gap_y < 0) & (gap_x <= near)) | ((gap_x < 0) & (gap_y <= near))
    np.fill_diagonal(neighbour, False)
    keep = neighbour.any(axis=1)
    cells = []
    for (x0, y0, x1, y1), k in zip(boxes, keep):
        if not k:
            continue
        box = (x0 * f, y0 * f, min(w, x1 * f), min(h, y1 * f))
        ix0, iy0, ix1, iy1 = _inset(box, dpi)
        if ix1 <= ix0 or iy1 <= iy0 or ink[iy0:iy1, ix0:ix1].mean() / 255 < MIN_INK:
            continue
        cells.append(Cell(box))
    return reading_order(cells)


def reading_order(cells: list[Cell]) -> list[Cell]:
    """Row by row (a cell whose middle lies within the first cell of a row belongs to that row),
    each row left to right."""
    rows: list[list[Cell]] = []
    for cell in sorted(cells, key=lambda c: (c.box[1], c.box[0])):
        middle = (cell.box[1] + cell.box[3]) / 2
        row = next((r for r in rows if r[0].box[1] <= middle < r[0].box[3]), None)
        if row is None:
            rows.append([cell])
        else:
            row.append(cell)
    rows.sort(key=lambda r: r[0].box[1])
    return [c for r in rows for c in sorted(r, key=lambda c: c.box[0])]


def _inset(box: tuple[int, int, int, int], dpi: float) -> tuple[int, int, int, int]:
    d = int(round(INSET_MM * dpi / 25.4))
    return box[0] + d, box[1] + d, box[2] - d, box[3] - d


@dataclass(frozen=True)
class _Tile:
    top: int
    height: int
    scale: float
    origin: tuple[int, int]
    cell: int


def _letter_height(crop: np.ndarray, mm: float) -> float | None:
    ink = _ink(crop).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    heights = heights[(heights >= 0.8 * mm) & (heights <= 8 * mm)]
    return float(np.median(heights)) if len(heights) else None


def _sheet(grid: Grid, dpi: float, which: list[int]) -> tuple[Image.Image, list[_Tile]] | None:
    mm = dpi / 25.4
    crops, pixels = [], 0.0
    for k in which:
        crop = grid.crops[k]
        letter = _letter_height(crop, mm)
        if letter is None:
            continue
        scale = float(min(MAX_ENLARGE, max(1.0, TARGET_HEIGHT_PX / letter)))
        if scale > 1.0:
            crop = cv2.resize(crop, (round(crop.shape[1] * scale), round(crop.shape[0] * scale)),
                              interpolation=cv2.INTER_CUBIC)
        pixels += (crop.shape[0] + GAP_PX) * (crop.shape[1] + GAP_PX)
        if pixels > MAX_SHEET_MEGAPIXELS * 1e6:
            break
        crops.append((crop, scale, grid.origins[k], k))
    if not crops:
        return None
    width = max(c.shape[1] for c, *_ in crops) + 2 * GAP_PX
    height = sum(c.shape[0] + GAP_PX for c, *_ in crops) + GAP_PX
    out = np.full((height, width), grid.paper, np.uint8)
    tiles, top = [], GAP_PX
    for crop, scale, origin, k in crops:
        out[top:top + crop.shape[0], GAP_PX:GAP_PX + crop.shape[1]] = crop
        tiles.append(_Tile(top, crop.shape[0], scale, origin, k))
        top += crop.shape[0] + GAP_PX
    return Image.fromarray(out), tiles


def _back(word: Word, tile: _Tile) -> Word:
    s = tile.scale
    x0 = tile.origin[0] + (word.left - GAP_PX) / s
    y0 = tile.origin[1] + (word.top - tile.top) / s
    return Word(word.text, int(math.floor(x0)), int(math.floor(y0)), max(1, int(round(word.width / s))),
                max(1, int(round(word.height / s))), word.conf)


def _centre_in(word: Word, box: tuple[int, int, int, int]) -> bool:
    cx, cy = word.left + word.width / 2, word.top + word.height / 2
    return box[0] <= cx < box[2] and box[1] <= cy < box[3]


def _weight(words: list[Word]) -> float:
    """Confident characters: the letters and digits of the words, each counted by its word's
    confidence."""
    return sum(sum(ch.isalnum() for ch in w.text) * max(0.0, w.conf) / 100.0 for w in words)


def _unsure(words: list[Word]) -> bool:
    """Whether a cell is worth reading on its own: the page reading put no word in it, or one it
    was not sure of (below SURE_CONF)."""
    return not words or min(w.conf for w in words) < SURE_CONF


def _better(new: list[Word], old: list[Word]) -> bool:
    """Whether a cell's own reading beats the page reading's words in it: more confident characters."""
    return _weight(new) > _weight(old)


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


@dataclass(frozen=True)
class CellReading:
    text: PageText
    """The page's text: the first reading less the words in the grid's cells, plus one block of
    them, row by row: in each cell its own reading where that was better, else the page
    reading's words. The block stands where the grid's first word stood in the page reading
    (a table in the middle of a berekening stays there), or, with none, before the first block
    below its top."""
    cells: int
    """Cells whose own reading was taken."""
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
    which = [k for k, cell in enumerate(cells) if _unsure([w for w in first if _centre_in(w, cell.box)])]
    made = _sheet(grid, dpi, which)
    if made is None:
        return None
    picture, tiles = made
    found = engine.recognise(picture, lang, dpi, timeout, sparse=True)
    tops = np.array([t.top for t in tiles])
    per_cell: dict[int, list[Word]] = {}
    for w in found.words:
        if w.conf < MIN_CONF or sum(ch.isalnum() for ch in w.text) < MIN_CHARS:
            continue
        k = int(np.searchsorted(tops, w.top + w.height / 2, side="right")) - 1
        if k < 0 or w.top + w.height / 2 > tiles[k].top + tiles[k].height:
            continue
        per_cell.setdefault(tiles[k].cell, []).append(_back(w, tiles[k]))
    chosen: list[list[Word]] = []
    out: set[int] = set()
    better = 0
    for k, cell in enumerate(cells):
        old = [w for w in first if id(w) not in out and _centre_in(w, cell.box)]
        new = per_cell.get(k, [])
        out.update(id(w) for w in old)
        if new and _better(new, old):
            better += 1
            chosen.append(new)
        elif old:
            chosen.append(old)
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
