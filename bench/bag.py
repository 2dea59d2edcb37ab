"""BAG benchmark: import the synthetic Leiden extract, link the dev deliveries' addresses.

    .venv/bin/python bench/bag.py [--shared ../shared] [--workspace DIR]

- Import: time, objects/s, peak memory (RSS of a child process doing only the import), and the
  projected time for a national extract of ~30 million objects at the same rate.
- Linking: dossier-level precision and recall of nummeraanduiding ids against the truth of
  dev-stack, dev-folders and dev-planted (a workspace where they were run when given, else run here),
  on all data (tuned-on) and per leave-one-template-out fold (``bench/bag_loto.py``).
- Cost: extraction + linking per page against the OCR time of the pages.

    .venv/bin/python bench/bag.py --workspace COPY --links-only [--errors]   # links only, no import
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

sys.path.insert(0, str(REPO / "bench"))

from bag_loto import Learned, Rules, all_data, load_samples, report  # noqa: E402

from digitalisering.bag.link import BagIndex  # noqa: E402
from digitalisering.bag.roles import DEFAULT_MODEL  # noqa: E402
from digitalisering.store import Store  # noqa: E402
from digitalisering.workspace import Workspace  # noqa: E402

ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}
CLI = [sys.executable, "-c", "from digitalisering.cli import main; main()"]
NATIONAL_OBJECTS = 30_000_000
DELIVERIES = ["dev-stack", "dev-folders", "dev-planted"]


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
    ap.add_argument("--save-default", action="store_true",
                    help="with --links-only: train the address model on every dev dossier and save it as the "
                         "package's default (digitalisering/bag/address_model.json)")
    ap.add_argument("--links-only", action="store_true",
                    help="no import timing: link the deliveries already in --workspace (with its BAG index)")
    args = ap.parse_args()
    if args.links_only:
        if not args.workspace:
            sys.exit("--links-only needs --workspace (a workspace holding the dev deliveries and a BAG index)")
        links(args.workspace, args.shared, BagIndex(args.workspace / "bag.sqlite",
                                                     args.shared / "data/streets/straatnaamvarianten-leiden.csv"),
              args.errors, args.save_default)
        return
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
        index = BagIndex(ws / "bag.sqlite", args.shared / "data/streets/straatnaamvarianten-leiden.csv")
        if args.workspace is None:
            for name in DELIVERIES:
                subprocess.run([*CLI, "--workspace", str(ws), "run", str(args.shared / "data/dossiers" / name),
                                "--out", str(Path(tmp) / name), "--no-progress"], env=ENV, capture_output=True)
        links(ws, args.shared, index, args.errors)


def links(ws: Path, shared: Path, index: BagIndex, show_errors: bool, save_default: bool = False) -> None:
    """All-data figures per delivery, the cost, then the leave-one-template-out folds."""
    loaded = load_samples(ws, shared, [n for n in DELIVERIES if _has_batch(ws, n)], index)
    if save_default:
        learned = Learned()
        learned.fit(loaded.dossiers)
        assert learned.model is not None
        learned.model.summary["trained_on"] = sorted({d.delivery for d in loaded.dossiers})
        learned.model.summary["dossiers"] = len(loaded.dossiers)
        learned.model.save(DEFAULT_MODEL)
        print(f"saved {DEFAULT_MODEL} ({learned.model.summary})")
    methods = [Rules(), Learned()]
    print("\nAll data (what run decides; the role cues were written looking at every dev template, so these are "
          "TUNED-ON figures):")
    for m in methods:
        scores = all_data(loaded.dossiers, m)
        for key in [*sorted(k for k in scores if k != "all"), "all"]:
            print(f"  {m.name:8s} {key:12s} {scores[key].cell()}  ({scores[key].dossiers} dossiers)")
    if show_errors:
        for d in loaded.dossiers:
            got = Rules().decide(d)
            if got != d.truth:
                print(f"  {d.delivery} {d.id}: missed {sorted(d.truth - got)} false {sorted(got - d.truth)}")
                for doc in d.documents:
                    for a in doc.addresses:
                        if set(a.nummeraanduiding_ids) - d.truth or a.status == "corner" or \
                                set(a.nummeraanduiding_ids) & (d.truth - got):
                            w = a.where
                            print(f"      {doc.template:26s} {a.text!r} {a.status} {a.role} {a.nummeraanduiding_ids} "
                                  f"top={w.top if w else None} town={w.town if w else ''} ctx={w.context[-30:] if w else ''!r}")
                for t in d.truth_addresses:
                    if set(t["num_ids"]) & (d.truth - got):
                        print(f"      truth: {t['written']!r} forms {t['forms']} mentions {t['mentions'][:4]}")
    print(f"cost: extraction + linking {1000 * loaded.link_s / max(loaded.pages, 1):.1f} ms/page = "
          f"{loaded.link_s / max(loaded.ocr_s, 1e-9):.4f} of OCR time ({loaded.pages} pages)")
    report(loaded.dossiers, methods, show_errors)


def _has_batch(ws: Path, name: str) -> bool:
    with Store(Workspace.open(ws).database) as store:
        return any(b.name == name for b in store.batches())

if __name__ == "__main__":
    main()
