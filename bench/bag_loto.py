"""Leave-one-template-out evaluation of the dossier's address links (used by bench/bag.py).

The unit scored is the dossier: its object addresses as nummeraanduiding ids against the truth's
``num_ids`` (the addresses in ``other_addresses`` are the applicant's, the architect's, the
neighbours' and must not be linked as the object). Precision and recall over ids, as in the
all-data figures.

Folds: one per template T (the truth names each document's template). The held-out dossiers are
those holding a document of template T; a method that learns (``fit``) is given only the OTHER
dossiers, and of them only the documents of other templates: nothing of a held-out dossier and no
document of T is seen. It then decides the held-out dossiers from all their documents. A dossier
holds several templates, so it is held out in several folds: pooled figures are over fold x
dossier (said so where printed). A method without training (the rules) gets the same figures as
on all data, split by fold.

The documents are those of our split (``plan_documents``, what ``run`` writes); each of our
documents gets the template of most of its pages in the truth.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from digitalisering.bag import roles
from digitalisering.bag.link import BagIndex, LinkedAddress, link_plan
from digitalisering.documents.overrides import Overrides
from digitalisering.documents.pages import page_view
from digitalisering.runner.dossier_chain import plan_documents
from digitalisering.store import Store
from digitalisering.workspace import Workspace


@dataclass
class DocSample:
    template: str
    type: str
    addresses: list[LinkedAddress]


@dataclass
class DossierSample:
    delivery: str
    id: str
    documents: list[DocSample]
    truth: set[str]
    """The dossier's object nummeraanduiding ids (truth ``num_ids``)."""
    others: list[dict] = field(default_factory=list)
    """The truth's ``other_addresses`` (role, street, town, written)."""
    truth_addresses: list[dict] = field(default_factory=list)
    """The truth's ``addresses`` (written, forms, mentions, num_ids)."""

    def without(self, template: str) -> "DossierSample":
        return DossierSample(self.delivery, self.id, [d for d in self.documents if d.template != template],
                             self.truth, self.others, self.truth_addresses)

    @property
    def templates(self) -> set[str]:
        return {d.template for d in self.documents}


class Method(Protocol):
    name: str

    def fit(self, dossiers: list[DossierSample]) -> None: ...

    def decide(self, dossier: DossierSample) -> set[str]: ...


def _candidates(dossier: DossierSample) -> list[roles.Candidate]:
    return roles.candidates([d.addresses for d in dossier.documents], [d.type for d in dossier.documents])


class Rules:
    """The role rules used before the address model (``roles.rule_decision``): no training."""

    name = "rules"

    def fit(self, dossiers: list[DossierSample]) -> None:
        return None

    def decide(self, dossier: DossierSample) -> set[str]:
        return {n for c in _candidates(dossier) if roles.rule_decision(c) for n in c.ids}


class Learned:
    """The address model (``roles.train``) fitted on the training dossiers' truth."""

    name = "model"

    def __init__(self, c: float = roles.C):
        self.c = c
        self.model: roles.AddressModel | None = None

    def fit(self, dossiers: list[DossierSample]) -> None:
        examples = [e for d in dossiers
                    for e in roles.labelled([x.addresses for x in d.documents], [x.type for x in d.documents], d.truth)]
        self.model = roles.train(examples, c=self.c)

    def decide(self, dossier: DossierSample) -> set[str]:
        assert self.model is not None
        return {n for c in _candidates(dossier) if c.key[0] != "corner"
                and self.model.probability(c.features) >= self.model.threshold for n in c.ids}


@dataclass
class Loaded:
    dossiers: list[DossierSample]
    pages: int
    ocr_s: float
    link_s: float


def load_samples(ws: Path, shared: Path, names: list[str], index: BagIndex) -> Loaded:
    """Split and link the dev deliveries stored in workspace ``ws`` (no page read again)."""
    import time

    workspace = Workspace.open(ws)
    out: list[DossierSample] = []
    n_pages, ocr_s, link_s = 0, 0.0, 0.0
    with Store(workspace.database) as store:
        for name in names:
            truth = json.loads((shared / "data/dossiers" / f"{name}.truth.json").read_text())
            batch = next(b for b in store.batches() if b.name == name)
            files = {f.id: f.relpath for f in store.files(batch.id)}
            pages = store.pages(batch.id)
            views = [page_view(p, workspace.page_dir(name, p.id)) for p in pages]
            plan = plan_documents(store, workspace, batch, Overrides(), views)
            t0 = time.perf_counter()
            linked = link_plan(index, plan, {v.seq: v for v in views})
            link_s += time.perf_counter() - t0
            n_pages += len(pages)
            ocr_s += sum((p.result.get("ocr") or {}).get("seconds", 0) for p in pages)
            key_of = {p.seq: (files[p.file_id], p.page_index) for p in pages}
            tpages = {(p["file"], p["page_index"]): p for p in truth["pages"]}
            tdossiers = {d["id"]: d for d in truth["dossiers"]}
            templates = {(d["id"], doc["index"]): doc["template"] for d in truth["dossiers"] for doc in d["documents"]}
            seen = set()
            for dossier in plan.dossiers:
                docs = []
                for doc in dossier.documents:
                    votes = Counter((tpages[key_of[s]]["dossier_id"], tpages[key_of[s]]["document_index"])
                                    for s in doc.pages if tpages[key_of[s]]["document_index"] is not None)
                    if not votes:
                        continue
                    true_doc = votes.most_common(1)[0][0]
                    docs.append(DocSample(templates[true_doc], doc.type, linked.documents.get(doc.id, [])))
                t = tdossiers.get(dossier.id)
                if t is None:
                    continue  # a dossier id we got wrong: the split bench reports it
                seen.add(dossier.id)
                out.append(DossierSample(name, dossier.id, docs, set(t["num_ids"]), t["other_addresses"], t["addresses"]))
            for missing in set(tdossiers) - seen:  # every id missed
                t = tdossiers[missing]
                out.append(DossierSample(name, missing, [], set(t["num_ids"]), t["other_addresses"], t["addresses"]))
    return Loaded(out, n_pages, ocr_s, link_s)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    dossiers: int = 0

    def add(self, want: set[str], got: set[str]) -> None:
        self.tp += len(want & got)
        self.fp += len(got - want)
        self.fn += len(want - got)
        self.dossiers += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def cell(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} ({self.tp:3d}/{self.fp:2d}/{self.fn:2d})"


@dataclass
class FoldResult:
    template: str
    train_dossiers: int
    scores: dict[str, Score]
    by_delivery: dict[tuple[str, str], Score]
    """(method, delivery) -> score."""
    errors: list[tuple[str, str, str, set[str], set[str]]]
    """(method, delivery, dossier, missed, false) of the held-out dossiers."""


def evaluate_fold(dossiers: list[DossierSample], template: str, methods: list[Method]) -> FoldResult:
    test = [d for d in dossiers if template in d.templates]
    train = [d.without(template) for d in dossiers if template not in d.templates]
    scores = {m.name: Score() for m in methods}
    by_delivery: dict[tuple[str, str], Score] = defaultdict(Score)
    errors = []
    for m in methods:
        m.fit(train)
        for d in test:
            got = m.decide(d)
            scores[m.name].add(d.truth, got)
            by_delivery[(m.name, d.delivery)].add(d.truth, got)
            if got != d.truth:
                errors.append((m.name, d.delivery, d.id, d.truth - got, got - d.truth))
    return FoldResult(template, len(train), scores, dict(by_delivery), errors)


def all_data(dossiers: list[DossierSample], method: Method) -> dict[str, Score]:
    """The method as ``run`` would use it on every dossier (trained, if it learns, on all of them:
    a TUNED-ON figure for a learned method)."""
    method.fit(dossiers)
    out: dict[str, Score] = defaultdict(Score)
    for d in dossiers:
        got = method.decide(d)
        out[d.delivery].add(d.truth, got)
        out["all"].add(d.truth, got)
    return dict(out)


def report(dossiers: list[DossierSample], methods: list[Method], show_errors: bool = False) -> list[FoldResult]:
    templates = sorted({d.template for dos in dossiers for d in dos.documents})
    folds = [evaluate_fold(dossiers, t, methods) for t in templates]
    names = [m.name for m in methods]
    print("\nLeave-one-template-out, dossier-level address links (nummeraanduiding ids; cells: P R (right/false/missed)).")
    print("Per fold: held out = the dossiers holding a document of the template; a learning method is fitted on the "
          "other dossiers' documents of other templates only.")
    print(f"{'held-out template':26s} {'test':>4s} {'train':>5s} | " + " | ".join(f"{n:^33s}" for n in names))
    pooled = {n: Score() for n in names}
    per_delivery: dict[tuple[str, str], Score] = defaultdict(Score)
    for f in folds:
        cells = []
        for n in names:
            s = f.scores[n]
            cells.append(s.cell())
            for attr in ("tp", "fp", "fn", "dossiers"):
                setattr(pooled[n], attr, getattr(pooled[n], attr) + getattr(s, attr))
        for key, s in f.by_delivery.items():
            p = per_delivery[key]
            p.tp, p.fp, p.fn, p.dossiers = p.tp + s.tp, p.fp + s.fp, p.fn + s.fn, p.dossiers + s.dossiers
        print(f"{f.template:26s} {f.scores[names[0]].dossiers:4d} {f.train_dossiers:5d} | " + " | ".join(cells))
    for n in names:
        print(f"  {n:10s} pooled over folds (fold x dossier): {pooled[n].cell()}  (target P >= 0.97, R >= 0.95)")
    print("Per delivery (pooled over folds):")
    for delivery in sorted({d for _, d in per_delivery}):
        print(f"  {delivery:12s} " + " | ".join(f"{n}: {per_delivery[(n, delivery)].cell()}" for n in names))
    if show_errors:
        seen = set()
        for f in folds:
            for method, delivery, dossier, missed, false in f.errors:
                if (method, dossier) in seen:
                    continue
                seen.add((method, dossier))
                print(f"  {method} {delivery} {dossier} (fold {f.template}): missed {sorted(missed)} false {sorted(false)}")
    return folds
