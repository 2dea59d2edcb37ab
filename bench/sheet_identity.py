"""The OCR second passes' outputs, recorded and compared: a refactoring of their sheets must not
change one word, box or confidence.

    .venv/bin/python bench/sheet_identity.py --write FILE [--cache DIR] [--shared ../shared]
    .venv/bin/python bench/sheet_identity.py --check FILE [--cache DIR] [--shared ../shared]

Each page of ``PAGES`` (dev pages rich in ruled grids, stamps and regions no word covers, and three
generated pages of the tests: a dropped paragraph, a round and a framed coloured stamp) goes through
the product's own code as ``bench/ocr_lines.py`` takes it
(load, imaging, the straightened copy, the grid on it, the cleaned copy, its first reading), then
through the three passes after the first reading in the OCR stage's order: the grid's cells
(``ocr.cells.read_cells``), the second reading (``ocr.reread.reread``), the stamps
(``ocr.stamps.read_stamps``). For each pass it records every sheet the engine was given (size and
a hash of its pixels, with the reading asked for) and the pass's result (the page's words: text,
boxes, confidences, in their blocks and lines, and the counts). ``--write`` stores that, ``--check``
compares it, page by page and pass by pass, with the stored one (exit 1 on any difference).

The engine's answers are cached by the picture's hash (``--cache``) and always given back from
that JSON, in the writing run too: the check then costs no engine call when every sheet is the same
picture, and a sheet that changed is read afresh (its answer can differ only because the picture
did). Dev data is read from ``--shared`` (benches may; tests never do).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

PAGES = [
    # (delivery, file, page index): why it is here
    ("dev-folders", "BWT-1943-0719/0004.tif", 0),   # drawing: title block, stamps, dimensions
    ("dev-folders", "BWT-1974-0401/0003.tif", 0),   # drawing: title block, uncovered labels
    ("dev-folders", "BWT-1937-0344/0002.tif", 0),   # stamps
    ("dev-folders", "BWT-1962-0422/0002.tif", 0),   # stamps
    ("dev-folders", "BWT-1915-0427/BWT-1915-0427.pdf", 2),  # stamps on a 1915 page
    ("dev-stack", "scan_00023.tif", 0),             # title block and stamps
    ("dev-stack", "scan_00108.tif", 0),             # table and stamps
    ("dev-stack", "scan_00087.png", 0),             # table and stamps
    ("dev-planted", "BWT-1901-0139/BWT-1901-0139.tif", 2),  # table and stamps
    ("dev-planted", "BWT-1940-0554/0001.tif", 0),   # stamps
    ("dev-planted", "BWT-1911-0733/0005.tif", 0),   # table
    # generated (the tests' pages): what the dev pages above do not hold
    ("generated", "dropped-list", 0),               # a dropped paragraph: reread's block sheet
    ("generated", "round-stamp", 0),                # a round purple stamp: its ring unwrapped
    ("generated", "coloured-stamp", 0),             # a purple framed stamp over typed text
]


class CachedEngine:
    """The tesseract engine, its answers kept by the picture's hash and the reading asked for."""

    def __init__(self, engine, cache: Path):
        self.engine, self.cache, self.name = engine, cache, engine.name
        self.sheets: list[dict] = []
        self.calls = 0

    def version(self) -> str:
        return self.engine.version()

    def require(self, lang: str) -> None:
        self.engine.require(lang)

    def recognise(self, image, lang, dpi, timeout=0, sparse=False, block=False):
        from digitalisering.ocr.model import PageText

        digest = hashlib.sha256(image.tobytes()).hexdigest()
        asked = {"mode": image.mode, "size": list(image.size), "lang": lang, "dpi": dpi, "sparse": sparse,
                 "block": block, "pixels": digest}
        key = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()
        path = self.cache / f"{key}.json"
        if not path.exists():
            self.calls += 1
            found = self.engine.recognise(image, lang, dpi, timeout, sparse=sparse, block=block)
            path.write_text(json.dumps(found.to_json()))
        self.sheets.append(asked)
        return PageText.from_json(json.loads(path.read_text()))


def generated(name: str, engine: "CachedEngine"):
    """A generated page of the tests: (colour copy, grey copy, dpi, first reading, language)."""
    sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests/ocr")]
    import test_reread_blocks
    import test_stamps
    from digitalisering.ocr.engine import ocr_page, plan_ocr

    if name == "dropped-list":
        test_reread_blocks.get_engine = lambda _name: engine  # its first reading through the cache
        page, first = test_reread_blocks.dropped_list()
        return page, page, test_reread_blocks.DPI, first, "eng"
    page, _ = test_stamps.round_stamped_page(turn=-12.0) if name == "round-stamp" else test_stamps.stamped_page()
    grey = page.convert("L")
    dpi = test_stamps.DPI
    return page, grey, dpi, ocr_page(engine, grey, "nld", dpi, plan_ocr(grey.width, grey.height, dpi, 40)), "nld"


def passes(shared: Path, cache: Path, delivery: str, file: str, index: int) -> tuple[dict, int]:
    """What each pass gave on one page, and the engine calls the cache did not answer."""
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
    from digitalisering.ocr.stamps import read_stamps

    engine = CachedEngine(get_engine("tesseract"), cache)
    if delivery == "generated":  # read as the tests read them: the page as it is, upright and straight
        image, cleaned, dpi, first, lang = generated(file, engine)
        straight, deskew = cleaned, 0.0
    else:
        path = shared / "data/dossiers" / delivery / file
        loaded = load_page(path, index, inspect_file(path).format, 250_000_000)
        stated = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else None
        image, res = analyse_page(loaded.image, stated, loaded.info.bits_per_sample,
                                  ImagingOptions(osd=orientation_detector(get_engine("tesseract"))))
        dpi, deskew, lang = res.technical.dpi, res.deskew_deg, "nld"
        straight = straight_grey(image, res.deskew_deg, tuple(res.paper_colour))
        cleaned, _ = clean_for_ocr(straight, dpi)
        first = ocr_page(engine, cleaned, lang, dpi, plan_ocr(cleaned.width, cleaned.height, dpi, 40))
    grid = find_grid(straight, dpi)
    out: dict = {}

    def record(name: str, result, counts: tuple[str, ...]) -> None:
        out[name] = {"sheets": engine.sheets, "result": None if result is None else {
            "text": result.text.to_json(), **{c: getattr(result, c) for c in counts}}}
        engine.sheets = []

    engine.sheets = []
    cells = read_cells(engine, grid, dpi, first, lang)
    record("cells", cells, ("cells", "words"))
    text = cells.text if cells else first
    second = reread(engine, cleaned, dpi, text, measure(cleaned, dpi, text.words), lang)
    record("reread", second, ("read", "added", "replaced"))
    text = second.text if second else text
    stamped = read_stamps(engine, cleaned, dpi, text, lang, image, deskew)
    record("stamps", stamped, ("stamps", "added", "replaced"))
    return out, engine.calls


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/sheet_identity_cache"))
    todo = ap.add_mutually_exclusive_group(required=True)
    todo.add_argument("--write", type=Path, help="record the passes' outputs here")
    todo.add_argument("--check", type=Path, help="compare the passes' outputs with those recorded here")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    stored = json.loads(args.check.read_text()) if args.check else {}
    got, differ = {}, 0
    for delivery, file, index in PAGES:
        key = f"{delivery}/{file}#{index}"
        t0 = time.perf_counter()
        got[key], calls = passes(args.shared, args.cache, delivery, file, index)
        fired = ", ".join(f"{name} {len(p['sheets'])} sheet(s)" + (f" {len(p['result']['text']['blocks'])} blocks"
                                                                  if p["result"] else " no result")
                          for name, p in got[key].items())
        verdict = ""
        if args.check:
            same = [name for name in got[key] if json.dumps(got[key][name], sort_keys=True)
                    == json.dumps(stored.get(key, {}).get(name), sort_keys=True)]
            differ += len(got[key]) - len(same)
            verdict = "identical" if len(same) == len(got[key]) else \
                "DIFFERS: " + ", ".join(n for n in got[key] if n not in same)
        print(f"{key}: {fired}; {calls} engine calls not cached, {time.perf_counter() - t0:.1f} s {verdict}",
              flush=True)
    if args.write:
        args.write.write_text(json.dumps(got, sort_keys=True, indent=0))
        print(f"written: {args.write}")
    else:
        print(f"{len(PAGES)} pages x 3 passes: {'all identical' if not differ else f'{differ} differ'}")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
