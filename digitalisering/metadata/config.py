"""Organisation-level archival values (archiefvormer, waardering, bewaartermijn, openbaarheid)
from a TOML file; defaults for gemeente Leiden in ``archive_defaults.toml``; both checked against
``schemas/archive-settings.schema.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digitalisering.operator_files import load_layered_settings

SCHEMA = "archive-settings.schema.json"


def load_archive_config(path: Path | None = None) -> dict[str, Any]:
    """The defaults, with ``path`` (TOML) laid over them."""
    config, _user = load_layered_settings("digitalisering.metadata", "archive_defaults.toml", path, SCHEMA)
    return config
