"""The targets file (TOML): project period and working days, estimated totals, budget and unit costs
(checked against ``schemas/targets.schema.json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digitalisering.operator_files import Locator, check, config_error, parse_toml, read_text

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


SCHEMA = "targets.schema.json"


def parse_targets(data: dict, source: str = "targets", locate: Locator = lambda _path: None) -> Targets:
    """Targets from the parsed TOML ``data``; a ConfigError names ``source`` (and the line ``locate``
    gives for a key) and what was expected."""
    check(data, SCHEMA, source, locate)
    project, estimate, budget = data["project"], data["estimate"], data["budget"]
    start, end = project["start"], project["end"]
    if end <= start:
        raise config_error(source, locate(("project", "end")), f"[project] end ({end}) is not after start ({start})",
                           "an end date after the start date")
    days = project.get("working_days", list(DAY_NAMES[:5]))
    return Targets(
        name=project.get("name", "Digitalisering"),
        start=start, end=end, working_days=frozenset(DAY_NAMES.index(d) for d in days),
        holidays=frozenset(project.get("holidays", [])),
        dossiers=estimate["dossiers"],
        pages=estimate["pages"],
        large_format_sheets=estimate["large_format_sheets"],
        running_metres=float(estimate["running_metres"]) if "running_metres" in estimate else None,
        budget_eur=float(budget["total_eur"]),
        fixed_eur=float(budget["fixed_eur"]),
        per_a4_page_eur=float(budget["per_a4_page_eur"]),
        per_large_format_sheet_eur=float(budget["per_large_format_sheet_eur"]),
        per_dossier_preparation_eur=float(budget["per_dossier_preparation_eur"]),
    )


def load_targets(path: Path) -> Targets:
    """The targets file at ``path``; every problem is a one-line ConfigError ``FILE:LINE: ...``."""
    doc = parse_toml(read_text(path), str(path))
    return parse_targets(doc.data, doc.source, doc.line)
