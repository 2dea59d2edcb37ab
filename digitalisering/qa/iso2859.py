"""ISO 2859-1 single sampling plans for normal inspection, from the standard's tables kept as data.

``iso2859_table1.csv`` is Table 1 (sample size code letters by lot size and inspection level) and
``iso2859_table2a.csv`` is Table 2-A (single sampling plans for normal inspection, master table):
each cell holds ``Ac/Re``, ``v`` (use the first sampling plan below the arrow) or ``^`` (the first
plan above). As the standard says, when an arrow leads to another code letter, the sample size of
that letter is used; when the sample size equals or exceeds the lot size, every item is inspected.

Two cells of the printed table point out of it (code A at AQL 10 points up, code R at AQL 0.015
cannot point down); there we follow the arrow the other way to the nearest plan. Lots of 2 to 8
pages at AQL 10 are inspected in full anyway.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")


class SamplingError(ValueError):
    """An inspection level, AQL or lot size the standard has no plan for."""


@dataclass(frozen=True)
class SamplingPlan:
    lot_size: int
    level: str
    aql: str
    code_letter: str
    """The code letter of Table 1 for the lot size and level."""
    plan_letter: str
    """The code letter whose plan is used (differs from ``code_letter`` when an arrow was followed)."""
    sample_size: int
    """Items to inspect: the plan's sample size, or the whole lot when that is not larger."""
    acceptance: int
    """Ac: the lot is accepted with at most this many nonconforming items in the sample."""
    rejection: int
    """Re: the lot is not accepted with this many or more."""

    @property
    def full_inspection(self) -> bool:
        return self.sample_size >= self.lot_size


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("digitalisering.qa").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def table1() -> list[tuple[int, int | None, dict[str, str]]]:
    """(lot_min, lot_max or None for 'and over', {level: code letter})."""
    return [(int(r["lot_min"]), int(r["lot_max"]) if r["lot_max"] else None, {lv: r[lv] for lv in LEVELS})
            for r in _read("iso2859_table1.csv")]


@lru_cache(maxsize=1)
def table2a() -> tuple[list[str], list[tuple[str, int, dict[str, str]]]]:
    """(AQL column labels, rows of (code letter, sample size, {aql: cell}))."""
    rows = _read("iso2859_table2a.csv")
    aqls = [k for k in rows[0] if k not in ("code", "n")]
    return aqls, [(r["code"], int(r["n"]), {a: r[a] for a in aqls}) for r in rows]


def aql_values() -> list[str]:
    return table2a()[0]


def normalise_aql(aql: float | str) -> str:
    """The table's label for an AQL given as a number or text ("1", 1.0, "0.65")."""
    try:
        value = float(str(aql).replace(",", "."))
    except ValueError:
        raise SamplingError(f"AQL {aql!r} is not a number") from None
    for label in aql_values():
        if abs(float(label) - value) < 1e-9:
            return label
    raise SamplingError(f"AQL {aql} is not one of the standard's values: {', '.join(aql_values())}")


def code_letter(lot_size: int, level: str = "II") -> str:
    if level not in LEVELS:
        raise SamplingError(f"inspection level {level!r} is not one of {', '.join(LEVELS)}")
    if lot_size < 2:
        raise SamplingError(f"a lot of {lot_size} item(s) cannot be sampled (the table starts at 2)")
    for low, high, letters in table1():
        if lot_size >= low and (high is None or lot_size <= high):
            return letters[level]
    raise SamplingError(f"lot size {lot_size} is not in Table 1")  # unreachable: the last row is open


def _resolve(aql: str, letter: str) -> tuple[str, int, int, int]:
    _, rows = table2a()
    index = next(i for i, row in enumerate(rows) if row[0] == letter)
    start = index
    direction = 0
    for _ in range(2 * len(rows)):
        code, n, cells = rows[index]
        cell = cells[aql]
        if "/" in cell:
            ac, re_ = (int(x) for x in cell.split("/"))
            return code, n, ac, re_
        step = 1 if cell == "v" else -1
        if direction == 0:
            direction = step
        nxt = index + direction
        if not 0 <= nxt < len(rows):
            direction = -direction  # the arrow points out of the table: the nearest plan the other way
            nxt = start + direction
        index = nxt
    raise SamplingError(f"Table 2-A has no plan for code letter {letter} at AQL {aql}")


def sampling_plan(lot_size: int, aql: float | str = "1.0", level: str = "II") -> SamplingPlan:
    """The single sampling plan for normal inspection of a lot of ``lot_size`` items."""
    label = normalise_aql(aql)
    letter = code_letter(lot_size, level)
    plan_letter, n, ac, re_ = _resolve(label, letter)
    return SamplingPlan(lot_size=lot_size, level=level, aql=label, code_letter=letter, plan_letter=plan_letter,
                        sample_size=min(n, lot_size), acceptance=ac, rejection=re_)
