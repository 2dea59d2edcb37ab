"""tesseract as a program against tesseract in this process (tesserocr): same words? CPU seconds?

    .venv/bin/python bench/ocr_engine.py [--shared ../shared] [--pages 6] [--real 2] [FILE ...]

Pages: the first ``--pages`` image files of dev-stack and dev-planted (every ``len // pages``-th)
and ``--real`` real typewritten scans (``data/scans/tapuscorpus_fr_typewritten``), or the FILEs
given; each as its grey copy (halved above 12 megapixels), read by ``engines.tesseract`` (one
program start per reading) and by ``engines.tesseract_api`` (one model per process) in the three
modes the OCR stage uses (the page; ``sparse``: the second reading's and the stamps' sheets;
``block``: dropped paragraphs), alternating, in this process. Prints how many readings gave the
same words (text, box, confidence) and both engines' CPU seconds (this process and its children).

``--osd``: orientation detection instead. Every page of ``bench/ocr_pdfa.py --dossiers 4`` and of
dev-stack and dev-planted (or the FILEs) goes through imaging (``analyse_page``), which asks the
program about the crops whose orientation its own cues leave in doubt; each crop is then asked of
both engines in turn: the same answer (rotation, confidence)? CPU seconds of each?
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def pages(shared: Path, n: int, real: int) -> list[Path]:
    out: list[Path] = []
    for name in ("dev-stack", "dev-planted"):
        files = sorted(p for p in (shared / "data/dossiers" / name).rglob("*") if p.suffix.lower() in (".tif", ".jpg", ".png"))
        step = max(1, len(files) // max(1, n // 2))
        out += files[::step][: n // 2]
    scans = sorted((shared / "data/scans/tapuscorpus_fr_typewritten").rglob("*.jpg"))
    return out + scans[:real]


def main() -> None:
    from PIL import Image

    from digitalisering.ocr.engines.tesseract import TesseractEngine
    from digitalisering.ocr.engines.tesseract_api import TesseractApiEngine, available

    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--real", type=int, default=2)
    ap.add_argument("--osd", action="store_true", help="compare orientation detection")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    if not available():
        sys.exit("tesserocr is not installed or wraps another tesseract than the program")
    if args.osd:
        return compare_osd(args)
    program, library = TesseractEngine(), TesseractApiEngine()
    library.recognise(Image.new("L", (200, 100), 255), "nld", 300)  # the model loaded once, as in a run
    spent = {"program": 0.0, "library": 0.0}
    same = readings = 0
    files = args.files or pages(args.shared, args.pages, args.real)
    for path in files:
        with Image.open(path) as im:
            grey = im.convert("L")
        if grey.width * grey.height > 12e6:
            grey = grey.reduce(2)
        for kwargs in ({}, {"sparse": True}, {"block": True}):
            got = _both({"program": program, "library": library}, spent, lambda engine: [
                (w.text, w.left, w.top, w.width, w.height, w.conf)
                for w in engine.recognise(grey, "nld", 300, **kwargs).words])
            readings += 1
            same += got["program"] == got["library"]
            if got["program"] != got["library"]:
                print(f"differs: {path} {kwargs}")
    print(f"{len(files)} pages, {readings} readings: same words in {same}")
    _print_cpu(spent)


def _both(engines: dict, spent: dict, call, order: int = 1) -> dict:
    """``call(engine)`` for each engine (in ``order``), its CPU seconds added to ``spent``."""
    got = {}
    for name, engine in list(engines.items())[::order]:
        t0 = cpu()
        got[name] = call(engine)
        spent[name] += cpu() - t0
    return got


def _print_cpu(spent: dict) -> None:
    print(f"CPU s: program {spent['program']:.1f}, library {spent['library']:.1f}, "
          f"library / program {spent['library'] / max(spent['program'], 1e-9):.3f}")


def osd_pages(shared: Path) -> list[tuple[Path, int]]:
    import json

    sys.path.insert(0, str(REPO / "bench"))
    import ocr_pdfa

    out = [(p["file"], 0) for d in ocr_pdfa.dev_dossiers(shared, 4) + ocr_pdfa.real_dossiers(shared) for p in d["pages"]]
    for name in ("dev-stack", "dev-planted"):
        truth = json.loads((shared / "data/dossiers" / f"{name}.truth.json").read_text())
        out += [(shared / "data/dossiers" / name / p["file"], p["page_index"]) for p in truth["pages"]
                if not p["is_separator"] and not p["is_blank"]]
    return out


def compare_osd(args) -> None:
    from digitalisering.imaging.load import load_page
    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    from digitalisering.ingest.formats import inspect_file
    from digitalisering.ocr.engines.tesseract import TesseractEngine
    from digitalisering.ocr.engines.tesseract_api import TesseractApiEngine

    program, library = TesseractEngine(), TesseractApiEngine()
    asked: list = []

    class Recorder:
        def detect_orientation(self, image, dpi, timeout=60):
            asked.append((image.copy(), dpi))
            return program.detect_orientation(image, dpi, timeout)

    todo = [(f, 0) for f in args.files] or osd_pages(args.shared)
    for path, index in todo:
        loaded = load_page(path, index, inspect_file(path).format, 250_000_000)
        stated = loaded.info.stated_dpi[0] if loaded.info.stated_dpi else None
        analyse_page(loaded.image, stated, loaded.info.bits_per_sample, ImagingOptions(osd=Recorder()))
    spent = {"program": 0.0, "library": 0.0}
    same = 0
    for i, (crop, dpi) in enumerate(asked):
        got = _both({"program": program, "library": library}, spent,
                    lambda engine: engine.detect_orientation(crop, dpi), 1 if i % 2 == 0 else -1)
        same += got["program"] == got["library"]
        if got["program"] != got["library"]:
            print(f"differs: crop {i} ({crop.width}x{crop.height}, {dpi:.0f} ppi): {got}")
    print(f"{len(todo)} pages, {len(asked)} crops asked about: same answer for {same}")
    _print_cpu(spent)


if __name__ == "__main__":
    main()
