"""Word recall per line kind: as read, with the OCR copy's cleanup, and with the second reading.

    .venv/bin/python bench/ocr_lines.py [--shared ../shared] [--sets dev-stack,dev-planted] [--skip N] [--limit N] [--jobs 1]
                                        [--skip-as-is] [--before GIT-REVISION] [--json FILE]

Each development page with text goes through the product's own code: load, imaging (turn upright,
measure skew), the straightened grey copy OCR reads, then ``ocr_page`` (tesseract, ``-l nld``) on
(a) that copy as it is, (b) the copy cleaned by ``ocr.cleanup.clean_for_ocr`` and (c) that plus the
second, sparse reading of the regions no word covers (``ocr.reread``). For every line of
the ground truth (kinds: typed, form_label, form_value, titleblock, stamp, dimension, ...), its
words (3 letters or more, lower case) are looked up in the page's OCR words (as a multiset); the
recall per kind is printed for both, with the cleanup's cost against the OCR time of the same page.
``--before REV`` adds (d): what follows the first reading as it was at REV (``ocr/cells.py``,
``ocr/reread.py``, ``ocr/stamps.py`` of REV, on the same first reading; with ``ocr/cleanup.py`` of
REV too: a page whose copy REV's cleanup leaves different is read a first time again for (d),
counted apart from the stage time), so a change to them is
scored before and after on the same pages in the same run, with the OCR stage time (first reading
+ grid + second reading + stamps) of both in CPU seconds (this process and its tesseracts);
``--skip-as-is`` leaves out (a).
(c) also reads the cells of ruled grids (``ocr.cells``, found on the copy before the cleanup, as
the OCR stage does) before the second reading and the stamps (``ocr.stamps``) after it; at a REV
without ``ocr/cells.py`` or ``ocr/stamps.py`` (d) is the second reading alone. ``--kinds table,titleblock`` keeps the pages that
hold a line of those kinds (a small run for a change that only acts there). ``--json`` keeps per
page its set and seq and, per reading, the truth lines' words it missed (``<reading>_missed``:
line number, kind, words), which ``bench/stamp_ceiling.py`` cuts out of the scan to be looked at.

Folds: the cleanup's first numbers were chosen on the demo's 1915 form (`batches/demo`); the
rules-joined-to-letters removal, the leader dot height and every number of ``ocr.reread`` were
chosen on dev-folders, and so was every number of ``ocr.cells`` and ``ocr.stamps``. Quote dev-stack and dev-planted (the default ``--sets``) as held out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

WORD = re.compile(r"[A-Za-zÀ-ÿ]{3,}")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def score(found: list, lines: list[dict]) -> tuple[dict, list]:
    """Per kind [hit, words] of the truth ``lines`` in the OCR words ``found`` (as a multiset), and
    the missed words per truth line."""
    got = Counter(w for word in found for w in words(word.text))
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for number, line in enumerate(lines):
        want = Counter(words(line["text"]))
        hit = sum(min(n, got[w]) for w, n in want.items())
        if hit < sum(want.values()):
            missed.append({"line": number, "kind": line["kind"],
                           "words": [w for w, n in want.items() for _ in range(max(0, n - got[w]))]})
        per_kind[line["kind"]][0] += hit
        per_kind[line["kind"]][1] += sum(want.values())
    return dict(per_kind), missed


def _module(source: str, name: str = "reread_before", uses: dict | None = None):
    """A module made from ``source`` (the second reading as it was at --before); ``uses``: the
    package's modules it imports, as they were there too (package module name -> (source, name)):
    the stamps of a REV import that REV's second reading, the passes after this one ``ocr.sheet``."""
    import types

    if name in sys.modules:
        return sys.modules[name]
    swapped = {}
    for package_name, (used_source, used_name) in (uses or {}).items():
        used = _module(used_source, used_name)
        swapped[package_name] = sys.modules.get(package_name)
        sys.modules[package_name] = used
    mod = sys.modules[name] = types.ModuleType(name)  # dataclasses look their module up
    try:
        exec(compile(source, f"<{name}>", "exec"), mod.__dict__)
    finally:
        for package_name, was in swapped.items():
            if was is None:
                sys.modules.pop(package_name, None)
            else:
                sys.modules[package_name] = was
    return mod


def cpu() -> float:
    """CPU seconds of this process and its finished children (tesseract): a shared machine's load
    hardly changes them, unlike wall time."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _chain_before(before: dict) -> tuple:
    """The cells, second reading and stamps of --before, each importing the others (and
    ``ocr/sheet.py``, when that REV has one) as they were there."""
    sheet = {"digitalisering.ocr.sheet": (before["sheet"], "sheet_before")} if before.get("sheet") else {}
    if before.get("cleanup"):  # their long runs (``cleanup.long_runs``) as at REV too
        sheet["digitalisering.ocr.cleanup"] = (before["cleanup"], "cleanup_before")
    reread = _module(before["reread"], "reread_before", sheet)
    cells = _module(before["cells"], "cells_before", sheet)
    stamps = _module(before["stamps"], "stamps_before",
                     {**sheet, "digitalisering.ocr.reread": (before["reread"], "reread_before")})
    return cells, reread, stamps


def one_page(args: tuple[str, str, int, list[dict], str | None]) -> dict:
    import numpy as np

    from digitalisering.imaging.load import load_page
    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    from digitalisering.imaging.transform import straight_grey
    from digitalisering.ingest.formats import inspect_file
    from digitalisering.ocr.cleanup import clean_for_ocr
    from digitalisering.ocr.engine import ocr_page, plan_ocr
    from digitalisering.ocr.completeness import measure
    from digitalisering.ocr.engines import get_engine, orientation_detector
    from digitalisering.ocr.reread import reread
    from digitalisering.ocr.cells import find_grid, read_cells
    from digitalisering.ocr.stamps import read_stamps

    path, fmt_hint, index, lines, before, skip_as_is = args
    fmt = inspect_file(Path(path)).format
    loaded = load_page(Path(path), index, fmt, 250_000_000)
    stated = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else None
    image, res = analyse_page(loaded.image, stated, loaded.info.bits_per_sample,
                              ImagingOptions(osd=orientation_detector(get_engine("tesseract"))))
    dpi = res.technical.dpi
    straight = straight_grey(image, res.deskew_deg, tuple(res.paper_colour))
    t0 = cpu()
    grid = find_grid(straight, dpi)  # as the OCR stage: on the copy before the cleanup
    grid_s = cpu() - t0
    t0 = cpu()
    cleaned, found = clean_for_ocr(straight, dpi)
    clean_s = cpu() - t0
    out = {"file": path, "clean_s": clean_s, "leaders": found.leaders, "rules": found.rules, "cells": len(grid.cells)}
    engine = get_engine("tesseract")
    variants = ([] if skip_as_is else [("as_is", straight)]) + [("cleaned", cleaned)] + ([("before", cleaned)] if before else []) + [("reread", cleaned)]
    first = second = None  # the first reading of the cleaned copy (read before "before" and "reread")
    for name, img in variants:
        plan = plan_ocr(img.width, img.height, dpi, 40)
        t0 = cpu()
        if name == "before" and isinstance(before, dict):  # the grid cells, second reading and stamps at REV
            old_cells, old_reread, old_stamps = _chain_before(before)
            if before.get("cleanup"):  # the copy cleaned as at REV: read again only where it differs
                img, _ = _module(before["cleanup"], "cleanup_before").clean_for_ocr(straight, dpi)
                out["cleanup_differs"] = img is not cleaned and not np.array_equal(np.asarray(img), np.asarray(cleaned))
                if out["cleanup_differs"]:
                    first_before = ocr_page(engine, img, "nld", dpi, plan)
                    out["before_first_s"] = cpu() - t0  # kept out of the stage sum, as the first reading is
                    t0 = cpu()
                else:
                    first_before, img = first, cleaned
            else:
                first_before = first
            first_kept, first = first, first_before
            old_grid = old_cells.find_grid(straight, dpi)
            cells = old_cells.read_cells(engine, old_grid, dpi, first, "nld")
            text = cells.text if cells else first
            again = old_reread.reread(engine, img, dpi, text, measure(img, dpi, text.words), "nld")
            text = again.text if again else text
            stamped = old_stamps.read_stamps(engine, img, dpi, text, "nld", image, res.deskew_deg)
            found = stamped.text.words if stamped else text.words
            first = first_kept
        elif name == "before":  # the second reading as it was at --before (early: the added blocks)
            extra = _module(before).reread(engine, img, dpi, first, measure(img, dpi, first.words), "nld")
            if extra is None or isinstance(extra, list):  # before the SecondReading: the added blocks
                found = first.words + [w for b in extra or [] for w in b.words]
            else:
                found = extra.text.words
        elif name == "reread":  # the grid cells (ocr.cells), the second reading, then the stamps (ocr.stamps)
            cells = read_cells(engine, grid, dpi, first, "nld")
            text = cells.text if cells else first
            second = reread(engine, img, dpi, text, measure(img, dpi, text.words), "nld")
            text = second.text if second else text
            stamped = read_stamps(engine, img, dpi, text, "nld", image, res.deskew_deg)
            found = stamped.text.words if stamped else text.words
            out["cell_words"] = cells.words if cells else 0
            out["stamp_words"] = stamped.added if stamped else 0
        else:
            result = ocr_page(engine, img, "nld", dpi, plan)
            first, found = result, result.words
        out[f"{name}_s"] = cpu() - t0 + (grid_s if name == "reread" else 0.0)
        per_kind, missed = score(found, lines)  # missed: what bench/stamp_ceiling.py crops
        out[name] = per_kind
        out[f"{name}_missed"] = missed
    out["reread_words"] = second.added if second else 0
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default="dev-stack,dev-planted")
    ap.add_argument("--limit", type=int, default=0, help="at most this many pages per set (0: all)")
    ap.add_argument("--skip", type=int, default=0, help="leave out the first this many pages per set (a long run in parts)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", type=Path, help="write the per-page figures here")
    ap.add_argument("--skip-as-is", action="store_true", help="do not read the uncleaned copy (half the time)")
    ap.add_argument("--kinds", default="", help="only pages holding a line of one of these kinds (comma-separated)")
    ap.add_argument("--before", help="a git revision: also score the second reading as it was there (same pages, same run)")
    args = ap.parse_args()
    before = None
    if args.before:
        def show(path: str) -> str | None:
            done = subprocess.run(["git", "-C", str(REPO), "show", f"{args.before}:{path}"], capture_output=True, text=True)
            return done.stdout if done.returncode == 0 else None
        before = show("digitalisering/ocr/reread.py")
        chain = {"cells": show("digitalisering/ocr/cells.py"), "stamps": show("digitalisering/ocr/stamps.py")}
        if all(chain.values()):  # the whole chain after the first reading as it was at REV
            before = {"reread": before, **chain, "sheet": show("digitalisering/ocr/sheet.py"),
                      "cleanup": show("digitalisering/ocr/cleanup.py")}
    tasks, seqs = [], []
    for name in args.sets.split(","):
        root = args.shared / "data/dossiers" / name
        truth = json.loads((root.parent / f"{name}.truth.json").read_text())
        pages = [p for p in truth["pages"] if p.get("lines") and not p["is_separator"] and not p["is_blank"]]
        if args.kinds:
            pages = [p for p in pages if {line["kind"] for line in p["lines"]} & set(args.kinds.split(","))]
        pages = pages[args.skip:]
        if args.limit:
            pages = pages[: args.limit]
        tasks += [(str(root / p["file"]), "", p["page_index"], p["lines"], before, args.skip_as_is) for p in pages]
        seqs += [(name, p["seq"]) for p in pages]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one_page, tasks))
    for row, (name, seq) in zip(rows, seqs):
        row["set"], row["seq"] = name, seq
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    names = ([] if args.skip_as_is else ["as_is"]) + ["cleaned"] + (["before"] if before else []) + ["reread"]
    totals = {v: defaultdict(lambda: [0, 0]) for v in names}
    for r in rows:
        for v in totals:
            for kind, (hit, n) in r[v].items():
                totals[v][kind][0] += hit
                totals[v][kind][1] += n
    print(f"{len(rows)} pages ({args.sets})" + (f"; before: the chain after the first reading at {args.before}" if before else ""))
    print(f"{'kind':<18} {'words':>6}" + "".join(f" {v:>8}" for v in names))
    for kind in sorted(totals["cleaned"], key=lambda k: -totals["cleaned"][k][1]):
        n = totals["cleaned"][kind][1]
        print(f"{kind:<18} {n:>6}" + "".join(f" {totals[v][kind][0] / n if n else 0:>8.3f}" for v in names))
    for v in totals:
        hit = sum(h for k, (h, n) in totals[v].items() if k != "handwritten")
        n = sum(n for k, (h, n) in totals[v].items() if k != "handwritten")
        print(f"all but handwritten, {v}: {hit / n:.3f}")
    if not args.skip_as_is:
        ratio = [r["clean_s"] / r["as_is_s"] for r in rows if r["as_is_s"] > 0]
        print(f"cleanup cost / OCR time per page: median {statistics.median(ratio):.3f}, "
              f"p95 {sorted(ratio)[int(0.95 * (len(ratio) - 1))]:.3f}; OCR time cleaned/as is: median "
              f"{statistics.median(r['cleaned_s'] / r['as_is_s'] for r in rows):.3f}")
    print(f"stamp words added: {sum(r.get('stamp_words', 0) for r in rows)}")
    print(f"second reading / OCR time: median {statistics.median(r['reread_s'] / r['cleaned_s'] for r in rows):.3f}, "
          f"pages read again: {sum(1 for r in rows if r['reread_words'])}")
    ocr = sum(r["cleaned_s"] for r in rows)
    stage = {v: ocr + sum(r[f"{v}_s"] for r in rows) for v in ("before", "reread") if f"{v}_s" in rows[0]}
    print("OCR stage CPU seconds (cleaned copy read + second reading), summed over the pages: "
          + ", ".join(f"{v} {t:.1f} s" for v, t in stage.items())
          + (f"; after / before {stage['reread'] / stage['before']:.3f}" if "before" in stage else ""))
    if any("cleanup_differs" in r for r in rows):
        print(f"pages whose cleaned copy differs from --before's (read twice): "
              f"{sum(1 for r in rows if r.get('cleanup_differs'))}")
    print(f"pages with leaders removed: {sum(1 for r in rows if r['leaders'])}, with rules: "
          f"{sum(1 for r in rows if r['rules'])}; with grid cells (ocr.cells): "
          f"{sum(1 for r in rows if r['cells'])}, cell words taken: {sum(r.get('cell_words', 0) for r in rows)}")


if __name__ == "__main__":
    main()
