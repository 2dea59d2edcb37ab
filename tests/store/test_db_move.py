"""`db move`: the workspace's SQLite state copied whole into an empty PostgreSQL database, checked
table by table; the SQLite file is left exactly as it was; a non-empty target, a held batch and a
failure halfway leave the target empty; ids continue on PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3

import psycopg
import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.errors import StateError
from digitalisering.exitcodes import ExitCode
from digitalisering.store import Store
from digitalisering.store import move as move_mod
from digitalisering.store.move import move_state
from digitalisering.web import users


def _fill(db) -> None:
    """A state with a row in every table the migrations make (as a project's first station has)."""
    with Store(db) as store:
        batches = [store.create_batch(f"levering-{n}", f"/leveringen/{n}", "folders", "anna") for n in (1, 2)]
        for b in batches:
            for f in range(2):
                store.add_file(b.id, f"BWT-2001-{f:04d}/0001.tif", f"BWT-2001-{f:04d}", 1000 + f, f"{f:064x}", "TIFF",
                               2, None, store.next_seq(b.id))
            for p in store.pages(b.id):
                store.finish_page(p.id, "done", {"text": f"pagina ‘{p.seq}’ é", "confidence": 0.912345678901}, None)
            store.log(b.id, "anna", "run.start", workers=2)
            store.record_output(b.id, "document-pdf", "BWT-2001-0000-01", f"/out/{b.name}/a.pdf", "ab" * 32, 10, "fp")
            sample = store.record_sample(b.id, "anna", {"code": "G"}, 7, [p.id for p in store.pages(b.id)][:2])
            store.add_decision(b.id, store.pages(b.id)[0].id, sample.id, "approved", None, "anna", "cd" * 32)
            store.add_access_decision(b.id, "BWT-2001-0000-01", "restricted", "privacy", "2090-01-01", [], "bsn",
                                      "anna", "archivist")
            store.add_correction(b.id, 1, "BWT-2001-0000", "BWT-2001-0000-01", "type", "", "brief", "review", "anna")
            store.add_correction(b.id, None, "BWT-2001-0001", None, "address", "0546200000385399", "object", "review",
                                 "bert")
        store.log(None, "anna", "user.add", name="bert")
        f = store.files(batches[0].id)[0]
        store.replace_file(f.id, 2000, "e" * 64, "TIFF", 2, "anna")  # a page history row
        users.add_user(store, "anna", "archivaris", "een lang wachtwoord 1", "test")


def _dump(conn, table: str, columns: list[str]) -> list[tuple]:
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    return sorted((tuple(r) for r in rows), key=repr)


def _tables(path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite_%'")]
        return {n: [r[1] for r in conn.execute(f"PRAGMA table_info({n})")] for n in names}


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pg_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = current_schema() AND table_name <> "
                                             "'digitalisering_schema'")]
        return sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables)


def test_the_whole_state_is_copied_and_checked_and_the_sqlite_file_is_untouched(workspace, pg_url):
    _fill(workspace.database)
    tables = _tables(workspace.database)
    assert {"batches", "files", "pages", "events", "outputs", "qa_samples", "qa_decisions", "page_history",
            "access_decisions", "corrections", "users"} <= set(tables)
    before = _sha(workspace.database)
    report = move_state(workspace.database, pg_url)
    assert _sha(workspace.database) == before  # the fallback stays exactly as it was
    assert {t.name for t in report.tables} == set(tables)
    with sqlite3.connect(workspace.database) as src, psycopg.connect(pg_url) as dst:
        for table, columns in tables.items():
            rows = _dump(src, table, columns)
            assert rows, f"the test state has no row in {table}"
            assert _dump(dst, table, columns) == rows, table
            assert next(t for t in report.tables if t.name == table).rows == len(rows)
    # the stations go on from there: new rows get new ids, the old ones are read as before
    with Store(pg_url) as store, Store(workspace.database) as old:
        assert [b.name for b in store.batches()] == ["levering-1", "levering-2"]
        assert store.corrections() == old.corrections() and store.users() == old.users()
        new = store.create_batch("levering-3", "/leveringen/3", "stack", "bert")
        assert new.id == max(b.id for b in old.batches()) + 1
        c = store.add_correction(new.id, 0, None, None, "boundary", "", "split", "review", "bert")
        assert c.id == len(old.corrections()) + 1
        store.log(new.id, "bert", "run.start")
        assert users.add_user(store, "carla", "medewerker", "een lang wachtwoord 2", "test").id == 2


def test_a_target_that_holds_state_is_refused_and_left_alone(workspace, pg_url):
    _fill(workspace.database)
    with Store(pg_url) as store:
        store.create_batch("elders", "/leveringen/elders", "folders", "bert")
    with pytest.raises(StateError, match="already holds state \\(table batches has rows\\)"):
        move_state(workspace.database, pg_url)
    with Store(pg_url) as store:
        assert [b.name for b in store.batches()] == ["elders"] and store.corrections() == []


def test_a_batch_held_by_a_run_is_refused(workspace, pg_url):
    _fill(workspace.database)
    with Store(workspace.database) as store:
        with store.batch_claim(store.find_batch(name="levering-2")):
            with pytest.raises(StateError, match="batch levering-2 is being processed by another run"):
                move_state(workspace.database, pg_url)
    assert _pg_rows(pg_url) == 0
    assert move_state(workspace.database, pg_url).rows > 0  # once the run is done


def test_a_failure_halfway_leaves_the_target_empty_and_a_second_move_works(workspace, pg_url, monkeypatch):
    _fill(workspace.database)
    real = move_mod._copy_table

    def dies_at_corrections(src, target, table, columns):
        if table == "corrections":
            raise KeyboardInterrupt  # Ctrl-C, or the process killed: nothing is committed
        return real(src, target, table, columns)

    monkeypatch.setattr(move_mod, "_copy_table", dies_at_corrections)
    with pytest.raises(KeyboardInterrupt):
        move_state(workspace.database, pg_url)
    assert _pg_rows(pg_url) == 0
    monkeypatch.setattr(move_mod, "_copy_table", real)
    assert move_state(workspace.database, pg_url).rows > 0


def test_a_copy_that_does_not_match_is_not_committed(workspace, pg_url, monkeypatch):
    _fill(workspace.database)
    real = move_mod._copy_table

    def loses_a_row(src, target, table, columns):
        copied = real(src, target, table, columns)
        if table == "events":
            target.conn.execute("DELETE FROM events WHERE id = (SELECT MAX(id) FROM events)")
        return copied

    monkeypatch.setattr(move_mod, "_copy_table", loses_a_row)
    with pytest.raises(StateError, match=r"the copy of table events does not match \(\d+ rows in SQLite, \d+ in"):
        move_state(workspace.database, pg_url)
    assert _pg_rows(pg_url) == 0


def test_a_value_the_target_refuses_is_one_line_and_the_target_stays_empty(workspace, pg_url):
    _fill(workspace.database)
    with sqlite3.connect(workspace.database) as conn:  # SQLite keeps text in a number column; PostgreSQL does not
        conn.execute("UPDATE files SET size = 'groot' WHERE id = 2")
    res = _cli(workspace, "db", "move", "--to", pg_url)
    assert res.exit_code == ExitCode.STATE and res.stderr.count("\n") == 1, res.stderr
    assert "the copy into" in res.stderr and "failed: " in res.stderr and "nothing was moved" in res.stderr
    assert "bigint" in res.stderr
    assert _pg_rows(pg_url) == 0


def test_the_checksum_sees_a_changed_value_type():
    a, b, c = move_mod.TableChecksum(), move_mod.TableChecksum(), move_mod.TableChecksum()
    for row in [(1, "x", 0.1), (2, None, 2.5)]:
        a.add(row)
    for row in [(2, None, 2.5), (1, "x", 0.1)]:  # another order: the same
        b.add(row)
    for row in [(1, "x", 0.10000000149011612), (2, None, 2.5)]:  # rounded to float4 on the way
        c.add(row)
    assert a.hex == b.hex != c.hex and a.rows == c.rows == 2


def _cli(ws, *args):
    return CliRunner().invoke(main, ["--workspace", str(ws.root), *args])


def test_the_command_says_how_to_use_the_new_database(workspace, pg_url):
    _fill(workspace.database)
    res = _cli(workspace, "db", "move", "--to", pg_url)
    assert res.exit_code == 0, res.output
    assert "checked: row counts and checksums" in res.output
    assert f"--db {pg_url}" in res.output and f"DIGITALISERING_DB={pg_url}" in res.output
    assert str(workspace.database) in res.output
    # again: the target holds state now; one line, exit 6
    res = _cli(workspace, "db", "move", "--to", pg_url)
    assert res.exit_code == ExitCode.STATE and res.stderr.count("\n") == 1
    assert "already holds state" in res.stderr
    res = _cli(workspace, "db", "move", "--to", str(workspace.root / "other.sqlite"))
    assert res.exit_code == ExitCode.USAGE and "must be a PostgreSQL URL" in res.stderr


def test_the_command_speaks_dutch_by_default(workspace, pg_url):
    _fill(workspace.database)
    res = CliRunner().invoke(main, ["--workspace", str(workspace.root), "--taal", "nl", "db", "move", "--to", pg_url])
    assert res.exit_code == 0, res.output
    assert "gecontroleerd: aantallen rijen en controlegetallen" in res.output


def test_an_empty_workspace_has_nothing_to_move(tmp_path, pg_url):
    res = CliRunner().invoke(main, ["--workspace", str(tmp_path / "leeg"), "db", "move", "--to", pg_url])
    assert res.exit_code == ExitCode.STATE and "nothing to move" in res.stderr


@pytest.mark.slow
def test_a_move_killed_during_the_copy_leaves_the_target_empty(workspace, pg_url):
    import os
    import subprocess
    import sys
    import time

    with Store(workspace.database) as store:
        b = store.create_batch("groot", "/leveringen/groot", "stack", "anna")
        store.add_file(b.id, "stapel.pdf", None, 1, "0" * 64, "PDF", 1, None, 0)
    with sqlite3.connect(workspace.database) as conn:  # many pages with their reading: a copy that takes a while
        text = "woorden " * 1000
        conn.executemany("INSERT INTO pages (batch_id, file_id, page_index, seq, status, result) "
                         "VALUES (?, 1, ?, ?, 'done', ?)", [(b.id, i, i, f'{{"text": "{text} {i}"}}')
                                                            for i in range(1, 10000)])
    proc = subprocess.Popen([sys.executable, "-m", "digitalisering", "--workspace", str(workspace.root), "db", "move",
                             "--to", pg_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    deadline = time.monotonic() + 120
    with psycopg.connect(pg_url, autocommit=True) as watch:
        while time.monotonic() < deadline and proc.poll() is None:
            copying = watch.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE query LIKE 'COPY \"pages\"%' "
                                    "AND state = 'active'").fetchone()[0]
            if copying:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the move ended before it could be killed"
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 30  # the server notices the dropped connection and rolls back
        while watch.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE query LIKE 'COPY%' "
                            "AND pid <> pg_backend_pid()").fetchone()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _pg_rows(pg_url) == 0
    assert move_state(workspace.database, pg_url).rows == 1 + 1 + 10000


@pytest.mark.slow
def test_the_search_index_is_built_in_postgresql_after_the_move(workspace, pg_url, tmp_path):
    """Before: the PostgreSQL search tables stayed empty after the move: `search` found nothing on
    any station until someone thought of `digitalisering index`."""
    import pagegen

    from digitalisering.index.build import open_for
    from digitalisering.ingest import ingest_delivery
    from digitalisering.runner import RunOptions, run_batch

    delivery = tmp_path / "levering"
    pagegen.save(pagegen.page_image(["Gemeente Leiden", "Aanvraag om bouwvergunning", "een dakkapel op het perceel"],
                                    dpi=150), delivery / "BWT-1961-0101" / "0001.tif", compression="tiff_lzw")
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, delivery).batch
        run_batch(store, workspace, batch, tmp_path / "out", RunOptions(jobs=1, progress=False), "t")
    res = _cli(workspace, "db", "move", "--to", pg_url)
    assert res.exit_code == 0, res.output
    assert "search index in" in res.output and "1 batches, 1 pages indexed" in res.output
    with Store(pg_url) as store:
        index = open_for(store, workspace)
        try:
            assert list(index.batches()) == ["levering"]
        finally:
            index.close()
    res = CliRunner().invoke(main, ["--workspace", str(workspace.root), "--db", pg_url, "search", "dakkapel"])
    assert res.exit_code == 0 and "BWT-1961-0101" in res.output, res.output


def test_a_search_index_that_cannot_be_built_says_the_state_moved(workspace, pg_url, monkeypatch):
    import digitalisering.index.build as build

    _fill(workspace.database)

    def fails(*args, **kwargs):
        raise StateError("disk full")
    monkeypatch.setattr(build, "rebuild", fails)
    res = _cli(workspace, "db", "move", "--to", pg_url)
    assert res.exit_code == ExitCode.STATE and res.stderr.count("\n") == 1, res.output
    assert "the state was moved" in res.stderr and f"digitalisering --db {pg_url} index" in res.stderr
    with Store(pg_url) as store:
        assert [b.name for b in store.batches()] == ["levering-1", "levering-2"]


def _damage(path, pages: list[int]) -> None:
    """Overwrite ``pages`` (1-based) of the SQLite file with other bytes, as a failing disk or a
    half-copied file leaves them; the file header stays readable."""
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    for page in pages:
        start = (page - 1) * size + (100 if page == 1 else 0)  # page 1 begins with the file header
        end = page * size
        data[start:end] = bytes((i * 37 + 11) % 251 for i in range(end - start))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["sqlite_schema", "events"])
def test_a_damaged_sqlite_file_is_one_line_and_nothing_is_moved(workspace, pg_url, where):
    """Before: sqlite3.DatabaseError ("database disk image is malformed") from reading a table's rows
    escaped: exit 15."""
    _fill(workspace.database)
    with sqlite3.connect(workspace.database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (where,))]
    _damage(workspace.database, pages)
    res = CliRunner().invoke(main, ["--workspace", str(workspace.root), "--taal", "nl", "db", "move", "--to", pg_url])
    assert res.exit_code == ExitCode.STATE, (res.output, res.exception)
    assert res.stderr.count("\n") == 1 and f"kan {workspace.database} niet lezen" in res.stderr, res.stderr
    assert "er is niets verplaatst" in res.stderr
    assert _pg_rows(pg_url) == 0


def test_a_station_that_leaves_out_db_after_the_move_is_told_where_the_state_went(workspace, pg_url):
    """Before: after the move, `status` (or a run) without --db read and wrote the old SQLite file
    unseen; the stations' work split over two databases."""
    import json

    _fill(workspace.database)
    before = _sha(workspace.database)
    assert _cli(workspace, "db", "move", "--to", pg_url).exit_code == 0
    marker = workspace.database.with_name(workspace.database.name + ".moved")
    note = json.loads(marker.read_text())
    assert note["moved_to"] == pg_url and note["at"]
    assert _sha(workspace.database) == before  # the database itself untouched
    res = _cli(workspace, "status")
    assert res.exit_code == ExitCode.STATE and res.stderr.count("\n") == 1, res.output
    assert f"moved to {pg_url}" in res.stderr and f"--db {pg_url}" in res.stderr
    assert _cli(workspace, "--db", pg_url, "status").exit_code == 0
    res = _cli(workspace, "--db", str(workspace.database), "status")  # the old file, on purpose
    assert res.exit_code == 0 and "levering-1" in res.output
    res = CliRunner().invoke(main, ["--workspace", str(workspace.root), "--taal", "nl", "status"])
    assert res.exit_code == ExitCode.STATE and f"verplaatst naar {pg_url}" in res.stderr
