"""Scale benchmark: throughput and peak memory of whole runs of large batches.

    .venv/bin/python bench/scale.py [--pages 1000] [--small 500] [--dask] [--keep DIR]

Generates a folders delivery of PAGES synthetic A4 pages at 150 ppi (typed text, 10 pages per
dossier; 40 distinct pages, repeated), then runs ``digitalisering run`` on it in a fresh workspace:

- 1 worker, PAGES pages; 2 workers, PAGES pages; 2 workers, SMALL pages (the memory comparison);
- with ``--dask``, also 2 Dask workers (LocalCluster on loopback) on PAGES pages;

and prints pages/min and the peak resident memory of the whole process tree (runner + workers,
sampled every 0.2 s from /proc), and the ratio of the peaks for the two batch sizes (flat = ~1.0).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import pagegen  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
CLI = [sys.executable, "-c", "from digitalisering.cli import main; main()"]
WORDS = ("aanvraag bouwvergunning gemeente Leiden pand verbouwing kozijnen dakkapel woning tekening "
         "constructie fundering balklaag gevel schuur aannemer architect perceel kadastraal").split()


def make_delivery(root: Path, pages: int, distinct: int = 40) -> None:
    templates = []
    for i in range(distinct):
        lines = [f"Dossier {i}: " + " ".join(WORDS[(i + k) % len(WORDS)] for k in range(6)) for _ in range(1)]
        lines += [" ".join(WORDS[(i * 3 + j + k) % len(WORDS)] for k in range(7)) for j in range(9)]
        path = root.parent / f"template-{i}.tif"
        pagegen.save(pagegen.page_image(lines, dpi=150), path, compression="tiff_lzw")
        templates.append(path)
    for n in range(pages):
        target = root / f"BWT-2000-{n // 10:04d}" / f"{n % 10:04d}.tif"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(templates[n % distinct], target)


def tree_rss(pgid: int) -> int:
    """Resident memory (bytes) of every process in the process group."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            with open(f"/proc/{entry.name}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ProcessLookupError):
            continue
    return total


def run(delivery: Path, work: Path, jobs: int, scheduler: str | None = None) -> tuple[float, int, int]:
    """(seconds, pages done, peak tree RSS in bytes) of one run in a fresh workspace."""
    ws, out = work / "ws", work / "out"
    shutil.rmtree(work, ignore_errors=True)
    cmd = [*CLI, "--workspace", str(ws), "run", str(delivery), "--out", str(out), "--no-progress"]
    cmd += ["--scheduler", scheduler] if scheduler else ["-j", str(jobs)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.2)
    seconds = time.monotonic() - started
    out_text, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({proc.returncode}): {err.strip()[-500:]}")
    done = int(out_text.split(" done, ")[0].rsplit("(", 1)[1])
    return seconds, done, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--small", type=int, default=500)
    ap.add_argument("--dask", action="store_true", help="also run on a local Dask cluster with 2 workers")
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="digitalisering-scale-"))
    big, small = base / f"levering-{args.pages}", base / f"levering-{args.small}"
    for root, n in ((big, args.pages), (small, args.small)):
        if not root.exists():
            make_delivery(root, n)
    print(f"synthetic delivery: {args.pages} and {args.small} pages (A4, 150 ppi, typed text), in {base}")
    rows = []
    for label, delivery, jobs in (("1 worker", big, 1), ("2 workers", big, 2), ("2 workers", small, 2)):
        seconds, done, peak = run(delivery, base / f"run-{jobs}-{delivery.name}", jobs)
        rows.append((label, done, seconds, peak))
        print(f"{label:>18}: {done:5d} pages in {seconds:7.1f} s = {done * 60 / seconds:6.1f} pages/min, "
              f"peak memory {peak / 2**20:7.1f} MiB", flush=True)
    if args.dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            seconds, done, peak = run(big, base / "run-dask", 2, cluster.scheduler_address)
        rows.append(("2 Dask workers", done, seconds, peak))
        print(f"{'2 Dask workers':>18}: {done:5d} pages in {seconds:7.1f} s = {done * 60 / seconds:6.1f} pages/min, "
              f"peak memory of the runner {peak / 2**20:7.1f} MiB (the workers are the cluster's)", flush=True)
    one, two, two_small = rows[0], rows[1], rows[2]
    print(f"speed-up 2 workers / 1 worker: {(two[1] / two[2]) / (one[1] / one[2]):.2f}")
    print(f"peak memory {args.pages} pages / {args.small} pages (2 workers): {two[3] / two_small[3]:.2f} "
          f"({two[3] / 2**20:.0f} vs {two_small[3] / 2**20:.0f} MiB)")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
