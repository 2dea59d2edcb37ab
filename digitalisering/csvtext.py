"""CSV files people open in a spreadsheet: the one writer for every CSV the product makes.

Text that comes from people or from scans (a reviewer's reason, a file name, an OCR line) can begin
with a character a spreadsheet reads as a formula: ``=HYPERLINK("http://...")`` in a rejection reason
became a live link in Excel and LibreOffice. Such cells are neutralised as OWASP recommends for CSV
injection: a leading ``'`` makes the spreadsheet show the text as text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that make a spreadsheet cell a formula (OWASP: CSV injection)."""


def spreadsheet_safe(value: Any) -> Any:
    """``value`` as a cell: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ";") -> str:
    """The CSV text of ``header`` and ``rows`` (semicolons by default, as Dutch spreadsheets expect)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return buf.getvalue()
