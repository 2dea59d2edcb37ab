"""BAG benchmark: import the synthetic Leiden extract, link the dev deliveries' addresses.

    .venv/bin/python bench/bag.py [--shared ../shared] [--workspace DIR]

- Import: time, objects/s, peak memory (RSS of a child process doing only the import), and the
  projected time for a national extract of ~30 million objects at the same rate.
- Linking: dossier-level precision and recall of nummeraanduiding ids against the truth of
  dev-stack and dev-folders (run through ``bench/split.py``'s workspace when given, else run here).
- Cost: extraction + linking per page against the OCR time of the pages.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from digitalisering.bag.link import BagIndex, link_plan  # noqa: E402
from digitalisering.documents.overrides import Overrides  # noqa: E402
from digitalisering.documents.pages import page_view  # noqa: E402
from digitalisering.runner.dossier_chain import plan_documents  # noqa: E402
from digitalisering.store import Store  # noqa: E402
from digitalisering.workspace import Workspace  # noqa: E402

ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}
CLI = [sys.executable, "-c", "from digitalisering.cli import main; main()"]
NATIONAL_OBJECTS = 30_000_000


def import_in_child(extract: Path, ws: Path) -> dict:
    code = ("import json,resource,sys,time; from pathlib import Path; "
            "from digitalisering.bag.index import import_extract; "
            f"r=import_extract(Path({str(extract)!r}), Path({str(Path(ws) / 'bag.sqlite')!r}), '0546'); "
            "print(json.dumps({'read': r.read, 'seconds': r.seconds, 'counts': r.counts, "
            "'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--workspace", type=Path, help="a workspace where the dev deliveries were run (bench/split.py)")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    extract = args.shared / "data/bag/leiden/BAGNLDL-01102026-leiden.zip"
    with tempfile.TemporaryDirectory(prefix="bench-bag-") as tmp:
        ws = args.workspace or Path(tmp) / "ws"
        ws.mkdir(parents=True, exist_ok=True)
        small = import_in_child(REPO / "batches/demo-bag/BAGNLDL-01102026-demo.zip", Path(tmp) / "small")
        r = import_in_child(extract, ws)
        print(f"import: {r['read']} voorkomens in {r['seconds']:.1f} s = {r['read'] / r['seconds']:.0f} objects/s, "
              f"peak RSS {r['rss_mb']:.0f} MB (target <= 30 s); national ~{NATIONAL_OBJECTS / 1e6:.0f} M objects: "
              f"~{NATIONAL_OBJECTS / (r['read'] / r['seconds']) / 60:.0f} min at this rate")
        print(f"memory against extract size: {small['read']} objects -> peak RSS {small['rss_mb']:.0f} MB; "
              f"{r['read']} objects ({r['read'] / small['read']:.1f}x) -> {r['rss_mb']:.0f} MB")
        totals = {"tp": 0, "fp": 0, "fn": 0}
        index = BagIndex(ws / "bag.sqlite", args.shared / "data/streets/straatnaamvarianten-leiden.csv")
        workspace = Workspace.open(ws)
        for name in ("dev-stack", "dev-folders"):
            if args.workspace is None:
                subprocess.run([*CLI, "--workspace", str(ws), "run", str(args.shared / "data/dossiers" / name),
                                "--out", str(Path(tmp) / name), "--no-progress"], env=ENV, capture_output=True)
            truth = json.loads((args.shared / "data/dossiers" / f"{name}.truth.json").read_text())
            with Store(workspace.database) as store:
                batch = next(b for b in store.batches() if b.name == name)
                pages = store.pages(batch.id)
                plan = plan_documents(store, workspace, batch, Overrides())
                t0 = time.perf_counter()
                texts = {p.seq: page_view(p, workspace.page_dir(batch.name, p.id)).text for p in pages}
                linked = link_plan(index, plan, texts)
                cost = time.perf_counter() - t0
            ocr_s = sum((p.result.get("ocr") or {}).get("seconds", 0) for p in pages)
            tp = fp = fn = 0
            for d in truth["dossiers"]:
                want = set(d["num_ids"])
                got = {n for a in linked.dossiers.get(d["id"], []) for n in a.nummeraanduiding_ids}
                tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
                if args.errors and want != got:
                    print(f"  {name} {d['id']}: missed {sorted(want - got)} false {sorted(got - want)}")
                    for a in linked.dossiers.get(d["id"], []):
                        if set(a.nummeraanduiding_ids) - want:
                            print(f"      false: {a.text!r} {a.status} {a.role}")
                    for a in d["addresses"]:
                        if set(a["num_ids"]) - got:
                            print(f"      truth: {a['written']!r} forms {a['forms']}")
            totals["tp"] += tp
            totals["fp"] += fp
            totals["fn"] += fn
            print(f"{name}: precision {tp / max(1, tp + fp):.3f} recall {tp / max(1, tp + fn):.3f} "
                  f"({tp} right, {fp} false, {fn} missed); cost {1000 * cost / len(pages):.1f} ms/page = "
                  f"{cost / max(ocr_s, 1e-9):.4f} of OCR time")
        tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
        print(f"all: dossier-level nummeraanduiding precision {tp / max(1, tp + fp):.3f} (target >= 0.95), "
              f"recall {tp / max(1, tp + fn):.3f} (target >= 0.90)")


if __name__ == "__main__":
    main()
