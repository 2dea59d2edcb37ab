"""Commands that meet: two runs of one new delivery started together, and a runner killed with SIGKILL
(nothing of it may live on, and the next run leaves no unfinished file behind)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

import pagegen
from runcodes import run_code  # noqa: E402


def _delivery(root: Path, dossiers: int = 2, pages: int = 2, dpi: int = 150) -> list[str]:
    names = []
    for d in range(dossiers):
        for p in range(pages):
            rel = f"BWT-2001-{d:04d}/{p:04d}.tif"
            pagegen.save(pagegen.page_image([f"Dossier {d} pagina {p}", "Gemeente Leiden"], dpi=dpi),
                         root / rel, dpi=dpi, compression="tiff_lzw")
            names.append(rel)
    return names


def _cli(ws: Path, *args: str, db: str | None = None) -> list[str]:
    return [sys.executable, "-m", "digitalisering", "--workspace", str(ws), *(["--db", db] if db else []), *args]


def _together(commands: list[list[str]], tmp_path: Path) -> list[subprocess.CompletedProcess]:
    """Start the commands at the same moment (each waits on a FIFO that is opened once all wait)."""
    fifo = tmp_path / f"start-{time.monotonic_ns()}"
    os.mkfifo(fifo)
    procs = [subprocess.Popen(["sh", "-c", 'cat "$0" >/dev/null; exec "$@"', str(fifo), *cmd],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for cmd in commands]
    deadline = time.monotonic() + 30
    while not all(_waiting_on_fifo(p.pid) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.02)
    with open(fifo, "w"):
        pass  # both readers see end of file at once
    results = []
    for proc, cmd in zip(procs, commands):
        out, err = proc.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
    return results


def _waiting_on_fifo(pid: int) -> bool:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        target = children[0] if children else str(pid)
        return Path(f"/proc/{target}/wchan").read_text() in ("pipe_wait", "wait_for_partner", "fifo_open")
    except OSError:
        return False


def _one_completes_the_other_waits_or_is_refused(results: list[subprocess.CompletedProcess]) -> None:
    codes = sorted(run_code(r.returncode, r.stdout, r.stderr) for r in results)
    assert 15 not in codes, [r.stderr for r in results]
    assert codes in ([0, 0], [0, 6]), [(r.returncode, r.stderr) for r in results]
    for r in results:
        if r.returncode == 6:
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1 and "being processed by another run" in lines[0], r.stderr
        assert "Traceback" not in r.stderr


def _registered_once(rows: dict, expected_files: list[str]) -> None:
    assert rows["batches"] == 1 and rows["created"] == 1
    assert sorted(rows["files"]) == sorted(expected_files)  # each file once
    assert rows["pages"] == len(expected_files)


def _sqlite_rows(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {"batches": conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0],
                "created": conn.execute("SELECT COUNT(*) FROM events WHERE action='batch.created'").fetchone()[0],
                "files": [r[0] for r in conn.execute("SELECT relpath FROM files")],
                "pages": conn.execute("SELECT COUNT(*) FROM pages").fetchone()[0]}
    finally:
        conn.close()


def _pg_rows(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return {"batches": conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0],
                "created": conn.execute("SELECT COUNT(*) FROM events WHERE action='batch.created'").fetchone()[0],
                "files": [r[0] for r in conn.execute("SELECT relpath FROM files")],
                "pages": conn.execute("SELECT COUNT(*) FROM pages").fetchone()[0]}


def _workspace(tmp_path: Path, new: bool) -> Path:
    """A workspace whose database exists already (``new``: not even its folder; both commands
    create the database, and the first one's migrations hold the second up)."""
    ws = tmp_path / "ws"
    if not new:
        subprocess.run(_cli(ws, "status"), check=True, capture_output=True)
    return ws


@pytest.mark.parametrize("attempt", range(4))
def test_two_runs_of_a_new_delivery_at_once(tmp_path, attempt):
    delivery = tmp_path / "levering"
    files = _delivery(delivery, dossiers=8)  # registering takes long enough for the two to meet
    ws = _workspace(tmp_path, new=attempt == 0)
    results = _together([_cli(ws, "run", str(delivery), "--out", str(tmp_path / f"out{i}"), "--no-progress",
                              "-j", "1") for i in range(2)], tmp_path)
    _one_completes_the_other_waits_or_is_refused(results)
    _registered_once(_sqlite_rows(ws / "state.sqlite"), files)


@pytest.mark.parametrize("attempt", range(3))
def test_two_ingests_of_a_new_delivery_at_once(tmp_path, attempt):
    delivery = tmp_path / "levering"
    files = _delivery(delivery, dossiers=10)
    ws = _workspace(tmp_path, new=attempt == 0)
    results = _together([_cli(ws, "ingest", str(delivery)) for _ in range(2)], tmp_path)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    outputs = sorted(r.stdout.splitlines()[0] for r in results)
    assert outputs == ["batch levering: already ingested, nothing new (20 files unchanged)",
                       "batch levering: new (folders layout) from " + str(delivery.resolve())]
    _registered_once(_sqlite_rows(ws / "state.sqlite"), files)


def test_two_stations_run_a_new_delivery_at_once_on_postgresql(pg_url, tmp_path):
    delivery = tmp_path / "levering"
    files = _delivery(delivery, dossiers=8)
    subprocess.run(_cli(tmp_path / "lead", "status", db=pg_url), check=True, capture_output=True)  # the schema
    for attempt in range(3):  # then the batch exists: both re-check it, one runs
        results = _together([_cli(tmp_path / f"station{i}", "run", str(delivery), "--out", str(tmp_path / "out"),
                                  "--no-progress", "-j", "1", db=pg_url) for i in range(2)], tmp_path)
        _one_completes_the_other_waits_or_is_refused(results)
        _registered_once(_pg_rows(pg_url), files)


def _session(sid: int) -> dict[int, str]:
    """pid -> command name of every live process of session ``sid`` (zombies are dead)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if int(rest[3]) == sid and rest[0] != "Z":
            found[int(entry.name)] = name
    return found


def _done(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM pages WHERE status='done'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def test_runner_killed_leaves_no_process_and_the_next_run_no_unfinished_file(tmp_path):
    delivery = tmp_path / "levering"
    files = _delivery(delivery, dossiers=3, pages=4, dpi=200)
    ws, out = tmp_path / "ws", tmp_path / "out"
    stderr = tmp_path / "stderr.txt"
    with open(stderr, "wb") as err:
        proc = subprocess.Popen(_cli(ws, "run", str(delivery), "--out", str(out), "--no-progress", "-j", "2"),
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while _done(ws / "state.sqlite") < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, "run finished before it could be killed"
        time.sleep(0.02)
    tree = _session(proc.pid)
    assert len(tree) >= 4, tree  # the runner, the forkserver and two workers (and their tesseracts)
    os.kill(proc.pid, signal.SIGKILL)  # the runner alone, as the OOM killer would
    proc.wait()
    deadline = time.monotonic() + 5
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = _session(proc.pid)
    for pid in survivors:  # (so that a failure does not leave them running)
        os.kill(pid, signal.SIGKILL)
    assert survivors == {}, f"still alive after the runner was killed: {survivors}"
    assert 2 <= _done(ws / "state.sqlite") < len(files)
    # what the operator's terminal showed after the kill: no Python warning of a helper process
    # (multiprocessing's resource tracker: "There appear to be 5 leaked semaphore objects ...")
    assert "Warning" not in stderr.read_text(errors="replace"), stderr.read_text(errors="replace")

    # what a writer killed between its temporary file and the rename leaves (there may be real ones too)
    page_dir = next((ws / "batches" / "levering" / "pages").iterdir())
    (page_dir / ".image.tif.k1ll3d_0.part").write_bytes(b"half a page")
    (out / "BWT-2001-0000").mkdir(parents=True, exist_ok=True)
    (out / "BWT-2001-0000" / ".BWT-2001-0000-01.pdf.k1ll3d_1.part").write_bytes(b"%PDF-half")
    kept = out / "notes.part"  # not ours: stays
    kept.write_text("the operator's")

    resumed = subprocess.run(_cli(ws, "run", str(delivery), "--out", str(out), "--no-progress"),
                             capture_output=True, text=True, timeout=600)
    assert run_code(resumed.returncode, resumed.stdout, resumed.stderr) == 0, resumed.stderr
    assert _done(ws / "state.sqlite") == len(files)
    leftovers = [p for p in [*ws.rglob("*.part"), *out.rglob("*.part")] if p != kept]
    assert leftovers == []
    assert kept.read_text() == "the operator's"


def test_two_new_deliveries_run_into_one_output_folder_at_once(tmp_path):
    """Two new deliveries run at once into the same output folder: one of them gets it."""
    a, b = tmp_path / "a" / "levering", tmp_path / "b" / "levering"  # same folder name: batch names race too
    _delivery(a, dossiers=8), _delivery(b, dossiers=8)
    ws, out = _workspace(tmp_path, new=False), tmp_path / "out"
    results = _together([_cli(ws, "run", str(x), "--out", str(out), "--no-progress", "-j", "1") for x in (a, b)],
                        tmp_path)
    codes = sorted(run_code(r.returncode, r.stdout, r.stderr) for r in results)
    assert codes == [0, 6], [(r.returncode, r.stderr) for r in results]
    refused = next(r for r in results if r.returncode == 6).stderr.strip().splitlines()
    assert len(refused) == 1 and ("is in use by another command" in refused[0]
                                  or "holds the results of batch" in refused[0]), refused
    conn = sqlite3.connect(ws / "state.sqlite")
    names = sorted(r[0] for r in conn.execute("SELECT name FROM batches"))
    conn.close()
    assert names == ["levering", "levering-2"]


def _holds(folder: Path) -> bool:
    """True while some command holds ``folder`` for writing (a run)."""
    from digitalisering.errors import StateError
    from digitalisering.locks import folder_lock

    try:
        with folder_lock(folder, "busy", shared=True):
            return False
    except StateError:
        return True


def test_package_and_qa_check_are_refused_while_a_run_writes_the_outputs(tmp_path):
    delivery = tmp_path / "levering"
    _delivery(delivery)
    ws, out = tmp_path / "ws", tmp_path / "out"
    first = subprocess.run(_cli(ws, "run", str(delivery), "--out", str(out), "--no-progress", "-j", "1"),
                           capture_output=True, text=True, timeout=600)
    assert run_code(first.returncode, first.stdout, first.stderr) == 0, first.stderr
    _delivery(delivery / "nalevering", dossiers=3)  # more scans: the next run has pages to do
    (delivery / "nalevering").rename(delivery / "BWT-2001-0009")
    run = subprocess.Popen(_cli(ws, "run", str(delivery), "--out", str(out), "--no-progress", "-j", "1"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _holds(out) and time.monotonic() < deadline:
            assert run.poll() is None, run.communicate()
            time.sleep(0.02)
        package = subprocess.run(_cli(ws, "package", str(out), "--to", str(tmp_path / "sip")),
                                 capture_output=True, text=True, timeout=120)
        check = subprocess.run(_cli(ws, "qa", "check", "levering"), capture_output=True, text=True, timeout=120)
        still_running = run.poll() is None
    finally:
        run_out, run_err = run.communicate(timeout=600)
    assert still_running, "the run ended before the others could meet it"
    assert run_code(run.returncode, run_out, run_err) == 0, run_err
    for refused, what in ((package, "make the package"), (check, "check batch levering")):
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == 6 and len(lines) == 1, refused.stderr
        assert f"is being written by a run; {what} when it is done" in lines[0]
    assert not (tmp_path / "sip").exists() and not (tmp_path / ".sip.part").exists()
    # afterwards both work, on the outputs the run left
    package = subprocess.run(_cli(ws, "package", str(out), "--to", str(tmp_path / "sip")),
                             capture_output=True, text=True, timeout=300)
    assert package.returncode == 0, package.stderr
    check = subprocess.run(_cli(ws, "qa", "check", "levering"), capture_output=True, text=True, timeout=300)
    assert check.returncode in (0, 8) and "Traceback" not in check.stderr, check.stderr
