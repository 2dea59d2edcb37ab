"""The learned document model: P(a document starts at this page) and P(type | document).

Two linear models (logistic regression) over word n-grams of the whole text, character n-grams
of the page head and the layout / vocabulary-cue features of ``features``. ``train`` takes
labelled dossiers (the bench: the dev truth of the training folds; later: archivists'
corrections) and returns a ``DocumentModel``; ``save`` writes it versioned (joblib + a JSON
summary of what it was trained on), ``load`` reads it back and refuses another format version.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import joblib
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import Vocabulary
from digitalisering.learning.features import document_features, start_features

FORMAT = 1
"""Version of the saved model; ``load`` refuses other versions (retrain with ``train``)."""
MODEL_FILE, SUMMARY_FILE = "document-model.joblib", "document-model.json"


@dataclass
class LabelledDocument:
    """One document as a person (or the truth) has it: its pages in order and its type."""

    pages: list[PageView]
    type: str


@dataclass
class LabelledDossier:
    documents: list[LabelledDocument]
    source: str = ""
    """Where the labels came from (a batch, a truth file), kept in the summary."""


def _select(rows: list[dict], key: str) -> list:
    return [r[key] for r in rows]


def _pick(key: str) -> FunctionTransformer:
    return FunctionTransformer(_select, kw_args={"key": key})


def _pipeline(c: float) -> Pipeline:
    union = FeatureUnion([
        ("head", Pipeline([("pick", _pick("head")),
                           ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1,
                                                     sublinear_tf=True, max_features=20000))])),
        ("text", Pipeline([("pick", _pick("text")),
                           ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                                     max_features=20000))])),
        ("numeric", Pipeline([("pick", _pick("numeric")), ("dict", DictVectorizer())])),
    ])
    return Pipeline([("features", union),
                     ("clf", LogisticRegression(C=c, max_iter=2000, class_weight="balanced"))])


@dataclass
class DocumentModel:
    starts: Pipeline | None
    types: Pipeline | None
    summary: dict = field(default_factory=dict)

    def start_probability(self, page: PageView, previous: PageView | None, vocab: Vocabulary) -> float:
        if self.starts is None:
            return 0.0
        proba = self.starts.predict_proba([start_features(page, previous, vocab)])[0]
        return float(proba[list(self.starts.classes_).index(True)])

    def type_probabilities(self, pages: list[PageView], vocab: Vocabulary) -> dict[str, float]:
        if self.types is None:
            return {}
        proba = self.types.predict_proba([document_features(pages, vocab)])[0]
        return {str(t): float(p) for t, p in zip(self.types.classes_, proba)}


def start_examples(dossiers: list[LabelledDossier], vocab: Vocabulary) -> tuple[list[dict], list[bool]]:
    """One example per content page: does a document start here (after the previous content page)?"""
    x, y = [], []
    for dossier in dossiers:
        previous = None
        for doc in dossier.documents:
            first = True
            for page in doc.pages:
                if not page.content:
                    continue
                x.append(start_features(page, previous, vocab))
                y.append(first)
                first, previous = False, page
    return x, y


def train(dossiers: list[LabelledDossier], vocab: Vocabulary, c: float = 4.0) -> DocumentModel:
    """A model from labelled dossiers. A part with a single class (no starts, one type) is left
    untrained (None): the split and the classifier then fall back on the vocabulary for it."""
    sx, sy = start_examples(dossiers, vocab)
    starts = _pipeline(c).fit(sx, sy) if len(set(sy)) > 1 else None
    docs = [d for dos in dossiers for d in dos.documents if any(p.content for p in d.pages)]
    tx = [document_features(d.pages, vocab) for d in docs]
    ty = [d.type for d in docs]
    types = _pipeline(c).fit(tx, ty) if len(set(ty)) > 1 else None
    summary = {"format": FORMAT, "trained": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "sources": sorted({d.source for d in dossiers}), "dossiers": len(dossiers),
               "documents": len(docs), "start_examples": len(sy), "types": dict(Counter(ty)), "C": c}
    return DocumentModel(starts, types, summary)


def save(model: DocumentModel, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": FORMAT, "starts": model.starts, "types": model.types}, folder / MODEL_FILE)
    (folder / SUMMARY_FILE).write_text(json.dumps(model.summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder / MODEL_FILE


def load(folder: Path) -> DocumentModel | None:
    """The model saved in ``folder``, or None when there is none (cold start: the vocabulary)."""
    path = folder / MODEL_FILE
    if not path.exists():
        return None
    data = joblib.load(path)
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: model format {data.get('format')}, this version reads {FORMAT}; train it again")
    summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8")) if (folder / SUMMARY_FILE).exists() else {}
    return DocumentModel(data["starts"], data["types"], summary)
