"""QA settings: sampling plan and check thresholds (``qa_defaults.toml`` with the user's file laid over it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digitalisering.errors import ConfigError
from digitalisering.qa.iso2859 import LEVELS, SamplingError, normalise_aql
from digitalisering.resources import load_layered_toml


def load_qa_config(path: Path | None = None) -> dict[str, Any]:
    config = load_layered_toml("digitalisering.qa", "qa_defaults.toml", path)
    sampling = config["sampling"]
    try:
        sampling["aql"] = normalise_aql(sampling["aql"])
    except SamplingError as exc:
        raise ConfigError(f"QA configuration: {exc}") from None
    if sampling["level"] not in LEVELS:
        raise ConfigError(f"QA configuration: inspection level {sampling['level']!r} is not one of "
                             + ", ".join(LEVELS))
    for key, value in config["thresholds"].items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ConfigError(f"QA configuration: thresholds.{key} must be a number, not {value!r}")
    return config
