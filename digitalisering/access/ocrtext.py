"""A page's OCR lines as searchable strings that remember which word every character came from,
with OCR slips in numbers undone (``O7T`` -> ``071``) without changing any offset.

The detectors search these strings with regular expressions and map a match back to the words (and
so the boxes) it covers; the context a cue may stand in is the line itself, the words left of it on
the same row (a form's label that OCR put in another block) and the line above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from digitalisering.ocr.model import Line, PageText, Word

DIGIT_SLIPS = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "l": "1", "|": "1", "!": "1",
                             "i": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "T": "7", "G": "6",
                             "b": "6", "g": "9", "q": "9"})
"""Letters tesseract reads for digits in numbers (``NL50`` read ``NLSO``, ``071`` read ``O7T``)."""
LETTER_SLIPS = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"})
"""Digits read for capitals (an IBAN's bank code)."""
_SLIP_CHARS = set("OoQDIl|!iZzSsBTGbgq")


def _numeric_token(token: str) -> bool:
    """A token that is a number with OCR slips: at least one real digit, every other letter one
    that is often read for a digit, and no more slips than digits plus one."""
    core = [c for c in token if c.isalnum() or c in "|!"]
    digits = sum(c.isdigit() for c in core)
    slips = sum(c in _SLIP_CHARS for c in core)
    return digits >= 1 and digits + slips == len(core) and slips <= digits + 1


def undo_digit_slips(text: str) -> str:
    """``text`` with the slips in numeric tokens replaced by digits (same length, same offsets)."""
    return re.sub(r"\S+", lambda m: m.group().translate(DIGIT_SLIPS) if _numeric_token(m.group()) else m.group(),
                  text)


@dataclass
class TextLine:
    """One OCR line: its text (words joined by one space) and each word's character span."""

    words: list[Word]
    text: str
    spans: list[tuple[int, int]]
    index: int
    """Position of the line on its page (reading order)."""
    digits: str = ""
    """``text`` with OCR slips in numbers undone."""
    row: str = ""
    """The words left of this line on its row (a form's label OCR put in another block)."""
    above: str = ""
    """The nearest line above that overlaps it horizontally (a label over its value, a role over a
    signature)."""
    above2: str = ""
    """The one above that (a stamp's OCR noise often stands between a role and its signature)."""

    @property
    def right(self) -> int:
        return max(w.right for w in self.words)

    @classmethod
    def of(cls, line: Line, index: int) -> "TextLine":
        spans, parts, pos = [], [], 0
        for w in line.words:
            spans.append((pos, pos + len(w.text)))
            parts.append(w.text)
            pos += len(w.text) + 1
        text = " ".join(parts)
        return cls(list(line.words), text, spans, index, undo_digit_slips(text))

    def words_in(self, start: int, end: int) -> list[Word]:
        """The words the characters ``start``..``end`` touch."""
        return [w for w, (a, b) in zip(self.words, self.spans) if a < end and b > start]

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)


@dataclass
class PageLines:
    seq: int
    lines: list[TextLine] = field(default_factory=list)


def page_lines(seq: int, text: PageText) -> PageLines:
    """The page's lines with their cue context (the row left of each line, the lines around it)."""
    lines = [TextLine.of(line, i) for i, line in enumerate(l for l in text.lines if l.words)]
    for line in lines:
        height = max(1, line.bottom - line.top)
        middle = (line.top + line.bottom) / 2
        row = [o for o in lines if o is not line and o.right <= line.left + height
               and abs((o.top + o.bottom) / 2 - middle) < 1.5 * height]
        line.row = " ".join(o.text for o in sorted(row, key=lambda o: o.left))
        over = [o for o in lines if o.bottom <= line.top + 0.3 * height and line.top - o.bottom < 8 * height
                and min(o.right, line.right) > max(o.left, line.left)]
        if over:
            line.above_line = max(over, key=lambda o: o.bottom)
            line.above = line.above_line.text
    for line in lines:
        above = getattr(line, "above_line", None)
        if above is not None and getattr(above, "above_line", None) is not None:
            line.above2 = above.above_line.text
    return PageLines(seq, lines)
