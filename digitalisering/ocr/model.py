"""The page text model: what an OCR engine found on a page, the one source of the page's words.

Blocks hold lines, lines hold words, in reading order. Boxes are in pixels of the page image the
outputs show (the straightened page: what the PDF draws and the ALTO file describes), x to the
right and y down from the top left corner. Confidences are percentages, 0..100 (-1: the engine
gave none); ALTO's 0..1 is derived when it is written.

The PDF text layer and the ALTO files are both rendered from this model (``digitalisering.text``),
so a corrected or removed word reaches both. ``to_json`` / ``from_json`` are the ``words.json``
artifact; ``from_json`` also reads the flat word lists written before blocks and lines were kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from statistics import fmean

FORMAT = 2
"""Version of the JSON form (1: a flat word list with block/par/line numbers)."""


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    """Confidence in percent, 0..100; -1 when the engine gives none."""

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int


def _union(words: list[Word]) -> Box:
    if not words:
        return Box(0, 0, 0, 0)
    left, top = min(w.left for w in words), min(w.top for w in words)
    return Box(left, top, max(w.right for w in words) - left, max(w.bottom for w in words) - top)


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)

    @property
    def box(self) -> Box:
        return _union(self.words)


@dataclass
class Block:
    """A run of lines read together (tesseract: one paragraph)."""

    lines: list[Line] = field(default_factory=list)

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def box(self) -> Box:
        return _union(self.words)


@dataclass
class PageText:
    lang: str
    """The OCR language(s) as the engine was asked: 'nld', 'nld+eng'."""
    blocks: list[Block] = field(default_factory=list)
    engine: str = "tesseract"
    engine_version: str = ""
    width: int = 0
    """Width in pixels of the image the boxes refer to (0: not recorded, files before FORMAT 2)."""
    height: int = 0
    dpi: float = 0.0
    """Resolution of that image."""

    @property
    def words(self) -> list[Word]:
        return [w for b in self.blocks for w in b.words]

    @property
    def lines(self) -> list[Line]:
        return [line for b in self.blocks for line in b.lines]

    @property
    def mean_confidence(self) -> float | None:
        confs = [w.conf for w in self.words if w.conf >= 0]
        return round(fmean(confs), 2) if confs else None

    @property
    def text(self) -> str:
        """Plain text: words joined by spaces, lines by newlines, blocks by blank lines."""
        return "\n\n".join("\n".join(" ".join(w.text for w in line.words) for line in b.lines if line.words)
                           for b in self.blocks if b.words)

    def blocks_without(self, gone: set[int]) -> list[Block]:
        """The blocks with the words whose ``id`` is in ``gone`` left out (lines and blocks left
        empty go too): what a second pass keeps of the first reading when its words replace some."""
        kept = []
        for block in self.blocks:
            lines = [line for line in (Line([w for w in ln.words if id(w) not in gone]) for ln in block.lines)
                     if line.words]
            if lines:
                kept.append(Block(lines))
        return kept

    def scaled(self, factor: float, width: int, height: int, dpi: float) -> "PageText":
        """The same text with every box multiplied by ``factor`` (boxes read on a reduced or an
        enlarged copy brought back to the pixels of the full page, which is ``width`` x ``height``
        at ``dpi``)."""
        def word(w: Word) -> Word:
            return Word(w.text, round(w.left * factor), round(w.top * factor), max(1, round(w.width * factor)),
                        max(1, round(w.height * factor)), w.conf)
        blocks = [Block([Line([word(w) for w in line.words]) for line in b.lines]) for b in self.blocks]
        return PageText(self.lang, blocks, self.engine, self.engine_version, width, height, dpi)

    def to_json(self) -> dict:
        return {
            "format": FORMAT, "lang": self.lang, "engine": self.engine, "engine_version": self.engine_version,
            "width": self.width, "height": self.height, "dpi": self.dpi,
            "blocks": [[[[w.text, w.left, w.top, w.width, w.height, w.conf] for w in line.words]
                        for line in b.lines] for b in self.blocks],
        }

    @classmethod
    def from_json(cls, data: dict) -> "PageText":
        if "blocks" in data:
            blocks = [Block([Line([Word(*row) for row in line]) for line in b]) for b in data["blocks"]]
        else:  # FORMAT 1: [text, left, top, width, height, conf, block, par, line] per word
            blocks = [Block([Line([Word(*row[:6]) for row in line_rows])
                             for _, line_rows in groupby(rows, key=lambda r: r[8])])
                      for _, rows in groupby(data["words"], key=lambda r: (r[6], r[7]))]
        return cls(lang=data["lang"], blocks=blocks, engine=data.get("engine", "tesseract"),
                   engine_version=data.get("engine_version", ""), width=data.get("width", 0),
                   height=data.get("height", 0), dpi=data.get("dpi", 0.0))

    @classmethod
    def read(cls, path: Path) -> "PageText":
        """A words.json file (raises OSError, ValueError or KeyError when it cannot be read)."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def group_words(rows: list[tuple[Word, tuple, tuple]]) -> list[Block]:
    """Blocks of lines from words in reading order, each with the key of its block and of its line
    (consecutive words with equal keys belong together)."""
    blocks: list[Block] = []
    for _, in_block in groupby(rows, key=lambda r: r[1]):
        blocks.append(Block([Line([r[0] for r in in_line]) for _, in_line in groupby(in_block, key=lambda r: r[2])]))
    return blocks
