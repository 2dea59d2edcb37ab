"""Operator corrections of the split and the types, from a small CSV or JSON file.

CSV (``;`` or ``,`` separated, header ``page;action;value``), pages by their ``seq`` in
results.json:

    page;action;value
    14;split;          <- a new document starts at page 14
    17;merge;          <- page 17 continues the document before it
    14;type;brief      <- the document that holds page 14 is a brief

JSON: ``[{"page": 14, "action": "split"}, {"page": 14, "action": "type", "value": "brief"}]``.
Re-applying them re-writes the outputs; no page is read again.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from digitalisering.errors import InputFileError
from digitalisering.fileio import write_text_atomic

ACTIONS = ("split", "merge", "type")


@dataclass(frozen=True)
class Override:
    page: int
    action: str
    value: str = ""


@dataclass
class Overrides:
    items: list[Override] = field(default_factory=list)

    def boundary_at(self, seq: int) -> bool | None:
        """True: a document starts at ``seq``; False: it must not; None: not overridden."""
        found = None
        for o in self.items:
            if o.page == seq and o.action in ("split", "merge"):
                found = o.action == "split"
        return found

    def type_for(self, pages: list[int]) -> str | None:
        found = None
        members = set(pages)
        for o in self.items:
            if o.action == "type" and o.page in members:
                found = o.value
        return found

    def to_json(self) -> list[dict]:
        return [{"page": o.page, "action": o.action, "value": o.value} for o in self.items]


def parse_overrides(text: str, type_names: list[str], *, source: str = "overrides") -> Overrides:
    """Parse CSV or JSON text; raises InputFileError naming the line that is wrong."""
    stripped = text.strip()
    if not stripped:
        return Overrides()
    if stripped[0] in "[{":
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise InputFileError(f"{source}: not valid JSON ({exc})") from exc
        rows = data if isinstance(data, list) else data.get("overrides", [])
        numbered = [(i + 1, r) for i, r in enumerate(rows)]
    else:
        dialect = ";" if stripped.splitlines()[0].count(";") >= stripped.splitlines()[0].count(",") else ","
        reader = csv.DictReader(io.StringIO(stripped), delimiter=dialect)
        if not reader.fieldnames or {"page", "action"} - {f.strip().lower() for f in reader.fieldnames}:
            raise InputFileError(f"{source}: the first line must be the header page{dialect}action{dialect}value")
        numbered = [(i + 2, {k.strip().lower(): (v or "").strip() for k, v in r.items() if k})
                    for i, r in enumerate(reader)]
    items = []
    for line, row in numbered:
        if not isinstance(row, dict):
            raise InputFileError(f"{source} entry {line}: expected an object with page and action")
        action = str(row.get("action", "")).strip().lower()
        value = str(row.get("value") or "").strip().lower()
        try:
            page = int(str(row.get("page", "")).strip())
        except ValueError:
            raise InputFileError(f"{source} line {line}: page must be a page number (seq)") from None
        if action not in ACTIONS:
            raise InputFileError(f"{source} line {line}: action must be one of {', '.join(ACTIONS)}, not {action!r}")
        if action == "type" and value not in type_names:
            raise InputFileError(f"{source} line {line}: type must be one of {', '.join(type_names)}, not {value!r}")
        items.append(Override(page, action, value))
    return Overrides(items)


def load_overrides(path: Path, type_names: list[str]) -> Overrides:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_overrides(text, type_names, source=Path(path).name)


def save_overrides(overrides: Overrides, path: Path) -> None:
    write_text_atomic(path, json.dumps(overrides.to_json(), ensure_ascii=False, indent=1))


def load_saved_overrides(path: Path) -> Overrides:
    """The overrides kept with a batch (none when there are none)."""
    if not Path(path).exists():
        return Overrides()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Overrides([Override(int(o["page"]), o["action"], o.get("value", "")) for o in data])
