"""Real typewritten scans: word recall of our reading beside OCRmyPDF's, same pages, same run.

    .venv/bin/python bench/ocr_real.py [--shared ../shared] [--langs nld,fra] [--limit N] [--no-ocrmypdf]

Pages: ``../shared/data/scans/tapuscorpus_fr_typewritten`` (26 real French typewritten pages,
1896-1984, 300 ppi colour JPEG, line-level ground truth ``*.gt.txt``).

- Truth: the corpus' transcription conventions are undone before scoring: the ``_`` that marks an
  underlined word and the ``^`` of a superscript are removed, a ``~~~`` (a handwritten word) is
  left out. Scored as they were, every underlined word counted as missed by everybody.
- ours: the product's page path as a library (load, imaging with the engine's OSD, the
  straightened grey copy, cleanup, OCR, the second reading of unread regions), in ``--langs``.
- OCRmyPDF (its own venv, bench/.venv-ocrmypdf, created on first use like bench/ocr_pdfa.py;
  Ghostscript from Debian): ``ocrmypdf --deskew --rotate-pages -l LANG`` on an image-only PDF of the
  page (img2pdf, lossless); its text by pdftotext.

Word recall per page (``ocr_pdfa.word_recall``: whitespace tokens, multiset, NFC), median and mean
per language. ``-l fra`` needs the Debian package tesseract-ocr-fra; ``nld`` is what a run uses by
default, ``fra`` is what an operator who knows the language would give (``--lang fra``/``nld+fra``).
Nothing in the product was tuned on these pages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from ocr_pdfa import ENV, OCRMYPDF_VENV, word_recall  # noqa: E402


def truth_text(raw: str) -> str:
    """The ground truth with the corpus' marks undone (see the module docstring)."""
    tokens = [t.replace("^", "").lstrip("_") for t in raw.split() if t != "~~~"]
    return " ".join(t for t in tokens if t)


def pages(shared: Path) -> list[Path]:
    root = shared / "data/scans/tapuscorpus_fr_typewritten"
    return sorted(j for j in root.glob("*/*.jpg") if j.with_suffix(".gt.txt").exists())


def ours(args: tuple[str, str]) -> tuple[str, float, str]:
    """Our text of one page in ``lang``, and the seconds it took."""
    from digitalisering.imaging.load import load_page
    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    from digitalisering.imaging.transform import straight_grey
    from digitalisering.ocr.cleanup import clean_for_ocr
    from digitalisering.ocr.completeness import measure
    from digitalisering.ocr.engine import ocr_page, plan_ocr
    from digitalisering.ocr.engines import get_engine, orientation_detector
    from digitalisering.ocr.reread import reread

    path, lang = args
    engine = get_engine("tesseract")
    t0 = time.perf_counter()
    loaded = load_page(Path(path), 0, "JPEG", 250_000_000)
    stated = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else None
    image, res = analyse_page(loaded.image, stated, loaded.info.bits_per_sample,
                              ImagingOptions(osd=orientation_detector(engine)))
    dpi = res.technical.dpi
    straight, _ = clean_for_ocr(straight_grey(image, res.deskew_deg, tuple(res.paper_colour)), dpi)
    text = ocr_page(engine, straight, lang, dpi, plan_ocr(straight.width, straight.height, dpi, 40))
    second = reread(engine, straight, dpi, text, measure(straight, dpi, text.words), lang)
    words = [w.text for w in (second.text if second else text).words]
    return path, time.perf_counter() - t0, " ".join(words)


def ocrmypdf(exe: Path, path: Path, lang: str, tmp: Path) -> tuple[float, str]:
    import img2pdf

    src, dst = tmp / (path.stem + ".in.pdf"), tmp / (path.stem + f".{lang}.pdf")
    src.write_bytes(img2pdf.convert(str(path)))
    t0 = time.perf_counter()
    proc = subprocess.run([str(exe), "--deskew", "--rotate-pages", "-l", lang, "--output-type", "pdf",
                           str(src), str(dst)], capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        print(f"  ocrmypdf failed on {path.name}: {proc.stderr.strip().splitlines()[-1:]}")
        return elapsed, ""
    out = subprocess.run(["pdftotext", "-layout", str(dst), "-"], capture_output=True, text=True, check=True)
    return elapsed, out.stdout


def ocrmypdf_exe() -> Path:
    exe = OCRMYPDF_VENV / "bin" / "ocrmypdf"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(OCRMYPDF_VENV)], check=True)
        subprocess.run([str(OCRMYPDF_VENV / "bin" / "pip"), "install", "-q", "ocrmypdf"], check=True)
    return exe


def summary(name: str, recalls: list[float]) -> str:
    return f"{name:<22} median {statistics.median(recalls):.3f}  mean {statistics.fmean(recalls):.3f}  (n={len(recalls)})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--langs", default="nld,fra")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--no-ocrmypdf", action="store_true")
    args = ap.parse_args()
    files = pages(args.shared)[: args.limit or None]
    truth = {str(f): truth_text(f.with_suffix(".gt.txt").read_text(encoding="utf-8")) for f in files}
    exe = None if args.no_ocrmypdf else ocrmypdf_exe()
    for lang in args.langs.split(","):
        with ProcessPoolExecutor(args.jobs) as pool:
            got = {p: (s, t) for p, s, t in pool.map(ours, [(str(f), lang) for f in files])}
        rows = [("ours", [word_recall(truth[p], got[p][1]) for p in truth], sum(s for s, _ in got.values()))]
        if exe is not None:
            with tempfile.TemporaryDirectory() as tmp:
                theirs = {str(f): ocrmypdf(exe, f, lang, Path(tmp)) for f in files}
            rows.append(("OCRmyPDF", [word_recall(truth[p], theirs[p][1]) for p in truth],
                         sum(s for s, _ in theirs.values())))
        print(f"-l {lang}, {len(files)} real typewritten pages:")
        for name, recalls, seconds in rows:
            print("  " + summary(name, recalls) + f"  {seconds / len(files):.1f} s/page")
        if len(rows) == 2:
            better = sum(a > b for a, b in zip(rows[0][1], rows[1][1]))
            worse = sum(a < b for a, b in zip(rows[0][1], rows[1][1]))
            print(f"  pages where ours is higher / lower: {better} / {worse}")


if __name__ == "__main__":
    main()
