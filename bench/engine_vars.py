"""A tesseract variable's cost and effect: the whole page chain with the engine as shipped against
the engine with variables set otherwise, page by page in turn, in this process.

    .venv/bin/python bench/engine_vars.py --set NAME=VALUE [--set ...] [--shared ../shared]
                                          [--sets dev-stack,dev-planted] [--pdfa-pages] [--limit N]

Pages: the held-out development sets (``--sets``, pages with truth lines, as ``bench/ocr_lines.py``)
and with ``--pdfa-pages`` the pages of ``bench/ocr_pdfa.py --dossiers 4`` (21 dev-folders + 23 real
typewritten). Each page goes through ``run_page_chain`` (every reading: first, grid cells, second
reading, stamps) twice: "shipped" (``tesseract.READ_VARIABLES`` as they are) and "set"
(``--set`` on top), alternating which goes first. Printed: CPU seconds of each (this process and
its children: tesseract's orientation detection), how many pages got the very same words (text,
box, confidence) and, for pages with truth, word recall per line kind (``ocr_lines.score``) of
both. The in-process engine only (``tesserocr``); the variables reach every reading of the page.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ["OMP_THREAD_LIMIT"] = "1"


def cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def pages(args) -> list[tuple[Path, int, list[dict] | None]]:
    """(file, page index, truth lines or None) of the pages asked for."""
    out: list[tuple[Path, int, list[dict] | None]] = []
    for name in [s for s in args.sets.split(",") if s]:
        root = args.shared / "data/dossiers" / name
        truth = json.loads((root.parent / f"{name}.truth.json").read_text())
        chosen = [p for p in truth["pages"] if p.get("lines") and not p["is_separator"] and not p["is_blank"]]
        out += [(root / p["file"], p["page_index"], p["lines"]) for p in chosen[: args.limit or None]]
    if args.pdfa_pages:
        import ocr_pdfa
        dossiers = ocr_pdfa.dev_dossiers(args.shared, 4) + ocr_pdfa.real_dossiers(args.shared)
        out += [(p["file"], 0, None) for d in dossiers for p in d["pages"]][: args.limit or None]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", required=True)
    ap.add_argument("--sets", default="dev-stack,dev-planted")
    ap.add_argument("--pdfa-pages", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="at most this many pages of each source (0: all)")
    args = ap.parse_args()

    from ocr_lines import score
    from digitalisering.ingest.formats import inspect_file
    from digitalisering._exec import tesseract
    from digitalisering.ocr.engines import tesseract_api
    from digitalisering.ocr.model import PageText
    from digitalisering.runner import page_chain
    from digitalisering.runner.options import RunOptions

    changed = dict(item.split("=", 1) for item in args.set)
    shipped = dict(tesseract.READ_VARIABLES)
    api = tesseract_api._api(RunOptions().lang)  # nothing set on it yet: the library's defaults
    variants = {"shipped": {**{name: api.GetVariableAsString(name) for name in changed}, **shipped},
                "set": {**shipped, **changed}}

    spent: collections.Counter = collections.Counter()
    recall = {v: collections.defaultdict(lambda: [0, 0]) for v in variants}
    same = differ = 0
    todo = pages(args)
    with tempfile.TemporaryDirectory(prefix="bench-vars-") as tmp:
        for i, (path, index, lines) in enumerate(todo):
            got = {}
            for name in (list(variants) if i % 2 == 0 else list(variants)[::-1]):
                tesseract.READ_VARIABLES.clear()
                tesseract.READ_VARIABLES.update(variants[name])
                job = page_chain.PageJob(i, i, str(path), index, inspect_file(path).format or "",
                                         f"{tmp}/{name}{i}", RunOptions(jobs=1))
                t0 = cpu()
                page_chain.run_page_chain(job)
                spent[name] += cpu() - t0
                words_file = Path(f"{tmp}/{name}{i}/words.json")
                got[name] = PageText.from_json(json.loads(words_file.read_text())).words if words_file.exists() else []
            a, b = ([(w.text, w.left, w.top, w.width, w.height, w.conf) for w in got[v]] for v in variants)
            same, differ = same + (a == b), differ + (a != b)
            if lines:
                for name in variants:
                    for kind, (hit, n) in score(got[name], lines)[0].items():
                        recall[name][kind][0] += hit
                        recall[name][kind][1] += n
            only = [sorted(set(x) - set(y))[:3] for x, y in ((a, b), (b, a))]
            print(f"{path.parent.name[:24]}/{path.name}: " + " ".join(f"{v} {spent[v]:.1f}" for v in variants)
                  + ("" if a == b else f"  words differ: shipped only {only[0]}, set only {only[1]}"), flush=True)
    tesseract.READ_VARIABLES.clear()
    tesseract.READ_VARIABLES.update(shipped)
    print(f"{len(todo)} pages; set {changed}: CPU shipped {spent['shipped']:.1f} s, set {spent['set']:.1f} s "
          f"(x{spent['set'] / max(spent['shipped'], 1e-9):.3f}); same words on {same} pages, different on {differ}")
    if any(recall["shipped"].values()):
        print(f"{'kind':<18} {'words':>6} {'shipped':>8} {'set':>8}")
        for kind in sorted(recall["shipped"], key=lambda k: -recall["shipped"][k][1]):
            n = recall["shipped"][kind][1]
            print(f"{kind:<18} {n:>6} " + " ".join(f"{recall[v][kind][0] / n if n else 0:>8.3f}" for v in variants))


if __name__ == "__main__":
    main()
