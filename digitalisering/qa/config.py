"""QA settings: sampling plan and check thresholds (``qa_defaults.toml`` with the user's file laid over
it, both checked against ``schemas/qa-settings.schema.json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digitalisering.operator_files import TomlFile, config_error, load_layered_settings, show
from digitalisering.qa.iso2859 import SamplingError, aql_values, normalise_aql

SCHEMA = "qa-settings.schema.json"

ORDERED = (("ocr_confidence_warn", "ocr_confidence_fail", "at least ocr_confidence_fail"),
           ("residual_skew_fail_deg", "residual_skew_warn_deg", "at least residual_skew_warn_deg"),
           ("completeness_fail", "completeness_warn", "at least completeness_warn"))
"""(larger, smaller, expected): a warning must come before a failure."""


def _where(user: TomlFile | None, path: tuple) -> tuple[str, int | None]:
    return (user.source, user.line(path)) if user is not None else ("qa_defaults.toml", None)


def load_qa_config(path: Path | None = None) -> dict[str, Any]:
    config, user = load_layered_settings("digitalisering.qa", "qa_defaults.toml", path, SCHEMA)
    sampling = config["sampling"]
    try:
        sampling["aql"] = normalise_aql(sampling["aql"])
    except SamplingError:
        source, line = _where(user, ("sampling", "aql"))
        raise config_error(source, line, f"[sampling] aql is {show(sampling['aql'])}: AQL {sampling['aql']} is not "
                                         "in the standard's table",
                           "one of " + ", ".join(f'"{v}"' for v in aql_values())) from None
    thresholds = config["thresholds"]
    for larger, smaller, expected in ORDERED:
        if thresholds[larger] < thresholds[smaller]:
            set_by_user = user is not None and larger in user.data.get("thresholds", {})
            source, line = _where(user, ("thresholds", larger if set_by_user else smaller))
            raise config_error(source, line, f"[thresholds] {larger} ({thresholds[larger]}) is below "
                                             f"{smaller} ({thresholds[smaller]})", f"{larger} {expected}")
    manifest = config["manifest"]
    for key in ("dossier_columns", "pages_columns"):
        manifest[key] = [c.strip().lower() for c in manifest[key]]
    return config
