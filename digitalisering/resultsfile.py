"""results.json, the contract between a run and its readers: its name, schema and the one reader.

Written by ``runner.results``; read by QA, the package, progress and outside tools. Every reader
goes through ``read_results``, which validates the file against ``schemas/results.schema.json``
before anything reads a key, so a damaged or foreign file is one clear error, not a KeyError later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from digitalisering.errors import StateError
from digitalisering.resources import load_json_schema

RESULTS_FILE = "results.json"
SCHEMA_NAME = "results.schema.json"
SCHEMA_VERSION = "1.6"
"""1.4: ``access`` and each document's ``access_proposals`` (personal data, vulnerable objects).
1.5: ``models``, each document's ``decided_by``, each dossier's ``addresses_decided_by`` and
``addresses_to_review``, an address's ``page``, ``object_confidence`` and ``corrected``.
1.6: each file's and page's ``error_message`` and the page's ``ocr.error_message`` (a failure
reason as catalogue entry + values, ``errors.reason_message``).
Older files still read (the schema accepts every 1.x): the new fields are optional, readers use
``.get``. An additive change raises the minor number; a change old readers cannot follow, the major."""


def validate_results(data: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``data`` does not follow the results schema."""
    jsonschema.validate(data, load_json_schema(SCHEMA_NAME))


def read_results(out_dir: Path) -> dict[str, Any]:
    """The validated results.json of the run in ``out_dir`` (StateError when missing or invalid)."""
    path = Path(out_dir) / RESULTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise StateError("{path} does not exist: run the batch first (digitalisering run)", path=path) from exc
    except (OSError, ValueError) as exc:
        raise StateError("cannot read {path}: {error}", path=path, error=exc) from exc
    try:
        validate_results(data)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise StateError("{path} is not a valid results file ({where}: {message_})", path=path, where=where, message_=exc.message) from exc
    return data


def results_batch(out_dir: Path) -> dict[str, Any] | None:
    """The ``batch`` block (name, delivery, created_at, ...) of the results in ``out_dir``, read
    leniently (None when there are none)."""
    try:
        data = json.loads((Path(out_dir) / RESULTS_FILE).read_text(encoding="utf-8"))
        batch = data.get("batch")
        return batch if isinstance(batch, dict) and batch.get("name") else None
    except (OSError, ValueError, AttributeError):
        return None
