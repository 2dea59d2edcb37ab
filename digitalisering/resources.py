"""Files shipped with the package: JSON Schemas and XSDs (the repository's ``schemas/`` folder)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path


def schema_path(name: str) -> Path:
    return Path(str(resources.files("digitalisering.schemas").joinpath(name)))


@lru_cache(maxsize=None)
def load_json_schema(name: str) -> dict:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))
