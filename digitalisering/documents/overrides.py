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

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from digitalisering.fileio import write_text_atomic
from digitalisering.operator_files import (Locator, PathItems, check, config_error, field_place, parse_json, read_csv,
                                           read_text, show)

ACTIONS = ("split", "merge", "type")
COLUMNS = ("page", "action", "value")
SCHEMA = "overrides.schema.json"


@dataclass(frozen=True)
class Override:
    page: int
    action: str
    value: str = ""
    line: int | None = field(default=None, compare=False)
    """The line of the operator's file that gave it (for messages)."""


@dataclass
class Overrides:
    items: list[Override] = field(default_factory=list)
    source: str = "overrides"
    """The file they came from (for messages)."""

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

    def check_pages(self, seqs: Collection[int], batch: str) -> None:
        """Refuse corrections of pages that ``batch`` (page seqs ``seqs``) does not have, all named at once."""
        missing = [o for o in self.items if o.page not in seqs]
        if not missing:
            return
        listed = ", ".join(f"{o.page}" + (f" (line {o.line})" if o.line is not None else "") for o in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        has = f"pages {min(seqs)}-{max(seqs)}" if seqs else "no pages"
        raise config_error(self.source, missing[0].line,
                           f"page{'s' if len(missing) > 1 else ''} {listed}{more} not in batch {batch} (it has {has})",
                           "the seq of a page of this batch, as in results.json")


def _normalise(entry: object) -> object:
    if isinstance(entry, dict):
        entry = dict(entry)
        for key in ("action", "value"):
            if isinstance(entry.get(key), str):
                entry[key] = entry[key].strip().lower()
    return entry


def _csv_entries(text: str, source: str) -> tuple[list[dict], Locator]:
    table = read_csv(text, source)
    header = [h.lower() for h in table.header]
    sep = table.delimiter
    wanted = f"the header page{sep}action{sep}value"
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or {"page", "action"} - set(header) or len(set(header)) != len(header):
        what = f"column {unknown[0]!r} is not known" if unknown else f"the header is {sep.join(table.header)!r}"
        raise config_error(source, table.header_line, what, wanted)
    entries, lines = [], []
    for line, fields in table.rows:
        if len(fields) > len(header):
            raise config_error(source, line, f"{len(fields)} fields", f"at most {len(header)} ({sep.join(header)})")
        row: dict = dict(zip(header, fields))
        if re.fullmatch(r"[0-9]{1,12}", row.get("page", "")):
            row["page"] = int(row["page"])
        entries.append(row)
        lines.append(line)

    def locate(path: PathItems) -> int:
        return lines[path[0]] if path and isinstance(path[0], int) else table.header_line

    return entries, locate


def parse_overrides(text: str, type_names: Sequence[str] | None, *, source: str = "overrides") -> Overrides:
    """Corrections from CSV or JSON text (checked against ``schemas/overrides.schema.json``; types
    against ``type_names`` unless None). A ConfigError names the line that is wrong."""
    stripped = text.strip()
    if not stripped:
        return Overrides(source=source)
    prefix: PathItems = ()
    if stripped[0] in "[{":
        data, locate_json = parse_json(text, source)
        if isinstance(data, dict):
            if set(data) != {"overrides"}:
                raise config_error(source, 1, "a JSON object without a single key \"overrides\"",
                                   'a list [{"page": 14, "action": "split"}] or {"overrides": [...]}')
            data, prefix = data["overrides"], ("overrides",)
        entries = data

        def locate(path: PathItems) -> int:
            return locate_json(prefix + path)
    else:
        entries, locate = _csv_entries(text, source)
    if isinstance(entries, list):
        entries = [_normalise(e) for e in entries]
    check(entries, SCHEMA, source, locate, place=lambda path: field_place(prefix + path))
    items = []
    for i, entry in enumerate(entries):
        value = entry.get("value", "")
        if entry["action"] == "type" and type_names is not None and value not in type_names:
            raise config_error(source, locate((i, "value")), f"type is {show(value)}",
                               "one of " + ", ".join(type_names))
        items.append(Override(entry["page"], entry["action"], value if entry["action"] == "type" else "",
                              line=locate((i,))))
    return Overrides(items, source)


def load_overrides(path: Path, type_names: Sequence[str]) -> Overrides:
    return parse_overrides(read_text(path), type_names, source=str(path))


def save_overrides(overrides: Overrides, path: Path) -> None:
    write_text_atomic(path, json.dumps(overrides.to_json(), ensure_ascii=False, indent=1))


def load_saved_overrides(path: Path) -> Overrides:
    """The overrides kept with a batch (none when there are none)."""
    if not Path(path).exists():
        return Overrides()
    return parse_overrides(read_text(path), None, source=str(path))
