"""OCR + PDF/A benchmark: our pipeline vs tesseract alone (the floor) vs OCRmyPDF, same pages, same run.

    .venv/bin/python bench/ocr_pdfa.py [--shared ../shared] [--dossiers 8] [--jobs 2]

Pages: the single-image dossiers of ../shared/data/dossiers/dev-folders (synthetic, exact text) and
the real typewritten pages of ../shared/data/scans/tapuscorpus_fr_typewritten (one dossier per
source), read with ``-l nld`` by everyone.

- ours: ``digitalisering run DELIVERY --out OUT -j JOBS`` (imaging, OCR, PDF/A-2b, validation).
- tesseract alone: ``tesseract PAGE out -l nld pdf`` per page, JOBS at a time (OMP_THREAD_LIMIT=1).
- OCRmyPDF: per dossier an image-only PDF of its pages (img2pdf, lossless, not timed), then
  ``ocrmypdf --deskew --output-type pdfa -l nld -j JOBS``. OCRmyPDF lives in its own venv
  (bench/.venv-ocrmypdf, created on first use; Ghostscript from Debian: apt-get install ghostscript).

``--before REV [--rounds N]``: only ours, this checkout and git revision REV run in turn on the
same pages (``before_against_now``), the ratio of their median times: a before/after in one run.
Wall time on a shared machine follows the other users' load; the CPU seconds of every process of
each run (the CLI, its workers, their tesseracts: this process reaps them all) do not, and their
ratio is the figure to quote.

Printed: pages/min and ratios, output bytes per page, character error rate (CER) and word recall of
the text layer (pdftotext) against the ground truth, per set, for us and OCRmyPDF.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import img2pdf
from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parents[1]
OCRMYPDF_VENV = REPO / "bench" / ".venv-ocrmypdf"
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO), "DIGITALISERING_LANG": "en"}
"""English run output: the per-page cost line reads its ``outputs N s``."""
CLI = [sys.executable, "-c", "from digitalisering.cli import main; main()"]
"""Our command from this checkout (PYTHONPATH), whichever venv runs the benchmark."""


def ocrmypdf_bin() -> Path:
    exe = OCRMYPDF_VENV / "bin" / "ocrmypdf"
    if not exe.exists():
        print("setting up OCRmyPDF in", OCRMYPDF_VENV, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(OCRMYPDF_VENV)], check=True)
        subprocess.run([str(OCRMYPDF_VENV / "bin" / "pip"), "install", "-q", "ocrmypdf"], check=True)
    if not shutil.which("gs"):
        sys.exit("OCRmyPDF needs Ghostscript for PDF/A: apt-get install ghostscript")
    return exe


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("ﬁ", "fi").replace("ﬂ", "fl")
    return " ".join(text.split())


def pdf_pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def cer(truth: str, text: str) -> float:
    t, o = norm(truth), norm(text)
    return Levenshtein.distance(t, o) / max(1, len(t))


def word_recall(truth: str, text: str) -> float:
    tw = norm(truth).split()
    have = {}
    for w in norm(text).split():
        have[w] = have.get(w, 0) + 1
    hit = 0
    for w in tw:
        if have.get(w):
            have[w] -= 1
            hit += 1
    return hit / max(1, len(tw))


# --- the page set ----------------------------------------------------------------------------

def dev_dossiers(shared: Path, limit: int) -> list[dict]:
    truth = json.loads((shared / "data/dossiers/dev-folders.truth.json").read_text())
    root = shared / "data/dossiers/dev-folders"
    by_dossier: dict[str, list[dict]] = {}
    for page in truth["pages"]:
        by_dossier.setdefault(page["dossier_id"], []).append(page)
    out = []
    for dossier, pages in by_dossier.items():
        if any(p["page_index"] or p["file_format"] == "PDF" for p in pages):
            continue  # multi-page TIFF / PDF dossiers: OCRmyPDF and tesseract take single images here
        out.append({"id": dossier, "set": "dev", "pages": [
            {"file": root / p["file"], "truth": "\n".join(line["text"] for line in p["lines"]),
             "blank": p["is_blank"], "dpi": p["dpi"]} for p in pages]})
    return out[:limit]


def real_dossiers(shared: Path) -> list[dict]:
    root = shared / "data/scans/tapuscorpus_fr_typewritten"
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        pages = [{"file": jpg, "truth": jpg.with_suffix(".gt.txt").read_text(), "blank": False, "dpi": 300}
                 for jpg in sorted(folder.glob("*.jpg")) if jpg.with_suffix(".gt.txt").exists()]
        if pages:
            out.append({"id": "REAL-" + folder.name[:20].replace(" ", "_"), "set": "real", "pages": pages})
    return out


def make_delivery(dossiers: list[dict], root: Path) -> None:
    for d in dossiers:
        folder = root / d["id"]
        folder.mkdir(parents=True)
        for i, page in enumerate(d["pages"], 1):
            shutil.copyfile(page["file"], folder / f"{i:04d}{page['file'].suffix}")  # symlinks are not followed


# --- the three runs ---------------------------------------------------------------------------

def _cpu_children() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux): the run's forkserver and
    its workers outlive the CLI's wait, and only a waited-for process's CPU time counts here."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _reap() -> None:
    """Wait for every descendant left (the run's forkserver exits when it sees the CLI gone)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run_ours(delivery: Path, out: Path, ws: Path, jobs: int, source: Path = REPO) -> float:
    t0 = time.perf_counter()
    cpu0 = _cpu_children()
    proc = subprocess.run([*CLI, "--workspace", str(ws), "run", str(delivery),
                           "--out", str(out), "-j", str(jobs), "--no-progress", "--operator", "bench"],
                          capture_output=True, text=True, env={**ENV, "PYTHONPATH": str(source)},
                          cwd=source)  # ``-c`` puts the working folder first on sys.path, before PYTHONPATH
    elapsed = time.perf_counter() - t0
    if REAPER:
        _reap()
    LAST_CPU[0] = _cpu_children() - cpu0
    if proc.returncode not in (0, 1):
        sys.exit(f"digitalisering run failed ({proc.returncode}): {proc.stderr.strip()}")
    RUN_OUTPUT[:] = proc.stdout.splitlines()
    print("".join(f"  {line}\n" for line in proc.stdout.splitlines() if line.startswith(("batch", "  "))), end="")
    return elapsed


REAPER = False
LAST_CPU = [0.0]
"""CPU seconds (user + system) of the last ``run_ours``, every process of it (CLI, workers,
tesseract): what the run costs whatever else the machine is doing (wall time on a shared machine
follows the other users' load)."""
RUN_OUTPUT: list[str] = []
PER_PAGE: dict[str, float] = {}
"""tesseract alone: seconds per page file."""


def run_tesseract(pages: list[dict], tmp: Path, jobs: int) -> float:
    def one(i_page):
        i, page = i_page
        t0 = time.perf_counter()
        subprocess.run(["tesseract", str(page["file"]), str(tmp / f"t{i}"), "-l", "nld", "pdf"],
                       capture_output=True, env=ENV, check=True)
        PER_PAGE[str(page["file"])] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, enumerate(pages)))
    return time.perf_counter() - t0


def run_ocrmypdf(exe: Path, dossiers: list[dict], tmp: Path, jobs: int) -> tuple[float, dict[str, Path]]:
    inputs = {}
    for d in dossiers:
        src = tmp / f"{d['id']}.in.pdf"
        src.write_bytes(img2pdf.convert([str(p["file"]) for p in d["pages"]]))
        inputs[d["id"]] = src
    outs, elapsed = {}, 0.0
    for d in dossiers:
        dst = tmp / f"{d['id']}.ocrmypdf.pdf"
        t0 = time.perf_counter()
        proc = subprocess.run([str(exe), "--deskew", "--output-type", "pdfa", "-l", "nld", "-j", str(jobs),
                               str(inputs[d["id"]]), str(dst)], capture_output=True, text=True, env=ENV)
        elapsed += time.perf_counter() - t0
        if proc.returncode != 0:
            print(f"  ocrmypdf failed on {d['id']}: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        outs[d["id"]] = dst
    return elapsed, outs


# --- scoring ----------------------------------------------------------------------------------

def score_ours(out: Path, dossiers: list[dict]) -> dict[str, list[tuple[float, float]]]:
    """Each true page against its page of the document PDF that holds it."""
    results = json.loads((out / "results.json").read_text())
    by_source = {p["source"]: p for p in results["pages"]}
    docs = {d["id"]: d for d in results["documents"]}
    in_pdf = {p["seq"] for p in results["pages"] if p["in_output"]}
    texts: dict[str, list[str]] = {}
    scores: dict[str, list[tuple[float, float]]] = {}
    for d in dossiers:
        for i, page in enumerate(d["pages"], 1):
            entry = by_source.get(f"{d['id']}/{i:04d}{page['file'].suffix}")
            if page["blank"] or not entry or entry["seq"] not in in_pdf or not entry["document"]:
                continue
            doc = docs[entry["document"]]
            if not doc["output"]:
                continue
            if doc["id"] not in texts:
                texts[doc["id"]] = pdf_pages_text(out / doc["output"]["path"])
            index = [s for s in doc["pages"] if s in in_pdf].index(entry["seq"])
            pages = texts[doc["id"]]
            text = pages[index] if index < len(pages) else ""
            scores.setdefault(d["set"], []).append((cer(page["truth"], text), word_recall(page["truth"], text)))
    return scores


def score_ocrmypdf(outs: dict[str, Path], dossiers: list[dict]) -> dict[str, list[tuple[float, float]]]:
    scores: dict[str, list[tuple[float, float]]] = {}
    for d in dossiers:
        if d["id"] not in outs:
            continue
        texts = pdf_pages_text(outs[d["id"]])
        for i, page in enumerate(d["pages"]):
            if page["blank"]:
                continue
            text = texts[i] if i < len(texts) else ""
            scores.setdefault(d["set"], []).append((cer(page["truth"], text), word_recall(page["truth"], text)))
    return scores


def show_scores(name: str, scores: dict[str, list[tuple[float, float]]]) -> None:
    for key, rows in sorted(scores.items()):
        cers = [c for c, _ in rows]
        recalls = [r for _, r in rows]
        print(f"  {name:9s} {key:4s}: n={len(rows):3d} CER median {statistics.median(cers):.3f} "
              f"mean {statistics.fmean(cers):.3f}; word recall median {statistics.median(recalls):.3f} "
              f"mean {statistics.fmean(recalls):.3f}")


def before_against_now(rev: str, delivery: Path, tmp: Path, jobs: int, rounds: int, dossiers: list[dict]) -> None:
    """``--before REV``: our run from this checkout and from git revision ``rev`` (``git archive``,
    the OCR models linked), on the same delivery, in turn (now, before, before, now, ...: a load
    that grows or falls over the runs meets both alike); every run reads every page anew (its own
    workspace). Prints each run, the median wall time and page-stage seconds of each, their ratios
    and both text layers' recall (the same pages)."""
    old = tmp / "before-src"
    old.mkdir()
    tar = subprocess.run(["git", "-C", str(REPO), "archive", rev, "digitalisering"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=tar.stdout, check=True)
    models = REPO / "digitalisering/ocr/models/tessdata"  # not in git: the same models for both
    if models.exists() and (old / "digitalisering/ocr/models").is_dir():  # 4df2efb had no models folder
        (old / "digitalisering/ocr/models/tessdata").symlink_to(models.resolve())
    global REAPER
    REAPER = _subreaper()
    runs: dict[str, list[tuple[float, float, float]]] = {"now": [], rev: []}
    now = tmp / "now-src"  # this checkout as it is now: edits made while the bench runs do not count
    shutil.copytree(REPO / "digitalisering", now / "digitalisering", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    order = [("now", now), (rev, old)]
    for r in range(rounds):
        for name, source in order if r % 2 == 0 else order[::-1]:
            out, ws = tmp / f"out-{name}-{r}", tmp / f"ws-{name}-{r}"
            wall = run_ours(delivery, out, ws, jobs, source)
            stages = sum(p.get("worker_seconds") or 0 for p in json.loads((out / "results.json").read_text())["pages"])
            runs[name].append((wall, stages, LAST_CPU[0]))
            print(f"  {name:<10} run {r + 1}: {wall:.1f} s wall, page stages {stages:.1f} s, "
                  f"CPU {LAST_CPU[0]:.1f} s{'' if REAPER else ' (workers not counted)'}", flush=True)
            if r == 0:
                show_scores(name, score_ours(out, dossiers))
    wall = {k: statistics.median(w for w, _, _ in v) for k, v in runs.items()}
    stages = {k: statistics.median(s for _, s, _ in v) for k, v in runs.items()}
    cpu = {k: statistics.median(c for _, _, c in v) for k, v in runs.items()}
    print(f"median of {rounds}: now {wall['now']:.1f} s wall ({stages['now']:.1f} s page stages), {rev} "
          f"{wall[rev]:.1f} s ({stages[rev]:.1f} s); now / {rev}: wall {wall['now'] / wall[rev]:.3f}, "
          f"page stages {stages['now'] / stages[rev]:.3f}")
    print(f"CPU seconds (all processes of the run), median of {rounds}: now {cpu['now']:.1f} s, {rev} "
          f"{cpu[rev]:.1f} s; now / {rev}: {cpu['now'] / cpu[rev]:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--dossiers", type=int, default=8, help="dev dossiers to use (of the single-image ones)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--only-ours", action="store_true", help="skip tesseract alone and OCRmyPDF (profiling)")
    ap.add_argument("--before", help="only ours, this checkout against git revision REV in turn (ABBA...)")
    ap.add_argument("--rounds", type=int, default=2, help="with --before: runs of each")
    args = ap.parse_args()

    dossiers = dev_dossiers(args.shared, args.dossiers) + ([] if args.no_real else real_dossiers(args.shared))
    pages = [p for d in dossiers for p in d["pages"]]
    n_pages = len(pages)
    exe = None if args.only_ours else ocrmypdf_bin()  # --only-ours needs no OCRmyPDF set up
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip() if exe else "-"
    print(f"{len(dossiers)} dossiers, {n_pages} pages ({sum(p['blank'] for p in pages)} blank); "
          f"jobs={args.jobs}; OCRmyPDF {version}")

    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp_s:
        tmp = Path(tmp_s)
        delivery = tmp / "levering"
        make_delivery(dossiers, delivery)
        (tmp / "tess").mkdir()
        (tmp / "ocrmypdf").mkdir()

        if args.before:
            before_against_now(args.before, delivery, tmp, args.jobs, args.rounds, dossiers)
            return
        if args.only_ours:
            t_ours = run_ours(delivery, tmp / "out", tmp / "ws", args.jobs)
            print(f"ours:            {t_ours:.1f} s = {60 * n_pages / t_ours:.1f} pages/min", flush=True)
            show_scores("ours", score_ours(tmp / "out", dossiers))
            return
        t_tess = run_tesseract(pages, tmp / "tess", args.jobs)
        print(f"tesseract alone: {t_tess:.1f} s = {60 * n_pages / t_tess:.1f} pages/min", flush=True)
        t_ours = run_ours(delivery, tmp / "out", tmp / "ws", args.jobs)
        print(f"ours:            {t_ours:.1f} s = {60 * n_pages / t_ours:.1f} pages/min", flush=True)
        t_ocrm, outs = run_ocrmypdf(exe, dossiers, tmp / "ocrmypdf", args.jobs)
        print(f"OCRmyPDF:        {t_ocrm:.1f} s = {60 * n_pages / t_ocrm:.1f} pages/min", flush=True)

        print("\n== Speed (same pages, same machine, this run) ==")
        print(f"  throughput ours / OCRmyPDF: {t_ocrm / t_ours:.2f}x   (target >= 1.5)")
        print(f"  wall time ours / tesseract alone, whole run with {args.jobs} workers (ingest, outputs, "
              f"start-up included): {t_ours / t_tess:.2f}")
        res = json.loads((tmp / "out" / "results.json").read_text())
        worker_s = sum(p.get("worker_seconds") or 0 for p in res["pages"])
        alone_s = sum(PER_PAGE.values())
        run_line = next((line for line in RUN_OUTPUT if "outputs" in line), "")
        outputs_s = float(run_line.split("outputs ")[1].split(" s")[0]) if "outputs " in run_line else 0.0
        print(f"  per-page cost: our page stages {worker_s:.1f} s + outputs {outputs_s:.1f} s over tesseract alone "
              f"{alone_s:.1f} s (same pages, each timed in its worker) = {(worker_s + outputs_s) / alone_s:.3f}"
              "   (target <= 1.15)")

        results = json.loads((tmp / "out" / "results.json").read_text())
        ours_bytes = sum(d["output"]["bytes"] for d in results["documents"])
        ours_pages = sum(len(d["pages"]) for d in results["documents"])
        ocrm_bytes = sum(p.stat().st_size for p in outs.values())
        ocrm_pages = sum(len(d["pages"]) for d in dossiers if d["id"] in outs)
        print("\n== Size ==")
        print(f"  ours:     {ours_bytes / max(1, ours_pages) / 1024:.0f} KiB/page over {ours_pages} pages "
              f"(blank pages left out; JPEG q85, G4)")
        print(f"  OCRmyPDF: {ocrm_bytes / max(1, ocrm_pages) / 1024:.0f} KiB/page over {ocrm_pages} pages")
        valid = subprocess.run([*CLI, "validate", "--no-preflight",
                                *[str(tmp / "out" / d["output"]["path"]) for d in results["documents"]]],
                               capture_output=True, text=True, env=ENV)
        print(f"  ours valid PDF/A-2b: {valid.stdout.count('ok ')}/{len(results['documents'])}")

        print("\n== Text layer against the ground truth (pdftotext; CER lower is better) ==")
        show_scores("ours", score_ours(tmp / "out", dossiers))
        show_scores("OCRmyPDF", score_ocrmypdf(outs, dossiers))

        # the same documents as PDF/A-1b (pages are not read again), each through PDFBox Preflight
        proc = subprocess.run([*CLI, "--workspace", str(tmp / "ws"), "run", str(delivery), "--out",
                               str(tmp / "out1b"), "--pdfa", "1b", "--no-progress"], capture_output=True, text=True,
                              env=ENV)
        files = sorted((tmp / "out1b").rglob("*.pdf"))
        checked = subprocess.run([*CLI, "validate", "--preflight", *map(str, files)], capture_output=True,
                                 text=True, env=ENV)
        passed = checked.stdout.count("ok ")
        print(f"\n== PDF/A-1b ==\n  {passed}/{len(files)} files pass our checks, pikepdf's and PDFBox Preflight"
              f"{'' if proc.returncode in (0, 1) else ' (run failed: ' + proc.stderr.strip() + ')'}")
        for line in checked.stdout.splitlines():
            if not line.startswith("ok "):
                print("  " + line)


if __name__ == "__main__":
    main()
