"""The ruled grids of a page (tables, title blocks, boxed forms): their cells, found on the copy
before ``ocr.cleanup`` paints the rules over, in reading order; ``ocr.cells`` reads them.

The ruled lines are found by a morphological opening along rows and columns on a copy reduced to
``WORK_PX_PER_MM`` (ink darker than ``RULE_INK`` of the paper, gaps up to ``GAP_CLOSE_MM`` closed;
a negative print inverted first, ``upright_grey``); the cells are the rectangles between them,
``CELL_MIN_MM`` to ``CELL_MAX_MM``, with a neighbouring cell (a lone box is a stamp's frame, not a
grid), holding some ink (``find_cells``). Two cells one above the other whose shared rule runs
through a line of type are one cell (``merge_crossed``). The numbers were chosen on dev-folders
(see ``ocr.cells`` and docs/architecture.md, OCR decisions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from digitalisering.ocr.sheet import ink_mask

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

CROSSING_LETTERS = 3
"""A rule between two cells runs through a line of type when this many strokes cross it (ink
just above and just below it); a rule that only touches a letter or two is the cells' own."""

MIN_INK = 0.003
"""A cell with less of its area in ink holds no text (empty cells are not put on the sheet)."""

NEGATIVE_BELOW = 128
"""A page whose median grey is below this is a negative print (light lines on a dark ground)."""


@dataclass(frozen=True)
class Cell:
    """One cell of a ruled grid, in page pixels (x0, y0, x1, y1) of the copy before cleanup."""
    box: tuple[int, int, int, int]


def upright_grey(image: Image.Image) -> np.ndarray:
    """The page as grey with dark ink on light paper: a negative print (a blueprint: light lines on
    a dark ground, its median below NEGATIVE_BELOW) is inverted."""
    grey = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    step = max(1, int(math.sqrt(grey.size / 250_000)))
    return 255 - grey if np.median(grey[::step, ::step]) < NEGATIVE_BELOW else grey


def merge_crossed(grey: np.ndarray, cells: list[Cell], dpi: float, paper: int) -> list[Cell]:
    """``cells`` with every two cells one just above the other (sharing at least half the narrower
    one's width) made one where the rule between them runs through a line of type: at least
    ``CROSSING_LETTERS`` strokes have ink just above and just below the rule. The generated
    berekening tables of the dev deliveries draw their header rule through the header's letters:
    read as two cells, the header was cut in two halves and neither was read."""
    mm = dpi / 25.4
    near = NEIGHBOUR_MM * mm + 3 * max(1, math.ceil(mm / WORK_PX_PER_MM))
    parent = list(range(len(cells)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # the pairs (upper, lower) found with arrays, a block of upper cells at a time: one Python step
    # per pair of cells took seconds on a drawing on squared paper (2,000 cells, 4 million pairs)
    b = np.array([c.box for c in cells], np.int64).reshape(-1, 4)
    width = b[:, 2] - b[:, 0]
    for start in range(0, len(b), PAIR_BLOCK):
        u = b[start:start + PAIR_BLOCK]
        overlap = np.minimum(u[:, None, 2], b[None, :, 2]) - np.maximum(u[:, None, 0], b[None, :, 0])
        gap = b[None, :, 1] - u[:, None, 3]
        pairs = (gap >= 0) & (gap <= near) & (overlap >= 0.5 * np.minimum(width[start:start + PAIR_BLOCK, None],
                                                                            width[None, :]))
        for a, k in zip(*np.nonzero(pairs)):
            a, k = int(a) + start, int(k)
            if a == k:
                continue
            ux0, uy0, ux1, uy1 = cells[a].box
            lx0, ly0, lx1, ly1 = cells[k].box
            if _crossed(grey, (max(ux0, lx0), uy1, min(ux1, lx1), ly0), dpi, paper):
                parent[root(a)] = root(k)
    groups: dict[int, list[Cell]] = {}
    for k, cell in enumerate(cells):
        groups.setdefault(root(k), []).append(cell)
    boxes = [(min(c.box[0] for c in g), min(c.box[1] for c in g), max(c.box[2] for c in g),
              max(c.box[3] for c in g)) for g in groups.values()]
    # a cell the merged one now covers in part (a column split below the header) joins it
    while (found := _first_overlap(boxes)) is not None:
        i, j = found
        a, b = boxes[i], boxes[j]
        boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
        del boxes[j]
    return [Cell(box) for box in boxes]


PAIR_BLOCK = 256
"""Cells compared with all others at once (``_merge_crossed``): bounds the arrays to a few MB."""


def _first_overlap(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int] | None:
    """The first two boxes (i < j, by i then j) that overlap, or None."""
    bx = np.array(boxes, np.int64).reshape(-1, 4)
    for start in range(0, len(bx), PAIR_BLOCK):
        u = bx[start:start + PAIR_BLOCK]
        over = (np.minimum(u[:, None, 2], bx[None, :, 2]) > np.maximum(u[:, None, 0], bx[None, :, 0])) \
            & (np.minimum(u[:, None, 3], bx[None, :, 3]) > np.maximum(u[:, None, 1], bx[None, :, 1]))
        over &= np.arange(len(bx))[None, :] > np.arange(start, start + len(u))[:, None]
        if over.any():
            i, j = np.argwhere(over)[0]
            return int(i) + start, int(j)
    return None


def _crossed(grey: np.ndarray, gap: tuple[int, int, int, int], dpi: float, paper: int) -> bool:
    """Whether the rule in ``gap`` (the strip between two cells, page pixels) runs through type."""
    mm = dpi / 25.4
    x0, y0, x1, y1 = gap
    pad = int(round(1.0 * mm))
    ya, yb = max(0, y0 - pad), min(grey.shape[0], y1 + pad)
    ink = grey[ya:yb, x0:x1] < paper * RULE_INK
    if ink.size == 0:
        return False
    full = np.flatnonzero(ink.mean(axis=1) >= 0.5)  # the rule's rows
    if not len(full):
        return False
    top, bottom = int(full[0]), int(full[-1])
    step = max(2, int(round(0.15 * mm)))
    if top - step < 0 or bottom + step >= ink.shape[0]:
        return False
    both = ink[top - step] & ink[bottom + step]
    strokes = np.count_nonzero(np.diff(np.r_[0, both.view(np.uint8), 0]) == 1)
    return strokes >= CROSSING_LETTERS


def find_cells(grey: np.ndarray, dpi: float) -> list[Cell]:
    """The cells of the ruled grids of a straightened page (grey, dark ink on light paper), in
    reading order (``reading_order``)."""
    ink = ink_mask(grey, RULE_INK).astype(np.uint8) * 255
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
