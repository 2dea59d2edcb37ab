"""The files an operator writes or hands in (settings in TOML, lists in CSV or JSON): read strictly,
checked against a JSON Schema kept as data (``schemas/*.schema.json``), and every problem told as one
line ``FILE:LINE: what was wrong; expected what``, raised as :class:`ConfigError` (exit 2).

The schemas use JSON Schema 2020-12 with a few additions for TOML values: the types ``date`` (a
calendar date, not a date and time) and ``datetime``; ``integer`` and ``number`` never accept true or
false, ``integer`` never a float, and ``number`` never nan or inf; the keywords ``earliest`` and
``latest`` bound a date (ISO strings); ``expected`` (an annotation) says in words what a value must
be, for the message.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from digitalisering.errors import ConfigError
from digitalisering.resources import load_json_schema

PathItems = tuple  # a place in a document: keys and list indexes, outermost first
Locator = Callable[[PathItems], "int | None"]


# --- reading and decoding -------------------------------------------------------------------

def read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError("{path}: cannot read the file: {error}", path=path, error=exc.strerror or exc) from exc


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); anything else is refused with the byte's offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError("{source}:{line}: not UTF-8 text (byte 0x{data:02x} at offset {start}); expected the file saved as UTF-8", source=source, line=line, data=data[exc.start], start=exc.start) from None


def read_text(path: Path) -> str:
    return decode(read_bytes(path), str(path))


def line_of_offset(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# --- telling a value and a place --------------------------------------------------------------

def show(value: Any) -> str:
    """A value as the operator wrote it (TOML spelling), shortened."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ") + " (a date and time)"
    elif isinstance(value, (date, time)):
        text = value.isoformat()
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        text = "a table" if value else "an empty table"
    elif isinstance(value, list):
        text = "[" + ", ".join(show(v) for v in value[:4]) + (", ..." if len(value) > 4 else "") + "]"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def toml_place(path: PathItems) -> str:
    """``[estimate] dossiers`` / ``[project] holidays[2]`` / ``[sampling]``."""
    if not path:
        return "the file"
    if not isinstance(path[0], str):
        return f"item {path[0] + 1}"
    keys = [path[0]]
    for item in path[1:]:
        if not isinstance(item, str):
            break
        keys.append(item)
    where = f"[{keys[0]}]" + (" " + ".".join(keys[1:]) if len(keys) > 1 else "")
    return where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[len(keys):])


def field_place(path: PathItems) -> str:
    """The column or key of a row (``page``), for CSV and JSON lists."""
    if not path:
        return "the file"
    if isinstance(path[-1], str):
        return path[-1]
    return f"entry {path[-1] + 1}" if len(path) == 1 or not isinstance(path[-2], str) else \
        f"{path[-2]}[{path[-1]}]"


# --- the schema validator -------------------------------------------------------------------

def _is_integer(_checker, value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(_checker, value) -> bool:
    return _is_integer(_checker, value) or (isinstance(value, float) and math.isfinite(value))


def _is_date(_checker, value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_datetime(_checker, value) -> bool:
    return isinstance(value, datetime)


def _bound(before: bool):
    def check(validator, limit: str, instance, schema):
        if _is_date(None, instance):
            bound = date.fromisoformat(limit)
            if (instance < bound) if before else (instance > bound):
                yield ValidationError(f"{instance} is {'before' if before else 'after'} {limit}")
    return check


_TYPES = Draft202012Validator.TYPE_CHECKER.redefine_many(
    {"integer": _is_integer, "number": _is_number, "date": _is_date, "datetime": _is_datetime})
OperatorFileValidator = validators.extend(
    Draft202012Validator, validators={"earliest": _bound(True), "latest": _bound(False)}, type_checker=_TYPES)


def _optional(schema: Any) -> Any:
    """The schema with no key required (for a user's file laid over shipped defaults)."""
    if isinstance(schema, dict):
        return {k: _optional(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_optional(v) for v in schema]
    return schema


@lru_cache(maxsize=None)
def validator(schema_name: str, partial: bool = False) -> OperatorFileValidator:
    schema = load_json_schema(schema_name)
    return OperatorFileValidator(_optional(schema) if partial else schema)


def _property_schema(schema: dict, name: str) -> dict:
    props = schema.get("properties", {})
    if name in props:
        return props[name]
    for pattern, sub in schema.get("patternProperties", {}).items():
        if re.search(pattern, name):
            return sub
    return {}


def _expected(schema: dict) -> str:
    if "expected" in schema:
        return schema["expected"]
    if "enum" in schema:
        return "one of " + ", ".join(show(v) for v in schema["enum"])
    if "const" in schema:
        return show(schema["const"])
    return f"a {schema['type']}" if isinstance(schema.get("type"), str) else "a valid value"


@dataclass(frozen=True)
class Problem:
    path: PathItems
    """Where the value is (for the line); for a missing key, the table that lacks it."""
    what: str
    """What was wrong, with the place: ``[estimate] dossiers is true``."""
    expected: str
    missing: bool = False
    """A key left out (told after the wrong ones: a misspelt key is also a missing one)."""


def problems(data: Any, schema_name: str, *, partial: bool = False,
             place: Callable[[PathItems], str] = toml_place) -> Iterator[Problem]:
    """Everything in ``data`` that breaks the schema, each told as what was found and what was expected."""
    told: set[tuple] = set()
    for err in validator(schema_name, partial).iter_errors(data):
        path = tuple(err.absolute_path)
        if err.validator == "required":  # (one error per missing key, none saying which: all told once)
            if ("required", path) in told:
                continue
            told.add(("required", path))
            for name in err.validator_value:
                if name not in err.instance:
                    yield Problem(path, f"{place(path + (name,))} is missing",
                                  _expected(_property_schema(err.schema, name)), missing=True)
        elif err.validator == "additionalProperties":
            known = list(err.schema.get("properties", {}))
            for name in err.instance:
                if not _property_schema(err.schema, name):
                    yield Problem(path + (name,), f"{place(path + (name,))} is not known",
                                  ("one of " + ", ".join(known)) if known else "nothing here")
        else:
            yield Problem(path, f"{place(path)} is {show(err.instance)}", _expected(err.schema))


def first_problem(found: Sequence[Problem] | Iterator[Problem], locate: Locator) -> tuple[int | None, Problem] | None:
    """The problem that comes first in the file."""
    best = None
    for problem in found:
        line = locate(problem.path)
        key = (problem.missing, line if line is not None else 0)
        if best is None or key < best[0]:
            best = (key, line, problem)
    return None if best is None else (best[1], best[2])


def config_error(source: str, line: int | None, what: str, expected: str | None = None) -> ConfigError:
    where = f"{source}:{line}" if line is not None else source

    def one_line(text: str) -> str:
        return text.replace("\r", "\\r").replace("\n", "\\n")

    if expected:
        return ConfigError("{where}: {what}; expected {expected}", where=one_line(where), what=one_line(what),
                           expected=one_line(expected))
    return ConfigError("{where}: {what}", where=one_line(where), what=one_line(what))


def check(data: Any, schema_name: str, source: str, locate: Locator = lambda _p: None, *,
          partial: bool = False, place: Callable[[PathItems], str] = toml_place) -> None:
    """Raise a one-line ConfigError for the first thing in ``data`` that breaks the schema."""
    found = first_problem(problems(data, schema_name, partial=partial, place=place), locate)
    if found is not None:
        line, problem = found
        raise config_error(source, line, problem.what, problem.expected)


# --- TOML -----------------------------------------------------------------------------------

_BARE_OR_QUOTED = r'[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY_PART = re.compile(_BARE_OR_QUOTED)
_HEADER = re.compile(r"^\s*\[\[?\s*((?:%s)(?:\s*\.\s*(?:%s))*)\s*\]\]?\s*(?:#.*)?$" % (_BARE_OR_QUOTED, _BARE_OR_QUOTED))
_KEY = re.compile(r"^\s*((?:%s)(?:\s*\.\s*(?:%s))*)\s*=" % (_BARE_OR_QUOTED, _BARE_OR_QUOTED))
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$|\s*\(at end of document\)\s*$")


def _key_parts(text: str) -> list[str]:
    parts = []
    for token in _KEY_PART.findall(text):
        if token.startswith('"'):
            try:
                token = json.loads(token)
            except ValueError:
                token = token[1:-1]
        elif token.startswith("'"):
            token = token[1:-1]
        parts.append(token)
    return parts


@dataclass(frozen=True)
class TomlFile:
    source: str
    text: str
    data: dict

    def line(self, path: PathItems) -> int:
        """The line that sets ``path`` (or the deepest table or key on the way to it; 1 when none)."""
        want = []
        for item in path:
            if not isinstance(item, str):
                break
            want.append(item)
        best_depth, best_line = 0, 1
        table: list[str] = []
        for n, line in enumerate(self.text.split("\n"), 1):  # TOML's lines (not str.splitlines')
            header = _HEADER.match(line)
            if header:
                table = _key_parts(header.group(1))
                keys = table
            else:
                key = _KEY.match(line)
                if not key:
                    continue
                keys = table + _key_parts(key.group(1))
            depth = 0
            while depth < min(len(keys), len(want)) and keys[depth] == want[depth]:
                depth += 1
            if depth > best_depth and depth == min(len(keys), len(want)):
                best_depth, best_line = depth, n
        return best_line

    def error(self, path: PathItems, what: str, expected: str | None = None) -> ConfigError:
        return config_error(self.source, self.line(path), what, expected)

    def check(self, schema_name: str, *, partial: bool = False) -> None:
        check(self.data, schema_name, self.source, self.line, partial=partial)


def parse_toml(text: str, source: str) -> TomlFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_ERROR_AT.search(message)
        if at and at.group(1):
            line, detail = int(at.group(1)), f"{message[:at.start()]} (column {at.group(2)})"
        else:
            line, detail = text.rstrip("\n").count("\n") + 1, message[:at.start()] if at else message
        raise ConfigError('{source}:{line}: not valid TOML: {detail}; expected TOML such as key = "value"', source=source, line=line, detail=detail) \
            from None
    return TomlFile(source, text, data)


def read_toml(path: Path, schema_name: str, *, partial: bool = False) -> TomlFile:
    """A TOML file, decoded, parsed and checked against ``schema_name``."""
    doc = parse_toml(read_text(path), str(path))
    doc.check(schema_name, partial=partial)
    return doc


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_layered_settings(package: str, defaults: str, path: Path | None, schema_name: str
                          ) -> tuple[dict[str, Any], TomlFile | None]:
    """The shipped defaults with the user's file laid over them, both checked against the schema
    (the user's file may leave anything out). Returns the merged settings and the user's file."""
    shipped = resources.files(package).joinpath(defaults).read_text(encoding="utf-8")
    base = parse_toml(shipped, f"{package}/{defaults}")
    base.check(schema_name)
    if path is None:
        return base.data, None
    user = read_toml(path, schema_name, partial=True)
    merged = _merge(base.data, user.data)
    check(merged, schema_name, user.source, user.line)
    return merged, user


# --- JSON -----------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")


def json_offsets(text: str) -> dict[PathItems, int]:
    """Where each value of a valid JSON text starts (its path -> character offset)."""
    decoder = json.JSONDecoder()
    where: dict[PathItems, int] = {}

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, path: PathItems) -> int:
        i = skip(i)
        where[path] = i
        opening = text[i:i + 1]
        if opening in ("[", "{"):
            closing = "]" if opening == "[" else "}"
            i = skip(i + 1)
            index = 0
            while text[i:i + 1] != closing:
                if opening == "[":
                    i = value(i, path + (index,))
                    index += 1
                else:
                    key, i = decoder.raw_decode(text, i)
                    i = skip(i) + 1  # the colon
                    i = value(i, path + (key,))
                i = skip(i)
                if text[i:i + 1] == ",":
                    i = skip(i + 1)
            return i + 1
        _, end = decoder.raw_decode(text, i)
        return end

    value(0, ())
    return where


def parse_json(text: str, source: str) -> tuple[Any, Locator]:
    """The JSON value and a locator of its parts' lines."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError("{source}:{lineno}: not valid JSON: {msg} (column {colno}); expected a JSON list", source=source, lineno=exc.lineno, msg=exc.msg, colno=exc.colno) from None
    except RecursionError:
        raise ConfigError("{source}:1: not valid JSON: nested too deeply; expected a JSON list", source=source) from None
    try:
        offsets = json_offsets(text)
    except RecursionError:
        offsets = {}

    def locate(path: PathItems) -> int:
        for cut in range(len(path), -1, -1):
            if tuple(path[:cut]) in offsets:
                return line_of_offset(text, offsets[tuple(path[:cut])])
        return 1

    return data, locate


# --- CSV ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvTable:
    source: str
    delimiter: str
    header: list[str]
    """The first row's fields, stripped (as written)."""
    header_line: int
    rows: list[tuple[int, list[str]]]
    """(line where the row starts, its fields stripped); empty rows are left out."""


def read_csv(text: str, source: str, delimiters: str = ";,") -> CsvTable:
    """A CSV table; the delimiter is the one of ``delimiters`` found most often in the first line."""
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    delimiter = max(delimiters, key=lambda d: (first.count(d), -delimiters.index(d)))
    # lines end at \n only (as for the byte offsets and TOML); \r\n is read as one ending by csv
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                stripped = [f.strip() for f in fields]
                if header is None:
                    header, header_line = stripped, start
                else:
                    rows.append((start, stripped))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ConfigError("{source}:{line_num}: not valid CSV: {error}; expected fields separated by ; or , (quotes around a field that holds them)", source=source, line_num=reader.line_num or start, error=exc) from None
    return CsvTable(source, delimiter, header or [], header_line, rows)
