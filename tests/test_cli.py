"""What the operator sees: one-line errors, documented exit codes, no tracebacks."""

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode


def run_cli(*args: str, ws: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", str(ws), *args],
                          capture_output=True, text=True)


def test_wrong_path_is_a_usage_error_without_traceback(tmp_path: Path):
    res = run_cli("run", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), ws=tmp_path / "ws")
    assert res.returncode == ExitCode.USAGE
    assert "does not exist" in res.stderr and "Traceback" not in res.stderr


def test_empty_delivery_is_an_input_error(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    res = run_cli("ingest", str(tmp_path / "empty"), ws=tmp_path / "ws")
    assert res.returncode == ExitCode.INPUT
    assert res.stderr.strip().startswith("error: no scans") and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_missing_ocr_language_is_a_dependency_error(tmp_path: Path, delivery):
    root, _ = delivery
    res = run_cli("run", str(root), "--out", str(tmp_path / "o"), "--lang", "qqq", ws=tmp_path / "ws")
    assert res.returncode == ExitCode.MISSING_DEPENDENCY
    assert "apt-get install tesseract-ocr-qqq" in res.stderr


def test_ingest_then_status_shows_counts_and_failures(tmp_path: Path, delivery):
    root, _ = delivery
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    res = runner.invoke(main, ["--workspace", ws, "ingest", str(root), "--operator", "ann"])
    assert res.exit_code == ExitCode.PAGES_FAILED  # three bad files in the delivery
    assert "added 9 files, 11 pages" in res.output
    res = runner.invoke(main, ["--workspace", ws, "status"])
    assert res.exit_code == 0 and root.name in res.output
    res = runner.invoke(main, ["--workspace", ws, "status", root.name])
    assert res.exit_code == ExitCode.PAGES_FAILED
    assert "BWT-1980-0003/zero.tif p1: empty file (0 bytes)" in res.output
    assert "by ann" in res.output
    res = runner.invoke(main, ["--workspace", ws, "status", "nonexistent"])
    assert res.exit_code == ExitCode.USAGE


def test_reingest_of_changed_file_exits_with_fixity_code(tmp_path: Path, delivery):
    root, _ = delivery
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    runner.invoke(main, ["--workspace", ws, "ingest", str(root)])
    f = root / "BWT-1962-0001" / "0001.tif"
    f.write_bytes(f.read_bytes() + b"!")
    res = runner.invoke(main, ["--workspace", ws, "ingest", str(root)])
    assert res.exit_code == ExitCode.FIXITY and "CHANGED since ingest" in res.output


def test_output_folder_of_another_batch_is_refused(tmp_path: Path, processed, delivery):
    root, _ = delivery
    res = run_cli("run", str(root), "--out", str(processed["out"]), "--batch", "other", ws=tmp_path / "ws")
    assert res.returncode == ExitCode.STATE and "holds the results of batch" in res.stderr
