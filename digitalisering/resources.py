"""Files shipped with the package: JSON Schemas and XSDs (the repository's ``schemas/`` folder)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path


CHECKOUT_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
"""The repository's schemas/ folder, when the code runs from a checkout (a work tree whose
``digitalisering.schemas`` is installed from another checkout may hold schemas it does not yet have)."""


def schema_path(name: str) -> Path:
    """The checkout's own schema when the code runs from a checkout (its schemas belong to its
    code: a work tree's changed schema, not the one installed from another checkout), else the
    installed one."""
    if (CHECKOUT_SCHEMAS / name).exists():
        return CHECKOUT_SCHEMAS / name
    return Path(str(resources.files("digitalisering.schemas").joinpath(name)))


@lru_cache(maxsize=None)
def load_json_schema(name: str) -> dict:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))
