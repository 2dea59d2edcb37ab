"""Learning curve: corrections of k dossiers, ``learn``, and the other dossiers decided again.

    .venv/bin/python bench/learn.py --workspace WS [--counts 0,1,3,5,10] [--deliveries dev-folders,dev-stack]

WS is a workspace where the dev deliveries were run (a copy of /work/devws; nothing in it is
changed: every step works on a copy of its state database beside the same page folders).
Per delivery and per k: the first k dossiers (a fixed shuffled order) are corrected as an
archivist would in the review page, from the truth: a split or merge where our boundary is wrong,
and the type of every document (the form sends every document's type); then
``learning.learn.learn`` trains on the corrections and the trusted decisions of every batch in the
workspace, and the batch is split and typed again with the new model (no page read). Scored on the
OTHER dossiers of the batch only (the ones nobody corrected, made with the same templates): document
boundaries F1 (folder deliveries) and type accuracy; with learn's own leave-one-out figure and its
time. k = 0 is the cold start: the base model (trained on the generated corpus, with the
vocabulary's cues; ``learning.base``); ``learn`` trains on the corrections with the corpus underneath. The shipped vocabulary was tuned on these very
templates, so its cold start is already right here; ``--blind`` takes every title and body cue
out of it, as for a municipality whose forms it has never seen: then what the model learns from
the k corrected dossiers is all there is.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from digitalisering.corrections import as_overrides, corrections_for, record_correction  # noqa: E402
from digitalisering.documents.pages import page_view  # noqa: E402
from digitalisering.documents.split import plan_batch  # noqa: E402
from digitalisering.documents.vocabulary import DocumentType, Vocabulary, default_vocabulary  # noqa: E402
from digitalisering.learning.base import base_model  # noqa: E402
from digitalisering.learning.learn import learn, load_models  # noqa: E402
from digitalisering.store import Store  # noqa: E402
from digitalisering.workspace import Workspace  # noqa: E402


def copy_workspace(src: Path, dst: Path) -> Workspace:
    """A workspace at ``dst`` with a copy of ``src``'s state database and ``src``'s page folders."""
    dst.mkdir(parents=True)
    with sqlite3.connect(f"file:{src / 'state.sqlite'}?mode=ro", uri=True) as a, \
            sqlite3.connect(dst / "state.sqlite") as b:
        a.backup(b)
    (dst / "batches").symlink_to(src / "batches")
    if (src / "bag.sqlite").exists():
        (dst / "bag.sqlite").symlink_to(src / "bag.sqlite")
    return Workspace.open(dst)


def truth_of(shared: Path, name: str, store: Store, batch) -> tuple[dict, list[str]]:
    """seq -> (dossier, document index, type) for content pages; the dossier ids."""
    truth = json.loads((shared / "data/dossiers" / f"{name}.truth.json").read_text())
    files = {f.id: f.relpath for f in store.files(batch.id)}
    key = {(files[p.file_id], p.page_index): p.seq for p in store.pages(batch.id)}
    out = {}
    for tp in truth["pages"]:
        if not tp["is_separator"] and not tp["is_blank"]:
            out[key[(tp["file"], tp["page_index"])]] = (tp["dossier_id"], tp["document_index"], tp["document_type"])
    return out, [d["id"] for d in truth["dossiers"]]


def blind_vocabulary() -> Vocabulary:
    """The shipped vocabulary without a single title or body cue: templates it has never seen
    (the layout rules, page numbers and sheet numbers stay)."""
    vocab = default_vocabulary()
    return dataclasses.replace(vocab, types={n: DocumentType(n, t.label, (), ()) for n, t in vocab.types.items()})


def plan(store: Store, ws: Workspace, batch, views, vocab: Vocabulary):
    model = load_models(ws.root)[0] or base_model(vocab, ws.root / "model")
    return plan_batch(batch.layout, views, vocab, as_overrides(corrections_for(store, batch)), model)


def starts(p, truth: dict, dossiers: set[str]) -> tuple[set[int], set[int]]:
    """(our document starts, true starts) over the content pages of ``dossiers``."""
    ours = set()
    for dos in p.dossiers:
        for doc in dos.documents:
            first = next((s for s in doc.pages if s in truth), None)
            if first is not None and truth[first][0] in dossiers:
                ours.add(first)
    true, seen = set(), set()
    for seq in sorted(truth):
        d, i, _ = truth[seq]
        if d in dossiers and (d, i) not in seen:
            seen.add((d, i))
            true.add(seq)
    return ours, true


def correct(store: Store, batch, p, truth: dict, dossier: str) -> int:
    """Record what an archivist would in the form for ``dossier``; returns the number recorded."""
    ours, true = starts(p, truth, {dossier})
    n = 0
    for seq in sorted(true - ours):
        record_correction(store, batch, "split", who="bench", page=seq)
        n += 1
    for seq in sorted(ours - true):
        record_correction(store, batch, "merge", who="bench", page=seq)
        n += 1
    for seq in sorted(true):
        record_correction(store, batch, "type", who="bench", page=seq, value=truth[seq][2])
        n += 1
    return n


def score(p, truth: dict, dossiers: set[str], layout: str) -> tuple[float | None, int, int]:
    ours, true = starts(p, truth, dossiers)
    f1 = None
    if layout == "folders":
        tp = len(ours & true)
        pr, rc = tp / max(len(ours), 1), tp / max(len(true), 1)
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    doc_of = {s: doc.type for dos in p.dossiers for doc in dos.documents for s in doc.pages}
    by_doc: dict[tuple, Counter] = {}
    for seq, (d, i, t) in truth.items():
        if d in dossiers:
            by_doc.setdefault((d, i, t), Counter())[doc_of.get(seq, "-")] += 1
    right = sum(c.most_common(1)[0][0] == key[2] for key, c in by_doc.items())
    return f1, right, len(by_doc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--workspace", type=Path, required=True)
    ap.add_argument("--counts", default="0,1,3,5,10")
    ap.add_argument("--deliveries", default="dev-folders,dev-stack")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--blind", action="store_true",
                    help="a vocabulary without title and body cues (as for templates it never saw)")
    args = ap.parse_args()
    vocab = blind_vocabulary() if args.blind else default_vocabulary()
    if args.blind:
        print("BLIND: the vocabulary has no title or body cues; only layout rules and what is learned")
    counts = [int(x) for x in args.counts.split(",")]
    print("k = corrected dossiers; scores on the batch's OTHER dossiers (same templates), after learn + re-plan")
    print(f"{'delivery':12s} {'k':>3s} {'others':>6s} {'boundary F1':>11s} {'types':>13s} "
          f"{'learn LOO types':>16s} {'LOO F1':>7s} {'learn s':>8s}")
    with tempfile.TemporaryDirectory(prefix="bench-learn-") as tmp:
        for name in args.deliveries.split(","):
            for k in counts:
                ws = copy_workspace(args.workspace, Path(tmp) / f"{name}-{k}")
                with Store(ws.database) as store:
                    batch = next(b for b in store.batches() if b.name == name)
                    truth, ids = truth_of(args.shared, name, store, batch)
                    order = sorted(ids)
                    random.Random(args.seed).shuffle(order)
                    views = [page_view(pg, ws.page_dir(name, pg.id)) for pg in store.pages(batch.id)]
                    before = plan(store, ws, batch, views, vocab)
                    for dossier in order[:k]:
                        correct(store, batch, before, truth, dossier)
                    loo, learn_s = None, 0.0
                    if k:
                        t0 = time.perf_counter()
                        loo = learn(store, ws, "bench", vocab).loo
                        learn_s = time.perf_counter() - t0
                    after = plan(store, ws, batch, views, vocab)
                    others = set(order[k:])
                    f1, right, total = score(after, truth, others, batch.layout)
                cells = (f"{'-' if f1 is None else f'{f1:.3f}':>11s} {right:>4d}/{total:<3d}={right / total:.3f} "
                         + (f"{loo.types_right:>6d}/{loo.types_total:<3d}={loo.type_accuracy:.3f} "
                            f"{'-' if loo.boundary_f1 is None else f'{loo.boundary_f1:.3f}':>7s} {learn_s:8.1f}"
                            if loo and loo.types_total else f"{'-':>16s} {'-':>7s} {learn_s:8.1f}"))
                print(f"{name:12s} {k:3d} {len(others):6d} {cells}", flush=True)


if __name__ == "__main__":
    main()
