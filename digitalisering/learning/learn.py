"""``digitalisering learn``: the municipality's models from its archivists' corrections.

What it learns from, for every batch in the state database (SQLite or PostgreSQL):
- every dossier someone corrected (a split, merge, type or address correction on it): the whole
  dossier as it now stands (corrections over the current decisions) counts as checked, with
  ``CORRECTED_WEIGHT`` times the weight of
- the uncorrected dossiers whose decisions can be trusted: no document needs review and every
  type is at least ``TRUST`` sure (separator sheets make a stack's boundaries certain).
No page is read again: the split works from the stored page records and words.

It reports the leave-one-out accuracy over the corrected dossiers (each one decided by a model
trained on everything else) and saves a new version in the workspace (``versions``) with a
summary of what it was trained on; ``run`` uses it from then on. The address model is trained
only when archivists corrected addresses (else the package's stays in use).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from digitalisering.corrections import address_corrections, as_overrides, current
from digitalisering.documents.model import BatchPlan, DocumentPlan, PageView
from digitalisering.documents.overrides import Overrides
from digitalisering.documents.pages import page_view
from digitalisering.documents.split import classify_documents, plan_batch, split_documents
from digitalisering.documents.vocabulary import OTHER, Vocabulary, default_vocabulary
from digitalisering.errors import StateError
from digitalisering.learning import versions
from digitalisering.learning.base import BASE_DOSSIERS, CORPUS_WEIGHT, base_model, corpus_dossiers
from digitalisering.learning.model import (VOCABULARY_WEIGHT, DocumentModel, LabelledDocument, LabelledDossier, load,
                                           save, train)
from digitalisering.store import Batch, Store
from digitalisering.workspace import Workspace

TRUST = 0.8
"""An uncorrected type at least this sure (and nothing to review in its dossier) is learned from."""
CORRECTED_WEIGHT = 3
"""A corrected dossier counts this many times an uncorrected one."""
LOO_MAX = 10
"""Leave-one-out over at most this many corrected dossiers (the latest): it trains once per dossier."""
LOO_CORPUS_DOSSIERS = 40
"""The generated corpus under each leave-one-out model is this small (training time; the final
model has ``base.BASE_DOSSIERS``): the figure is of a slightly weaker model than the one saved."""


def load_models(workspace_root: Path) -> tuple[DocumentModel | None, object | None, str | None]:
    """(document model, address model, version) of the workspace's current version; Nones when
    nothing was learned (the vocabulary and the package's address model decide)."""
    return load_version(versions.current(workspace_root))


def load_version(version: versions.ModelVersion | None) -> tuple[DocumentModel | None, object | None, str | None]:
    """(document model, address model, version name) of ``version``; Nones for None."""
    if version is None:
        return None, None, None
    document = load(version.folder) if version.has_document_model else None
    if document is not None:
        document.summary.setdefault("version", version.name)
    address = None
    if version.address_model_path is not None:
        from digitalisering.bag.roles import AddressModel
        address = AddressModel.load(version.address_model_path)
    return document, address, version.name


@dataclass
class BatchData:
    batch: Batch
    views: dict[int, PageView]
    plan: BatchPlan
    corrected: set[str]
    """Dossier ids someone corrected."""


@dataclass
class TrainingData:
    corrected: list[LabelledDossier] = field(default_factory=list)
    trusted: list[LabelledDossier] = field(default_factory=list)
    address_examples: list[tuple[dict, bool]] = field(default_factory=list)
    address_corrected: int = 0
    """Dossiers with an address correction."""
    batches: list[str] = field(default_factory=list)


def _corrected_dossiers(plan: BatchPlan, corrections: list) -> set[str]:
    seqs = {c.page_seq for c in current(corrections) if c.page_seq is not None}
    named = {c.dossier for c in current(corrections) if c.kind == "address" and c.dossier}
    return {d.id for d in plan.dossiers if seqs & set(d.pages) or d.id in named}


def batch_data(store: Store, workspace: Workspace, batch: Batch, vocab: Vocabulary,
               model: DocumentModel | None) -> BatchData:
    """The batch as it is decided now (the current model, the corrections over it)."""
    corrections = store.corrections(batch.id)
    views = {p.seq: page_view(p, workspace.page_dir(batch.name, p.id)) for p in store.pages(batch.id)}
    plan = plan_batch(batch.layout, list(views.values()), vocab, as_overrides(corrections), model)
    return BatchData(batch, views, plan, _corrected_dossiers(plan, corrections))


def _labelled(data: BatchData, dossier) -> LabelledDossier:
    return LabelledDossier([LabelledDocument([data.views[s] for s in doc.pages], doc.type)
                            for doc in dossier.documents], source=f"{data.batch.name}/{dossier.id}")


def _trusted(dossier) -> bool:
    """Nothing to review, every type sure and named ('overig' is the absence of evidence)."""
    return bool(dossier.documents) and all(not d.needs_review and d.type_confidence >= TRUST and d.type != OTHER
                                           for d in dossier.documents)


def training_data(store: Store, workspace: Workspace, vocab: Vocabulary,
                  model: DocumentModel | None, address_model=None) -> tuple[TrainingData, list[BatchData]]:
    out = TrainingData()
    all_batches = []
    for batch in store.batches():
        data = batch_data(store, workspace, batch, vocab, model)
        all_batches.append(data)
        out.batches.append(batch.name)
        for dossier in data.plan.dossiers:
            if dossier.id in data.corrected:
                out.corrected.append(_labelled(data, dossier))
            elif _trusted(dossier):
                out.trusted.append(_labelled(data, dossier))
        _address_examples(store, workspace, data, address_model, out)
    return out, all_batches


def _address_examples(store: Store, workspace: Workspace, data: BatchData, address_model, out: TrainingData) -> None:
    """Address candidates of the batch labelled by the archivists' address corrections (their
    dossiers) and by sure decisions (P(object) >= TRUST or <= 1 - TRUST) elsewhere."""
    from digitalisering.bag.index import INDEX_FILE
    from digitalisering.bag.link import BagIndex, link_plan
    from digitalisering.bag.roles import candidates, default_model

    fixes = address_corrections(store.corrections(data.batch.id))
    if not fixes or not (workspace.root / INDEX_FILE).exists():
        return
    index = BagIndex(workspace.root / INDEX_FILE)
    try:
        found = link_plan(index, data.plan, data.views, address_model)
    finally:
        index.close()
    model = address_model or default_model()
    for dossier in data.plan.dossiers:
        per_doc = [found.documents.get(d.id, []) for d in dossier.documents]
        types = [d.type for d in dossier.documents]
        chosen = {n for a in found.dossiers.get(dossier.id, []) for n in a.nummeraanduiding_ids}
        mine = fixes.get(dossier.id)
        if mine:
            out.address_corrected += 1
            objects = (chosen | {n for n, yes in mine.items() if yes}) - {n for n, yes in mine.items() if not yes}
        for cand in candidates(per_doc, types):
            if cand.key[0] == "corner":
                continue
            if mine:
                out.address_examples.extend([(cand.features, bool(cand.ids & objects))] * CORRECTED_WEIGHT)
            elif model is not None:
                p = model.probability(cand.features)
                if p >= TRUST or p <= 1 - TRUST:
                    out.address_examples.append((cand.features, p >= TRUST))


@dataclass
class LeaveOneOut:
    dossiers: int = 0
    types_right: int = 0
    types_total: int = 0
    boundaries_tp: int = 0
    boundaries_ours: int = 0
    boundaries_truth: int = 0

    @property
    def type_accuracy(self) -> float | None:
        return self.types_right / self.types_total if self.types_total else None

    @property
    def boundary_f1(self) -> float | None:
        if not self.boundaries_truth:
            return None
        p = self.boundaries_tp / self.boundaries_ours if self.boundaries_ours else 1.0
        r = self.boundaries_tp / self.boundaries_truth
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict:
        return {"dossiers": self.dossiers, "types_right": self.types_right, "types_total": self.types_total,
                "type_accuracy": self.type_accuracy, "boundary_f1": self.boundary_f1}


def score_dossier(model: DocumentModel | None, dossier: LabelledDossier, vocab: Vocabulary, score: LeaveOneOut,
                  split: bool = True) -> None:
    """Decide a labelled dossier with ``model`` and add how right it was to ``score``: the type of
    each of its documents (on its true pages) and, when ``split``, its document starts."""
    pages = [p for d in dossier.documents for p in d.pages]
    by_seq = {p.seq: p for p in pages}
    score.dossiers += 1
    for doc in dossier.documents:
        plan = DocumentPlan("x", 1, pages=[p.seq for p in doc.pages])
        classify_documents([plan], by_seq, vocab, Overrides(), model)
        score.types_total += 1
        score.types_right += plan.type == doc.type
    if split:
        truth = {next((p.seq for p in d.pages if p.content), d.pages[0].seq) for d in dossier.documents if d.pages}
        ours = {next((s for s in d.pages if by_seq[s].content), d.pages[0])
                for d in split_documents("x", pages, vocab, Overrides(), model=model)}
        score.boundaries_tp += len(truth & ours)
        score.boundaries_ours += len(ours)
        score.boundaries_truth += len(truth)


VOCABULARY_WEIGHTS = (VOCABULARY_WEIGHT, VOCABULARY_WEIGHT / 2, 0.0)
"""The vocabulary's share in a decision that learn chooses from, by the leave-one-out score: the
shipped vocabulary knows the dev forms, not necessarily the municipality's; where it does not,
its "no start here" and its silence on a type only hold the learned model back."""


def _sum(score: LeaveOneOut) -> float:
    return (score.type_accuracy or 0.0) + (score.boundary_f1 or 0.0)


def _with_corpus(corrected: list[LabelledDossier], trusted: list[LabelledDossier],
                 corpus_size: int) -> list[LabelledDossier]:
    """The training set of a municipality's model: the generated corpus underneath (its types and
    forms where the archive has corrected nothing yet), the trusted and the corrected dossiers."""
    for d in corrected:
        d.weight = CORRECTED_WEIGHT
    return corpus_dossiers(corpus_size, weight=CORPUS_WEIGHT) + list(trusted) + list(corrected)


def leave_one_out(corrected: list[LabelledDossier], trusted: list[LabelledDossier], vocab: Vocabulary,
                  split_sources: set[str]) -> tuple[LeaveOneOut, float]:
    """Each corrected dossier decided by a model trained on all the others (``split_sources``: the
    dossiers of folder deliveries, whose boundaries the model decides), for every vocabulary
    weight of ``VOCABULARY_WEIGHTS``: (the best score, its weight).
    The figure is the one of the weight chosen on it, so slightly optimistic. Ties keep the smaller
    weight: with the generated corpus underneath, the model knows every type, and the vocabulary's
    vote only holds it back on forms the vocabulary does not know (bench/learn.py --blind,
    dev-folders, 1 corrected dossier: types 57/64 with weight 0.4, 64/64 with 0; both tie in the
    leave-one-out of that one dossier)."""
    scores = {w: LeaveOneOut() for w in VOCABULARY_WEIGHTS}
    for held in corrected[-LOO_MAX:]:
        rest = [d for d in corrected if d is not held]
        model = train(_with_corpus(rest, trusted, LOO_CORPUS_DOSSIERS), vocab)
        for w, score in scores.items():
            model.vocabulary_weight = w
            score_dossier(model, held, vocab, score, split=held.source in split_sources)
    best = max(VOCABULARY_WEIGHTS, key=lambda w: (_sum(scores[w]), -w))
    return scores[best], best


@dataclass
class LearnReport:
    version: str
    folder: Path
    corrected: int
    trusted: int
    documents: int
    types: dict[str, int]
    loo: LeaveOneOut
    vocabulary_weight: float
    address_model: dict | None
    """What the address model was trained on (None: not trained, the package's is used)."""


def learn(store: Store, workspace: Workspace, who: str, vocab: Vocabulary | None = None) -> LearnReport:
    """Train the document model (and the address model when addresses were corrected) from the
    corrections and the trusted decisions of every batch; save it as a new current version."""
    vocab = vocab or default_vocabulary()
    model, address_model, _ = load_models(workspace.root)
    if model is None:  # what run decides with before anything is learned
        model = base_model(vocab, versions.model_root(workspace.root))
    data, batches = training_data(store, workspace, vocab, model, address_model)
    if not data.corrected:
        raise StateError("nothing to learn from: no dossier has been corrected yet "
                         "(corrections are made in the review page or with run --overrides)")
    folders = {f"{b.batch.name}/{d.id}" for b in batches if b.batch.layout == "folders" for d in b.plan.dossiers}
    loo, weight = leave_one_out(data.corrected, data.trusted, vocab, folders)
    learned = train(_with_corpus(data.corrected, data.trusted, BASE_DOSSIERS), vocab, vocabulary_weight=weight)
    addr_summary = None
    address_trained = None
    labels = Counter(y for _, y in data.address_examples)
    if data.address_corrected and len(labels) == 2:
        from digitalisering.bag.roles import train as train_addresses
        address_trained = train_addresses(data.address_examples, {"dossiers_corrected": data.address_corrected})
        addr_summary = address_trained.summary
    learned_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def write(version: versions.ModelVersion) -> None:  # into a scratch folder, renamed whole
        learned.summary.update({
            "version": version.name, "by": who, "batches": data.batches,
            "corrected_dossiers": len(data.corrected), "trusted_dossiers": len(data.trusted),
            "corrected_weight": CORRECTED_WEIGHT, "trust": TRUST, "vocabulary_weight": weight,
            "corpus": {"dossiers": BASE_DOSSIERS, "weight": CORPUS_WEIGHT},
            "corrected_sources": [d.source for d in data.corrected],
            "leave_one_out": loo.to_json(), "address_model": addr_summary, "learned_at": learned_at,
        })
        save(learned, version.folder)
        if address_trained is not None:
            address_trained.summary["version"] = version.name
            address_trained.save(version.folder / versions.ADDRESS_MODEL_FILE)

    version = versions.save_version(workspace.root, write)
    versions.make_current(workspace.root, version)
    store.log(None, who, "learn", version=version.name, corrected=len(data.corrected), trusted=len(data.trusted),
              leave_one_out=loo.to_json(), address_model=addr_summary is not None)
    docs = [d for dos in data.corrected + data.trusted for d in dos.documents]
    return LearnReport(version.name, version.folder, len(data.corrected), len(data.trusted), len(docs),
                       dict(Counter(d.type for d in docs)), loo, weight, addr_summary)
