"""Organisation-level archival values (archiefvormer, waardering, bewaartermijn, openbaarheid)
from a TOML file; defaults for gemeente Leiden in ``archive_defaults.toml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digitalisering.resources import load_layered_toml


def load_archive_config(path: Path | None = None) -> dict[str, Any]:
    """The defaults, with ``path`` (TOML) laid over them."""
    return load_layered_toml("digitalisering.metadata", "archive_defaults.toml", path)
