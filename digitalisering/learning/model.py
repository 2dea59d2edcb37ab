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
    weight: float = 1.0
    """How much each of its examples counts in training (a corrected dossier more than a
    generated one)."""


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


VOCABULARY_WEIGHT = 0.4
"""Share of the vocabulary in a learned decision: P = (1 - w) * P(model) + w * vocabulary, the
vocabulary's vote being 1/0 for a start and its score shares for a type. It keeps the decision
where the model has not seen enough (a type whose only template is new: the model cannot predict
a class it was never shown). bench/split.py leave-one-template-out, types: 0.649 held-out with
w = 0 and cue features, 0.970 with w = 0.4 (the vocabulary itself tuned on all dev templates)."""


@dataclass
class DocumentModel:
    starts: Pipeline | None
    types: Pipeline | None
    summary: dict = field(default_factory=dict)
    cues: bool = True
    """Whether the features hold the vocabulary's cue scores."""
    vocabulary_weight: float = VOCABULARY_WEIGHT

    def start_probability(self, page: PageView, previous: PageView | None, vocab: Vocabulary) -> float:
        if self.starts is None:
            return 0.0
        proba = self.starts.predict_proba([start_features(page, previous, vocab, self.cues)])[0]
        return float(proba[list(self.starts.classes_).index(True)])

    def type_probabilities(self, pages: list[PageView], vocab: Vocabulary) -> dict[str, float]:
        if self.types is None:
            return {}
        proba = self.types.predict_proba([document_features(pages, vocab, self.cues)])[0]
        return {str(t): float(p) for t, p in zip(self.types.classes_, proba)}


def start_examples(dossiers: list[LabelledDossier], vocab: Vocabulary,
                   cues: bool = True, weights: list[float] | None = None) -> tuple[list[dict], list[bool]]:
    """One example per content page: does a document start here (after the previous content page)?
    ``weights``: filled with each example's dossier weight."""
    x, y = [], []
    for dossier in dossiers:
        previous = None
        for doc in dossier.documents:
            first = True
            for page in doc.pages:
                if not page.content:
                    continue
                x.append(start_features(page, previous, vocab, cues))
                y.append(first)
                if weights is not None:
                    weights.append(dossier.weight)
                first, previous = False, page
    return x, y


def _fit(pipeline: Pipeline, x: list, y: list, weights: list[float]) -> Pipeline | None:
    if len(set(y)) < 2:
        return None
    if all(w == 1.0 for w in weights):
        return pipeline.fit(x, y)
    return pipeline.fit(x, y, clf__sample_weight=weights)


def train(dossiers: list[LabelledDossier], vocab: Vocabulary, c: float = 4.0, cues: bool = True,
          vocabulary_weight: float = VOCABULARY_WEIGHT) -> DocumentModel:
    """A model from labelled dossiers (``digitalisering learn`` will pass archivists' corrections).
    A part with a single class (no starts, one type) is left untrained (None): the split and the
    classifier then fall back on the vocabulary for it. ``cues`` and ``vocabulary_weight`` False
    and 0: a model of text and layout alone (the bench's honest held-out figure)."""
    sw: list[float] = []
    sx, sy = start_examples(dossiers, vocab, cues, sw)
    starts = _fit(_pipeline(c), sx, sy, sw)
    pairs = [(d, dos.weight) for dos in dossiers for d in dos.documents if any(p.content for p in d.pages)]
    docs = [d for d, _ in pairs]
    tx = [document_features(d.pages, vocab, cues) for d in docs]
    ty = [d.type for d in docs]
    types = _fit(_pipeline(c), tx, ty, [w for _, w in pairs])
    summary = {"format": FORMAT, "trained": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "sources": sorted({d.source for d in dossiers}), "dossiers": len(dossiers),
               "documents": len(docs), "start_examples": len(sy), "types": dict(Counter(ty)), "C": c,
               "cues": cues, "vocabulary_weight": vocabulary_weight}
    return DocumentModel(starts, types, summary, cues, vocabulary_weight)


def save(model: DocumentModel, folder: Path) -> Path:
    """Write the model and its summary into ``folder``, each atomically (a killed ``learn`` leaves no
    truncated model under its name)."""
    from digitalisering.fileio import atomic_path, write_text_atomic

    with atomic_path(folder / MODEL_FILE) as tmp:
        joblib.dump({"format": FORMAT, "starts": model.starts, "types": model.types, "cues": model.cues,
                     "vocabulary_weight": model.vocabulary_weight}, tmp)
    write_text_atomic(folder / SUMMARY_FILE, json.dumps(model.summary, indent=2, ensure_ascii=False))
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
    return DocumentModel(data["starts"], data["types"], summary, data["cues"], data["vocabulary_weight"])
