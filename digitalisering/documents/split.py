"""Dossier and document boundaries.

Stack layout: the separator sheets decide. ``DOSSIER:<id>`` starts a dossier (its id from the
barcode), ``PATCHT`` or patch code T starts a document. Pages before the first dossier sheet
belong nowhere: they are reported, never attached to a guess.

Folder layout: one dossier per folder; a new document starts where a page opens one and does not
continue the previous one:
- a page number above 1 at the top or bottom ("- 2 -", "blad 2") continues the document;
- a drawing after a drawing continues the set unless its title block says sheet 1 ("BLAD 1 van 2")
  or it has another paper size;
- otherwise a title or opening on its first lines ("AANVRAGE OM BOUWVERGUNNING", "Geachte heer",
  "PROCES-VERBAAL") starts one, as does a change between large-format sheets and office paper,
  or a page that is clearly of another type than the document so far.
Blank back sides and failed pages stay with the page before them.

With a learned model (``digitalisering/learning``), the page-number and drawing-sheet rules still
decide first (a page number above 1 is a continuation); every other page starts a document when the
model's P(start) is at least one half, the vocabulary's cues being among the model's features.
Types come from the model's most probable type. Each document keeps the confidence of both
decisions; those below ``REVIEW_BELOW`` are marked ``needs_review`` for QA.

Operator overrides (``overrides.py``) force or remove a boundary at a page and set types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from digitalisering.documents.classify import TypeScore, is_continuation, score_pages, sheet_number, title_hits
from digitalisering.documents.model import BatchPlan, DocumentPlan, DossierPlan, PageView
from digitalisering.documents.overrides import Overrides
from digitalisering.documents.vocabulary import OTHER, Vocabulary, default_vocabulary
from digitalisering.i18n import gettext, ngettext
from digitalisering.naming import printable

if TYPE_CHECKING:  # scikit-learn is imported only when a model is used
    from digitalisering.learning.model import DocumentModel

MIN_TITLE_WEIGHT = 3.0
"""Title cues on a page must weigh at least this much together to open a document."""
TYPE_CHANGE_FACTOR = 2.0
"""A page whose own type differs opens a document when it scores this many times min_score."""
REVIEW_BELOW = 0.6
"""Boundaries and types less sure than this go to a person (``needs_review``). bench/split.py,
leave-one-template-out, hybrid types on the dev deliveries: below 0.6 lie 5 of the 5 held-out
errors and 59 of the 163 right types (below 0.5: 1 of 5 errors, 44 right)."""


def _model_start(page: PageView, previous: PageView | None, current: list[PageView], vocab: Vocabulary,
                 model: DocumentModel, cache: dict[int, TypeScore]) -> tuple[str | None, float]:
    """The learned decision at ``page``, the vocabulary's rules blended in: (reason or None, P(start))."""
    if is_continuation(page, vocab):
        return None, 0.0
    sheet = sheet_number(page, vocab)
    if sheet is not None and previous is not None and previous.large_format:
        return ("drawing sheet 1", 1.0) if sheet == 1 else (None, 0.0)
    rule = _start_reason(page, previous, current, vocab, cache)
    learned = model.start_probability(page, previous, vocab)
    w = model.vocabulary_weight
    p = (1 - w) * learned + w * (rule is not None)
    if p < 0.5:
        return None, p
    return f"model P(start) {p:.2f} (learned {learned:.2f}; vocabulary: {rule or 'no start'})", p


def _start_reason(page: PageView, previous: PageView | None, current: list[PageView], vocab: Vocabulary,
                  cache: dict[int, TypeScore]) -> str | None:
    """Why ``page`` opens a new document after the ``current`` one, or None when it continues it."""
    if is_continuation(page, vocab):
        return None
    sheet = sheet_number(page, vocab)
    if sheet is not None and previous is not None and previous.large_format:
        return "drawing sheet 1" if sheet == 1 else None
    titles = title_hits(page, vocab)
    weight = sum(w for hits in titles.values() for _, w in hits)
    if weight >= MIN_TITLE_WEIGHT:
        best = max(titles, key=lambda t: sum(w for _, w in titles[t]))
        return f"title ({best})"
    if previous is not None and page.large_format != previous.large_format:
        return "large format" if page.large_format else "office paper after large format"
    if (previous is not None and page.large_format and page.size_class and previous.size_class
            and page.size_class != previous.size_class):
        return f"drawing of another size ({previous.size_class} -> {page.size_class})"
    mine = cache.setdefault(page.seq, score_pages([page], vocab))
    theirs = score_pages(current, vocab)
    if (mine.type not in (OTHER, theirs.type) and theirs.type != OTHER
            and mine.scores[mine.type] >= TYPE_CHANGE_FACTOR * vocab.min_score):
        return f"type change ({theirs.type} -> {mine.type})"
    return None


def _lower(doc: DocumentPlan, sure: float) -> None:
    doc.boundary_confidence = round(sure if doc.boundary_confidence is None else min(doc.boundary_confidence, sure), 3)


def split_documents(dossier_id: str, pages: list[PageView], vocab: Vocabulary, overrides: Overrides,
                    starts: dict[int, str] | None = None, model: DocumentModel | None = None) -> list[DocumentPlan]:
    """Documents of one dossier. ``starts``: boundaries known beforehand (separator sheets) by the
    seq of the first page after them; when given, the text is not asked. ``model``: the learned
    start model (None: the vocabulary's rules)."""
    docs: list[DocumentPlan] = []
    current: list[PageView] = []
    previous: PageView | None = None
    held: list[int] = []  # blank or failed pages before the first document
    cache: dict[int, TypeScore] = {}
    for page in pages:
        if page.separator is not None:
            continue
        forced = overrides.boundary_at(page.seq)
        if not page.content and forced is None:
            if docs:
                docs[-1].pages.append(page.seq)
            else:
                held.append(page.seq)
            continue
        learned: float | None = None  # P(start) when the model decided at this page
        if not docs:
            reason = (starts or {}).get(page.seq) or "first page"
        elif forced is not None:
            reason = "override: split" if forced else None
        elif starts is not None:
            reason = starts.get(page.seq)
        elif model is not None and model.starts is not None:
            reason, learned = _model_start(page, previous, current, vocab, model, cache)
            if not reason:
                _lower(docs[-1], 1.0 - learned)
        else:
            reason = _start_reason(page, previous, current, vocab, cache)
        if not reason and forced is False and docs:
            docs[-1].decided_by["boundary"] = "correction"  # a merge: its extent is a person's
        if reason:
            if forced:
                by = "correction"
            elif not docs:
                by = "separator" if (starts or {}).get(page.seq) else "dossier start"
            elif starts is not None:
                by = "separator"
            else:
                by = "model" if learned is not None else "vocabulary"
            docs.append(DocumentPlan(dossier_id, len(docs) + 1, boundary=reason, decided_by={"boundary": by}))
            if learned is not None:
                _lower(docs[-1], learned)
            current = []
            if held:
                docs[-1].pages.extend(held)
                held = []
        docs[-1].pages.append(page.seq)
        if page.content:
            current.append(page)
            previous = page
    if held and docs:
        docs[-1].pages.extend(held)
    elif held:  # nothing but blank or failed pages
        docs.append(DocumentPlan(dossier_id, 1, pages=held, boundary="first page",
                                 decided_by={"boundary": "dossier start"}))
    return docs


def _vocabulary_shares(result: TypeScore, vocab: Vocabulary) -> dict[str, float]:
    """The vocabulary's scores as a distribution: each type's share of the evidence; all on
    ``overig`` when no type reaches ``min_score``."""
    if result.type == OTHER:
        return {OTHER: 1.0}
    total = sum(v for v in result.scores.values() if v > 0)
    return {t: v / total for t, v in result.scores.items() if v > 0}


def classify_documents(docs: list[DocumentPlan], by_seq: dict[int, PageView], vocab: Vocabulary,
                       overrides: Overrides, model: DocumentModel | None = None) -> None:
    """Type every document: an override, else the learned model's most probable type (the
    vocabulary's evidence kept beside it), else the vocabulary alone. Marks ``needs_review``."""
    for doc in docs:
        forced = overrides.type_for(doc.pages)
        if forced:
            doc.type, doc.type_confidence, doc.evidence = forced, 1.0, ["override"]
            doc.decided_by["type"] = "correction"
        else:
            pages = [by_seq[s] for s in doc.pages]
            result = score_pages(pages, vocab)
            doc.type, doc.type_confidence, doc.evidence = result.type, result.confidence, result.evidence
            doc.decided_by["type"] = "vocabulary"
            learned = model.type_probabilities(pages, vocab) if model is not None else {}
            if learned:
                shares = _vocabulary_shares(result, vocab)
                # too little evidence for any type is no evidence for 'overig': the vocabulary
                # abstains and the model decides (forms the vocabulary does not know)
                w = model.vocabulary_weight if result.type != OTHER else 0.0
                proba = {t: (1 - w) * learned.get(t, 0.0) + w * shares.get(t, 0.0)
                         for t in set(learned) | set(shares)}
                best = max(proba, key=proba.get)
                doc.decided_by["type"] = "model"
                doc.type, doc.type_confidence = best, round(proba[best], 3)
                doc.evidence = [f"model: P({best}) {proba[best]:.2f} (learned {learned.get(best, 0.0):.2f}, "
                                f"vocabulary {shares.get(best, 0.0):.2f})"] + [
                    e for e in score_pages(pages, vocab).evidence if e.startswith(best + ":")]
            if doc.type_confidence < REVIEW_BELOW:
                doc.needs_review.append("type")
        if doc.boundary_confidence is not None and doc.boundary_confidence < REVIEW_BELOW \
                and overrides.boundary_at(doc.pages[0]) is None:
            doc.needs_review.append("boundary")


def plan_batch(layout: str, pages: list[PageView], vocab: Vocabulary | None = None,
               overrides: Overrides | None = None, model: DocumentModel | None = None) -> BatchPlan:
    """Dossiers and typed documents of a batch's pages (in seq order); ``model``: the learned
    document model when one is trained (None: the vocabulary only, the cold start)."""
    vocab = vocab or default_vocabulary()
    overrides = overrides or Overrides()
    pages = sorted(pages, key=lambda p: p.seq)
    plan = BatchPlan()
    by_seq = {p.seq: p for p in pages}
    if layout == "stack":
        _plan_stack(pages, plan, vocab, overrides)
    else:
        order: dict[str, list[PageView]] = {}
        for page in pages:
            order.setdefault(page.folder or "", []).append(page)
        for folder, members in order.items():
            dossier = DossierPlan(folder, [p.seq for p in members])
            dossier.documents = split_documents(folder, members, vocab, overrides, model=model)
            plan.dossiers.append(dossier)
    for dossier in plan.dossiers:
        classify_documents(dossier.documents, by_seq, vocab, overrides, model)
    return plan


def _plan_stack(pages: list[PageView], plan: BatchPlan, vocab: Vocabulary, overrides: Overrides) -> None:
    groups: dict[str, tuple[DossierPlan, list[PageView], dict[int, str]]] = {}
    current: tuple[DossierPlan, list[PageView], dict[int, str]] | None = None
    pending_start: str | None = None
    loose: list[str] = []
    for page in pages:
        sep = page.separator
        if sep is not None and sep.kind == "dossier":
            # a barcode may carry control characters, which no XMP, ALTO or MDTO file can hold
            dossier_id = printable(sep.dossier_id or sep.payload)
            if dossier_id in groups:
                plan.problems.append(gettext("{place}: dossier {dossier} starts a second time; its pages are added "
                                             "to the first part", place=page.place(), dossier=dossier_id))
                current = groups[dossier_id]
            else:
                current = groups[dossier_id] = (DossierPlan(dossier_id), [], {})
                plan.dossiers.append(current[0])
            current[0].pages.append(page.seq)
            pending_start = "separator sheet (dossier)"
            continue
        if current is None:
            plan.unassigned.append(page.seq)
            loose.append(page.place())
            continue
        current[0].pages.append(page.seq)
        if sep is not None:  # a document separator
            pending_start = "separator sheet (document)"
            continue
        current[1].append(page)
        if pending_start and page.content:
            current[2][page.seq] = pending_start
            pending_start = None
    for dossier, members, starts in groups.values():
        dossier.documents = split_documents(dossier.id, members, vocab, overrides, starts=starts)
    if plan.unassigned:
        plan.problems.append(ngettext("{n} page before the first dossier separator sheet (page {pages}) belongs "
                                      "to no dossier", "{n} pages before the first dossier separator sheet (pages {pages}) "
                                      "belong to no dossier", len(plan.unassigned),
                                      pages=", ".join(loose[:10]) + (", ..." if len(loose) > 10 else "")))
