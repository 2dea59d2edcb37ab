"""Where a page's time goes: CPU seconds of each step of the page chain, per page and summed.

    .venv/bin/python bench/ocr_stages.py [--shared ../shared] [--dossiers 4] [--no-real] [FILE ...]

The pages of ``bench/ocr_pdfa.py`` (its first ``--dossiers`` single-image dev-folders dossiers and
the real typewritten pages), or the image FILEs given, each through ``run_page_chain`` in this
process, one after the other (as one worker of ``digitalisering run -j 1``). Each step of the chain
is timed in CPU seconds (this process's and its finished children's: tesseract), which a shared
machine's load hardly changes, unlike wall time: imaging (with tesseract's OSD apart), encoding
the page image, the straightened copy, the grid search (``ocr.cells``), the cleanup, the even
paper copy and its text height (``ocr.enhance``), the first reading, the grid cells' reading, the
completeness measure, the second reading (``ocr.reread``), the stamps (``ocr.stamps``), and every
tesseract call apart. Steps nest (the first reading holds its tesseract call): the shares do not
add up to 100 %.
"""

from __future__ import annotations

import argparse
import collections
import functools
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

STEPS = ["analyse_page", "encode_page_image", "sheet_box", "straight_grey", "find_grid", "clean_for_ocr", "flatten",
         "text_height", "ocr_page", "read_grid", "text_ink", "measure_completeness", "read_again",
         "read_stamps_in"]


def cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    import os

    os.environ["OMP_THREAD_LIMIT"] = "1"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--dossiers", type=int, default=4)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--per-page", action="store_true", help="print every page's steps")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()

    import ocr_pdfa
    from digitalisering._exec import tesseract
    from digitalisering.ingest.formats import inspect_file
    from digitalisering.runner import page_chain
    from digitalisering.runner.options import RunOptions

    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()

    def timed(module, name: str, key: str | None = None) -> None:
        fn = getattr(module, name, None)
        if fn is None:
            return
        key = key or name

        @functools.wraps(fn)
        def wrapper(*a, **k):
            t0 = cpu()
            try:
                return fn(*a, **k)
            finally:
                spent[key] += cpu() - t0
                calls[key] += 1
        setattr(module, name, wrapper)

    for name in STEPS:
        timed(page_chain, name)
    timed(tesseract, "recognise", "tesseract (all readings)")  # the program (no tesserocr)
    timed(tesseract, "detect_orientation", "tesseract OSD")
    from digitalisering.ocr.engines import tesseract_api  # in the process (tesserocr): the same keys
    timed(tesseract_api.TesseractApiEngine, "recognise", "tesseract (all readings)")
    timed(tesseract_api.TesseractApiEngine, "detect_orientation", "tesseract OSD")

    if args.files:
        files = args.files
    else:
        dossiers = ocr_pdfa.dev_dossiers(args.shared, args.dossiers) + (
            [] if args.no_real else ocr_pdfa.real_dossiers(args.shared))
        files = [p["file"] for d in dossiers for p in d["pages"]]
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as tmp:
        for i, path in enumerate(files):
            job = page_chain.PageJob(i, i, str(path), 0, inspect_file(path).format or "", f"{tmp}/{i}",
                                     RunOptions(jobs=1))
            before = dict(spent)
            t0 = cpu()
            page_chain.run_page_chain(job)
            page = cpu() - t0
            total += page
            if args.per_page:
                steps = {k: round(v - before.get(k, 0.0), 2) for k, v in spent.items() if v - before.get(k, 0.0) >= 0.05}
                print(f"{path.parent.name}/{path.name}: {page:.2f} s {steps}", flush=True)
    print(f"{len(files)} pages, {total:.1f} CPU s ({total / max(1, len(files)):.2f} s a page), "
          f"one process, OMP_THREAD_LIMIT=1")
    for key in sorted(spent, key=lambda k: -spent[k]):
        print(f"  {key:26s} {spent[key]:7.1f} s {100 * spent[key] / total:5.1f} %  calls {calls[key]}")


if __name__ == "__main__":
    main()
