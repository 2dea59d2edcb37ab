"""The targets file (TOML): project period and working days, estimated totals, budget and unit costs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digitalisering.errors import InputFileError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Targets:
    name: str
    start: date
    end: date
    working_days: frozenset[int]
    """Weekday numbers (Monday 0) that are working days."""
    holidays: frozenset[date]
    dossiers: int
    pages: int
    large_format_sheets: int
    budget_eur: float
    fixed_eur: float
    per_a4_page_eur: float
    per_large_format_sheet_eur: float
    per_dossier_preparation_eur: float
    running_metres: float | None = None
    extra: dict = field(default_factory=dict)


def _get(data: dict, section: str, key: str, kind: type, source: str):
    try:
        value = data[section][key]
    except KeyError:
        raise InputFileError(f"{source}: [{section}] {key} is missing") from None
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind) or (kind in (int, float) and value < 0):
        raise InputFileError(f"{source}: [{section}] {key} must be a {'non-negative ' if kind in (int, float) else ''}"
                             f"{kind.__name__}, not {value!r}")
    return value


def parse_targets(data: dict, source: str = "targets") -> Targets:
    days = data.get("project", {}).get("working_days", list(DAY_NAMES[:5]))
    unknown = [d for d in days if d not in DAY_NAMES]
    if unknown or not days:
        raise InputFileError(f"{source}: [project] working_days must name days among {', '.join(DAY_NAMES)}")
    start, end = _get(data, "project", "start", date, source), _get(data, "project", "end", date, source)
    if end <= start:
        raise InputFileError(f"{source}: [project] end ({end}) must be after start ({start})")
    holidays = data.get("project", {}).get("holidays", [])
    if not all(isinstance(h, date) for h in holidays):
        raise InputFileError(f"{source}: [project] holidays must be dates (2026-12-25)")
    return Targets(
        name=str(data.get("project", {}).get("name", "Digitalisering")),
        start=start, end=end, working_days=frozenset(DAY_NAMES.index(d) for d in days),
        holidays=frozenset(holidays),
        dossiers=_get(data, "estimate", "dossiers", int, source),
        pages=_get(data, "estimate", "pages", int, source),
        large_format_sheets=_get(data, "estimate", "large_format_sheets", int, source),
        running_metres=data.get("estimate", {}).get("running_metres"),
        budget_eur=_get(data, "budget", "total_eur", float, source),
        fixed_eur=_get(data, "budget", "fixed_eur", float, source),
        per_a4_page_eur=_get(data, "budget", "per_a4_page_eur", float, source),
        per_large_format_sheet_eur=_get(data, "budget", "per_large_format_sheet_eur", float, source),
        per_dossier_preparation_eur=_get(data, "budget", "per_dossier_preparation_eur", float, source),
    )


def load_targets(path: Path) -> Targets:
    try:
        with open(path, "rb") as fh:
            return parse_targets(tomllib.load(fh), Path(path).name)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{Path(path).name} is not valid TOML: {exc}") from exc
