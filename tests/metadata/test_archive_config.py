"""Archive settings (package --config, qa --archive-config): wrong values are one line naming the
file and the line (exit 2); what the archivist sets is what the records get."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from digitalisering.metadata.config import load_archive_config
from opfiles_gen import read_or_refuse

REPO = Path(__file__).resolve().parents[2]
DEFAULTS = tomllib.loads((REPO / "digitalisering/metadata/archive_defaults.toml").read_text(encoding="utf-8"))
KNOWN = {section: list(keys) for section, keys in DEFAULTS.items()}


def package(tmp_path: Path, text: str | bytes) -> tuple[int, str]:
    config = tmp_path / "archief.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    (tmp_path / "out").mkdir(exist_ok=True)
    res = CliRunner().invoke(main, ["package", str(tmp_path / "out"), "--to", str(tmp_path / "sip"),
                                    "--config", str(config)])
    return res.exit_code, res.stderr


@pytest.mark.parametrize("text, line, message", [
    ("[archiefvormer]\nnaam = 5\n", 2, r"\[archiefvormer\] naam is 5; expected a text in quotes"),
    ("[archiefvormer]\nnaam = \"gemeente Leiden\"\ntooi = true\n", 3, r"\[archiefvormer\] tooi is true; "
                                                                      r"expected the organisation's TOOI URI"),
    ('[bewaartermijn]\nlooptijd = "10 jaar"\n', 2, r"looptijd is \"10 jaar\"; expected an ISO 8601 duration"),
    ('[waardering]\nlabel = ""\n', 2, r"\[waardering\] label is \"\"; expected a text in quotes \(1 to 500"),
    ('[waardering]\nlabel = ["B"]\n', 2, r"\[waardering\] label is \[\"B\"\]"),
    ("[openbaarheid]\nlabel = \"openbaar\"\n", 1, r"\[openbaarheid\] is not known; expected one of archiefvormer"),
    ("waardering = \"B\"\n", 1, r"\[waardering\] is \"B\"; expected a table \[waardering\]"),
    (b"# Gemeente 's-Hertogenbosch \x96 archief\n", 1, r"not UTF-8 text \(byte 0x96 at offset 28\)"),
    ('[bag]\nbron = "BAG"\nbron = "BAG"\n', 3, r"not valid TOML: Cannot overwrite a value"),
])
def test_a_wrong_value_is_one_line_with_the_file_and_its_line(tmp_path, text, line, message):
    code, err = package(tmp_path, text)
    assert code == ExitCode.USAGE, err
    [said] = err.strip().splitlines()
    assert said.startswith(f"error: {tmp_path / 'archief.toml'}:{line}: ") and re.search(message, said), said


def test_the_example_file_and_the_values_given_are_used(tmp_path):
    assert load_archive_config(REPO / "batches/archive.example.toml") == DEFAULTS == load_archive_config()
    path = tmp_path / "archief.toml"
    path.write_text('[archiefvormer]\nnaam = "gemeente Delft"\ntooi = "https://identifier.overheid.nl/tooi/id/'
                    'gemeente/gm0503"\n[bewaartermijn]\nlooptijd = "P10Y"\n')
    config = load_archive_config(path)
    assert config["archiefvormer"] == {**DEFAULTS["archiefvormer"], "naam": "gemeente Delft",
                                       "tooi": "https://identifier.overheid.nl/tooi/id/gemeente/gm0503"}
    assert config["bewaartermijn"]["looptijd"] == "P10Y" and config["bag"] == DEFAULTS["bag"]


def _load(tmp_path: Path, data: bytes) -> dict | None:
    return read_or_refuse(load_archive_config, tmp_path, "archief.toml", data)
