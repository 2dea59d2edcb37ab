"""Leave-one-template-out evaluation of document starts and types (used by bench/split.py).

Every true document of the dev truth names the template it was made from. One fold per template:
the learned model is trained on the documents of every *other* template (of all dev deliveries),
then scored on the documents of the held-out one only:
- boundaries (folder deliveries; stacks are split by separator sheets): "a document starts at this
  page" over the held-out documents' content pages and the first content page after each, as F1;
- types: each held-out document classified on its true pages, accuracy.
Methods per fold:
- ``vocabulary``: the rules and cues of vocabulary.toml alone. The vocabulary was tuned on all dev
  templates: its figures are TUNED-ON figures, not held-out results.
- ``text+layout``: the learned model without any vocabulary (no cue features, no blend): the only
  truly held-out figure. It cannot name a type whose every template is held out.
- ``hybrid``: the learned model with the vocabulary's cue scores as features and its vote blended
  in (``VOCABULARY_WEIGHT``), as ``digitalisering run`` uses it. Its vocabulary part saw the
  held-out template when it was tuned, so these figures lie between held-out and tuned-on.
- ``corpus+t+l`` and ``corpus+hybrid``: the same two, trained on the generated corpus
  (``learning.corpus``) AND the other templates' documents (item (b) of issue 18).
And, before the folds (``report_base``), the shipped base model: trained on the generated corpus
ONLY, so every dev template is held out for it; scored on all dev documents, blind (no vocabulary
cue, no vocabulary vote: a truly held-out figure) and with the shipped vocabulary as run uses it.
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
from digitalisering.documents.model import DocumentPlan
from digitalisering.learning.base import BASE_DOSSIERS, corpus_dossiers, train_base
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
    ocr_s: float = 0.0
    """OCR time of the dossier's pages (from their stored records): the yardstick for the cost."""


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
            stored = store.pages(batch.id)
            views = {(files[p.file_id], p.page_index): page_view(p, workspace.page_dir(name, p.id)) for p in stored}
            ocr_s = {(files[p.file_id], p.page_index): (p.result.get("ocr") or {}).get("seconds", 0.0) for p in stored}
            templates = {(d["id"], doc["index"]): doc["template"] for d in truth["dossiers"] for doc in d["documents"]}
            by_dossier: dict[str, dict[int, TruthDoc]] = {}
            seconds: Counter = Counter()
            for tp in truth["pages"]:
                seconds[tp["dossier_id"]] += ocr_s[(tp["file"], tp["page_index"])]
                if tp["is_separator"]:
                    continue
                docs = by_dossier.setdefault(tp["dossier_id"], {})
                key = tp["document_index"]
                if key not in docs:
                    docs[key] = TruthDoc([], tp["document_type"], templates[(tp["dossier_id"], key)])
                docs[key].pages.append(views[(tp["file"], tp["page_index"])])
            for dossier_id, docs in by_dossier.items():
                out.append(TruthDossier(name, layout, dossier_id, [docs[k] for k in sorted(docs)], seconds[dossier_id]))
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
    """Hybrid split + classify time in this fold."""
    decided_ocr_s: float
    """OCR time of the dossiers the fold split (folders) and of the documents it typed."""


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


METHODS = ("vocabulary", "text+layout", "hybrid", "corpus+t+l", "corpus+hybrid")


def evaluate_fold(dossiers: list[TruthDossier], template: str, vocab: Vocabulary, blind: Vocabulary,
                  corpus: list[LabelledDossier], methods: tuple[str, ...] = METHODS) -> FoldScore:
    t0 = time.perf_counter()
    training = _training(dossiers, template)
    model = train(training, vocab)
    train_s = time.perf_counter() - t0
    models = {"vocabulary": None, "text+layout": train(training, vocab, cues=False, vocabulary_weight=0.0),
              "hybrid": model}
    if "corpus+t+l" in methods:
        models["corpus+t+l"] = train(corpus + training, blind, cues=False, vocabulary_weight=0.0)
    if "corpus+hybrid" in methods:
        models["corpus+hybrid"] = train(corpus + training, vocab)
    vocab_of = {m: (blind if m == "corpus+t+l" else vocab) for m in models}
    boundary = {m: [0, 0, 0] for m in models}
    types: dict[str, list] = {m: [] for m in models}
    n_docs = 0
    decide_s = ocr_s = 0.0
    for dos in dossiers:
        held = [d for d in dos.documents if d.template == template]
        if not held:
            continue
        n_docs += len(held)
        ocr_s += dos.ocr_s * (1 if dos.layout == "folders" else
                              sum(len(d.pages) for d in held) / max(sum(len(d.pages) for d in dos.documents), 1))
        pages = [p for d in dos.documents for p in d.pages]
        by_seq = {p.seq: p for p in pages}
        if dos.layout == "folders":
            scored, starts = _scored_pages(dos, template)
            for method, m in models.items():
                t1 = time.perf_counter()
                docs = split_documents(dos.id, pages, vocab_of[method], Overrides(), model=m)
                if method == "hybrid":
                    decide_s += time.perf_counter() - t1
                ours = {next((s for s in d.pages if by_seq[s].content), d.pages[0]) for d in docs} & scored
                b = boundary[method]
                b[0] += len(ours & starts)
                b[1] += len(ours)
                b[2] += len(starts)
        for doc in held:
            for method, m in models.items():
                plan = DocumentPlan(dos.id, 1, pages=[p.seq for p in doc.pages])
                t1 = time.perf_counter()
                classify_documents([plan], by_seq, vocab_of[method], Overrides(), m)
                if method == "hybrid":
                    decide_s += time.perf_counter() - t1
                types[method].append((doc.type, plan.type, plan.type_confidence))
    return FoldScore(template, n_docs, model.summary["documents"], {k: tuple(v) for k, v in boundary.items()},
                     types, train_s, decide_s, ocr_s)


def report(dossiers: list[TruthDossier], vocab: Vocabulary, blind: Vocabulary,
           methods: tuple[str, ...] = METHODS) -> list[FoldScore]:
    templates = sorted({d.template for dos in dossiers for d in dos.documents})
    corpus = corpus_dossiers(BASE_DOSSIERS) if any(m.startswith("corpus") for m in methods) else []
    folds = [evaluate_fold(dossiers, t, vocab, blind, corpus, methods) for t in templates]
    return _print_folds(folds, tuple(m for m in METHODS if m in methods))


def _print_folds(folds: list[FoldScore], shown: tuple[str, ...]) -> list[FoldScore]:
    METHODS = shown  # noqa: N806 (the columns shown)
    print("\nLeave-one-template-out: per fold the model is trained on every dev document (dev-folders, dev-stack, "
          "dev-planted) of the OTHER templates and scored on the held-out template's documents only.")
    print("'vocabulary' = vocabulary.toml alone, TUNED ON ALL DEV TEMPLATES (not a held-out figure); "
          "'text+layout' = learned, no vocabulary (truly held out); 'hybrid' = learned + vocabulary cues/vote "
          "(its vocabulary part saw the template); 'corpus+t+l' / 'corpus+hybrid' = the same trained on the "
          "generated corpus as well ('corpus+t+l' truly held out).")
    head = "  ".join(f"{m[:11]:>11s}" for m in METHODS)
    print(f"{'held-out template':26s} {'docs':>4s} {'train':>5s} | boundary F1 (folders): {head} | types: {head}")
    totals = {m: [0, 0, 0] for m in METHODS}
    per_type: dict[str, Counter] = defaultdict(Counter)
    confusion: Counter = Counter()
    for f in folds:
        bcells, tcells = [], []
        for m in METHODS:
            tp, no, nt = f.boundary[m]
            for i, v in enumerate((tp, no, nt)):
                totals[m][i] += v
            bcells.append(f"{_f1(tp, no, nt):11.3f}" if nt else f"{'-':>11s}")
            tcells.append(f"{sum(t == o for t, o, _ in f.types[m]) / len(f.types[m]):11.3f}")
            for t, o, _ in f.types[m]:
                per_type[t][m] += t == o
                if m == "hybrid":
                    per_type[t]["n"] += 1
                    confusion[(t, o)] += 1
        print(f"{f.template:26s} {f.documents:4d} {f.train_documents:5d} | {' ' * 23}{'  '.join(bcells)} | "
              f"       {'  '.join(tcells)}")
    n = sum(len(f.types["hybrid"]) for f in folds)
    for m in METHODS:
        right = sum(t == o for f in folds for t, o, _ in f.types[m])
        print(f"  {m:12s}: boundaries F1 {_f1(*totals[m]):.3f} (folders, pooled over folds); "
              f"types {right}/{n} = {right / n:.3f}")
    print("Per type (" + " / ".join(METHODS) + "):")
    for t, c in sorted(per_type.items()):
        print(f"  {t:14s} n={c['n']:3d}  " + "  ".join(f"{c[m] / c['n']:.3f}" for m in METHODS))
    wrong = Counter({k: v for k, v in confusion.items() if k[0] != k[1]})
    print(f"Held-out hybrid type errors (truth, ours): {dict(wrong)}")
    print("Review threshold (hybrid types): threshold -> errors sent to review / all errors, right ones sent / all right")
    decided = [(t == o, c) for f in folds for t, o, c in f.types["hybrid"]]
    for th in sorted({0.5, 0.6, 0.7, REVIEW_BELOW, 0.8, 0.9}):
        err = [c for ok, c in decided if not ok]
        ok = [c for ok, c in decided if ok]
        mark = "  <- REVIEW_BELOW" if th == REVIEW_BELOW else ""
        print(f"  < {th:.2f}: errors {sum(c < th for c in err)}/{len(err)}, right {sum(c < th for c in ok)}/{len(ok)}{mark}")
    decide = sum(f.decide_s for f in folds)
    ocr = sum(f.decided_ocr_s for f in folds)
    print(f"Cost (hybrid): split + classify {decide:.2f} s against {ocr:.0f} s of OCR of the same pages = "
          f"{100 * decide / max(ocr, 1e-9):.2f} % (target <= 5 %); training {sum(f.train_s for f in folds) / len(folds):.1f} s "
          "per fold for the hybrid model (once, not per page)")
    return folds


def _score_all(dossiers: list[TruthDossier], vocab: Vocabulary, model) -> tuple[Counter, dict, float, float]:
    """(confusion (truth, ours, template), boundary counts per delivery, decide seconds, OCR seconds)."""
    confusion: Counter = Counter()
    bounds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    decide_s = ocr_s = 0.0
    for dos in dossiers:
        pages = [p for d in dos.documents for p in d.pages]
        by_seq = {p.seq: p for p in pages}
        ocr_s += dos.ocr_s
        t1 = time.perf_counter()
        if dos.layout == "folders":
            truth = {next((p.seq for p in d.pages if p.content), d.pages[0].seq) for d in dos.documents if d.pages}
            ours = {next((s for s in d.pages if by_seq[s].content), d.pages[0])
                    for d in split_documents(dos.id, pages, vocab, Overrides(), model=model)}
            b = bounds[dos.delivery]
            b[0] += len(truth & ours)
            b[1] += len(ours)
            b[2] += len(truth)
        for doc in dos.documents:
            plan = DocumentPlan(dos.id, 1, pages=[p.seq for p in doc.pages])
            classify_documents([plan], by_seq, vocab, Overrides(), model)
            confusion[(doc.type, plan.type, doc.template)] += 1
        decide_s += time.perf_counter() - t1
    return confusion, dict(bounds), decide_s, ocr_s


def report_base(dossiers: list[TruthDossier], vocab: Vocabulary, blind: Vocabulary) -> dict:
    """Item (a) of issue 18: the base model, trained on the generated corpus only, scored on every
    dev document (each dev template held out). Per template (= per fold), per type, per delivery."""
    t0 = time.perf_counter()
    models = {"base blind": (train_base(blind, cues=False, vocabulary_weight=0.0), blind),
              "base+vocabulary": (train_base(vocab), vocab)}
    train_s = (time.perf_counter() - t0) / 2
    print("\nBase model (trained ONLY on the generated corpus, "
          f"{BASE_DOSSIERS} dossiers; every dev template held out), scored on all dev documents:")
    print("'base blind' = no vocabulary cue or vote (truly held out); 'base+vocabulary' = as run uses it "
          "(the vocabulary was tuned on the dev templates: not a held-out figure).")
    out = {}
    for name, (model, v) in models.items():
        confusion, bounds, decide_s, ocr_s = _score_all(dossiers, v, model)
        out[name] = (confusion, bounds)
        right = sum(n for (t, o, _), n in confusion.items() if t == o)
        total = sum(confusion.values())
        print(f"  {name}: types {right}/{total} = {right / total:.3f}; decision cost {decide_s:.2f} s against "
              f"{ocr_s:.0f} s of OCR = {100 * decide_s / max(ocr_s, 1e-9):.2f} %")
        for delivery, (tp, no, nt) in sorted(bounds.items()):
            p, r = (tp / no if no else 1.0), (tp / nt if nt else 1.0)
            print(f"    boundaries {delivery}: P {p:.3f} R {r:.3f} F1 {_f1(tp, no, nt):.3f}")
    print(f"  {'template (fold)':28s} " + "  ".join(f"{n:>15s}" for n in models))
    templates = sorted({k[2] for k in out["base blind"][0]})
    for tpl in templates:
        cells = []
        for name in models:
            c = out[name][0]
            n = sum(v for k, v in c.items() if k[2] == tpl)
            ok = sum(v for k, v in c.items() if k[2] == tpl and k[0] == k[1])
            cells.append(f"{ok:>4d}/{n:<3d}={ok / n:.3f}")
        print(f"  {tpl:28s} " + "  ".join(f"{c:>15s}" for c in cells))
    print(f"  {'type':28s} " + "  ".join(f"{n:>15s}" for n in models))
    for t in sorted({k[0] for k in out["base blind"][0]}):
        cells = []
        for name in models:
            c = out[name][0]
            n = sum(v for k, v in c.items() if k[0] == t)
            ok = sum(v for k, v in c.items() if k[0] == t and k[1] == t)
            cells.append(f"{ok:>4d}/{n:<3d}={ok / n:.3f}")
        print(f"  {t:28s} " + "  ".join(f"{c:>15s}" for c in cells))
    for name in models:
        wrong = Counter()
        for (t, o, _), v in out[name][0].items():
            if t != o:
                wrong[(t, o)] += v
        print(f"  {name} errors (truth, ours): {dict(wrong)}")
    print(f"  training {train_s:.1f} s per base model (once per workspace, then cached)")
    return out
