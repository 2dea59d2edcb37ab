"""Tuning material for real typewritten scans: the tuning half degraded, ours beside plain tesseract.

    .venv/bin/python bench/ocr_degrade.py [--shared ../shared] [--kinds as-is,small,...] [--jobs N]
                                          [--readers ours,tesseract] [--before REV] [--per-page]
                                          [--save FILE] [--limit N]

Why: on ``bench/ocr_real.py``'s tuning half our page path beats OCRmyPDF on 11 of 12 pages, so
that half no longer shows why the scoring half loses words; the scoring half may not be looked at.
This bench makes new tuning material from pages we may study, in the ways a delivery's scans
differ from clean 300-600 ppi scans, and reads each copy both through our page path and as plain
tesseract reads it (the engine on the image as delivered, its own layout analysis, no cleanup, no
flattening, no enlarging, no second reading: what OCRmyPDF does once a page is straight). Where
ours reads fewer words than plain tesseract on the same copy, one of our choices loses words.

Pages (all tuning; nothing of ``ocr_real``'s scoring half):
- ``ocr_real.py``'s tuning half (12 French typewritten pages, 5 sources), read with ``fra``;
- ``../shared/data/scans/tesseract_testdata``: the two UNLV/ISRI 300 ppi bitonal pages
  (``8071_093.3B``, ``8087_054.3B``, magazine and report print) with their text, ``eng``;
- ``../shared/data/scans/ocrmypdf_resources/linn.png`` (a 1985 brochure scan) with ``linn.txt``, ``eng``.

Degradations (``KINDS``; seeded, the same copy every run), each from the page brought to at most
``BASE_WIDTH`` pixels wide (an A4 at about 240 ppi; the 600 ppi page would otherwise cost most of
the run):
- ``as-is``: that copy, JPEG q90;
- ``small``: 1,024 pixels wide, JPEG q80, no resolution stated (Gallica's web copies);
- ``jpeg``: 1,400 pixels wide, JPEG q35 (blocky artefacts around the letters);
- ``illum``: uneven light (a corner at 55 % brightness, a smooth falloff), yellowed paper;
- ``show``: show-through: the page's mirror image, blurred, at 25 % of its darkness behind the type;
- ``faint``: a worn ribbon: the ink at 40 % of its darkness, with paper grain;
- ``bitonal``: thresholded at one global level (Otsu) to one bit, PNG, as a bitonal scanner does;
- ``bitonal-small``: the same at 1,400 pixels wide.

Word recall as ``ocr_real.py`` (``ocr_pdfa.word_recall``). ``--before REV`` adds our page path as at
revision REV (every copy read by ours, then every copy by REV: the recall is comparable, the seconds
are not on a shared machine; time a change with ``ocr_real.py --before``, which alternates pages).

Folds: everything here is tuning material (the tuning half of ``ocr_real.py`` and pages outside
it); what it found and the numbers are in docs/architecture.md ("New tuning material").
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from ocr_pdfa import word_recall  # noqa: E402
from ocr_real import _use_source, export_revision, half, ours, pages, truth_text  # noqa: E402

BASE_WIDTH = 2000
KINDS = ("as-is", "small", "jpeg", "illum", "show", "faint", "bitonal", "bitonal-small")


def sources(shared: Path) -> list[tuple[Path, str, str]]:
    """(image, truth text, language) of every tuning page (see the module docstring)."""
    out = [(p, truth_text(p.with_suffix(".gt.txt").read_text(encoding="utf-8")), "fra")
           for p in pages(shared) if half(p) == "tuning"]
    test = shared / "data/scans/tesseract_testdata"
    for name in ("8071_093.3B", "8087_054.3B"):
        out.append((test / f"{name}.tif", (test / f"{name}.txt").read_text(encoding="utf-8", errors="replace"), "eng"))
    res = shared / "data/scans/ocrmypdf_resources"
    out.append((res / "linn.png", (res / "linn.txt").read_text(encoding="utf-8", errors="replace"), "eng"))
    return out


def _jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert(im.mode)


def _width(im: Image.Image, width: int) -> Image.Image:
    if im.width <= width:
        return im
    return im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS)


def degrade(im: Image.Image, kind: str, seed: int) -> tuple[Image.Image, str]:
    """The page ``im`` (grey, at most BASE_WIDTH wide) degraded as ``kind``; and the file format."""
    rng = np.random.default_rng(seed)
    grey = np.asarray(im, dtype=np.float32)
    h, w = grey.shape
    if kind == "as-is":
        return _jpeg(im, 90), "JPEG"
    if kind == "small":
        return _jpeg(_width(im, 1024), 80), "JPEG"
    if kind == "jpeg":
        return _jpeg(_width(im, 1400), 35), "JPEG"
    if kind == "illum":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        d = np.hypot((xx - cx) / w, (yy - cy) / h)
        light = 1.0 - 0.45 * np.clip(d / d.max(), 0, 1) ** 1.5
        out = np.clip(grey * light * 0.92, 0, 255).astype(np.uint8)
        return _jpeg(Image.fromarray(out), 85), "JPEG"
    if kind == "show":
        back = np.asarray(Image.fromarray(grey.astype(np.uint8)).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                          .filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float32)
        out = grey - 0.25 * (255 - back)
        return _jpeg(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), 85), "JPEG"
    if kind == "faint":
        paper = float(np.percentile(grey, 90))
        out = paper - 0.4 * (paper - grey) + rng.normal(0, 6, grey.shape)
        return _jpeg(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), 85), "JPEG"
    if kind in ("bitonal", "bitonal-small"):
        import cv2

        src = np.asarray(_width(im, 1400) if kind == "bitonal-small" else im, dtype=np.uint8)
        _, bw = cv2.threshold(src, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        return Image.fromarray(bw > 0), "PNG"
    raise ValueError(kind)


def make(srcs: list[tuple[Path, str, str]], kinds: list[str], root: Path) -> list[tuple[Path, str, str, str]]:
    """Every page degraded every way, written under ``root``: (file, truth, lang, kind)."""
    out = []
    for i, (path, truth, lang) in enumerate(srcs):
        with Image.open(path) as src:
            stated = src.info.get("dpi")
            im = src.convert("L")
        base = _width(im, BASE_WIDTH)
        for kind in kinds:
            copy, fmt = degrade(base, kind, seed=zlib.crc32(f"{path.name}/{kind}".encode()))
            dpi = None
            if stated and kind not in ("small",):
                dpi = round(float(stated[0]) * copy.width / im.width)
            dst = root / kind / f"{i:02d}_{path.stem[-20:]}.{'png' if fmt == 'PNG' else 'jpg'}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            copy.save(dst, fmt, **({"dpi": (dpi, dpi)} if dpi else {}), **({"quality": 95} if fmt == "JPEG" else {}))
            out.append((dst, truth, lang, kind))
    return out


def tesseract_plain(args: tuple[str, str, str]) -> tuple[str, float, str]:
    """Plain tesseract on the copy as delivered: the engine's own layout analysis (psm 3), the same
    models ours reads with, no cleanup, no flattening, no enlarging, no second reading."""
    from digitalisering.imaging.load import load_page
    from digitalisering.ocr.engines import get_engine

    path, lang, _ = args
    os.environ.pop("DIGITALISERING_TESSDATA", None)
    t0 = time.perf_counter()
    loaded = load_page(Path(path), 0, "PNG" if path.endswith(".png") else "JPEG", 250_000_000)
    dpi = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else 300
    text = get_engine("tesseract").recognise(loaded.image.convert("L") if loaded.image.mode != "1" else loaded.image,
                                             lang, dpi)
    return path, time.perf_counter() - t0, " ".join(w.text for w in text.words)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--readers", default="ours,tesseract")
    ap.add_argument("--before", help="a git revision of our page path, read too")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="the first N source pages only")
    ap.add_argument("--pages", help="only source pages whose file name contains one of these (comma-separated)")
    ap.add_argument("--per-page", action="store_true")
    ap.add_argument("--save", type=Path)
    args = ap.parse_args()
    srcs = sources(args.shared)[: args.limit or None]
    if args.pages:
        srcs = [s for s in srcs if any(k in s[0].name for k in args.pages.split(","))]
    kinds = args.kinds.split(",")
    with tempfile.TemporaryDirectory(prefix="ocr-degrade-") as tmp:
        files = make(srcs, kinds, Path(tmp))
        jobs = [(str(f), lang, "new") for f, _, lang, _ in files]
        rows: dict[str, dict[str, tuple[float, str]]] = {}
        spawn = multiprocessing.get_context("spawn")
        readers = args.readers.split(",")
        pools = {}
        if "ours" in readers:
            pools["ours"] = (ours, str(REPO))
        if args.before:
            pools[f"ours ({args.before})"] = (ours, str(export_revision(args.before, Path(tmp))))
        if "tesseract" in readers:
            pools["tesseract"] = (tesseract_plain, str(REPO))
        for name, (fn, src) in pools.items():
            with ProcessPoolExecutor(args.jobs, mp_context=spawn, initializer=_use_source, initargs=(src,)) as pool:
                rows[name] = {p: (s, t) for p, s, t in pool.map(fn, jobs)}
    truth = {str(f): t for f, t, _, _ in files}
    kind_of = {str(f): k for f, _, _, k in files}
    if args.save:
        args.save.write_text(json.dumps({"truth": truth, "kind": kind_of, "rows": rows}, ensure_ascii=False, indent=1))
    names = list(rows)
    if args.per_page:
        for f, _, _, kind in files:
            p = str(f)
            print(f"  {kind:<14} {f.name[:30]:<30} " + "  ".join(
                f"{word_recall(truth[p], rows[n][p][1]):.3f} ({rows[n][p][0]:.1f})" for n in names))
        print("  columns: " + ", ".join(names))
    print(f"{len(srcs)} tuning pages x {len(kinds)} degradations; word recall median / pooled, s/page:")
    for kind in kinds + ["all"]:
        keys = [str(f) for f, _, _, k in files if kind in ("all", k)]
        cells = []
        for n in names:
            rec = [word_recall(truth[p], rows[n][p][1]) for p in keys]
            words = [len(truth[p].split()) for p in keys]
            pooled = sum(r * w for r, w in zip(rec, words)) / max(1, sum(words))
            secs = statistics.fmean(rows[n][p][0] for p in keys)
            cells.append(f"{n} {statistics.median(rec):.3f}/{pooled:.3f} {secs:4.1f}s")
        base = [word_recall(truth[p], rows[names[-1]][p][1]) for p in keys]
        first = [word_recall(truth[p], rows[names[0]][p][1]) for p in keys]
        lose = sum(a < b - 0.01 for a, b in zip(first, base))
        print(f"  {kind:<14} " + " | ".join(cells) + f" | {names[0]} below {names[-1]} on {lose}/{len(keys)}")


if __name__ == "__main__":
    main()
