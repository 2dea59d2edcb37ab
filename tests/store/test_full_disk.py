"""A full disk under the state database is one line that names it, with the room left, and exit 6;
SQLite's own words ("disk I/O error", "database or disk is full") sent operators looking for a
broken disk, and a write that failed mid-run ended as an internal error (exit 15)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import pagegen
from smalldisk import small_tmpfs
from digitalisering.cli import main
from digitalisering.errors import StateError
from digitalisering.store import Store


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB file system of its own (tmpfs; needs the right to mount, else skipped)."""
    with small_tmpfs(tmp_path / "disk", "2m") as mount:
        yield mount


def _fill(disk: Path) -> None:
    with open(disk / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    try:
        os.truncate(disk / "filler", max(0, (disk / "filler").stat().st_size - 4096))  # less than a page left
        with open(disk / "filler", "ab") as fh:
            fh.write(b"\0" * 4096)
    except OSError:
        pass


def test_a_full_disk_under_the_state_database_is_named_with_its_free_space(small_disk: Path):
    database = small_disk / "ws" / "state.sqlite"
    database.parent.mkdir()
    with Store(database) as store:
        batch = store.create_batch("b", "/levering", "folders", "t")
        _fill(small_disk)
        with pytest.raises(StateError) as caught:
            for i in range(10_000):
                store.log(batch.id, "t", "page.done", detail="x" * 2000, n=i)
    message = str(caught.value)
    assert caught.value.exit_code == 6 and "\n" not in message
    assert message.startswith(f"the disk of the state database {database} is full (0.0 MB free in {database.parent})")


def test_a_command_on_a_full_disk_says_so_in_one_line_and_exits_6(small_disk: Path, tmp_path: Path):
    delivery = tmp_path / "levering"
    pagegen.save(pagegen.letter_page(), delivery / "BWT-1950-0001" / "0001.tif", compression="tiff_lzw")
    workspace = small_disk / "ws"
    assert CliRunner().invoke(main, ["--workspace", str(workspace), "ingest", str(delivery)]).exit_code == 0
    more = tmp_path / "levering2"
    shutil.copytree(delivery, more)
    _fill(small_disk)
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "ingest", str(more)])
    assert result.exit_code == 6, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith(f"error: the disk of the state database {workspace / 'state.sqlite'} is full")
    assert "MB free in" in lines[0]


def test_an_io_error_of_sqlite_names_the_database_and_the_room_left(tmp_path: Path):
    """A write SQLite cannot make on a disk with room (here a file size limit: EFBIG, which SQLite
    reports as "disk I/O error") is a StateError naming the database and the free space, exit 6."""
    database = tmp_path / "state.sqlite"
    with Store(database):
        pass
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from digitalisering.errors import StateError
        from digitalisering.store import Store
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        with Store({str(database)!r}) as store:
            batch = store.create_batch("b", "/levering", "folders", "t")
            resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, resource.RLIM_INFINITY))
            try:
                for i in range(10_000):
                    store.log(batch.id, "t", "page.done", detail="x" * 2000, n=i)
            except StateError as exc:
                print(exc.exit_code, exc)
                sys.exit(0)
        sys.exit(1)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "DIGITALISERING_LANG": "en"})
    assert done.returncode == 0, done.stderr[-800:]
    assert done.stdout.startswith(f"6 the state database {database} cannot be written: disk I/O error (")
    assert f"MB free in {tmp_path}); check the disk" in done.stdout


def _sqlite_error(code: int, text: str):
    import sqlite3

    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code
    return exc


def test_a_full_disk_under_another_database_of_the_workspace_is_one_line_too(tmp_path: Path, monkeypatch):
    """Not the state database (the search index, the BAG index): still one line and exit 6, not an
    internal error."""
    import sqlite3

    from digitalisering import cli

    def full(*a, **k):
        raise _sqlite_error(sqlite3.SQLITE_FULL, "database or disk is full")
    workspace = tmp_path / "ws"
    monkeypatch.setattr(cli, "status_data", full)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 50_000, 50_000))
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "status", "--json"])
    assert result.exit_code == 6, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: a database in {workspace} cannot be written: database or disk is full (")
    assert lines[0].endswith("MB free there); make room there and run again")


@pytest.mark.parametrize("code, text, advice", [
    ("SQLITE_IOERR", "disk I/O error", "check the disk"),
    ("SQLITE_FULL", "database or disk is full", "is the disk of the temporary folder"),
])
def test_a_database_error_on_a_disk_with_room_does_not_send_the_operator_to_make_room(tmp_path: Path, monkeypatch,
                                                                                       code, text, advice):
    """A disk I/O error with room left (a failing disk, a file size limit) or "full" with room beside
    the database (SQLite's temporary files, by a large sort, are on another disk that is full):
    "make room there" sent the operator to a disk with gigabytes free."""
    import sqlite3

    from digitalisering import cli
    from digitalisering.store.backend import disk_trouble

    def failing(*a, **k):
        raise _sqlite_error(getattr(sqlite3, code), text)
    monkeypatch.setattr(cli, "status_data", failing)
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "status", "--json"])
    assert result.exit_code == 6 and len(result.output.strip().splitlines()) == 1, result.output
    assert advice in result.output and "make room" not in result.output
    state = disk_trouble(_sqlite_error(getattr(sqlite3, code), text), tmp_path / "state.sqlite")
    assert state.exit_code == 6 and advice in str(state) and "the disk of the state database" not in str(state)


def test_a_full_disk_whose_free_space_cannot_be_read_is_not_said_to_have_none(tmp_path: Path, monkeypatch):
    """statvfs failing (a network share that does not answer it): the message said "0.0 MB free"."""
    import sqlite3

    from digitalisering.store.backend import disk_trouble

    def unreadable(path):
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(shutil, "disk_usage", unreadable)
    state = disk_trouble(_sqlite_error(sqlite3.SQLITE_FULL, "database or disk is full"), tmp_path / "state.sqlite")
    assert state.exit_code == 6
    assert "MB free" not in str(state) and "cannot be read" in str(state) and "make room" in str(state)
    io = disk_trouble(_sqlite_error(sqlite3.SQLITE_IOERR, "disk I/O error"), tmp_path / "state.sqlite")
    assert io.exit_code == 6 and "MB free" not in str(io)
