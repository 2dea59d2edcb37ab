"""Leave-one-template-out evaluation of document starts and types (used by bench/split.py).

Every true document of the dev truth names the template it was made from. One fold per template:
the learned model is trained on the documents of every *other* template (of all dev deliveries),
then scored on the documents of the held-out one only:
- boundaries (folder deliveries; stacks are split by separator sheets): "a document starts at this
  page" over the held-out documents' content pages and the first content page after each, as F1;
- types: each held-out document classified on its true pages, accuracy.
The vocabulary was tuned on all dev templates: its figures on the same folds are tuned-on figures,
shown beside the learned ones, not held-out results.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from digitalisering.documents.model import PageView
from digitalisering.documents.overrides import Overrides
from digitalisering.documents.pages import page_view
from digitalisering.documents.split import REVIEW_BELOW, classify_documents, split_documents
from digitalisering.documents.vocabulary import Vocabulary
from digitalisering.learning.model import LabelledDocument, LabelledDossier, train
from digitalisering.store import Store
from digitalisering.workspace import Workspace


@dataclass
class TruthDoc:
    pages: list[PageView]
    type: str
    template: str


@dataclass
class TruthDossier:
    delivery: str
    layout: str
    id: str
    documents: list[TruthDoc]


def load_truth(ws: Path, shared: Path, names: list[str]) -> list[TruthDossier]:
    """The dev deliveries' pages as stored in workspace ``ws`` (OCR words read from its work
    folders, nothing run again), grouped by their true dossiers and documents."""
    workspace = Workspace.open(ws)
    out: list[TruthDossier] = []
    with Store(workspace.database) as store:
        for name in names:
            truth = json.loads((shared / "data/dossiers" / f"{name}.truth.json").read_text())
            layout = truth["generator"]["layout"]
            batch = next(b for b in store.batches() if b.name == name)
            files = {f.id: f.relpath for f in store.files(batch.id)}
            views = {(files[p.file_id], p.page_index): page_view(p, workspace.page_dir(name, p.id))
                     for p in store.pages(batch.id)}
            templates = {(d["id"], doc["index"]): doc["template"] for d in truth["dossiers"] for doc in d["documents"]}
            by_dossier: dict[str, dict[int, TruthDoc]] = {}
            for tp in truth["pages"]:
                if tp["is_separator"]:
                    continue
                docs = by_dossier.setdefault(tp["dossier_id"], {})
                key = tp["document_index"]
                if key not in docs:
                    docs[key] = TruthDoc([], tp["document_type"], templates[(tp["dossier_id"], key)])
                docs[key].pages.append(views[(tp["file"], tp["page_index"])])
            for dossier_id, docs in by_dossier.items():
                out.append(TruthDossier(name, layout, dossier_id, [docs[k] for k in sorted(docs)]))
    return out


def _training(dossiers: list[TruthDossier], held_out: str) -> list[LabelledDossier]:
    """The dossiers without the held-out template's documents (their pages are not seen at all)."""
    return [LabelledDossier([LabelledDocument(d.pages, d.type) for d in dos.documents if d.template != held_out],
                            source=f"{dos.delivery}/{dos.id}") for dos in dossiers]


def _f1(tp: int, n_ours: int, n_truth: int) -> float:
    p = tp / n_ours if n_ours else 1.0
    r = tp / n_truth if n_truth else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class FoldScore:
    template: str
    documents: int
    train_documents: int
    boundary: dict[str, tuple[int, int, int]]
    """method -> (true positives, our starts, true starts) on the held-out pages."""
    types: dict[str, list[tuple[str, str, float]]]
    """method -> (truth, ours, confidence) per held-out document."""
    train_s: float
    decide_s: float


def _scored_pages(dos: TruthDossier, template: str) -> tuple[set[int], set[int]]:
    """(pages scored, true starts among them): the held-out documents' content pages and the first
    content page after each of them."""
    scored, starts = set(), set()
    for i, doc in enumerate(dos.documents):
        content = [p.seq for p in doc.pages if p.content]
        if doc.template == template:
            scored.update(content)
            starts.update(content[:1])
            nxt = next((p.seq for d in dos.documents[i + 1:] for p in d.pages if p.content), None)
            if nxt is not None:
                scored.add(nxt)
                starts.add(nxt)
    return scored, starts


def evaluate_fold(dossiers: list[TruthDossier], template: str, vocab: Vocabulary) -> FoldScore:
    t0 = time.perf_counter()
    model = train(_training(dossiers, template), vocab)
    train_s = time.perf_counter() - t0
    boundary = {"vocabulary": [0, 0, 0], "learned": [0, 0, 0]}
    types: dict[str, list] = {"vocabulary": [], "learned": []}
    n_docs = 0
    decide_s = 0.0
    for dos in dossiers:
        held = [d for d in dos.documents if d.template == template]
        if not held:
            continue
        n_docs += len(held)
        pages = [p for d in dos.documents for p in d.pages]
        by_seq = {p.seq: p for p in pages}
        if dos.layout == "folders":
            scored, starts = _scored_pages(dos, template)
            for method, m in (("vocabulary", None), ("learned", model)):
                t1 = time.perf_counter()
                docs = split_documents(dos.id, pages, vocab, Overrides(), model=m)
                if m is not None:
                    decide_s += time.perf_counter() - t1
                ours = {next((s for s in d.pages if by_seq[s].content), d.pages[0]) for d in docs} & scored
                b = boundary[method]
                b[0] += len(ours & starts)
                b[1] += len(ours)
                b[2] += len(starts)
        for doc in held:
            for method, m in (("vocabulary", None), ("learned", model)):
                from digitalisering.documents.model import DocumentPlan
                plan = DocumentPlan(dos.id, 1, pages=[p.seq for p in doc.pages])
                t1 = time.perf_counter()
                classify_documents([plan], by_seq, vocab, Overrides(), m)
                if m is not None:
                    decide_s += time.perf_counter() - t1
                types[method].append((doc.type, plan.type, plan.type_confidence))
    return FoldScore(template, n_docs, model.summary["documents"], {k: tuple(v) for k, v in boundary.items()},
                     types, train_s, decide_s)


def report(dossiers: list[TruthDossier], vocab: Vocabulary) -> list[FoldScore]:
    templates = sorted({d.template for dos in dossiers for d in dos.documents})
    folds = [evaluate_fold(dossiers, t, vocab) for t in templates]
    print("\nLeave-one-template-out (the learned model trained on all dev documents of the other templates, "
          "scored on the held-out template only).")
    print("Vocabulary columns: the vocabulary was tuned on every dev template, so they are TUNED-ON figures.")
    print(f"{'held-out template':28s} {'docs':>4s} {'train':>5s}  {'bF1 voc':>7s} {'bF1 learn':>9s}  "
          f"{'type voc':>8s} {'type learn':>10s}")
    totals = {m: [0, 0, 0] for m in ("vocabulary", "learned")}
    per_type: dict[str, Counter] = defaultdict(Counter)
    confusion: Counter = Counter()
    review = Counter()
    for f in folds:
        cells = []
        for m in ("vocabulary", "learned"):
            tp, no, nt = f.boundary[m]
            for i, v in enumerate((tp, no, nt)):
                totals[m][i] += v
            cells.append(f"{_f1(tp, no, nt):.3f}" if nt else "  -  ")
        acc = {m: sum(t == o for t, o, _ in f.types[m]) / len(f.types[m]) for m in f.types}
        print(f"{f.template:28s} {f.documents:4d} {f.train_documents:5d}  {cells[0]:>7s} {cells[1]:>9s}  "
              f"{acc['vocabulary']:8.3f} {acc['learned']:10.3f}")
        for t, o, c in f.types["learned"]:
            per_type[t]["n"] += 1
            per_type[t]["right"] += t == o
            confusion[(t, o)] += 1
            review[(t == o, c < REVIEW_BELOW)] += 1
        for t, o, _ in f.types["vocabulary"]:
            per_type[t]["voc"] += t == o
    n = sum(len(f.types["learned"]) for f in folds)
    for m in ("vocabulary", "learned"):
        right = sum(t == o for f in folds for t, o, _ in f.types[m])
        print(f"  {m:10s}: boundaries F1 {_f1(*totals[m]):.3f} (folders, pooled over folds); "
              f"types {right}/{n} = {right / n:.3f}")
    print("Per type (held-out, learned; vocabulary tuned-on in brackets):")
    for t, c in sorted(per_type.items()):
        print(f"  {t:14s} {c['right']}/{c['n']} = {c['right'] / c['n']:.3f}  ({c['voc'] / c['n']:.3f})")
    wrong = [(t, o) for (t, o), v in confusion.items() if t != o for _ in range(v)]
    print(f"Held-out type errors (truth -> ours): {dict(Counter(wrong))}")
    print(f"Review at confidence < {REVIEW_BELOW}: errors sent {review[(False, True)]}/"
          f"{review[(False, True)] + review[(False, False)]}, right ones sent {review[(True, True)]}/"
          f"{review[(True, True)] + review[(True, False)]}")
    return folds
