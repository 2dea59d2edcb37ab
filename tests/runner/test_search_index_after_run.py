"""The search index after a run: a full disk or a lock held too long under search.sqlite is a
warning (the outputs stand; ``index`` repairs it), but a schema or query error is a bug and says so
(exit 15, one line): every sqlite3.OperationalError passed for a warning, so a broken query hid
behind "search index not updated" on every run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import pagegen
from digitalisering.cli import main
from digitalisering.index import build


def _error(code: int, text: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code
    return exc


def _run(tmp_path: Path, monkeypatch, error: sqlite3.OperationalError):
    def failing(*a, **k):
        raise error
    monkeypatch.setattr(build, "index_after_run", failing)
    root = tmp_path / "levering"
    pagegen.save(pagegen.blank_back(), root / "BWT-1950-0001" / "0001.tif", compression="tiff_lzw")
    return CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "run", str(root), "--out",
                                     str(tmp_path / "out"), "--no-progress", "-j", "1"])


@pytest.mark.parametrize("code, text", [(sqlite3.SQLITE_FULL, "database or disk is full"),
                                        (sqlite3.SQLITE_BUSY, "database is locked")])
def test_disk_trouble_or_a_lock_under_the_index_is_a_warning(tmp_path: Path, monkeypatch, code, text):
    result = _run(tmp_path, monkeypatch, _error(code, text))
    assert result.exit_code in (0, 1), result.output  # (1: no BAG index in this workspace)
    assert f"search index not updated ({text}); run: digitalisering index" in result.output
    assert "internal error" not in result.output and (tmp_path / "out" / "results.json").is_file()


def test_a_schema_error_in_the_index_is_not_hidden_as_a_warning(tmp_path: Path, monkeypatch):
    result = _run(tmp_path, monkeypatch, _error(sqlite3.SQLITE_ERROR, "no such column: dossier_key"))
    assert result.exit_code == 15, result.output
    errors = [l for l in result.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 1 and "internal error: OperationalError: no such column: dossier_key" in errors[0]
    assert "search index not updated" not in result.output


@pytest.mark.parametrize("code, text", [(sqlite3.SQLITE_CORRUPT, "database disk image is malformed"),
                                        (sqlite3.SQLITE_NOTADB, "file is not a database")])
def test_a_damaged_index_file_is_a_warning(tmp_path: Path, monkeypatch, code, text):
    """search.sqlite damaged (a power cut, a half copy): SQLite says so with a DatabaseError, not an
    OperationalError, and the run that had written every output ended as an internal error."""
    error = sqlite3.DatabaseError(text)
    error.sqlite_errorcode = code
    result = _run(tmp_path, monkeypatch, error)
    assert result.exit_code in (0, 1), result.output
    assert f"search index not updated ({text}); run: digitalisering index" in result.output
    assert "internal error" not in result.output and (tmp_path / "out" / "results.json").is_file()
