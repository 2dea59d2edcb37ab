"""Hypothesis strategies for operator files: TOML documents and CSV tables written from generated
values (a small writer of their own, so that what is generated is what the file says), and checks
that a reader's failure is a one-line ConfigError naming the file and a line."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date, datetime, time
from pathlib import Path

from hypothesis import strategies as st

from digitalisering.errors import ConfigError

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
"""Any text a file can hold (no lone surrogates)."""

SCALARS = st.one_of(
    st.booleans(), st.integers(-10**12, 10**12), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    TEXT, st.dates(), st.datetimes(), st.times(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=6)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        # a TOML basic string: JSON's escapes are TOML escapes (DEL must be escaped in TOML too)
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def toml_document(data: dict) -> str:
    """Top-level tables as [sections], their keys one a line; other top-level values first."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for section, table in data.items():
        if isinstance(table, dict):
            lines.append(f"[{toml_key(section)}]")
            lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def settings_documents(known: dict[str, list[str]]) -> st.SearchStrategy[dict]:
    """TOML documents made of the known sections and keys (and some unknown ones), any values."""
    def section(keys: list[str]) -> st.SearchStrategy[dict]:
        return st.dictionaries(st.sampled_from(keys + ["unknown", "Other key"]), VALUES, max_size=len(keys) + 1)

    sections = {name: section(keys) for name, keys in known.items()}
    return st.dictionaries(st.sampled_from(list(known) + ["extra"]), st.just(None), max_size=len(known) + 1).flatmap(
        lambda chosen: st.fixed_dictionaries({name: sections.get(name, section(["x"])) for name in chosen}))


def csv_text(rows: list[list[str]], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def assert_one_line_error(exc: ConfigError, path: Path) -> None:
    """A ConfigError as the operator sees it: one line, the file, a line number."""
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    assert re.match(re.escape(str(path)) + r":\d+: \S", message), message


def read_or_refuse(load, folder: Path, name: str, data: bytes):
    """``load`` the file ``name`` holding ``data``: its result, or None after checking that the
    refusal is one ConfigError line naming the file (the property every operator-file reader keeps)."""
    path = folder / name
    path.write_bytes(data)
    try:
        return load(path)
    except ConfigError as exc:
        assert_one_line_error(exc, path)
        return None
