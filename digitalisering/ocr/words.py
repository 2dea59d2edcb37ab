"""The word model: what OCR found on a page, in reading order, in pixels of the processed image."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from statistics import fmean


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    """tesseract's confidence 0..100."""
    block: int
    par: int
    line: int


@dataclass
class OcrResult:
    lang: str
    words: list[Word] = field(default_factory=list)
    engine: str = "tesseract"
    engine_version: str = ""

    @property
    def mean_confidence(self) -> float | None:
        confs = [w.conf for w in self.words if w.conf >= 0]
        return round(fmean(confs), 2) if confs else None

    @property
    def text(self) -> str:
        """Plain text: words joined by spaces, lines by newlines, blocks and paragraphs by blank lines."""
        out: list[str] = []
        prev: tuple[int, int, int] | None = None
        for w in self.words:
            key = (w.block, w.par, w.line)
            if prev is not None:
                if key[:2] != prev[:2]:
                    out.append("\n\n")
                elif key != prev:
                    out.append("\n")
                else:
                    out.append(" ")
            out.append(w.text)
            prev = key
        return "".join(out)

    def to_json(self) -> dict:
        return {
            "lang": self.lang,
            "engine": self.engine,
            "engine_version": self.engine_version,
            "words": [[w.text, w.left, w.top, w.width, w.height, w.conf, w.block, w.par, w.line] for w in self.words],
        }

    @classmethod
    def from_json(cls, data: dict) -> "OcrResult":
        return cls(
            lang=data["lang"],
            engine=data.get("engine", "tesseract"),
            engine_version=data.get("engine_version", ""),
            words=[Word(*row) for row in data["words"]],
        )


def parse_tsv(tsv: str) -> list[Word]:
    """Words from tesseract's TSV output (level 5 rows with text), in tesseract's reading order."""
    words: list[Word] = []
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        if not text:
            continue
        words.append(
            Word(
                text=text,
                left=int(row["left"]),
                top=int(row["top"]),
                width=int(row["width"]),
                height=int(row["height"]),
                conf=round(float(row["conf"]), 2),
                block=int(row["block_num"]),
                par=int(row["par_num"]),
                line=int(row["line_num"]),
            )
        )
    return words

