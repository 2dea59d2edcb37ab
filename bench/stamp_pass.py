"""The stamp pass alone, on cached inputs: a change to ``ocr/stamps.py`` scored in a minute, not twenty.

    .venv/bin/python bench/stamp_pass.py [--sets dev-folders[,generated]] [--generated 40] [--cache DIR]
                                         [--fresh] [--jobs 1] [--before GIT-REVISION] [--json FILE]

Why: ``bench/ocr_lines.py --kinds stamp`` reads every page with a stamp from the start (imaging,
cleanup, first reading, grid cells, second reading) before the stamp pass runs, about 20 minutes
for dev-folders' 56 pages on a shared machine, while a change to ``ocr.stamps`` changes only the
last step. This script keeps, per page, what the stamp pass gets (the copy the engine read, the
page upright before it was straightened, its ppi and skew, the text after the second reading) in
``--cache`` (pickles, made by the product's own code as ``bench/ocr_lines.py`` does; ``--fresh``
makes them again: do so after a change to anything before the stamp pass), then runs
``ocr.stamps.read_stamps`` of the checkout (and with ``--before REV`` that of REV, on the same
inputs) and prints the word recall per line kind as ``bench/ocr_lines.py`` counts it. ``--json``
writes its rows (``reread`` and ``reread_missed``: the checkout's reading) for
``bench/stamp_ceiling.py``.

The set ``generated`` is ``--generated`` pages of ``tests/stampgen.py`` (seeds from ``--first-seed``, written as
TIFFs into the cache and read through the same chain): stamps shaped like the held-out misses
(clean grey, colour and bitonal stamps, ring text, stamps over type), with exact word truth. It also
reports the CPU seconds the stamp pass took per reading (``time.process_time`` around
``read_stamps``, summed; the same process, the same inputs), and per reading how many of the
words the pass put on its pages no truth line of the page holds (precision: a wrong stamp word is
noise in the text layer).

Folds: a tuning tool; its default set is dev-folders, where ``ocr.stamps``' numbers are chosen, and
the generated pages are tuning material too. Held-out figures come from ``bench/ocr_lines.py
--before REV``; when a change touches only ``ocr/stamps.py`` the pass's inputs are the same, so the
held-out sets may be cached early with ``--cache-only`` (no figure printed) and scored once, at the
end, with ``--before REV`` on those inputs (say so with the figure).
Quote held-out figures (dev-stack + dev-planted) from ``bench/ocr_lines.py --before REV`` only.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from ocr_lines import _module, score, words  # noqa: E402  (the same word count and module loading)


def cache_page(args: tuple[str, int, Path]) -> Path:
    """The stamp pass's inputs for one page, made as ``bench/ocr_lines.py`` makes them, pickled."""
    from digitalisering.imaging.load import load_page
    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    from digitalisering.imaging.transform import straight_grey
    from digitalisering.ingest.formats import inspect_file
    from digitalisering.ocr.cells import find_grid, read_cells
    from digitalisering.ocr.cleanup import clean_for_ocr
    from digitalisering.ocr.completeness import measure
    from digitalisering.ocr.engine import ocr_page, plan_ocr
    from digitalisering.ocr.engines import get_engine, orientation_detector
    from digitalisering.ocr.reread import reread

    path, index, target = args
    engine = get_engine("tesseract")
    loaded = load_page(Path(path), index, inspect_file(Path(path)).format, 250_000_000)
    stated = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else None
    image, res = analyse_page(loaded.image, stated, loaded.info.bits_per_sample,
                              ImagingOptions(osd=orientation_detector(engine)))
    dpi = res.technical.dpi
    straight = straight_grey(image, res.deskew_deg, tuple(res.paper_colour))
    grid = find_grid(straight, dpi)  # as the OCR stage: on the copy before the cleanup
    cleaned, _ = clean_for_ocr(straight, dpi)
    text = ocr_page(engine, cleaned, "nld", dpi, plan_ocr(cleaned.width, cleaned.height, dpi, 40))
    cells = read_cells(engine, grid, dpi, text, "nld")
    text = cells.text if cells else text
    second = reread(engine, cleaned, dpi, text, measure(cleaned, dpi, text.words), "nld")
    text = second.text if second else text
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps({"cleaned": cleaned, "image": image, "dpi": dpi, "deskew": res.deskew_deg,
                                  "text": text}))
    tmp.replace(target)  # a killed run leaves no half-written cache entry
    return target


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default="dev-folders")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/stamp-pass-cache"))
    ap.add_argument("--fresh", action="store_true", help="make the cached inputs again")
    ap.add_argument("--cache-only", action="store_true",
                    help="make the cached inputs and stop (held-out sets: cache them early, score once at the end)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--generated", type=int, default=40, help="pages of tests/stampgen.py in the set 'generated'")
    ap.add_argument("--first-seed", type=int, default=0,
                    help="the generated pages' first seed (seeds 0-29 were tuned on; others are fresh pages)")
    ap.add_argument("--before", help="a git revision: also run its ocr/stamps.py on the same inputs")
    ap.add_argument("--json", type=Path, help="write the per-page rows here (for bench/stamp_ceiling.py)")
    args = ap.parse_args()
    from digitalisering.ocr.engines import get_engine
    from digitalisering.ocr.stamps import read_stamps

    args.cache.mkdir(parents=True, exist_ok=True)
    pages = []
    for name in args.sets.split(","):
        if name == "generated":
            sys.path.insert(0, str(REPO / "tests"))
            import stampgen

            root = args.cache / "generated"
            for seed in range(args.first_seed, args.first_seed + args.generated):
                truth_file = root / f"stamps-{seed:04d}.json"
                if not truth_file.exists():
                    path, lines = stampgen.save_page(seed, root)
                    truth_file.write_text(json.dumps(lines))
                pages.append((name, root, {"file": f"stamps-{seed:04d}.tif", "page_index": 0, "seq": seed,
                                           "lines": json.loads(truth_file.read_text())}))
            continue
        root = args.shared / "data/dossiers" / name
        truth = json.loads((root.parent / f"{name}.truth.json").read_text())
        pages += [(name, root, p) for p in truth["pages"] if p.get("lines") and not p["is_separator"]
                  and not p["is_blank"] and any(line["kind"] == "stamp" for line in p["lines"])]
    todo = [(str(root / p["file"]), p["page_index"], args.cache / f"{name}-{p['seq']}.pkl")
            for name, root, p in pages if args.fresh or not (args.cache / f"{name}-{p['seq']}.pkl").exists()]
    with ProcessPoolExecutor(args.jobs) as pool:
        list(pool.map(cache_page, todo))
    if args.cache_only:
        print(f"{len(pages)} pages cached in {args.cache}")
        return
    readings = {"reread": read_stamps}
    if args.before:
        def show(path: str) -> str | None:
            done = subprocess.run(["git", "-C", str(REPO), "show", f"{args.before}:{path}"], capture_output=True, text=True)
            return done.stdout if done.returncode == 0 else None

        # its stamps import that revision's second reading and sheet (ocr/sheet.py), when it has one
        sheet = {"digitalisering.ocr.sheet": (show("digitalisering/ocr/sheet.py"), "sheet_before")}
        sheet = sheet if sheet["digitalisering.ocr.sheet"][0] else {}
        old_reread = show("digitalisering/ocr/reread.py")
        _module(old_reread, "reread_before", sheet)
        stamps = _module(show("digitalisering/ocr/stamps.py"), "stamps_before",
                         {**sheet, "digitalisering.ocr.reread": (old_reread, "reread_before")})
        readings = {"before": stamps.read_stamps, **readings}
    engine = get_engine("tesseract")
    rows = []
    totals = {v: defaultdict(lambda: [0, 0]) for v in readings}
    added = Counter()
    cpu = Counter()
    wrong, kept = Counter(), Counter()
    for name, root, p in pages:
        cached = pickle.loads((args.cache / f"{name}-{p['seq']}.pkl").read_bytes())
        row = {"set": name, "seq": p["seq"], "file": str(root / p["file"])}
        for v, read in readings.items():
            start = time.process_time()
            got = read(engine, cached["cleaned"], cached["dpi"], cached["text"], "nld", cached["image"], cached["deskew"])
            cpu[v] += time.process_time() - start
            added[v] += got.added if got else 0
            if got:  # the pass's own words (not the cached reading's) that no truth line of the page holds
                old = {id(w) for w in cached["text"].words}
                truth_words = Counter(x for line in p["lines"] for x in words(line["text"]))
                own = [w for w in got.text.words if id(w) not in old and words(w.text)]
                wrong[v] += sum(1 for w in own if not all(truth_words[x] for x in words(w.text)))
                kept[v] += len(own)
            row[v], row[f"{v}_missed"] = score(got.text.words if got else cached["text"].words, p["lines"])
            for kind, (hit, n) in row[v].items():
                totals[v][kind][0] += hit
                totals[v][kind][1] += n
        rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    names = list(readings)
    print(f"{len(rows)} pages with stamps ({args.sets}); the stamp pass of the checkout (reread)"
          + (f" and of {args.before} (before), on the same cached inputs" if args.before else ""))
    print(f"{'kind':<18} {'words':>6}" + "".join(f" {v:>8}" for v in names))
    for kind in sorted(totals["reread"], key=lambda k: -totals["reread"][k][1]):
        n = totals["reread"][kind][1]
        print(f"{kind:<18} {n:>6}" + "".join(f" {totals[v][kind][0] / n if n else 0:>8.3f}" for v in names))
    print("stamp words added: " + ", ".join(f"{v} {added[v]}" for v in names))
    print("stamp pass words not in the page's truth (precision): "
          + ", ".join(f"{v} {wrong[v]} of {kept[v]}" for v in names))
    print("stamp pass CPU s (summed): " + ", ".join(f"{v} {cpu[v]:.1f}" for v in names))


if __name__ == "__main__":
    main()
