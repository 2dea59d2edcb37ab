"""QA settings (qa --config): wrong values are one line naming the file and the line (exit 2);
what the operator sets is what QA uses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from digitalisering.cli import main
from digitalisering.errors import ConfigError
from digitalisering.exitcodes import ExitCode
from digitalisering.operator_files import load_json_schema
from digitalisering.qa.config import load_qa_config
from digitalisering.qa.iso2859 import LEVELS, aql_values
from opfiles_gen import assert_one_line_error, settings_documents, toml_document

DEFAULTS = tomllib.loads((Path(__file__).resolve().parents[2] / "digitalisering/qa/qa_defaults.toml")
                         .read_text(encoding="utf-8"))
KNOWN = {section: list(keys) for section, keys in DEFAULTS.items()}
KNOWN["sampling"].append("seed")


def qa_check(tmp_path: Path, text: str | bytes) -> tuple[int, str]:
    config = tmp_path / "qa.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    res = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "qa", "check", "b1", "--config", str(config)])
    return res.exit_code, res.stderr


@pytest.mark.parametrize("text, line, message", [
    ('[sampling]\naql = "1.0"\nseed = "abc"\n', 3, r"\[sampling\] seed is \"abc\"; expected a whole number"),
    ("[sampling]\nreview_blank = 1\n", 2, r"\[sampling\] review_blank is 1; expected true or false"),
    ('[sampling]\nlevel = 2\n', 2, r"\[sampling\] level is 2; expected an inspection level"),
    ('[sampling]\naql = "3.0"\n', 2, r"\[sampling\] aql is \"3.0\": AQL 3.0 is not in the standard's table"),
    ("# our values\n[thresholds]\nocr_confidence_fail = true\n", 3, r"\[thresholds\] ocr_confidence_fail is true"),
    ("[thresholds]\nocr_min_chars = 2.5\n", 2, r"ocr_min_chars is 2.5; expected a whole number"),
    ("[thresholds]\nocr_confidence_warn = 150\n", 2, r"ocr_confidence_warn is 150; expected a number from 0 to 100"),
    ("[thresholds]\nocr_confidence_warn = 40\n", 2, r"ocr_confidence_warn \(40\) is below ocr_confidence_fail"),
    ("[thresholds]\nocr_confidence = 40\n", 2, r"\[thresholds\] ocr_confidence is not known; expected one of"),
    ("[sampling]\n\n[sampling.x]\n", 3, r"\[sampling\] x is not known"),
    ('[manifest]\nnames = ["../../etc/passwd"]\n', 2, r"names\[0\] is \"../../etc/passwd\"; expected a file name"),
    ('[sampling\naql = "1.0"\n', 1, r"not valid TOML"),
    (b'[sampling]\nlevel = "\xff"\n', 2, r"not UTF-8 text \(byte 0xff at offset 20\)"),
])
def test_a_wrong_setting_is_one_line_with_the_file_and_its_line(tmp_path, text, line, message):
    code, err = qa_check(tmp_path, text)
    assert code == ExitCode.USAGE, err
    [said] = err.strip().splitlines()
    assert said.startswith(f"error: {tmp_path / 'qa.toml'}:{line}: ") and re.search(message, said), said


def test_the_settings_given_are_the_ones_used(tmp_path):
    path = tmp_path / "qa.toml"
    path.write_text('[sampling]\naql = 0.65\nlevel = "S-3"\nseed = 7\n[thresholds]\nocr_min_chars = 5\n'
                    '[manifest]\npages_columns = ["Aantal"]\n')
    config = load_qa_config(path)
    assert config["sampling"] == {**DEFAULTS["sampling"], "aql": "0.65", "level": "S-3", "seed": 7}
    assert config["thresholds"] == {**DEFAULTS["thresholds"], "ocr_min_chars": 5}
    assert config["manifest"]["pages_columns"] == ["aantal"]


def test_the_schema_knows_the_standards_levels():
    assert load_json_schema("qa-settings.schema.json")["properties"]["sampling"]["properties"]["level"]["enum"] \
        == list(LEVELS)


def _load(tmp_path: Path, data: bytes) -> dict | None:
    path = tmp_path / "qa.toml"
    path.write_bytes(data)
    try:
        return load_qa_config(path)
    except ConfigError as exc:
        assert_one_line_error(exc, path)
        return None


@given(st.binary(max_size=300))
def test_any_bytes_give_settings_or_a_config_error(tmp_path_factory, data):
    _load(tmp_path_factory.mktemp("qa"), data)


@given(settings_documents(KNOWN))
def test_any_document_of_known_and_unknown_keys_gives_settings_or_a_config_error(tmp_path_factory, data):
    _load(tmp_path_factory.mktemp("qa"), toml_document(data).encode())


NUMBER = st.floats(0, 1, allow_nan=False)


@st.composite
def valid_settings(draw) -> dict:
    fail, warn = sorted(draw(st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=2)))
    skew_warn, skew_fail = sorted(draw(st.lists(st.floats(0, 45, allow_nan=False), min_size=2, max_size=2)))
    full = {
        "sampling": {"aql": draw(st.sampled_from(aql_values())), "level": draw(st.sampled_from(LEVELS)),
                     "seed": draw(st.integers(0, 2**63 - 1)), "review_blank": draw(st.booleans())},
        "thresholds": {"ocr_confidence_fail": fail, "ocr_confidence_warn": warn,
                       "ocr_min_chars": draw(st.integers(0, 10**6)), "residual_skew_warn_deg": skew_warn,
                       "residual_skew_fail_deg": skew_fail, "skew_confidence_warn": draw(NUMBER),
                       "orientation_confidence_warn": draw(NUMBER)},
        # column names as QA compares them (stripped, lower case)
        "manifest": {key: draw(st.lists(st.from_regex(r"[a-z]([a-z0-9_.' -]{0,10}[a-z0-9_.'])?", fullmatch=True),
                                        min_size=1, max_size=3)) for key in ("names", "dossier_columns", "pages_columns")},
    }
    # any part of it (the defaults fill in the rest), a warning limit with its failure limit
    together = {"ocr_confidence_warn": "ocr_confidence_fail", "residual_skew_fail_deg": "residual_skew_warn_deg"}
    out = {}
    for section, table in full.items():
        if draw(st.booleans()):
            keep = {k for k in table if k not in together.values() and draw(st.booleans())}
            keep |= {together[k] for k in keep if k in together}
            out[section] = {k: v for k, v in table.items() if k in keep}
    return out


@given(valid_settings())
def test_valid_settings_read_back_as_written(tmp_path_factory, data):
    config = _load(tmp_path_factory.mktemp("qa"), toml_document(data).encode())
    assert config is not None
    for section, table in DEFAULTS.items():
        assert config[section] == {**table, **data.get(section, {})}
