"""Files shipped with the package: JSON Schemas and XSDs (the repository's ``schemas/`` folder) and the
layered TOML configuration files (shipped defaults with the user's file laid over them)."""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from digitalisering.errors import ConfigError


def schema_path(name: str) -> Path:
    return Path(str(resources.files("digitalisering.schemas").joinpath(name)))


@lru_cache(maxsize=None)
def load_json_schema(name: str) -> dict:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_layered_toml(package: str, defaults: str, path: Path | None = None) -> dict[str, Any]:
    """The defaults file ``defaults`` shipped in ``package``, with the user's TOML file ``path`` laid over it."""
    with resources.files(package).joinpath(defaults).open("rb") as fh:
        config = tomllib.load(fh)
    if path is None:
        return config
    try:
        with open(path, "rb") as fh:
            return _merge(config, tomllib.load(fh))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{Path(path).name} is not valid TOML: {exc}") from exc
