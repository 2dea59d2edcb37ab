"""Runs with the state in PostgreSQL: several stations share one database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

import pagegen
from runcodes import run_code  # noqa: E402


def _delivery(root: Path, dossiers: int = 2, pages: int = 3) -> int:
    for d in range(dossiers):
        for p in range(pages):
            pagegen.save(pagegen.page_image([f"Dossier {root.name} {d} pagina {p}", "Gemeente Leiden"], dpi=150),
                         root / f"BWT-2001-{d:04d}" / f"{p:04d}.tif", compression="tiff_lzw")
    return dossiers * pages


def _cli(ws: Path, db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "digitalisering", "--workspace", str(ws), "--db", db, *args]


def _done(db: str, batch: str) -> int:
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM pages p JOIN batches b ON b.id = p.batch_id "
                            "WHERE b.name = %s AND p.status = 'done'", (batch,)).fetchone()[0]


def test_two_stations_run_different_batches_at_once(pg_url, tmp_path):
    a, b = tmp_path / "levering-a", tmp_path / "levering-b"
    na, nb = _delivery(a), _delivery(b, dossiers=1)
    procs = [subprocess.Popen(_cli(tmp_path / f"ws-{x.name}", pg_url, "run", str(x), "--out", str(tmp_path / f"out-{x.name}"),
                                   "--no-progress", "-j", "1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for x in (a, b)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert run_code(proc.returncode, out, err) == 0, err
    assert _done(pg_url, "levering-a") == na and _done(pg_url, "levering-b") == nb
    for x, n in ((a, na), (b, nb)):
        results = json.loads((tmp_path / f"out-{x.name}" / "results.json").read_text())
        assert results["summary"]["pages_done"] == n and results["batch"]["name"] == x.name
    with psycopg.connect(pg_url) as conn:
        events = conn.execute("SELECT b.name, e.action FROM events e JOIN batches b ON b.id = e.batch_id "
                              "WHERE e.action IN ('run.start', 'run.end') ORDER BY e.id").fetchall()
    assert sorted(events) == sorted([("levering-a", "run.start"), ("levering-a", "run.end"),
                                     ("levering-b", "run.start"), ("levering-b", "run.end")])
    # the project lead sees both batches from a third station
    status = subprocess.run(_cli(tmp_path / "ws-lead", pg_url, "status"), capture_output=True, text=True)
    assert status.returncode == 0 and "levering-a" in status.stdout and "levering-b" in status.stdout


def test_a_second_run_of_the_same_batch_is_refused_and_a_killed_run_resumes(pg_url, tmp_path):
    delivery = tmp_path / "levering"
    total = _delivery(delivery, dossiers=4, pages=6)  # enough work that the first run is still busy
    ws1, ws2, out = tmp_path / "station1", tmp_path / "station2", tmp_path / "out"
    subprocess.run(_cli(ws1, pg_url, "ingest", str(delivery)), check=True, capture_output=True)
    first = subprocess.Popen(_cli(ws1, pg_url, "run", str(delivery), "--out", str(out), "--no-progress", "-j", "1"),
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _done(pg_url, "levering") < 1 and time.monotonic() < deadline:
        assert first.poll() is None
        time.sleep(0.05)
    # another station (its own workspace folder, the same database) tries the same batch
    second = subprocess.run(_cli(ws2, pg_url, "run", str(delivery), "--out", str(tmp_path / "out2"),
                                 "--no-progress"), capture_output=True, text=True, timeout=120)
    assert second.returncode == 6, second.stderr
    assert "being processed by another run" in second.stderr
    os.killpg(first.pid, 9)
    first.wait()
    done_before = _done(pg_url, "levering")
    assert 1 <= done_before < total
    resumed = subprocess.run(_cli(ws1, pg_url, "run", str(delivery), "--out", str(out), "--no-progress"),
                             capture_output=True, text=True, timeout=300)
    assert run_code(resumed.returncode, resumed.stdout, resumed.stderr) == 0, resumed.stderr
    assert f"{done_before} were already done" in resumed.stdout
    with psycopg.connect(pg_url) as conn:
        attempts = conn.execute("SELECT MAX(attempts) FROM pages").fetchone()[0]
    assert _done(pg_url, "levering") == total and attempts <= 2


def test_stations_opening_a_fresh_database_at_once_migrate_it_once(pg_server):
    import threading

    from digitalisering.store import Store
    from digitalisering.store.migrations import MIGRATIONS

    for _ in range(5):
        url = pg_server.new_database()
        errors: list[str] = []

        def open_store() -> None:
            try:
                Store(url).close()
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(repr(exc))

        threads = [threading.Thread(target=open_store) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with Store(url) as store:
            assert store.db.schema_level() == len(MIGRATIONS)
