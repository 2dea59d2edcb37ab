"""Real typewritten scans: word recall of our reading beside OCRmyPDF's, same pages, same run.

    .venv/bin/python bench/ocr_real.py [--shared ../shared] [--langs nld,fra] [--limit N] [--no-ocrmypdf]
                                       [--ours new,plain,fast] [--before REV] [--half tuning|scoring]
                                       [--per-page] [--save FILE]

Pages: ``../shared/data/scans/tapuscorpus_fr_typewritten``: every image with a transcription
(``*.gt.txt``; JPEG and PNG, 240-600 ppi or no resolution stated, 1896-1984) whose transcription
has typed words: 31 pages of 10 sources (two pages are handwriting only, ``~~~``, and are left out;
until December 2026 the bench read only the 23 ``.jpg`` pages, those two among them).

Halves (fixed before any tuning, by source, never by result): the sources (the corpus' folders,
sorted by name) alternate between ``tuning`` (1st, 3rd, ...) and ``scoring`` (2nd, 4th, ...), see
``TUNING``. What ``ocr.enhance`` and the choice of models were tuned on is the tuning half only; the
scoring half is the figure to quote, "all" is labelled as containing the tuning half.

- Truth: the corpus' transcription conventions are undone before scoring: the ``_`` that marks an
  underlined word and the ``^`` of a superscript are removed, a ``~~~`` (a handwritten word) is
  left out. Scored as they were, every underlined word counted as missed by everybody.
- ours: the product's page path as a library (load, imaging with the engine's OSD, the
  straightened grey copy, cleanup, the flattened copy with small type enlarged, OCR with the best
  models where installed, the second reading of unread regions), in ``--langs``. ``--ours`` adds
  variants in the same run: ``plain`` (no flattening or enlarging), ``fast`` (Debian's fast models
  instead of the best ones), ``today`` (both: the page path as it was before them).
- ``--before REV``: the product's page path as it is at git revision REV (``git archive`` into a
  temporary folder, read by worker processes that import it instead of this checkout), page by
  page in turn with ``ours (new)``, so both meet the same load on a shared machine: the before/after
  comparison of recall and seconds in one run.
- OCRmyPDF (its own venv, bench/.venv-ocrmypdf, created on first use like bench/ocr_pdfa.py;
  Ghostscript from Debian): ``ocrmypdf --deskew --rotate-pages -l LANG`` on an image-only PDF of the
  page (img2pdf, lossless); its text by pdftotext.

``--reduced 1024,768`` adds the tuning half's pages reduced to those widths (see ``reduced``),
labelled ``tuning, reduced``: what the enlarging of small type is tuned on (``--only-reduced``:
those alone).

``--per-page`` prints every page's recall and seconds per row; ``--save FILE`` writes every row's
text and seconds per page as JSON (to look at missed words without reading again).

Word recall per page (``ocr_pdfa.word_recall``: whitespace tokens, multiset, NFC), median and mean
per language. ``-l fra`` needs the Debian package tesseract-ocr-fra; ``nld`` is what a run uses by
default, ``fra`` is what an operator who knows the language would give (``--lang fra``/``nld+fra``).
Nothing in the product was tuned on the scoring half.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
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


TUNING = (
    "12148-btv1b10581912k", "12148-btv1b10583138r", "12148-btv1b525062185",
    "20130043_87-1962-catalogue-dactylographié-des-enregistrements", "bljd-DSN390-DSN355-DSN113_(27)-DSN169",
)
"""The tuning half's sources; every other source of the corpus is the scoring half."""
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
NO_MODELS = "/nonexistent-digitalisering-tessdata"
"""``$DIGITALISERING_TESSDATA`` for the ``fast`` variant: no best model found, Debian's are used."""


def half(path: Path) -> str:
    if path.parent.name.startswith(REDUCED):
        return "tuning, reduced"
    return "tuning" if path.parent.name in TUNING else "scoring"


REDUCED = "reduced-"


def reduced(files: list[Path], widths: list[int], root: Path) -> list[Path]:
    """The tuning half's pages reduced to ``widths`` pixels wide (Lanczos; JPEG q80 with no
    resolution stated), as Gallica's 1,024 pixel copies are delivered: their letters 7-15 pixels
    high, the size ``ocr.enhance`` enlarges. The tuning half has no page of such small type of its
    own (its letters are 17-68 pixels), the scoring half has nine."""
    from PIL import Image

    out = []
    for width in widths:
        folder = root / f"{REDUCED}{width}"
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            if half(f) != "tuning":
                continue
            with Image.open(f) as im:
                scale = width / im.width
                small = im.convert("RGB").resize((width, round(im.height * scale)), Image.Resampling.LANCZOS)
            dst = folder / f"{f.parent.name[:12]}_{f.stem[-14:]}.jpeg"
            small.save(dst, quality=80)
            dst.with_suffix(".gt.txt").write_bytes(f.with_suffix(".gt.txt").read_bytes())
            out.append(dst)
    return out


def pages(shared: Path) -> list[Path]:
    """The pages with typed words in their transcription (see the module docstring)."""
    root = shared / "data/scans/tapuscorpus_fr_typewritten"
    found = sorted(p for p in root.glob("*/*") if p.suffix.lower() in IMAGE_SUFFIXES
                   and p.with_suffix(".gt.txt").exists())
    return [p for p in found if truth_text(p.with_suffix(".gt.txt").read_text(encoding="utf-8")).split()]


def ours(args: tuple[str, str, str]) -> tuple[str, float, str]:
    """Our text of one page in ``lang`` (``variant``: new, plain or fast), and the seconds it took."""
    from digitalisering.imaging.load import load_page
    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    from digitalisering.imaging.transform import straight_grey
    from digitalisering.ocr.cleanup import clean_for_ocr
    from digitalisering.ocr.completeness import measure
    from digitalisering.ocr.engine import ocr_page, plan_ocr
    from digitalisering.ocr.engines import get_engine, orientation_detector
    from digitalisering.ocr.enhance import flatten, text_height, upscale_factor
    from digitalisering.ocr.reread import reread

    path, lang, variant = args
    if variant in ("fast", "today"):
        os.environ["DIGITALISERING_TESSDATA"] = NO_MODELS
    else:
        os.environ.pop("DIGITALISERING_TESSDATA", None)
    engine = get_engine("tesseract")
    t0 = time.perf_counter()
    fmt = "PNG" if path.lower().endswith(".png") else "JPEG"
    loaded = load_page(Path(path), 0, fmt, 250_000_000)
    stated = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else None
    image, res = analyse_page(loaded.image, stated, loaded.info.bits_per_sample,
                              ImagingOptions(osd=orientation_detector(engine)))
    dpi = res.technical.dpi
    straight, _ = clean_for_ocr(straight_grey(image, res.deskew_deg, tuple(res.paper_colour)), dpi)
    readable, upscale = straight, 1.0
    if variant not in ("plain", "today"):  # as runner/page_chain.stage_ocr
        readable = flatten(straight, dpi)
        upscale = upscale_factor(text_height(readable, dpi))
    text = ocr_page(engine, readable, lang, dpi, plan_ocr(straight.width, straight.height, dpi, 40, upscale))
    second = reread(engine, readable, dpi, text, measure(straight, dpi, text.words), lang)
    words = [w.text for w in (second.text if second else text).words]
    return path, time.perf_counter() - t0, " ".join(words)


def _use_source(src: str) -> None:
    """Worker initialiser of ``--before``: import the product from ``src`` (before anything imports it)."""
    sys.path.insert(0, src)


def export_revision(rev: str, dest: Path) -> Path:
    """The tree of ``rev`` of this repository, unpacked under ``dest`` (for ``--before``)."""
    tar = subprocess.run(["git", "-C", str(REPO), "archive", rev, "digitalisering"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar.stdout, check=True)
    models = REPO / "digitalisering/ocr/models/tessdata"  # not in git: the same best models for both
    if models.exists() and (dest / "digitalisering/ocr/models").is_dir():
        (dest / "digitalisering/ocr/models/tessdata").symlink_to(models.resolve())
    return dest


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


def pooled(truths: list[str], texts: list[str]) -> float:
    """Words found over words in the truth, all pages together (a page of 2 words weighs 2)."""
    words = [len(t.split()) for t in truths]
    return sum(word_recall(t, x) * n for t, x, n in zip(truths, texts, words)) / max(1, sum(words))


def side_by_side(files: list[Path], lang: str, rev: str) -> list[tuple[str, dict, dict]]:
    """``ours (new)`` and ``ours (REV)``, one page of each in turn (one worker each, one busy at a
    time: the same load for both)."""
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="ocr-real-rev-") as tmp, \
            ProcessPoolExecutor(1, mp_context=spawn, initializer=_use_source, initargs=(str(REPO),)) as new, \
            ProcessPoolExecutor(1, mp_context=spawn, initializer=_use_source,
                                initargs=(str(export_revision(rev, Path(tmp))),)) as old:
        got_new, got_old = {}, {}
        for f in files:
            for pool, got in ((new, got_new), (old, got_old)):
                p, s, t = pool.submit(ours, (str(f), lang, "new")).result()
                got[p] = (s, t)
    return [(f"ours (new)", {p: t for p, (s, t) in got_new.items()}, {p: s for p, (s, t) in got_new.items()}),
            (f"ours ({rev})", {p: t for p, (s, t) in got_old.items()}, {p: s for p, (s, t) in got_old.items()})]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--langs", default="nld,fra")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--no-ocrmypdf", action="store_true")
    ap.add_argument("--before", help="a git revision read too, page by page in turn with ours (new)")
    ap.add_argument("--reduced", help="add the tuning half reduced to these widths, e.g. 1024,768")
    ap.add_argument("--only-reduced", action="store_true", help="read only the reduced tuning pages")
    ap.add_argument("--half", choices=("tuning", "scoring"), help="read only this half's pages")
    ap.add_argument("--per-page", action="store_true")
    ap.add_argument("--save", type=Path, help="every row's text and seconds per page, as JSON")
    ap.add_argument("--ours", default="new", help="variants of ours: new, plain (no enhance), fast (Debian models), today (both)")
    args = ap.parse_args()
    files = pages(args.shared)[: args.limit or None]
    if args.half:
        files = [f for f in files if half(f) == args.half]
    if args.only_reduced:
        files = [f for f in files if half(f) == "tuning"]
    reduced_dir = tempfile.TemporaryDirectory(prefix="ocr-real-reduced-")
    if args.reduced:
        files += reduced(files, [int(w) for w in args.reduced.split(",")], Path(reduced_dir.name))
    if args.only_reduced:
        files = [f for f in files if half(f) == "tuning, reduced"]
    truth = {str(f): truth_text(f.with_suffix(".gt.txt").read_text(encoding="utf-8")) for f in files}
    halves = {"tuning": [str(f) for f in files if half(f) == "tuning"],
              "tuning, reduced": [str(f) for f in files if half(f) == "tuning, reduced"],
              "scoring": [str(f) for f in files if half(f) == "scoring"],
              "all (incl. tuning)": [str(f) for f in files if half(f) != "tuning, reduced"]}
    exe = None if args.no_ocrmypdf else ocrmypdf_exe()
    for lang in args.langs.split(","):
        rows = []
        for variant in args.ours.split(","):
            if variant == "new" and args.before:
                rows.extend(side_by_side(files, lang, args.before))
                continue
            with ProcessPoolExecutor(args.jobs) as pool:
                got = {p: (s, t) for p, s, t in pool.map(ours, [(str(f), lang, variant) for f in files])}
            rows.append((f"ours ({variant})", {p: got[p][1] for p in truth}, {p: got[p][0] for p in truth}))
        if exe is not None:
            with tempfile.TemporaryDirectory() as tmp:
                theirs = {str(f): ocrmypdf(exe, f, lang, Path(tmp)) for f in files}
            rows.append(("OCRmyPDF", {p: theirs[p][1] for p in truth}, {p: theirs[p][0] for p in truth}))
        if args.save:
            args.save.write_text(json.dumps({name: {"text": texts, "seconds": secs} for name, texts, secs in rows},
                                            ensure_ascii=False, indent=1))
        if args.per_page:
            print(f"-l {lang}, recall (seconds) per page:")
            for p in truth:
                print(f"  {half(Path(p)):<7} {Path(p).parent.name[:14]:<14} {Path(p).name[-24:]:<24} "
                      + "  ".join(f"{word_recall(truth[p], texts[p]):.3f} ({secs[p]:.1f})" for _, texts, secs in rows))
            print("  columns: " + ", ".join(name for name, _, _ in rows))
        print(f"-l {lang}, {len(files)} real typewritten pages (tuning {len(halves['tuning'])}, "
              f"scoring {len(halves['scoring'])}; reduced tuning pages {len(halves['tuning, reduced'])}):")
        for label, keys in halves.items():
            if not keys:
                continue
            print(f" {label}:")
            for name, texts, seconds in rows if keys else ():
                recalls = [word_recall(truth[p], texts[p]) for p in keys]
                print("  " + summary(name, recalls)
                      + f"  pooled {pooled([truth[p] for p in keys], [texts[p] for p in keys]):.3f}")
        print(" seconds per page (whole page path; OCRmyPDF: its whole run):")
        for name, _, seconds in rows:
            per_page = list(seconds.values())
            print(f"  {name:<22} {sum(per_page) / len(files):.1f} s/page, median {statistics.median(per_page):.1f} s")
        if args.before:
            new_s, old_s = rows[0][2], rows[1][2]
            for label, keys in halves.items():
                if not keys:
                    continue
                print(f"  {rows[0][0]} / {rows[1][0]}, {label}: total {sum(new_s[p] for p in keys) / max(1e-6, sum(old_s[p] for p in keys)):.3f}, "
                      f"median per page {statistics.median(new_s[p] / max(1e-6, old_s[p]) for p in keys):.3f}")
        base = rows[-1] if exe is not None else rows[0]
        for name, texts, _ in rows[:-1] if exe is not None else rows[1:]:
            a_ = [word_recall(truth[p], texts[p]) for p in halves["scoring"]]
            b_ = [word_recall(truth[p], base[1][p]) for p in halves["scoring"]]
            print(f"  scoring half, {name} vs {base[0]}: higher on {sum(x > y for x, y in zip(a_, b_))}, "
                  f"lower on {sum(x < y for x, y in zip(a_, b_))} pages")


if __name__ == "__main__":
    main()
