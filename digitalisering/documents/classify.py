"""Document types from text and layout: weighted cues from the vocabulary, explainable.

Each type's score is the sum of the weights of its cues found in the document (each cue once;
title cues on the first page count double), plus layout evidence (large-format sheets, sparse
pages). The best type wins if it scores at least ``min_score``; its confidence is its share of
the two best scores, so 1.0 means no other type had any evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import OTHER, Cue, Vocabulary


@dataclass(frozen=True)
class TypeScore:
    type: str
    confidence: float
    scores: dict[str, float]
    evidence: list[str]


TITLE_WEIGHT = 4.0
"""Title cues at least this heavy are real titles: they count double on a document's first page."""
_LEADING_NOISE = re.compile(r"^[^a-z0-9]+", re.MULTILINE)


def head(text: str, lines: int) -> str:
    """The first ``lines`` lines, each without leading punctuation or specks (so that titles
    anchored with ^ still match)."""
    return _LEADING_NOISE.sub("", "\n".join(text.split("\n")[:lines]))


TITLE_LINE_SHARE = 0.5
"""A real title is most of its line: "AANVRAGE OM BOUWVERGUNNING", not a body line that happens to
begin with "aanvraag om bouwvergunning toekomen voor het bouwen van ..."."""


def _title_found(cue: Cue, lines: list[str]) -> bool:
    for line in lines:
        m = cue.pattern.search(line)
        if m and (cue.weight < TITLE_WEIGHT or len(m.group(0)) >= TITLE_LINE_SHARE * len(line)):
            return True
    return False


def title_hits(page: PageView, vocab: Vocabulary) -> dict[str, list[tuple[str, float]]]:
    """Title cues found on the first lines of ``page``, per type."""
    lines = head(page.text, vocab.title_lines).split("\n")
    hits: dict[str, list[tuple[str, float]]] = {}
    for t in vocab.types.values():
        found = [(c.name, c.weight) for c in t.title if _title_found(c, lines)]
        if found:
            hits[t.name] = found
    return hits


def is_continuation(page: PageView, vocab: Vocabulary) -> bool:
    """A page number above 1 ("- 2 -", "blad 2") at the top or bottom of the page."""
    lines = page.text.split("\n")
    n = vocab.continuation_lines
    edges = "\n".join(lines[:n] + lines[-n:])
    return any(p.search(edges) for p in vocab.continuation)


def sheet_number(page: PageView, vocab: Vocabulary) -> int | None:
    """The sheet number of a large-format page ("BLAD 2 van 4" -> 2), or None."""
    if not page.large_format or vocab.sheet_number is None:
        return None
    m = vocab.sheet_number.search(page.text.replace("\n", " "))
    if not m:
        return None
    sheet, total = int(m.group(1)), int(m.group(2))
    return sheet if 1 <= sheet <= total else None


def score_pages(pages: list[PageView], vocab: Vocabulary) -> TypeScore:
    content = [p for p in pages if p.content]
    scores = {name: 0.0 for name in vocab.types}
    evidence: list[str] = []
    if content:
        first_titles = title_hits(content[0], vocab)
        text = " ".join(p.text for p in content).replace("\n", " ")
        titles = "\n".join(head(p.text, vocab.title_lines) for p in content).split("\n")
        for t in vocab.types.values():
            for cue in t.title:
                if _title_found(cue, titles):
                    first = any(name == cue.name for name, _ in first_titles.get(t.name, []))
                    scores[t.name] += cue.weight * (2.0 if first and cue.weight >= TITLE_WEIGHT else 1.0)
                    evidence.append(f"{t.name}: {cue.name}")
            for cue in t.body:
                if cue.pattern.search(text):
                    scores[t.name] += cue.weight
                    evidence.append(f"{t.name}: {cue.name}")
        large = sum(p.large_format for p in content)
        if large * 2 > len(content) and vocab.large_format_type in scores:
            scores[vocab.large_format_type] += vocab.large_format_weight
            evidence.append(f"{vocab.large_format_type}: large format")
        sparse = sum(p.words < vocab.few_words for p in content)
        if sparse * 2 > len(content) and vocab.sparse_type in scores:
            scores[vocab.sparse_type] += vocab.sparse_weight
            evidence.append(f"{vocab.sparse_type}: few words")
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, best_score = ranked[0] if ranked else (OTHER, 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_score < vocab.min_score:
        return TypeScore(OTHER, round(1.0 - best_score / max(vocab.min_score, 1e-9) * 0.5, 3),
                         {k: round(v, 2) for k, v in scores.items()}, evidence)
    confidence = best_score / (best_score + second)
    return TypeScore(best, round(confidence, 3), {k: round(v, 2) for k, v in scores.items()},
                     [e for e in evidence if e.startswith(best + ":")])
