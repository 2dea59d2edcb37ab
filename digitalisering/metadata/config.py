"""Organisation-level archival values (archiefvormer, waardering, bewaartermijn, openbaarheid)
from a TOML file; defaults for gemeente Leiden in ``archive_defaults.toml``."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from digitalisering.errors import InputFileError


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_archive_config(path: Path | None = None) -> dict[str, Any]:
    """The defaults, with ``path`` (TOML) laid over them."""
    with resources.files("digitalisering.metadata").joinpath("archive_defaults.toml").open("rb") as fh:
        config = tomllib.load(fh)
    if path is None:
        return config
    try:
        with open(path, "rb") as fh:
            return _merge(config, tomllib.load(fh))
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{Path(path).name} is not valid TOML: {exc}") from exc
