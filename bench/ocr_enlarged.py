"""The development pages the product reads enlarged (small type), read with tesseract's global
Otsu and with its local Sauvola threshold (``_exec/tesseract.SAUVOLA_K``), same pages, same run.

    .venv/bin/python bench/ocr_enlarged.py [--shared ../shared] [--sets dev-stack,dev-planted] [--jobs 1]

Every page with text goes through the product's path up to the first reading (load, imaging, the
straightened grey copy, cleanup, ``ocr.enhance.flatten``); only pages whose letters
``ocr.enhance.upscale_factor`` enlarges are read, twice: first reading + second reading
(``ocr.reread``) with Otsu, then with Sauvola. Word recall per line kind as ``bench/ocr_lines.py``
counts it (words of 3+ letters, lower case, multiset), and the seconds of both. The default sets
are the held-out ones (the threshold was chosen on ``bench/ocr_real.py``'s tuning half, reduced).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from ocr_lines import words  # noqa: E402


def one(args: tuple[str, int, list[dict]]) -> dict | None:
    from digitalisering._exec import tesseract
    from digitalisering.imaging.load import load_page
    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    from digitalisering.imaging.transform import straight_grey
    from digitalisering.ingest.formats import inspect_file
    from digitalisering.ocr.cleanup import clean_for_ocr
    from digitalisering.ocr.completeness import measure
    from digitalisering.ocr.engine import ocr_page, plan_ocr
    from digitalisering.ocr.engines import get_engine, orientation_detector
    from digitalisering.ocr.enhance import flatten, text_height, upscale_factor
    from digitalisering.ocr.reread import reread

    path, index, lines = args
    loaded = load_page(Path(path), index, inspect_file(Path(path)).format, 250_000_000)
    stated = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else None
    engine = get_engine("tesseract")
    image, res = analyse_page(loaded.image, stated, loaded.info.bits_per_sample,
                              ImagingOptions(osd=orientation_detector(engine)))
    dpi = res.technical.dpi
    straight, _ = clean_for_ocr(straight_grey(image, res.deskew_deg, tuple(res.paper_colour)), dpi)
    flat = flatten(straight, dpi)
    up = upscale_factor(text_height(flat, dpi))
    if up <= 1.0:
        return None
    out: dict = {"file": path, "up": up}
    real = tesseract.recognise
    try:
        for name, local in (("otsu", False), ("sauvola", True)):
            tesseract.recognise = lambda *a, local_threshold=False, _l=local, **k: real(*a, local_threshold=_l, **k)
            t0 = time.perf_counter()
            text = ocr_page(engine, flat, "nld", dpi, plan_ocr(straight.width, straight.height, dpi, 40, up))
            second = reread(engine, flat, dpi, text, measure(straight, dpi, text.words), "nld")
            found = (second.text if second else text).words
            out[name + "_s"] = time.perf_counter() - t0
            got = Counter(w for word in found for w in words(word.text))
            per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for line in lines:
                want = Counter(words(line["text"]))
                per[line["kind"]][0] += sum(min(n, got[w]) for w, n in want.items())
                per[line["kind"]][1] += sum(want.values())
            out[name] = dict(per)
    finally:
        tesseract.recognise = real
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default="dev-stack,dev-planted")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    tasks = []
    for name in args.sets.split(","):
        root = args.shared / "data/dossiers" / name
        truth = json.loads((root.parent / f"{name}.truth.json").read_text())
        pages = [p for p in truth["pages"] if p.get("lines") and not p["is_separator"] and not p["is_blank"]]
        tasks += [(str(root / p["file"]), p["page_index"], p["lines"]) for p in pages]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = [r for r in pool.map(one, tasks) if r]
    print(f"{len(tasks)} pages ({args.sets}), {len(rows)} read enlarged")
    for r in rows:
        print(f"  {Path(r['file']).name} x{r['up']}: " + ", ".join(
            f"{k} {r['otsu'][k][0]} -> {r['sauvola'][k][0]} of {n}" for k, (_, n) in r["otsu"].items())
            + f"; {r['otsu_s']:.1f} s -> {r['sauvola_s']:.1f} s")
    totals = {v: defaultdict(lambda: [0, 0]) for v in ("otsu", "sauvola")}
    for r in rows:
        for v in totals:
            for kind, (hit, n) in r[v].items():
                totals[v][kind][0] += hit
                totals[v][kind][1] += n
    for kind, (hit, n) in totals["otsu"].items():
        print(f"{kind:<18} {n:>5} words: otsu {hit / n:.3f}, sauvola {totals['sauvola'][kind][0] / n:.3f}")


if __name__ == "__main__":
    main()
