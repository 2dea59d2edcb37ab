"""Vulnerable objects: documents about buildings whose drawings may not be shown.

Two sources, both proposals for an archivist:

- the BAG gebruiksdoel of the verblijfsobjecten a document's addresses are linked to: a
  ``celfunctie`` (a prison, a police station's cells) makes the document a proposal for restriction;
- the municipality's exclusion list (uitsluitingslijst): a CSV of BAG pand or verblijfsobject ids
  with a reason and an end date (banks, shelters, water and power installations, the mayor's home),
  an operator file checked against ``schemas/exclusions.schema.json`` (one ``FILE:LINE`` line and
  exit 2 when it cannot be used).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from digitalisering.errors import ConfigError
from digitalisering.operator_files import check, config_error, read_csv, read_text

EXCLUSIONS_SCHEMA = "exclusions.schema.json"
VULNERABLE_GEBRUIKSDOELEN = {"celfunctie": "verblijfsobject met celfunctie (BAG gebruiksdoel)"}
"""BAG gebruiksdoelen that make a building vulnerable, with the reason shown to the archivist."""
COLUMNS = {"bag_id": ("bag_id", "id", "identificatie", "object"), "reden": ("reden", "reason"),
           "einddatum": ("einddatum", "eind", "end", "end_date", "tot")}


@dataclass(frozen=True)
class Exclusion:
    bag_id: str
    kind: str
    """'pand' or 'verblijfsobject' (from the id's object-type digits)."""
    reason: str
    until: date | None
    line: int


@dataclass(frozen=True)
class ObjectProposal:
    """A document about a vulnerable building."""

    kind: str
    """'gebruiksdoel' or 'exclusion_list'."""
    bag_id: str
    reason: str
    until: date | None = None

    def to_json(self) -> dict:
        return {"kind": self.kind, "bag_id": self.bag_id, "reason": self.reason,
                "until": self.until.isoformat() if self.until else None}

    @classmethod
    def from_json(cls, data: dict) -> "ObjectProposal":
        until = data.get("until")
        return cls(data["kind"], data["bag_id"], data["reason"], date.fromisoformat(until) if until else None)


def read_exclusions(path: Path) -> dict[str, Exclusion]:
    """The exclusion list by BAG id (ConfigError, exit 2, naming the line of the first problem)."""
    source = str(path)
    table = read_csv(read_text(path), source, delimiters=";,\t")
    if not table.header:
        raise config_error(source, 1, "the file is empty", "a header line bag_id;reden;einddatum and one row per object")
    header = [h.lower() for h in table.header]
    cols = {name: next((header.index(a) for a in aliases if a in header), None) for name, aliases in COLUMNS.items()}
    if cols["bag_id"] is None or cols["reden"] is None:
        raise config_error(source, table.header_line, f"the header is {';'.join(table.header)}",
                           "the columns bag_id and reden (and einddatum)")
    out: dict[str, Exclusion] = {}
    for line, fields in table.rows:
        row: dict = {name: fields[i] if i < len(fields) else "" for name, i in cols.items() if i is not None}
        end = row.get("einddatum", "")
        if not end:
            row["einddatum"] = None
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", end):
            try:
                row["einddatum"] = date.fromisoformat(end)
            except ValueError:
                pass  # told by the schema check: not a date
        check(row, EXCLUSIONS_SCHEMA, source, lambda _p, line=line: line,
              place=lambda p: p[0] if p else "the row")
        if row["bag_id"] in out:
            raise config_error(source, line, f"{row['bag_id']} is listed again (first on line "
                                             f"{out[row['bag_id']].line})", "each object once")
        kind = "pand" if row["bag_id"][4:6] == "10" else "verblijfsobject"
        out[row["bag_id"]] = Exclusion(row["bag_id"], kind, row["reden"], row["einddatum"], line)
    return out


def object_proposals(vbo_ids: list[str], pand_ids: list[str], gebruiksdoelen: dict[str, list[str]] | None,
                     exclusions: dict[str, Exclusion] | None, today: date | None = None) -> list[ObjectProposal]:
    """Proposals for a document linked to these BAG objects: a vulnerable gebruiksdoel, an entry of
    the exclusion list whose end date has not passed."""
    today = today or date.today()
    out: list[ObjectProposal] = []
    for vbo in sorted(set(vbo_ids)):
        for doel in (gebruiksdoelen or {}).get(vbo, []):
            if doel in VULNERABLE_GEBRUIKSDOELEN:
                out.append(ObjectProposal("gebruiksdoel", vbo, VULNERABLE_GEBRUIKSDOELEN[doel]))
    for bag_id in sorted(set(vbo_ids) | set(pand_ids)):
        entry = (exclusions or {}).get(bag_id)
        if entry and (entry.until is None or entry.until >= today):
            out.append(ObjectProposal("exclusion_list", bag_id, entry.reason, entry.until))
    return out


def check_exclusions_file(path: Path | None) -> dict[str, Exclusion] | None:
    """``read_exclusions`` for an optional option value (None: no list)."""
    if path is None:
        return None
    if not Path(path).is_file():
        raise ConfigError("{path}: no such file; expected the exclusion list (CSV bag_id;reden;einddatum)", path=path)
    return read_exclusions(Path(path))
