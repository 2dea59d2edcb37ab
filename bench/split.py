"""Split and classification benchmark against the ground truth of the dev deliveries.

    .venv/bin/python bench/split.py [--shared ../shared] [--workspace DIR] [--jobs 2]

Runs ``digitalisering run`` on dev-stack (separator sheets) and dev-folders (no separators) into
WORKSPACE (kept, so a second call only re-plans: pages are not read again), then compares:
- dossier boundaries (stack) and document boundaries (both) as F1 over "a new one starts at this
  page" decisions, separator sheets left out;
- document types: each true document gets the type of our document holding most of its pages;
  accuracy overall, per type, and the confusion matrix;
- cost: the split and classification of the whole batch (in process) over the OCR time of its pages;
- leave-one-template-out (``bench/loto.py``): the learned document model trained on the other
  templates' documents and scored on each held-out template, beside the vocabulary's figures.
  The vocabulary was tuned on all dev templates, so every vocabulary-only figure here, the
  all-data scores above included, is a TUNED-ON figure, not a result on unseen dossiers;
- the base model (``learning.base``, what ``run`` uses before anything is learned): trained on the
  generated corpus only, scored on every dev document (each dev template held out), blind and with
  the vocabulary; the all-data scores above are the base model's with the vocabulary (a fresh
  workspace has no learned model).

    .venv/bin/python bench/split.py --workspace COPY --loto-only [--with-corpus | --base-only]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from learn import blind_vocabulary  # noqa: E402
from loto import METHODS, load_truth, report as loto_report, report_base  # noqa: E402

from digitalisering.bag.index import INDEX_FILE  # noqa: E402
from digitalisering.bag.link import BagIndex, link_plan  # noqa: E402
from digitalisering.documents.overrides import Overrides  # noqa: E402
from digitalisering.documents.pages import page_view  # noqa: E402
from digitalisering.documents.vocabulary import default_vocabulary  # noqa: E402
from digitalisering.runner.dossier_chain import document_model, plan_documents  # noqa: E402
from digitalisering.store import Store  # noqa: E402
from digitalisering.workspace import Workspace  # noqa: E402

ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}
CLI = [sys.executable, "-c", "from digitalisering.cli import main; main()"]


def f1(ours: set, truth: set) -> tuple[float, float, float]:
    tp = len(ours & truth)
    p = tp / len(ours) if ours else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(name: str, shared: Path, ws: Path, out: Path, jobs: int, show_errors: bool) -> dict:
    delivery = shared / "data/dossiers" / name
    truth = json.loads((shared / "data/dossiers" / f"{name}.truth.json").read_text())
    proc = subprocess.run([*CLI, "--workspace", str(ws), "run", str(delivery), "--out", str(out), "-j", str(jobs),
                           "--no-progress", "--operator", "bench"], capture_output=True, text=True, env=ENV)
    if proc.returncode not in (0, 1):
        sys.exit(f"run failed: {proc.stderr}")
    workspace = Workspace.open(ws)
    with Store(workspace.database) as store:
        batch = next(b for b in store.batches() if b.name == name)
        files = {f.id: f.relpath for f in store.files(batch.id)}
        pages = store.pages(batch.id)
        views = [page_view(p, workspace.page_dir(name, p.id)) for p in pages]
        document_model(workspace)  # loaded (or built) once per workspace: not a per-page cost
        t0 = time.perf_counter()
        plan = plan_documents(store, workspace, batch, Overrides(), views)
        plan_s = time.perf_counter() - t0
        link_s = None
        if (ws / INDEX_FILE).exists():  # the address decisions too (bench/bag.py scores them)
            index = BagIndex(ws / INDEX_FILE)
            t0 = time.perf_counter()
            link_plan(index, plan, {v.seq: v for v in views})
            link_s = time.perf_counter() - t0
            index.close()
    ocr_s = sum((p.result.get("ocr") or {}).get("seconds", 0) for p in pages)
    key_of = {p.seq: (files[p.file_id], p.page_index) for p in pages}
    tpages = {(p["file"], p["page_index"]): p for p in truth["pages"]}
    order = [key_of[p.seq] for p in sorted(pages, key=lambda p: p.seq)]

    # truth boundaries
    t_doc_starts, t_dossier_starts, t_docs = set(), set(), defaultdict(list)
    prev_doc, prev_dossier = None, None
    for key in order:
        tp = tpages[key]
        if tp["dossier_id"] != prev_dossier:
            t_dossier_starts.add(key)
            prev_dossier = tp["dossier_id"]
        if tp["is_separator"]:
            continue
        doc = (tp["dossier_id"], tp["document_index"])
        t_docs[doc].append(key)
        if doc != prev_doc:
            t_doc_starts.add(key)
            prev_doc = doc
    # ours
    o_doc_starts = {key_of[d.pages[0]] for dos in plan.dossiers for d in dos.documents if d.pages}
    o_dossier_starts = {key_of[min(dos.pages)] for dos in plan.dossiers if dos.pages}
    doc_of = {key_of[s]: d for dos in plan.dossiers for d in dos.documents for s in d.pages}

    res = {"name": name, "pages": len(pages), "plan_s": plan_s, "ocr_s": ocr_s, "link_s": link_s}
    res["documents"] = f1(o_doc_starts, t_doc_starts)
    if truth["pages"] and any(p["is_separator"] for p in truth["pages"]):
        res["dossiers"] = f1(o_dossier_starts, t_dossier_starts)
        t_ids = {p["dossier_id"] for p in truth["pages"]}
        res["dossier_ids"] = len(t_ids & {d.id for d in plan.dossiers}) / len(t_ids)
    confusion: Counter = Counter()
    for doc, keys in t_docs.items():
        t_type = tpages[keys[0]]["document_type"]
        votes = Counter(doc_of[k].type for k in keys if k in doc_of)
        o_type = votes.most_common(1)[0][0] if votes else "-"
        confusion[(t_type, o_type)] += 1
        if show_errors and t_type != o_type:
            d = next(doc_of[k] for k in keys if k in doc_of)
            print(f"  type {name} {doc}: truth {t_type}, ours {o_type} ({d.type_confidence}) {d.evidence[:4]}")
    res["confusion"] = confusion
    if show_errors:
        for key in sorted(t_doc_starts ^ o_doc_starts, key=order.index):
            tp = tpages[key]
            kind = "missed" if key in t_doc_starts else "false"
            d = doc_of.get(key)
            print(f"  boundary {kind}: {name} {key[0]}#{key[1]} truth {tp['document_type']} "
                  f"ours {d.type if d else '-'} ({d.boundary if d and key in o_doc_starts else ''})")
    return res


LOTO_DELIVERIES = ["dev-folders", "dev-stack", "dev-planted"]
"""The deliveries whose truth the folds use (those in the workspace)."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--workspace", type=Path, help="kept between calls [default: a temporary folder]")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--errors", action="store_true", help="list every wrong boundary and type")
    ap.add_argument("--loto-only", action="store_true",
                    help="only the leave-one-template-out folds, from the pages already in --workspace")
    ap.add_argument("--base-only", action="store_true",
                    help="of the held-out figures only the base model's (no leave-one-template-out folds)")
    ap.add_argument("--with-corpus", action="store_true",
                    help="folds also with the generated corpus added to the training (slow: ~1 min per fold)")
    args = ap.parse_args()
    if args.loto_only:
        if not args.workspace:
            sys.exit("--loto-only needs --workspace (a workspace holding the dev deliveries)")
        folds = load_truth(args.workspace, args.shared, LOTO_DELIVERIES)
        report_base(folds, default_vocabulary(), blind_vocabulary())
        if not args.base_only:
            loto_report(folds, default_vocabulary(), blind_vocabulary(), METHODS if args.with_corpus else METHODS[:3])
        return
    with tempfile.TemporaryDirectory(prefix="bench-split-") as tmp:
        ws = args.workspace or Path(tmp) / "ws"
        results = [evaluate(name, args.shared, ws, Path(tmp) / f"out-{name}", args.jobs, args.errors)
                   for name in ("dev-stack", "dev-folders")]
        folds = load_truth(ws, args.shared, [n for n in LOTO_DELIVERIES if n in {r["name"] for r in results}])
    confusion: Counter = Counter()
    for r in results:
        p, rc, f = r["documents"]
        print(f"{r['name']}: {r['pages']} pages")
        if "dossiers" in r:
            dp, dr, df = r["dossiers"]
            print(f"  dossier boundaries  P {dp:.3f} R {dr:.3f} F1 {df:.3f}   (target 1.0); ids right {r['dossier_ids']:.3f}")
        target = "1.0" if "dossiers" in r else ">= 0.90"
        print(f"  document boundaries P {p:.3f} R {rc:.3f} F1 {f:.3f}   (target {target})")
        right = sum(n for (t, o), n in r["confusion"].items() if t == o)
        total = sum(r["confusion"].values())
        print(f"  type accuracy {right}/{total} = {right / total:.3f}")
        print(f"  cost: split+classify {1000 * r['plan_s']:.0f} ms for the batch = "
              f"{1000 * r['plan_s'] / r['pages']:.1f} ms/page; ratio to OCR time {r['plan_s'] / max(r['ocr_s'], 1e-9):.4f}")
        if r["link_s"] is not None:
            decide = r["plan_s"] + r["link_s"]
            print(f"  cost with the address decisions: {1000 * decide / r['pages']:.1f} ms/page; ratio to OCR time "
                  f"{decide / max(r['ocr_s'], 1e-9):.4f} (target <= 0.05)")
        confusion.update(r["confusion"])
    types = sorted({t for t, _ in confusion} | {o for _, o in confusion})
    right = sum(n for (t, o), n in confusion.items() if t == o)
    total = sum(confusion.values())
    print(f"\nType accuracy overall {right}/{total} = {right / total:.3f} (target >= 0.90); per type:")
    for t in types:
        n = sum(v for (tt, _), v in confusion.items() if tt == t)
        if n:
            print(f"  {t:14s} {confusion[(t, t)]}/{n} = {confusion[(t, t)] / n:.3f}")
    print("\nConfusion (rows truth, columns ours):")
    print(" " * 15 + " ".join(f"{t[:6]:>6s}" for t in types))
    for t in types:
        print(f"  {t:13s}" + " ".join(f"{confusion[(t, o)]:6d}" for o in types))
    print("\n(all scores above: vocabulary tuned on these very templates, TUNED-ON figures)")
    report_base(folds, default_vocabulary(), blind_vocabulary())
    if not args.base_only:
        loto_report(folds, default_vocabulary(), blind_vocabulary(), METHODS if args.with_corpus else METHODS[:3])


if __name__ == "__main__":
    main()
