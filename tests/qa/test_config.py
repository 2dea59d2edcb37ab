"""QA settings (qa --config): wrong values are one line naming the file and the line (exit 2);
what the operator sets is what QA uses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from digitalisering.operator_files import load_json_schema
from digitalisering.qa.config import load_qa_config
from digitalisering.qa.iso2859 import LEVELS
from opfiles_gen import read_or_refuse

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
    return read_or_refuse(load_qa_config, tmp_path, "qa.toml", data)
