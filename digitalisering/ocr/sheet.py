"""Crops of a page laid out on one sheet, read by one engine call, their words brought back to the page.

Three passes after the page reading read parts of the page again on sheets of their own: the lines
of ruled grids' cells (``ocr.cells``), the regions no word covers and the doubtful words
(``ocr.reread``: a sparse sheet and a sheet of dropped paragraphs), and the stamps
(``ocr.stamps``). Each cuts its crops out and turns, enlarges or unwraps them as it needs; this
module does what they share: ``lay_out`` puts the crops one under the other (``GAP_PX`` of paper
around each, in the order given, up to a sheet's pixel budget), ``Sheet.read`` has the engine read
the sheet once, ``Sheet.tile_of`` finds the crop a word lies on and the crop's ``to_page`` brings
the word back to page pixels: through an affine (``AffineTile``: a crop straightened by its angle
and enlarged, ``turn``), a scale and an origin (``ScaledTile``: a cell's line of type, enlarged),
or along an arc (``RingTile``: a round stamp's ring unwrapped into a straight strip).
``bench/sheet_identity.py`` checks that a change here leaves every word, box and confidence of the
three passes as it was.

Each pass keeps its own sheets and engine calls. All crops of a page on one sheet (branch
``onesheet``: one engine call instead of up to four) lost words: a sheet's reading depends on all
of it (on dev-folders a drawing's 13 title-block cells read with the second reading's crops of its
hatching beside them gave no word; held out, stamps 0.740 -> 0.722), for a time gain of 2-4 %.

Also shared by the three: the paper grey and the ink of a grey page or crop (``paper_grey``,
``ink_mask``) and whether a word's centre lies in a box (``centre_in``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

import cv2
import numpy as np
from PIL import Image

from digitalisering.ocr.engines import OcrEngine
from digitalisering.ocr.model import PageText, Word

GAP_PX = 40
"""White space around and between the crops on a sheet."""


def paper_grey(grey: np.ndarray) -> int:
    """The paper's grey: the 90th percentile of about 250,000 samples of ``grey``."""
    step = max(1, int(math.sqrt(grey.size / 250_000)))
    return int(np.percentile(grey[::step, ::step], 90))


def ink_mask(grey: np.ndarray, fraction: float = 0.6, paper: int | None = None) -> np.ndarray:
    """The pixels darker than ``fraction`` of the paper's grey (``paper``, or ``paper_grey(grey)``)."""
    return grey < (paper_grey(grey) if paper is None else paper) * fraction


def centre_in(word: Word, box: tuple[float, float, float, float], closed: bool = False) -> bool:
    """Whether ``word``'s centre lies in ``box`` (x0, y0, x1, y1): on its left and upper edge it
    does; on its right and lower edge only when ``closed`` (the box of another word, as
    ``ocr.stamps`` asks; a cell's box is half-open)."""
    cx, cy = word.left + word.width / 2, word.top + word.height / 2
    if closed:
        return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]
    return box[0] <= cx < box[2] and box[1] <= cy < box[3]


def turn(crop: np.ndarray, angle: float, scale: float, paper: int,
         origin: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``crop`` turned by ``-angle`` degrees about its centre (its lines' tilt undone) and enlarged
    ``scale`` times, on a canvas that holds it all (paper around it); and the 2x3 affine from the
    result's pixels back to page pixels (``origin``: the page's pixel of the crop's (0, 0))."""
    h, w = crop.shape
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), -angle, scale)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(math.ceil(w * cos + h * sin)), int(math.ceil(w * sin + h * cos))
    m[0, 2] += nw / 2.0 - w / 2.0
    m[1, 2] += nh / 2.0 - h / 2.0
    out = cv2.warpAffine(crop, m, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=int(paper))
    back = cv2.invertAffineTransform(m)
    back[:, 2] += origin
    return out, back


@dataclass(frozen=True)
class AffineTile:
    """A crop turned and enlarged by an affine (``ocr.reread``'s regions, ``ocr.stamps``' stamps)."""
    top: int
    """Its first row on the sheet."""
    height: int
    back: np.ndarray
    """2x3 affine: sheet pixels -> page pixels."""
    box: tuple[int, int, int, int]
    """The part of the page it shows (x0, y0, x1, y1)."""

    def to_page(self, word: Word) -> Word:
        """The word's box on the page: the box around its turned corners."""
        corners = np.array([[word.left, word.top, 1.0], [word.right, word.top, 1.0],
                            [word.left, word.bottom, 1.0], [word.right, word.bottom, 1.0]])
        pts = corners @ self.back.T
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
        return Word(word.text, int(x0), int(y0), int(x1 - x0), int(y1 - y0), word.conf)


def affine(back: np.ndarray, box: tuple[int, int, int, int]) -> Callable[[int, int, int], AffineTile]:
    """How to place a crop whose pixels ``back`` (2x3 affine) maps to page pixels (``box``: the
    part of the page it shows)."""
    def place(left: int, top: int, height: int) -> AffineTile:
        shift = back.copy()  # from sheet pixels: the crop's own pixels are the sheet's less (left, top)
        shift[:, 2] -= back[:, :2] @ np.array([left, top], np.float64)
        return AffineTile(top, height, shift, box)
    return place


@dataclass(frozen=True)
class ScaledTile:
    """A crop enlarged ``scale`` times whose pixel (0, 0) is the page's ``origin`` (``ocr.cells``'
    lines of type)."""
    top: int
    height: int
    left: int
    scale: float
    origin: tuple[int, int]
    key: object
    """What the pass knows the crop by (``ocr.cells``: its cell and line)."""

    def to_page(self, word: Word) -> Word:
        s = self.scale
        x0 = self.origin[0] + (word.left - self.left) / s
        y0 = self.origin[1] + (word.top - self.top) / s
        return Word(word.text, int(math.floor(x0)), int(math.floor(y0)), max(1, int(round(word.width / s))),
                    max(1, int(round(word.height / s))), word.conf)


def scaled(scale: float, origin: tuple[int, int], key: object = None) -> Callable[[int, int, int], ScaledTile]:
    """How to place a crop enlarged ``scale`` times whose pixel (0, 0) is the page's ``origin``."""
    return lambda left, top, height: ScaledTile(top, height, left, scale, origin, key)


@dataclass(frozen=True)
class RingTile:
    """A round stamp's ring unwrapped on the sheet: column ``x`` of it is the angle ``start +
    sign * x / px_per_deg`` (degrees, clockwise from the page's +x axis, as ``cv2.warpPolar``), row
    ``y`` the radius ``r_out - y / scale`` (clockwise: the letters' tops point outwards) or
    ``r_in + y / scale`` (counter-clockwise: inwards)."""
    top: int
    height: int
    left: int
    centre: tuple[float, float]
    """The ring's centre in page pixels."""
    r_in: float
    r_out: float
    start: float
    sign: int
    """+1: the strip runs clockwise, -1: counter-clockwise."""
    px_per_deg: float
    scale: float
    box: tuple[int, int, int, int]

    def to_page(self, word: Word) -> Word:
        """The word's box on the page: the box around its arc."""
        xs = np.linspace(word.left, word.right, 9) - self.left
        ys = np.array([word.top, word.bottom], np.float64) - self.top
        deg = self.start + self.sign * xs / self.px_per_deg
        rho = (self.r_out - ys / self.scale) if self.sign > 0 else (self.r_in + ys / self.scale)
        a = np.radians(deg)[:, None]
        px = self.centre[0] + rho[None, :] * np.cos(a)
        py = self.centre[1] + rho[None, :] * np.sin(a)
        x0, y0 = int(np.floor(px.min())), int(np.floor(py.min()))
        return Word(word.text, x0, y0, int(np.ceil(px.max())) - x0, int(np.ceil(py.max())) - y0, word.conf)


def ring(**unwrapped) -> Callable[[int, int, int], RingTile]:
    """How to place a ring's strip (``unwrapped``: ``RingTile``'s fields but its place)."""
    return lambda left, top, height: RingTile(top, height, left, **unwrapped)


Tile = AffineTile | ScaledTile | RingTile


@dataclass(frozen=True)
class Sheet:
    """The crops of one pass laid out on one picture, and where each lies."""
    picture: Image.Image
    tiles: list
    """The crops' ``Tile``s, top to bottom."""

    def read(self, engine: OcrEngine, lang: str, dpi: float, timeout: float = 0, **how) -> PageText:
        """The sheet read by one engine call (``how``: ``sparse=True`` or ``block=True``, see
        ``OcrEngine.recognise``); words in sheet pixels."""
        return engine.recognise(self.picture, lang, dpi, timeout, **how)

    def tile_of(self, word: Word):
        """The tile whose rows hold ``word``'s middle; None when it lies in the paper between them."""
        middle = word.top + word.height / 2
        k = int(np.searchsorted(np.array([t.top for t in self.tiles]), middle, side="right")) - 1
        if k < 0 or middle > self.tiles[k].top + self.tiles[k].height:
            return None
        return self.tiles[k]


def lay_out(crops: Iterable[tuple[np.ndarray, Callable[[int, int, int], Tile]]], paper: int,
            max_megapixels: float | None = None) -> Sheet | None:
    """``crops`` (grey, each with how to place it: ``affine``, ``scaled``, ``ring``) one under the
    other at GAP_PX from the sheet's left, GAP_PX of paper (grey ``paper``) between them and around
    them; when the sheet (each crop counted with GAP_PX more each way) would exceed
    ``max_megapixels``, the crops from there on are left out (and not taken from ``crops``, which
    may make them as they are asked for). None when no crop is on it."""
    taken: list[tuple[np.ndarray, Callable[[int, int, int], Tile]]] = []
    pixels = 0.0
    for crop, place in crops:
        if max_megapixels is not None:
            pixels += (crop.shape[0] + GAP_PX) * (crop.shape[1] + GAP_PX)
            if pixels > max_megapixels * 1e6:
                break
        taken.append((crop, place))
    if not taken:
        return None
    width = max(c.shape[1] for c, _ in taken) + 2 * GAP_PX
    height = sum(c.shape[0] + GAP_PX for c, _ in taken) + GAP_PX
    out = np.full((height, width), paper, np.uint8)
    tiles, top = [], GAP_PX
    for crop, place in taken:
        out[top:top + crop.shape[0], GAP_PX:GAP_PX + crop.shape[1]] = crop
        tiles.append(place(GAP_PX, top, crop.shape[0]))
        top += crop.shape[0] + GAP_PX
    return Sheet(Image.fromarray(out), tiles)
