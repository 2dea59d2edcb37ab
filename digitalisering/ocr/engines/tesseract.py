"""tesseract as an ``OcrEngine`` (the page as an uncompressed PNM file, words from its TSV output)
and an ``OrientationDetector`` (its OSD, ``--psm 0``)."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from pathlib import Path

from PIL import Image

from digitalisering._exec import tesseract
from digitalisering.ocr.engines import OrientationGuess
from digitalisering.ocr.model import PageText, Word, group_words

log = logging.getLogger(__name__)


def parse_tsv(tsv: str) -> list[tuple[Word, tuple[int, int], tuple[int, int, int]]]:
    """Words from tesseract's TSV output (level 5 rows with text) in its reading order, each with
    its paragraph key (block, par) and line key (block, par, line)."""
    rows = []
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip().translate(DUTCH_IJ)
        if not text:
            continue
        word = Word(text=text, left=int(row["left"]), top=int(row["top"]), width=int(row["width"]),
                    height=int(row["height"]), conf=round(float(row["conf"]), 2))
        par = (int(row["block_num"]), int(row["par_num"]))
        rows.append((word, par, (*par, int(row["line_num"]))))
    return rows


DUTCH_IJ = str.maketrans({"\u0132": "IJ", "\u0133": "ij"})
"""tesseract's Dutch model writes the capital IJ of a stamp's BIJ as the one letter U+0132: nobody
searches for that, and the page says B-I-J (dev deliveries: every BIJ of a stamp was read so)."""

SPARSE_PSM = 11
"""tesseract's 'sparse text': as much text as possible, in no particular order."""
BLOCK_PSM = 6
"""tesseract's 'single uniform block of text': lines top to bottom, no column or image detection."""


class TesseractEngine:
    name = "tesseract"

    def version(self) -> str:
        return tesseract.version()

    def require(self, lang: str) -> None:
        tesseract.require(lang)
        note = tesseract.models_note(lang)
        if note:
            log.info(note)

    def recognise(self, image: Image.Image, lang: str, dpi: float, timeout: float = 0,
                  sparse: bool = False, block: bool = False) -> PageText:
        if image.mode not in ("1", "L"):
            image = image.convert("L")
        with tempfile.TemporaryDirectory(prefix="digitalisering-ocr-") as tmp:
            path = Path(tmp) / "page.pnm"  # PBM or PGM: no decoding work for tesseract
            image.save(path)
            tsv = tesseract.recognise(path, lang, dpi, timeout, psm=SPARSE_PSM if sparse else BLOCK_PSM if block else None)
        return PageText(lang=lang, blocks=group_words(parse_tsv(tsv)), engine=self.name,
                        engine_version=tesseract.version(), width=image.width, height=image.height, dpi=dpi)

    def detect_orientation(self, image: Image.Image, dpi: float, timeout: float = 60) -> OrientationGuess | None:
        if not image.width or not image.height:  # no pixels: no opinion (PIL cannot save it)
            return None
        if image.mode not in ("1", "L"):
            image = image.convert("L")
        with tempfile.TemporaryDirectory(prefix="digitalisering-osd-") as tmp:
            path = Path(tmp) / "osd.pnm"
            image.save(path)
            found = tesseract.detect_orientation(path, dpi, timeout)
        return None if found is None else OrientationGuess(*found)
