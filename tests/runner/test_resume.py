"""A run killed with SIGKILL resumes: no finished page redone, nothing lost or duplicated."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pikepdf

import pagegen
from digitalisering.resultsfile import validate_results
from runcodes import run_code  # noqa: E402


WORDS = ["een", "twee", "drie", "vier"]


def _delivery(root: Path) -> int:
    n = 0
    for d in range(3):
        for p in range(4):
            lines = [f"Dossier {d} pagina {WORDS[p]}", "Gemeente Leiden", "Bouwvergunning Breestraat"]
            pagegen.save(pagegen.page_image(lines, dpi=200), root / f"BWT-1990-000{d}" / f"{p:04d}.tif",
                         dpi=200, compression="tiff_lzw")
            n += 1
    return n


def _cli(ws: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "digitalisering", "--workspace", str(ws), *args]


def _done_pages(db: Path) -> dict[int, int]:
    if not db.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        rows = conn.execute("SELECT id, attempts FROM pages WHERE status='done'").fetchall()
        conn.close()
        return dict(rows)
    except sqlite3.OperationalError:
        return {}


def _artifacts(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted((ws / "batches").rglob("*"))
            if p.is_file() and p.suffix in (".jpg", ".tif", ".pdf", ".json")}


def test_sigkill_mid_batch_then_resume(tmp_path: Path):
    delivery = tmp_path / "levering"
    total = _delivery(delivery)
    ws, out = tmp_path / "ws", tmp_path / "out"
    proc = subprocess.Popen(_cli(ws, "run", str(delivery), "--out", str(out), "--no-progress", "-j", "2"),
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_done_pages(ws / "state.sqlite")) < 3 and time.monotonic() < deadline:
        assert proc.poll() is None, "run finished before it could be killed"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the runner and its workers, like a power cut
    proc.wait()
    before = _done_pages(ws / "state.sqlite")
    assert 3 <= len(before) < total
    artifacts_before = _artifacts(ws)

    resumed = subprocess.run(_cli(ws, "run", str(delivery), "--out", str(out), "--no-progress"),
                             capture_output=True, text=True)
    assert run_code(resumed.returncode, resumed.stdout, resumed.stderr) == 0, resumed.stderr
    assert f"{len(before)} were already done" in resumed.stdout

    after = _done_pages(ws / "state.sqlite")
    assert len(after) == total
    for page_id in before:  # finished pages were not redone
        assert after[page_id] == 1
    # work files of finished pages are untouched; stray temporary files are gone from the outputs
    artifacts_after = _artifacts(ws)
    for name, data in artifacts_before.items():
        if any(f"/{pid:08d}/" in name for pid in before):
            assert artifacts_after[name] == data
    assert not list(out.rglob("*.part"))

    data = json.loads((out / "results.json").read_text())
    validate_results(data)
    assert data["summary"]["pages_done"] == total and data["summary"]["pages_failed"] == 0
    seqs = [p["seq"] for p in data["pages"]]
    assert sorted(seqs) == list(range(total))
    for d in range(3):
        pages, text = 0, ""
        for pdf_path in sorted((out / f"BWT-1990-000{d}").glob("*.pdf")):
            with pikepdf.open(pdf_path) as pdf:
                pages += len(pdf.pages)
            text += subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
        assert pages == 4
        assert [f"pagina {w}" in text for w in WORDS] == [True] * 4

    # A clean run elsewhere gives byte-identical page images and words (the text layers and ALTO
    # files are drawn from the words).
    ws2 = tmp_path / "ws2"
    clean = subprocess.run(_cli(ws2, "run", str(delivery), "--out", str(tmp_path / "out2"), "--no-progress"),
                           capture_output=True, text=True)
    assert run_code(clean.returncode, clean.stdout, clean.stderr) == 0, clean.stderr
    clean_artifacts = _artifacts(ws2)
    assert clean_artifacts.keys() == artifacts_after.keys()
    for name, data in clean_artifacts.items():
        assert data == artifacts_after[name], name
