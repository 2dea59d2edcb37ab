"""A second reading of what the first one left: the regions of text-like ink no word covers, and
the words it was unsure of.

The page reading (``ocr.engine``) finds columns, paragraphs and lines; what does not fit that
picture is lost, silently: stamps set at an angle over the text, labels and title blocks of
drawings in small type between the lines of the plan, table cells. ``ocr.completeness`` finds
that ink (components of text size no word box covers). Each of its regions is cut out of the
copy OCR read, turned straight by its own angle (a stamp is set 5-20 degrees askew; the page's
skew was taken out already), enlarged when its type is small, and all of them are put one under
the other on one sheet (``ocr.sheet``) that the engine reads once as sparse text (one more engine call per page
that has such regions; a page without them costs nothing). Words it reads with enough confidence
are brought back to page pixels (the box around the turned word) and added as blocks of their own.
A region too large for that sheet (``MAX_REGION_SHARE``) on a page no larger than A3 is a paragraph
the page reading dropped whole (tesseract's layout analysis does that, silently): those go on a
second sheet that the engine reads as one block of lines (``BLOCK_PAGE_MM2``).

What the first reading did give can be wrong where it was placed badly: a title block's label
read together with its cell's edge (``WERK`` as ``lr``, conf 47), a table row whose rules touched
its letters, a stamp's letters read with the text under them. Those words have a low confidence
(``DOUBT_CONF``); on a page that is read again anyway their regions go on the same sheet (no
extra engine call), and a word read there with MIN_CONF takes the doubtful word's place. Pages
read well enough are not read again for their doubtful words alone: on dev-folders, reading every
page with three or more of them again took 2 more title-block labels of 132 and no stamp word,
for about twice the second reading's time (0.18 -> 0.35 of the OCR time; an engine call costs
about 0.45 s to start on a loaded machine).

The numbers were chosen on the dev-folders delivery and are scored on dev-stack and dev-planted
(``bench/ocr_lines.py``, see its docstring).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from digitalisering.ocr.cleanup import RULE_MAX_THICK_MM, long_runs
from digitalisering.ocr.completeness import Completeness
from digitalisering.ocr.engines import OcrEngine
from digitalisering.ocr.model import Block, Line, PageText, Word
from digitalisering.ocr.sheet import Sheet, affine, ink_mask, lay_out, paper_grey, turn

WHOLE_LETTERS_MM = 10.0
"""A component at most this large that a region's edge cuts is a letter: the region takes it whole."""
PAD_MM = 1.5
"""Paper kept around a region (its letters' outer pixels fall outside the components' boxes)."""
MAX_REGION_SHARE = 0.12
"""A region larger than this share of the page is the plan of a drawing or a photograph, not a
missed line: it is not read again (a drawing's labels lie in its own smaller regions)."""
BLOCK_PAGE_MM2 = 1.1 * 297 * 420
"""On a page no larger than A3 (this many mm², at the page's resolution) a region above
MAX_REGION_SHARE is text the page reading dropped, not a drawing's plan: tesseract's layout
analysis (``--psm 3``) sometimes leaves whole paragraphs out (a typed list of abbreviations with
its ``=`` signs in a column: nine of its lines and its heading, no word in their place). Such a
region is read on a sheet of its own as one block of lines (``--psm 6``; the sparse reading, psm
11, read the same lines in pieces: ``Q=``, ``1le-Ecosse``, ``= voix chant``). Tuning half of
``bench/ocr_real.py`` reduced to 1,024 and 768 pixels (``--reduced``, 24 pages): a catalogue
page 0.526 -> 0.956, no other page changed (pooled 0.793 -> 0.819). Larger pages (drawings) keep
the limit: their large regions are plans."""
MIN_REGION_MM = 1.5
"""A region lower than this (both sides) holds no letter to read."""
MAX_ANGLE = 25.0
"""Regions are straightened by up to this many degrees (stamps are set askew by hand)."""
TARGET_HEIGHT_PX = 32
"""Small type is enlarged until its median component is about this high (tesseract reads capitals
of 20-40 pixels best), at most MAX_ENLARGE times."""
MAX_ENLARGE = 3.0
MAX_SHEET_MEGAPIXELS = 8.0
"""The sheet holds regions, smallest first, up to this size (a drawing's many regions, enlarged,
must not cost more than reading the page)."""
FRAME_MM = 8.0
"""Straight runs of ink at least this long in a straightened region are a stamp's frame or a
box's edge (no letter is that long), painted over before reading."""
MIN_CONF = 80.0
"""Words read again with less confidence are left out: what the first reading could not place is
often not text (hatching, a signature), and a wrong word in the text layer is worse than none. On
dev-folders, 80 kept 131 of 134 right words and dropped 7 of 28 wrong ones (60 kept all of both)."""
MIN_CHARS = 2
BLOCK_MIN_CHARS = 0
"""Words of a block read line by line (``BLOCK_PAGE_MM2``) need no letters: the ``=``, ``:`` and
one-letter abbreviations of a typed list are its words too, read among their neighbours."""
MAX_OVERLAP = 0.4
"""A word read again that lies this much under the same word read again already is read twice (the
regions of a page can overlap on the sheet): it is left out."""
MIN_UNCOVERED_SHARE = 0.02
"""A page whose uncovered share (``ocr.completeness``) is below this is not read again: on
dev-folders no page below 0.023 gained a word, and the extra engine call costs about a third of
the page's OCR time."""
DOUBT_CONF = 60.0
"""A first-reading word below this confidence is doubtful: its region goes on the sheet too, and a
word read there with MIN_CONF replaces it. Title-block labels fused to their cell's edges
(``WERK`` read as ``lr``, conf 47) and table rows whose rules touched the letters (``tataal``,
conf 0) are read so; a right word of the first reading is rarely below 60. Chosen on dev-folders
(title-block labels 0.735 -> 0.826, tables 0.875 -> 0.896, stamps 0.658 -> 0.674, no kind lost);
held out in ``bench/ocr_lines.py --before`` (see docs/architecture.md, OCR decisions)."""


def region_angle(ink: np.ndarray, mm: float, max_angle: float = MAX_ANGLE) -> float:
    """The angle (degrees, counter-clockwise) of the text lines in a region: the one whose row
    profile of ink pixels is sharpest, within ``max_angle``, to a quarter degree (stamps: their
    lines and frame, up to ``stamps.MAX_ANGLE``)."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 50:
        return 0.0
    if len(xs) > 20000:
        pick = np.random.default_rng(0).choice(len(xs), 20000, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs - xs.mean()
    ys = ys - ys.mean()
    bin_px = max(1.0, 0.25 * mm)

    def sharpness(deg: float) -> float:
        a = math.radians(deg)
        rows = np.floor((ys * math.cos(a) + xs * math.sin(a)) / bin_px).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float((counts.astype(np.float64) ** 2).sum())

    coarse = max(np.arange(-max_angle, max_angle + 0.1, 1.0), key=sharpness)
    return float(max(np.arange(coarse - 1.0, coarse + 1.01, 0.25), key=sharpness))


def _tile(grey: np.ndarray, box: tuple[int, int, int, int], mm: float, paper: int) -> tuple[np.ndarray, np.ndarray, tuple]:
    """The region straightened and enlarged, and the affine back to page pixels."""
    x0, y0, x1, y1 = box
    crop = grey[y0:y1, x0:x1]
    ink = ink_mask(crop)
    angle = region_angle(ink, mm)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    heights = heights[heights >= 0.8 * mm]
    median_h = float(np.median(heights)) if len(heights) else TARGET_HEIGHT_PX
    scale = float(min(MAX_ENLARGE, max(1.0, TARGET_HEIGHT_PX / max(median_h, 1.0))))
    out, back = turn(crop, angle, scale, paper, (x0, y0))
    frame = long_runs(ink_mask(out, paper=paper).astype(np.uint8), int(round(FRAME_MM * mm * scale)),
                      int(round(RULE_MAX_THICK_MM * mm * scale)))
    out[frame] = paper
    return out, back, box


def _whole_letters(grey: np.ndarray, box: tuple[int, int, int, int], mm: float, paper: int,
                   pad: int) -> tuple[int, int, int, int]:
    """``box`` grown to hold every letter-sized component it cuts (a region's edge runs through the
    word it belongs to; cut, the word is read as a piece: ``oordat`` of ``voordat``), and padded."""
    x0, y0, x1, y1 = box
    reach = int(round(WHOLE_LETTERS_MM * mm))
    wx0, wy0 = max(0, x0 - reach), max(0, y0 - reach)
    wx1, wy1 = min(grey.shape[1], x1 + reach), min(grey.shape[0], y1 + reach)
    ink = ink_mask(grey[wy0:wy1, wx0:wx1], paper=paper).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    cx0, cy0 = stats[1:, 0] + wx0, stats[1:, 1] + wy0
    cx1, cy1 = cx0 + stats[1:, 2], cy0 + stats[1:, 3]
    letter = (stats[1:, 2] <= reach) & (stats[1:, 3] <= reach)
    cut = letter & (cx0 < x1) & (x0 < cx1) & (cy0 < y1) & (y0 < cy1)
    if cut.any():
        x0, y0 = min(x0, int(cx0[cut].min())), min(y0, int(cy0[cut].min()))
        x1, y1 = max(x1, int(cx1[cut].max())), max(y1, int(cy1[cut].max()))
    return (max(0, x0 - pad), max(0, y0 - pad), min(grey.shape[1], x1 + pad), min(grey.shape[0], y1 + pad))


def _merged(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Overlapping boxes joined (the lines of one stamp are regions of their own; cut apart, each
    would show a slice of the other)."""
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        out: list[tuple[int, int, int, int]] = []
        for b in boxes:
            for k, o in enumerate(out):
                if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                    out[k] = (min(b[0], o[0]), min(b[1], o[1]), max(b[2], o[2]), max(b[3], o[3]))
                    merged = True
                    break
            else:
                out.append(b)
        boxes = out
    return boxes


def sheet(image: Image.Image, dpi: float, regions: list[list[int]], blocks: bool = False) -> Sheet | None:
    """The regions worth reading again, straightened and enlarged, one under the other.
    ``blocks``: instead, the regions above MAX_REGION_SHARE, on a page no larger than
    ``BLOCK_PAGE_MM2`` (paragraphs the page reading dropped, to be read line by line)."""
    return sheets(image, dpi, regions)[1 if blocks else 0]


def sheets(image: Image.Image, dpi: float, regions: list[list[int]]) -> tuple[Sheet | None, Sheet | None]:
    """``sheet`` of the regions and ``sheet`` of the large ones (``blocks``), the regions grown to
    whole letters and joined once for both."""
    grey = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    mm = dpi / 25.4
    pad = int(round(PAD_MM * mm))
    paper = paper_grey(grey)
    boxes = _merged([_whole_letters(grey, (x, y, x + w, y + h), mm, paper, pad) for x, y, w, h in regions])
    small_page = grey.shape[0] * grey.shape[1] / (mm * mm) <= BLOCK_PAGE_MM2
    return (_sheet(grey, mm, paper, boxes, False), _sheet(grey, mm, paper, boxes, True) if small_page else None)


def _sheet(grey: np.ndarray, mm: float, paper: int, boxes: list[tuple[int, int, int, int]],
           blocks: bool) -> Sheet | None:
    """The regions (the large ones with ``blocks``), smallest first, up to MAX_SHEET_MEGAPIXELS
    (each straightened only when it is asked for: ``sheet.lay_out``)."""
    page_area = grey.shape[0] * grey.shape[1]

    def crops():
        for box in sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1])):
            w, h = box[2] - box[0], box[3] - box[1]
            if (w * h > MAX_REGION_SHARE * page_area) != blocks or max(w, h) < MIN_REGION_MM * mm:
                continue
            out, back, box = _tile(grey, box, mm, paper)
            yield out, affine(back, box)

    return lay_out(crops(), paper, MAX_SHEET_MEGAPIXELS)


def _readable(word: Word, least: int = MIN_CHARS) -> bool:
    return word.conf >= MIN_CONF and sum(ch.isalnum() for ch in word.text) >= least


def _doubtful(word: Word) -> bool:
    return word.conf < DOUBT_CONF and any(ch.isalnum() for ch in word.text)


def doubtful_regions(text: PageText) -> list[list[int]]:
    """[x, y, width, height] of each run of doubtful words (``DOUBT_CONF``) on one line."""
    out: list[list[int]] = []
    for line in text.lines:
        run: list[Word] = []
        for word in [*line.words, None]:
            if word is not None and _doubtful(word):
                run.append(word)
                continue
            if run:
                x0, y0 = min(w.left for w in run), min(w.top for w in run)
                x1, y1 = max(w.right for w in run), max(w.bottom for w in run)
                out.append([x0, y0, x1 - x0, y1 - y0])
            run = []
    return out


def _centres_in(words: list[Word], boxes: np.ndarray) -> np.ndarray:
    """For each word, whether its centre lies in one of ``boxes`` (x0, y0, x1, y1)."""
    if not len(boxes) or not words:
        return np.zeros(len(words), bool)
    c = np.array([[w.left + w.width / 2, w.top + w.height / 2] for w in words])
    return ((boxes[None, :, 0] <= c[:, None, 0]) & (c[:, None, 0] <= boxes[None, :, 2])
            & (boxes[None, :, 1] <= c[:, None, 1]) & (c[:, None, 1] <= boxes[None, :, 3])).any(axis=1)


def _overlap(word: Word, boxes: np.ndarray) -> float:
    """The share of ``word``'s box that ``boxes`` (x0, y0, x1, y1) cover (overlaps summed)."""
    if not len(boxes):
        return 0.0
    w = np.clip(np.minimum(boxes[:, 2], word.right) - np.maximum(boxes[:, 0], word.left), 0, None)
    h = np.clip(np.minimum(boxes[:, 3], word.bottom) - np.maximum(boxes[:, 1], word.top), 0, None)
    return float((w * h).sum()) / max(1, word.width * word.height)


def _boxes(words: list[Word]) -> np.ndarray:
    return np.array([[w.left, w.top, w.right, w.bottom] for w in words], dtype=np.float64).reshape(-1, 4)


@dataclass(frozen=True)
class SecondReading:
    text: PageText
    """The page's text: the first reading less the doubtful words read better, plus the new words
    as blocks of their own."""
    read: int
    """Words the second reading put in (``added`` and those standing in for ``replaced`` ones)."""
    added: int
    """Of those, the words that stand in for no word of the first reading: text the page gained."""
    replaced: int
    """Doubtful words of the first reading it took out (their place holds a word read again)."""


def reread(engine: OcrEngine, image: Image.Image, dpi: float, text: PageText, missing: Completeness,
           lang: str, timeout: float = 0) -> SecondReading | None:
    """The page's text with what a second, sparse reading found in the uncovered regions of
    ``missing`` and in the regions of the first reading's doubtful words (pixels of ``image``, the
    copy the engine read); None when the page is read well enough or nothing more was read.

    A word read again with MIN_CONF is kept unless its centre lies in a word of the first reading
    that is not doubtful; doubtful words of the first reading whose centre lies in a kept word, or
    that hold a kept word's centre, are taken out."""
    if missing.uncovered_share is None or missing.uncovered_share < MIN_UNCOVERED_SHARE:
        return None
    readings = []
    made_both = sheets(image, dpi, missing.regions + doubtful_regions(text))
    for large, made in zip((False, True), made_both):  # scattered pieces sparse; dropped paragraphs as blocks
        if made is not None:
            found = made.read(engine, lang, dpi, timeout, **({"block": True} if large else {"sparse": True}))
            readings.append((found, made, BLOCK_MIN_CHARS if large else MIN_CHARS))
    if not readings:
        return None
    first = text.words
    sure = _boxes([w for w in first if not _doubtful(w)])
    doubtful = [w for w in first if _doubtful(w)]
    blocks: list[Block] = []
    taken: list[Word] = []
    for found, made, least in readings:
        for block in found.blocks:
            lines = []
            for line in block.lines:
                words = []
                for w in line.words:
                    if not _readable(w, least):
                        continue
                    tile = made.tile_of(w)
                    if tile is None:
                        continue
                    page_word = tile.to_page(w)
                    twice = _overlap(page_word, _boxes([t for t in taken if t.text == page_word.text]))
                    if not _centres_in([page_word], sure)[0] and twice < MAX_OVERLAP:
                        words.append(page_word)
                        taken.append(page_word)
                if words:
                    lines.append(Line(words))
            if lines:
                blocks.append(Block(lines))
    if not blocks:
        return None
    new = [w for b in blocks for w in b.words]
    out = set()
    standing_in = 0
    if doubtful:
        gone = _centres_in(doubtful, _boxes(new))
        holds = [_centres_in(new, _boxes([d])).any() for d in doubtful]
        out = {id(d) for d, g, h in zip(doubtful, gone, holds) if g or h}
        removed = [d for d in doubtful if id(d) in out]
        if removed:  # a new word stands in for a removed one when either holds the other's centre
            standing_in = int((_centres_in(new, _boxes(removed))
                               | np.array([_centres_in(removed, _boxes([n])).any() for n in new])).sum())
    kept = text.blocks_without(out)
    return SecondReading(replace(text, blocks=kept + blocks), len(new), len(new) - standing_in, len(out))
