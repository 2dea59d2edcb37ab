"""Dates written in Dutch documents: "20 mei 1962", "20 Mei 1962", "20-5-1962", "d.d. 6.2.1962"."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {"januari": 1, "jan": 1, "februari": 2, "febr": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
          "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sept": 9,
          "sep": 9, "oktober": 10, "october": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}
_WRITTEN = re.compile(r"\b(\d{1,2})\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(1[89]\d\d|20\d\d)\b",
                      re.IGNORECASE)
_NUMERIC = re.compile(r"\b(\d{1,2})\s?[-./]\s?(\d{1,2})\s?[-./]\s?(1[89]\d\d|20\d\d)\b")
EARLIEST = 1850


def find_dates(text: str, latest: date | None = None) -> list[date]:
    """Every valid date in ``text`` between 1850 and ``latest`` (default today), sorted, unique."""
    latest = latest or date.today()
    found: set[date] = set()
    for m in _WRITTEN.finditer(text):
        _add(found, int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)), latest)
    for m in _NUMERIC.finditer(text):
        _add(found, int(m.group(3)), int(m.group(2)), int(m.group(1)), latest)
    return sorted(found)


def _add(found: set[date], year: int, month: int, day: int, latest: date) -> None:
    try:
        d = date(year, month, day)
    except ValueError:
        return
    if EARLIEST <= d.year and d <= latest:
        found.add(d)


MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
               "november", "december")


def dutch_date(day: date | None) -> str:
    """A date as people read it in Dutch: 7 december 2026 ('-' for none)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}" if day else "-"
