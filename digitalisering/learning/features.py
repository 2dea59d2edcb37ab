"""Features of a page (for "a document starts here") and of a document (for its type).

Text: the first lines of the page (where titles sit) and the whole text, for word and character
n-grams. Layout and cues: words on the page, large format and paper size, a page number above 1,
a drawing sheet number, the vocabulary's title and body cue scores per type (cues become
features, not the decision), and the same flags of the previous page.
"""

from __future__ import annotations

import re

from digitalisering.documents.classify import head, is_continuation, score_pages, sheet_number, title_hits
from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import Vocabulary

HEAD_LINES = 6
"""Lines of a page read as its head (the vocabulary's title lines are a few more than a title)."""


def _cue_features(prefix: str, pages: list[PageView], vocab: Vocabulary) -> dict[str, float]:
    scores = score_pages(pages, vocab).scores
    return {f"{prefix}cue={t}": min(s, 20.0) / 20.0 for t, s in scores.items()}


def _layout(prefix: str, page: PageView | None, vocab: Vocabulary, cues: bool = True) -> dict[str, float]:
    if page is None:
        return {f"{prefix}none": 1.0}
    f = {
        f"{prefix}large_format": float(page.large_format),
        f"{prefix}few_words": float(page.words < vocab.few_words),
        f"{prefix}words_log": min(len(str(page.words)), 4) / 4.0,
        f"{prefix}continuation": float(is_continuation(page, vocab)),
        f"{prefix}size={page.size_class or '-'}": 1.0,
    }
    sheet = sheet_number(page, vocab)
    if sheet is not None:
        f[f"{prefix}sheet1"] = float(sheet == 1)
        f[f"{prefix}sheet_gt1"] = float(sheet > 1)
    if cues:
        for t, hits in title_hits(page, vocab).items():
            f[f"{prefix}title={t}"] = min(sum(w for _, w in hits), 10.0) / 10.0
    return f


_WORD = re.compile(r"[a-z]{4,}")


def word_overlap(a: str, b: str) -> float:
    """Share of the words (4+ letters) of the shorter page that the other page has too: the pages
    of one document share their subject's words (a calculation's, a permit's conditions); a new
    document brings its own."""
    wa, wb = set(_WORD.findall(a)), set(_WORD.findall(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def start_features(page: PageView, previous: PageView | None, vocab: Vocabulary,
                   cues: bool = True) -> dict[str, object]:
    """What the start model sees of ``page`` after ``previous`` (None: the first page); ``cues``:
    with the vocabulary's title and cue scores (off: text and layout only)."""
    numeric = {**_layout("", page, vocab, cues), **_layout("prev_", previous, vocab, cues),
               **(_cue_features("", [page], vocab) if cues else {})}
    if previous is not None:
        numeric["same_format"] = float(page.large_format == previous.large_format)
        numeric["same_size"] = float(page.size_class == previous.size_class)
        numeric["prev_overlap"] = word_overlap(page.text, previous.text)
    return {"head": head(page.text, HEAD_LINES), "text": page.text.replace("\n", " "), "numeric": numeric}


def document_features(pages: list[PageView], vocab: Vocabulary, cues: bool = True) -> dict[str, object]:
    """What the type model sees of a document (its content pages)."""
    content = [p for p in pages if p.content] or pages
    first = content[0] if content else None
    numeric = {**(_cue_features("", content, vocab) if cues else {}), **_layout("first_", first, vocab, cues),
               "large_share": sum(p.large_format for p in content) / max(len(content), 1),
               "sparse_share": sum(p.words < vocab.few_words for p in content) / max(len(content), 1)}
    return {"head": head(first.text, HEAD_LINES) if first else "",
            "text": " ".join(p.text for p in content).replace("\n", " "), "numeric": numeric}
