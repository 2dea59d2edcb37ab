"""Which of the addresses written in a dossier is its object: features and a small linear model.

A dossier's papers name more addresses than the building they are about: the applicant's home,
the architect's office, a letterhead, a neighbour, often in another town. Every linked address of
a dossier (one *candidate* per nummeraanduiding set) is described by what its mentions show:
- the words before it (the object: "perceel", "gelegen", "onderwerp", a title block's "werk";
  a person: "aan de heer", "wonende"; a firm: "architect", "bureau"),
- a town after it on its line or on the next one, and whether that is a woonplaats of the BAG
  index (the gemeente's own) or another,
- where it stands on the page (the top band where letterheads and addressees sit, a drawing's
  title block at the bottom of a large sheet) from the OCR word boxes,
- in how many of the dossier's documents, and in which kinds, it recurs, and its share of all the
  dossier's address mentions.
A logistic regression over these features gives P(object). The weights are plain numbers
(``AddressModel``, JSON): applying it needs no scikit-learn; training does (``train``). The
package ships a model trained on the synthetic dev deliveries (``address_model.json``, made by
``bench/bag.py --save-default``); ``digitalisering learn`` trains the municipality's own from its
archivists' corrections. Held-out figures: bench/bag.py (leave-one-template-out folds).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from digitalisering.bag.link import LinkedAddress, Where

FORMAT = 1
DEFAULT_MODEL = Path(__file__).with_name("address_model.json")
THRESHOLD = 0.5

OBJECT_WORDS = re.compile(r"\b(perce+l|pand|bouwwerk|ligging|gelegen|onderwerp|betreft|bouwplan|hoek|plaatse|"
                          r"adres van het|object|werk|locatie|bouwadres|terrein)\b")
PERSON_WORDS = re.compile(r"\b(aan de heer|aan mevrouw|aan mej|de heer|mevrouw|wonende|woonachtig|wonend|"
                          r"aanvrager|opdrachtgever|eigenaar|adres aanvrager|naam|dhr|mw)\b")
FIRM_WORDS = re.compile(r"\b(architect\w*|aannemer\w*|bureau|ingenieur\w*|b\.?v\.?|n\.?v\.?|firma|fa|"
                        r"constructeur|postbus|telefoon|tel|kantoor|gevestigd)\b")
TOWN_STOP = {"ten", "tot", "van", "voor", "de", "het", "een", "en", "in", "op", "aan", "bij", "met", "is", "zijn",
             "wordt", "te", "dat", "die", "welke", "als", "of", "om", "onder", "nr", "no", "kadastraal", "sectie",
             "bouwen", "het", "gemeente", "d.d", "dd", "thans", "alhier", "hoek"}
_POSTCODE = re.compile(r"^\s*[,;]?\s*\d{4}\s?[a-z]{2}\b")
_TOWN_WORD = re.compile(r"^[a-z'][a-z'./-]*$")


def town_of(where: Where, woonplaatsen: set[str]) -> str:
    """'own' / 'other' / '': the town written after the address (same line, or alone on the next),
    against the BAG index's woonplaatsen (normalised lower case)."""
    postcode = _POSTCODE.match(where.rest)
    rest = ", " + where.rest[postcode.end():] if postcode else where.rest  # "..., 2311 CC Leiden"
    m = re.match(r"^\s*(?:,|\bte\b|\bin\b)\s*(?:\d{4}\s?[a-z]{2}\s+)?(?:te\s+)?([^,;:()\d]{2,40})", rest)
    words: list[str] = []
    if m:
        words = m.group(1).split()
    elif not rest.strip(" ,.;"):
        nxt = _POSTCODE.sub("", where.next_line).strip(" ,.;")
        if nxt and len(nxt.split()) <= 4 and not re.search(r"\d", nxt):
            words = nxt.split()
    words = [w.strip(".,;:") for w in words[:4]]
    words = [w for w in words if w]
    if not words or words[0] in TOWN_STOP or not all(_TOWN_WORD.match(w) for w in words[:3]):
        return ""
    name = " ".join(words)
    if any(name == w or name.startswith(w + " ") for w in woonplaatsen):
        return "own"
    return "other"


def mention_features(a: LinkedAddress, doc_type: str) -> dict[str, float]:
    """What one mention shows of its role."""
    w = a.where or Where()
    before = (w.context or "")[-45:]
    f: dict[str, float] = {
        "cue_object": float(bool(OBJECT_WORDS.search(before))),
        "cue_person": float(bool(PERSON_WORDS.search(before))),
        "cue_firm": float(bool(FIRM_WORDS.search(before + " " + w.rest[:30]))),
        "role_object": float(a.role == "object"),
        "role_other": float(a.role == "other"),
        "town_own": float(w.town == "own"),
        "town_other": float(w.town == "other"),
        "postcode": float(bool(a.postcode)),
        f"status={a.status}": 1.0,
        f"doc={doc_type or '-'}": 1.0,
        "alone_on_line": float(len(w.line.strip()) <= len(a.text) + 4),
        "large_format": float(w.large_format),
    }
    if w.top is None:
        f["no_box"] = 1.0
    else:
        f["top_band"] = float(w.top < 0.12)
        f["upper"] = float(0.12 <= w.top < 0.3)
        f["bottom_band"] = float(w.top >= 0.8)
        f["title_block"] = float(w.large_format and w.top >= 0.7)
        f["right_half"] = float((w.left or 0.0) >= 0.5)
    return f


@dataclass
class Candidate:
    """One address of a dossier (a nummeraanduiding set, or a corner) and every mention of it."""

    key: tuple
    mentions: list[LinkedAddress]
    documents: set[int]
    features: dict[str, float] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return {n for a in self.mentions for n in a.nummeraanduiding_ids}


def _key(a: LinkedAddress) -> tuple | None:
    if a.nummeraanduiding_ids:
        return tuple(a.nummeraanduiding_ids)
    if a.status == "corner":
        return ("corner", a.street, a.text.split("(")[-1])
    return None


def candidates(documents: list[list[LinkedAddress]], types: list[str]) -> list[Candidate]:
    """The dossier's candidates with their features (``documents``: each document's linked
    addresses; ``types``: each document's type)."""
    by_key: dict[tuple, Candidate] = {}
    per_mention: dict[tuple, list[dict[str, float]]] = {}
    for i, (doc, doc_type) in enumerate(zip(documents, types)):
        for a in doc:
            key = _key(a)
            if key is None:
                continue
            cand = by_key.setdefault(key, Candidate(key, [], set()))
            cand.mentions.append(a)
            cand.documents.add(i)
            per_mention.setdefault(key, []).append(mention_features(a, doc_type))
    total = sum(len(c.mentions) for c in by_key.values()) or 1
    most = max((len(c.documents) for c in by_key.values()), default=0)
    n_docs = max(len(documents), 1)
    for key, cand in by_key.items():
        rows = per_mention[key]
        names = {k for r in rows for k in r}
        f: dict[str, float] = {}
        for k in names:
            values = [r.get(k, 0.0) for r in rows]
            f[f"any_{k}"] = max(values)
            f[f"share_{k}"] = sum(values) / len(values)
        f["documents_share"] = len(cand.documents) / n_docs
        f["documents_2plus"] = float(len(cand.documents) >= 2)
        f["documents_3plus"] = float(len(cand.documents) >= 3)
        f["mentions_log"] = math.log1p(len(cand.mentions)) / 3.0
        f["mention_share"] = len(cand.mentions) / total
        f["most_documents"] = float(len(cand.documents) == most)
        f["corner"] = float(key[0] == "corner")
        f["bias"] = 1.0
        cand.features = f
    return list(by_key.values())


def rule_decision(cand: Candidate) -> bool:
    """The rules used before the model (and still for corners): a mention's own words call it the
    object, or two or more documents repeat it and at most half of its mentions call it someone
    else's."""
    roles = [a.role for a in cand.mentions]
    return "object" in roles or (len(cand.documents) >= 2 and roles.count("other") < len(roles) / 2)


@dataclass
class AddressModel:
    """A linear model over candidate features: P(object) = sigmoid(intercept + sum w_k x_k)."""

    weights: dict[str, float]
    intercept: float = 0.0
    threshold: float = THRESHOLD
    summary: dict = field(default_factory=dict)

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {"format": FORMAT, "intercept": self.intercept, "threshold": self.threshold,
                "weights": dict(sorted(self.weights.items())), "summary": self.summary}

    @classmethod
    def from_json(cls, data: dict) -> "AddressModel":
        if data.get("format") != FORMAT:
            raise ValueError(f"address model format {data.get('format')}, this version reads {FORMAT}")
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"]),
                   float(data.get("threshold", THRESHOLD)), data.get("summary", {}))

    def save(self, path: Path) -> None:
        from digitalisering.fileio import write_text_atomic
        write_text_atomic(Path(path), json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: Path) -> "AddressModel":
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_model() -> AddressModel | None:
    """The model shipped with the package (trained on the synthetic dev deliveries); None when
    it is not there (the rules decide)."""
    return AddressModel.load(DEFAULT_MODEL) if DEFAULT_MODEL.exists() else None


C = 1.0
"""Inverse regularisation of the logistic regression (bench/bag.py folds)."""


def train(examples: list[tuple[dict[str, float], bool]], summary: dict | None = None, c: float = C) -> AddressModel:
    """A model from labelled candidates (features, is the dossier's object). scikit-learn is
    imported here only."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = [y for _, y in examples]
    if len(set(labels)) < 2:
        raise ValueError("training the address model needs both objects and other addresses")
    vec = DictVectorizer()
    x = vec.fit_transform([{k: v for k, v in f.items() if k != "bias"} for f, _ in examples])
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, labels)
    weights = {name: float(w) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0]) if abs(w) > 1e-9}
    counts = Counter(labels)
    info = {"candidates": len(examples), "objects": counts[True], "others": counts[False], "C": c, **(summary or {})}
    return AddressModel(weights, float(clf.intercept_[0]), THRESHOLD, info)


def labelled(documents: list[list[LinkedAddress]], types: list[str], objects: set[str]) -> list[tuple[dict, bool]]:
    """Training examples of one dossier whose object nummeraanduidingen are ``objects`` (corners,
    which name no nummeraanduiding, are left out)."""
    return [(c.features, bool(c.ids & objects)) for c in candidates(documents, types) if c.key[0] != "corner"]
