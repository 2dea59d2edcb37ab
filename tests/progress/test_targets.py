"""The targets file: every mistake an operator can make is one line naming the file and the line
(exit 2), and every valid file reads back as written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from digitalisering.progress.targets import Targets, load_targets
from opfiles_gen import read_or_refuse

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "batches/targets.example.toml").read_text(encoding="utf-8")


def progress(tmp_path: Path, text: str | bytes) -> tuple[int, str]:
    targets = tmp_path / "targets.toml"
    targets.write_bytes(text if isinstance(text, bytes) else text.encode())
    res = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "progress", "--targets", str(targets)])
    return res.exit_code, res.stderr


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize("old, new, message", [
    ("working_days = [", "working_days = 5 # [", r"\[project\] working_days is 5; expected a list of different days"),
    ("end = 2027-12-17", "end = 9999-12-31", r"\[project\] end is 9999-12-31; expected a date between 2000-01-01"),
    ("start = 2026-01-05", "start = 2026-01-05T08:30:00", r"\[project\] start is 2026-01-05 08:30:00 \(a date and "
                                                          r"time\); expected a date"),
    ("dossiers = 60000", "dossiers = true", r"\[estimate\] dossiers is true; expected a whole number of dossiers"),
    ("pages = 2400000", "pages = -3", r"\[estimate\] pages is -3; expected a whole number of pages from 1"),
    ("total_eur = 2950000", "total_eur = nan", r"\[budget\] total_eur is nan; expected an amount in euros"),
    ("fixed_eur = 150000", "fixd_eur = 150000", r"\[budget\] fixd_eur is not known; expected one of total_eur"),
    ("end = 2027-12-17", "end = 2025-12-17", r"\[project\] end \(2025-12-17\) is not after start \(2026-01-05\)"),
])
def test_a_wrong_value_is_one_line_with_the_file_and_its_line(tmp_path, old, new, message):
    assert old in EXAMPLE
    text = EXAMPLE.replace(old, new, 1)
    code, err = progress(tmp_path, text)
    assert code == ExitCode.USAGE, err
    [line] = err.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'targets.toml'}:{line_of(text, new.split()[0])}: ")
    assert __import__("re").search(message, line), line


def test_a_file_not_in_utf8_names_the_byte_offset(tmp_path):
    text = EXAMPLE.replace('name = "Digitalisering bouwdossiers Leiden"', 'name = "Bouwdossiers \xc9de"')
    code, err = progress(tmp_path, text.encode("cp1252"))
    offset = text.encode("cp1252").index(b"\xc9")
    assert code == ExitCode.USAGE
    assert err.strip() == (f"error: {tmp_path / 'targets.toml'}:{line_of(text, 'name =')}: not UTF-8 text (byte "
                           f"0xc9 at offset {offset}); expected the file saved as UTF-8")


def test_a_toml_syntax_error_keeps_its_line(tmp_path):
    text = EXAMPLE.replace("pages = 2400000", "pages = 2400000 000")
    code, err = progress(tmp_path, text)
    assert code == ExitCode.USAGE and err.count("\n") == 1
    assert f"targets.toml:{line_of(text, 'pages =')}: not valid TOML" in err


def test_the_example_file_reads():
    t = load_targets(REPO / "batches/targets.example.toml")
    assert t.dossiers == 60000 and t.end == date(2027, 12, 17) and len(t.working_days) == 5
    assert t.running_metres == 1500.0 and t.per_a4_page_eur == 0.85


KNOWN = {"project": ["name", "start", "end", "working_days", "holidays"],
         "estimate": ["dossiers", "pages", "large_format_sheets", "running_metres"],
         "budget": ["total_eur", "fixed_eur", "per_a4_page_eur", "per_large_format_sheet_eur",
                    "per_dossier_preparation_eur"]}


def _read(tmp_path: Path, data: bytes) -> Targets | None:
    return read_or_refuse(load_targets, tmp_path, "targets.toml", data)
