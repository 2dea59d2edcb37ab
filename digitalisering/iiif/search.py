"""IIIF Content Search 2.0 inside one dossier, answered from the page words (the page text model).

The words and their boxes are those of the PDF text layer and the ALTO files (``catalog.page_text``:
pixels of the page as the PDF shows it, which are the canvas's coordinates), so a hit is drawn on
the image exactly where the word is. Each matching word is one annotation in ``items`` (motivation
``supplementing``: the OCR text of the canvas) targeting ``canvas#xywh=x,y,w,h``; ``annotations``
holds a ``contextualizing`` annotation per hit with the words around it (a snippet).

Matching: words and terms are compared without case, accents and the punctuation around a word
("Bréestraat," finds "breestraat"); a term ending in ``*`` matches words that start with it.
Several terms: the places where they stand one after the other (a phrase) when there are any,
else every word that matches one of them. Only the pages of the documents the caller may show are
searched. The full-text index across dossiers is the ``index`` package's job; this service is what
a viewer asks inside the dossier it shows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlencode

from digitalisering.iiif.manifest import PRESENTATION_CONTEXT, SEARCH_CONTEXT
from digitalisering.iiif.urls import Urls

PAGE_SIZE = 100
"""Hits per response page; more are reached through ``next``."""
CONTEXT_WORDS = 5
"""Words of context on each side of a hit in its snippet."""
MOTIVATION = "supplementing"
SUPPORTED_PARAMETERS = ("q", "motivation", "page")


class SearchRequestError(ValueError):
    """A search request that cannot be answered (400)."""


def normalise(text: str) -> str:
    """Lower case, without accents and without punctuation at either end."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    start, end = 0, len(bare)
    while start < end and not bare[start].isalnum():
        start += 1
    while end > start and not bare[end - 1].isalnum():
        end -= 1
    return bare[start:end]


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool

    def matches(self, word: str) -> bool:
        return word.startswith(self.text) if self.prefix else word == self.text


def parse_terms(q: str) -> list[Term]:
    terms = []
    for raw in q.split():
        prefix = raw.endswith("*")
        text = normalise(raw.rstrip("*"))
        if text:
            terms.append(Term(text, prefix))
    return terms


@dataclass(frozen=True)
class Hit:
    seq: int
    first: int
    """Index of the first matching word in the page's words."""
    count: int
    """Number of words the hit spans (a phrase: more than one)."""


def find_hits(terms: list[Term], pages: Iterable[tuple[int, list[str]]]) -> list[Hit]:
    """Hits of ``terms`` in ``pages`` (seq, normalised words in reading order), in page order."""
    pages = list(pages)
    if len(terms) > 1:
        phrases = [Hit(seq, i, len(terms)) for seq, words in pages
                   for i in range(len(words) - len(terms) + 1)
                   if all(t.matches(words[i + k]) for k, t in enumerate(terms))]
        if phrases:
            return phrases
    return [Hit(seq, i, 1) for seq, words in pages for i, w in enumerate(words)
            if w and any(t.matches(w) for t in terms)]


def search_dossier(batch: str, dossier_id: str, seqs: list[int], page_text: Callable[[int], object],
                   urls: Urls, args: dict[str, str], request_url: str) -> dict:
    """The response to a search of the pages ``seqs`` (the dossier's pages the caller may show) with
    the query parameters ``args``; ``page_text(seq)`` gives a page's ``PageText``."""
    q = (args.get("q") or "").strip()
    ignored = sorted(k for k in args if k not in SUPPORTED_PARAMETERS)
    motivations = (args.get("motivation") or "").split()
    try:
        page_no = int(args.get("page") or 1)
    except ValueError:
        raise SearchRequestError(f"page {args.get('page')!r} is not a page number") from None
    if page_no < 1:
        raise SearchRequestError(f"page {page_no} is not a page number")
    terms = parse_terms(q)
    words_of: dict[int, list] = {}
    hits: list[Hit] = []
    if terms and (not motivations or MOTIVATION in motivations):
        for seq in seqs:
            words_of[seq] = page_text(seq).words
        hits = find_hits(terms, ((seq, [normalise(w.text) for w in words_of[seq]]) for seq in seqs))
    total = len(hits)
    last_page = max(1, -(-total // PAGE_SIZE))
    if page_no > last_page:
        raise SearchRequestError(f"page {page_no} is past the last page of hits ({last_page})")

    def page_url(n: int) -> str:
        query = {k: args[k] for k in ("q", "motivation") if args.get(k)}
        if n > 1:
            query["page"] = str(n)
        return f"{urls.search(batch, dossier_id)}?{urlencode(query)}"

    items, contexts = [], []
    for hit in hits[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]:
        words = words_of[hit.seq]
        canvas = urls.canvas(batch, dossier_id, hit.seq)
        ids = []
        for index in range(hit.first, hit.first + hit.count):
            w = words[index]
            ann_id = urls.word(batch, dossier_id, hit.seq, index)
            ids.append(ann_id)
            items.append({
                "id": ann_id, "type": "Annotation", "motivation": MOTIVATION,
                "body": {"type": "TextualBody", "value": w.text, "format": "text/plain"},
                "target": f"{canvas}#xywh={w.left},{w.top},{w.width},{w.height}",
            })
        before = " ".join(w.text for w in words[max(0, hit.first - CONTEXT_WORDS): hit.first])
        exact = " ".join(w.text for w in words[hit.first: hit.first + hit.count])
        after = " ".join(w.text for w in words[hit.first + hit.count: hit.first + hit.count + CONTEXT_WORDS])
        contexts.append({
            "id": f"{ids[0]}/context", "type": "Annotation", "motivation": "contextualizing",
            "target": [{"type": "SpecificResource", "source": ann_id,
                        "selector": [{"type": "TextQuoteSelector", "prefix": before + " " if before else "",
                                      "exact": exact, "suffix": " " + after if after else ""}]}
                       for ann_id in ids],
        })

    response = {
        "@context": [PRESENTATION_CONTEXT, SEARCH_CONTEXT],
        "id": request_url,
        "type": "AnnotationPage",
        "items": items,
    }
    if last_page > 1:
        response["partOf"] = {"id": page_url(1), "type": "AnnotationCollection",
                              "total": total,
                              "first": {"id": page_url(1), "type": "AnnotationPage"},
                              "last": {"id": page_url(last_page), "type": "AnnotationPage"}}
        if page_no < last_page:
            response["next"] = {"id": page_url(page_no + 1), "type": "AnnotationPage"}
        if page_no > 1:
            response["prev"] = {"id": page_url(page_no - 1), "type": "AnnotationPage"}
    if ignored:
        response["ignored"] = ignored
    if contexts:
        response["annotations"] = [{"type": "AnnotationPage", "items": contexts}]
    return response
