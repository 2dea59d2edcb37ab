"""Search as people ask: an address, words, or both, with filters, facets, snippets and highlights.

``search(index, query)`` reads the text as an address when it holds one (``index.address``) and
answers with the dossiers at that address: exact, a number inside a written range, a postcode, a
BAG id, and with a BAG index the object's older numberings and its pand; words left over narrow
those dossiers by full text. Otherwise the text is searched as words (Dutch stems, every word
must match, "phrases" in order, -word excluded), each word widened with its look-alikes in the
index's vocabulary (OCR slips) unless ``fuzzy`` is off. Results are dossiers, best first, each with
the documents and pages that matched; facets count dossiers per document type, decade and batch.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

from digitalisering.errors import DigitaliseringError
from digitalisering.exitcodes import ExitCode
from digitalisering.index.address import StreetResolver, bag_relations, bag_streets, parse_address
from digitalisering.index.base import MIN_FUZZY_LEN, AddressMatch, PageMatch, SearchIndex, TextClause
from digitalisering.bag.addresses import normalise_street
from digitalisering.index.model import (
    AddressHit, AddressQuery, AddressRow, DocumentHit, DossierHit, FacetValue, PageHit, SearchQuery, SearchResult, TextQuery,
)
from digitalisering.index.text import _TOKEN, fold, matched_words, parse_text, positions, snippet, stem

MAX_PAGES = 1000
"""Pages ranked per text query; total and facets count the dossiers of these (``truncated`` says so).
The cost of a text search grows with it (``bench/portal.py``: 2,000 pages took about 100 ms, half of
it in Python)."""
PAGES_PER_HIT = 3
FUZZY_WEIGHT = 0.5
MAX_LIMIT = 500
MODES = ("auto", "address", "text")
KIND_RANK = {"adres": 5.0, "bag-id": 5.0, "bereik": 4.5, "postcode": 4.0, "geschiedenis": 3.5, "tekst": 2.0,
             "pand": 1.0}
MAX_FORMS = 6


class QueryError(DigitaliseringError):
    """A query that cannot be searched (empty, a year range backwards, not an address in address mode)."""

    exit_code = ExitCode.USAGE


def check_query(query: SearchQuery) -> None:
    f = query.filters
    if query.mode not in MODES:
        raise QueryError("unknown search mode {mode!r}; expected one of {items}", mode=query.mode, items=', '.join(MODES))
    if not query.text.strip():
        raise QueryError("empty search: give an address (Breestraat 12), words or a \"phrase\"")
    if len(query.text) > 500:
        raise QueryError("search text too long ({n} characters; at most 500)", n=len(query.text))
    if not 1 <= query.limit <= MAX_LIMIT or query.offset < 0:
        raise QueryError("limit must be 1..{max_limit} and offset 0 or more", max_limit=MAX_LIMIT)
    if f.year_from is not None and f.year_to is not None and f.year_from > f.year_to:
        raise QueryError("year range backwards: from {year_from} to {year_to}", year_from=f.year_from, year_to=f.year_to)


class Searcher:
    """Searches one index; keeps what it learnt about the index's streets (the gazetteer, the
    BAG) between queries, so a portal process makes one and asks it many times."""

    def __init__(self, index: SearchIndex, bag_db: Path | None = None, gazetteer: dict[str, str] | None = None,
                 may_view: Callable[[str, str | None, str | None], bool] | None = None,
                 public_copy: Callable[[str, str, str], object | None] | None = None):
        """``may_view(batch, dossier, document)``: whether the reader may see a document (the access
        decisions: ``access.policy.original_viewer``, as the IIIF blueprint gets it); documents it
        refuses are left out of every count, facet, hit and snippet. None: the reader sees all.
        ``public_copy(batch, dossier, document)``: for a document ``may_view`` refuses, the redacted
        copy the reader sees instead (``access.copies.RedactedDocument``, its ``page_text(seq)``)
        or None; such a document is found only by the words its copy still holds, and quoted from
        them (a query with excluded words leaves it out: its absence must not tell a redacted word)."""
        self.index = index
        self.may_view = may_view
        self.public_copy = public_copy
        self.bag_db = Path(bag_db) if bag_db else None
        self.gazetteer = gazetteer
        self._streets: StreetResolver | None = None
        self._variants: dict[str, list[str]] | None = None

    def streets(self) -> StreetResolver:
        if self._streets is None:
            names = set(self.index.streets())
            if self.bag_db:
                names.update(bag_streets(self.bag_db))
            self._streets = StreetResolver(sorted(names), self.gazetteer)
        return self._streets

    def refresh(self) -> None:
        """Forget the streets (after a batch was indexed)."""
        self._streets = None

    def search(self, query: SearchQuery) -> SearchResult:
        check_query(query)
        started = time.monotonic()
        parsed = None
        if query.mode != "text":
            parsed = parse_address(query.text, self.streets())
            if parsed is None and query.mode == "address":
                raise QueryError("not an address the index knows: {text!r} (give a street and number, a postcode or a BAG id)", text=query.text.strip())
        if parsed is not None:
            result = self._address(query, parsed.query, parsed.rest)
        else:
            result = self._text(query, parse_text(query.text))
        return _with_time(result, time.monotonic() - started)

    # --- address --------------------------------------------------------------------------------
    def _address(self, query: SearchQuery, aq: AddressQuery, rest: str) -> SearchResult:
        if self.bag_db:
            rel = bag_relations(self.bag_db, aq)
            if rel is not None:
                aq = AddressQuery(**{**aq.__dict__, "related_num_ids": rel.num_ids, "vbo_ids": rel.vbo_ids,
                                     "pand_ids": rel.pand_ids})
        matches = self.index.match_address(aq, query.filters)
        by_dossier: dict[int, list[AddressMatch]] = defaultdict(list)
        for m in matches:
            by_dossier[m.dossier_id].append(m)
        # where the address is written: snippets for the dossiers found, and the dossiers whose
        # link to the BAG missed it (another street chosen, an OCR slip in the number) found anyway
        phrases: tuple[tuple[str, ...], ...] = ()
        pages: dict[int, list[PageMatch]] = {}
        if aq.street and aq.number is not None:
            phrases = self._written_forms(aq)
            # every page when no dossier is linked to the address, else the linked dossiers' pages (a
            # phrase of common words is checked page by page: 50 ms at 1,000,000 pages, bench/portal.py)
            pages = self._written_pages(query, phrases, sorted(by_dossier) if by_dossier else None)
            row = AddressRow(aq.street, aq.number, aq.letter, aq.addition, written=aq.street_written)
            for d, ps in pages.items():
                if d not in by_dossier:
                    by_dossier[d] = [AddressMatch(d, p.document_id, row, "tekst", p.type, p.year_from, p.year_to,
                                                  p.batch) for p in ps]
        matches = [m for ms in by_dossier.values() for m in ms]
        scores = {d: max(_address_score(aq, m) for m in ms) for d, ms in by_dossier.items()}
        docs = {d: sorted({m.document_id for m in ms}) for d, ms in by_dossier.items()}
        tq = parse_text(rest) if rest.strip() else None
        expanded: dict[str, tuple[str, ...]] = {}
        if tq is not None and not tq.empty and by_dossier:
            clauses, expanded = self._clauses(tq, query.fuzzy)
            pages = {}
            for p in self._pages(tq, clauses, expanded, query, sorted(by_dossier)):
                pages.setdefault(p.dossier_id, []).append(p)
            scores = {d: s + _text_score(pages[d]) for d, s in scores.items() if d in pages}
            docs = {d: sorted({p.document_id for p in pages[d]}) for d in scores}
        info = {m.document_id: m for m in matches}
        info.update({p.document_id: p for ps in pages.values() for p in ps})
        shown = tq if tq is not None and not tq.empty else (TextQuery(phrases=phrases) if pages else None)
        result = self._result(query, "address", scores, docs, pages, shown, expanded, False, by_dossier, info)
        return SearchResult(**{**result.__dict__, "address": aq, "text": tq})

    def _written_forms(self, aq: AddressQuery) -> tuple[tuple[str, ...], ...]:
        """The address as pages may write it: the street as typed, as the BAG names it, and its
        historic variants in the gazetteer, each followed by the number (and letter)."""
        if self._variants is None:
            self._variants = defaultdict(list)
            for variant, group in (self.gazetteer or {}).items():
                for key in {normalise_street(m) for m in group.split("\x00")}:
                    self._variants[key].append(variant)
        names = [aq.street_written or aq.street, aq.street, *self._variants.get(normalise_street(aq.street), ())]
        number = f"{aq.number}{aq.letter or ''}".lower()
        forms = {tuple(_TOKEN.findall(fold(n))) + (number,) for n in names if n}
        return tuple(sorted(f for f in forms if len(f) > 1))[:MAX_FORMS]

    def _written_pages(self, query: SearchQuery, phrases, dossier_ids: list[int] | None) -> dict[int, list[PageMatch]]:
        pages: dict[int, list[PageMatch]] = {}
        seen: set[int] = set()
        for phrase in phrases:
            for p in self.index.match_text([TextClause(phrase=phrase)], (), query.filters, dossier_ids, MAX_PAGES):
                if p.page_id not in seen:
                    seen.add(p.page_id)
                    pages.setdefault(p.dossier_id, []).append(p)
        return pages

    # --- text -----------------------------------------------------------------------------------
    def _clauses(self, tq: TextQuery, fuzzy: bool) -> tuple[list[TextClause], dict[str, tuple[str, ...]]]:
        clauses, expanded = [], {}
        for term in tq.terms:
            alternatives: list[str] = []
            if fuzzy and len(term) >= MIN_FUZZY_LEN and not term.isdigit():
                alternatives = [w for w in self.index.similar_words(term) if stem(w) != stem(term)]
                if alternatives:
                    expanded[term] = tuple(alternatives)
            clauses.append(TextClause(words=(term, *alternatives)))
        clauses += [TextClause(phrase=p) for p in tq.phrases]
        return clauses, expanded

    def _text(self, query: SearchQuery, tq: TextQuery) -> SearchResult:
        if tq.empty:
            raise QueryError("nothing to search for: the text holds no words (only -excluded ones or punctuation)")
        clauses, expanded = self._clauses(tq, query.fuzzy)
        found = self._pages(tq, clauses, expanded, query, None)
        pages: dict[int, list[PageMatch]] = defaultdict(list)
        for p in found:
            pages[p.dossier_id].append(p)
        scores = {d: _text_score(ps) for d, ps in pages.items()}
        docs = {d: sorted({p.document_id for p in ps}) for d, ps in pages.items()}
        info = {p.document_id: p for p in found}
        return self._result(query, "text", scores, docs, pages, tq, expanded, len(found) >= MAX_PAGES, None, info)

    def _pages(self, tq: TextQuery, clauses: list[TextClause], expanded: dict[str, tuple[str, ...]],
               query: SearchQuery, dossier_ids: list[int] | None) -> list[PageMatch]:
        """Pages with the words as typed first; pages found only through look-alikes after them at
        ``FUZZY_WEIGHT`` of their score (a rare OCR slip must not outrank the word itself)."""
        exact = [TextClause(words=c.words[:1]) if c.words else c for c in clauses]
        found = self.index.match_text(exact, tq.excluded, query.filters, dossier_ids, MAX_PAGES)
        if expanded and len(found) < MAX_PAGES:
            have = {p.page_id for p in found}
            widened = [c for c in clauses if len(c.words) > 1]
            if len(widened) == 1:  # one word has look-alikes: ask for them alone (rare words: cheap)
                clauses = [TextClause(words=c.words[1:]) if c is widened[0] else e for c, e in zip(clauses, exact)]
            more = self.index.match_text(clauses, tq.excluded, query.filters, dossier_ids, MAX_PAGES)
            found += [PageMatch(p.page_id, p.document_id, p.dossier_id, p.score * FUZZY_WEIGHT)
                      for p in more if p.page_id not in have][:MAX_PAGES - len(found)]
        return found

    # --- both -----------------------------------------------------------------------------------
    def _result(self, query: SearchQuery, kind: str, scores: dict[int, float], docs: dict[int, list[int]],
                pages: dict[int, list[PageMatch]], tq: TextQuery | None, expanded: dict[str, tuple[str, ...]],
                truncated: bool, addresses: dict[int, list[AddressMatch]] | None,
                info: dict[int, PageMatch | AddressMatch]) -> SearchResult:
        visible_words: dict[int, tuple[str, ...]] = {}
        if self.may_view is not None:
            scores, docs, pages, visible_words = self._visible(kind, scores, docs, pages, tq, expanded)
        # facets and order from what the matches carry; details only for the hits shown
        batch_of = {d: info[docs[d][0]].batch for d in scores}
        order = sorted(scores, key=lambda d: (-scores[d], batch_of[d], d))
        facets = _facets(order, batch_of, docs, info)
        chosen = order[query.offset:query.offset + query.limit]
        dossiers = self.index.dossiers(chosen)
        documents = self.index.documents(sorted({i for d in chosen for i in docs[d]}))
        hit_pages = {d: sorted(pages.get(d, []), key=lambda p: -p.score)[:PAGES_PER_HIT] for d in chosen}
        page_info = self.index.pages([p.page_id for ps in hit_pages.values() for p in ps])
        terms, phrases = _highlight_terms(tq, expanded)
        hits = []
        for d in chosen:
            info = dossiers[d]
            doc_hits = tuple(DocumentHit(documents[i].document, documents[i].index, documents[i].type,
                                         documents[i].dates) for i in sorted(docs[d], key=lambda i: documents[i].index))
            page_hits = []
            for p in hit_pages[d]:
                pi = page_info[p.page_id]
                shown = visible_words.get(p.page_id, pi.words)  # a redacted copy's words, else the page's
                words = matched_words(shown, terms, phrases)
                page_hits.append(PageHit(pi.seq, pi.number, documents[p.document_id].document, tuple(words),
                                         tuple(shown[i] for i in words), snippet(shown, words)))
            hits.append(DossierHit(info.batch, info.dossier, info.folder, round(scores[d], 4), info.dates, doc_hits,
                                   tuple(page_hits), _address_hits(addresses[d]) if addresses else ()))
        return SearchResult(query, kind, len(order), tuple(hits), facets, None, tq, expanded, truncated)


    def _visible(self, kind: str, scores: dict[int, float], docs: dict[int, list[int]],
                 pages: dict[int, list[PageMatch]], tq: TextQuery | None, expanded: dict[str, tuple[str, ...]]):
        """Only the documents the reader may see (dossiers left without one are dropped), and the
        words of the matching pages of those seen as a redacted copy (page id -> words). A text
        search ranks each dossier by the pages left (its order must not tell what was left out)."""
        dossiers = self.index.dossiers(list(scores))
        documents = self.index.documents(sorted({i for ds in docs.values() for i in ds}))
        allowed, copies = set(), {}
        for i, doc in documents.items():
            where = dossiers[doc.dossier_id]
            if self.may_view(where.batch, where.dossier, doc.document):
                allowed.add(i)
            elif self.public_copy is not None and not (tq is not None and tq.excluded):
                copy = self.public_copy(where.batch, where.dossier, doc.document)
                if copy is not None:
                    copies[i] = copy
        visible_words: dict[int, tuple[str, ...]] = {}
        if copies:
            allowed |= self._still_matching(pages, copies, tq, expanded, visible_words)
        docs = {d: [i for i in ds if i in allowed] for d, ds in docs.items()}
        docs = {d: ds for d, ds in docs.items() if ds}
        pages = {d: [p for p in ps if p.document_id in allowed and (p.document_id not in copies or
                                                                    p.page_id in visible_words)]
                 for d, ps in pages.items() if d in docs}
        scores = {d: _text_score(pages[d]) if kind == "text" and pages.get(d) else s
                  for d, s in scores.items() if d in docs}
        return scores, docs, pages, visible_words

    def _still_matching(self, pages: dict[int, list[PageMatch]], copies: dict[int, object], tq: TextQuery | None,
                        expanded: dict[str, tuple[str, ...]], visible_words: dict[int, tuple[str, ...]]) -> set[int]:
        """The documents seen as a redacted copy that the query still finds in the copy's words: a
        page counts when every query term it matched in the original is still among its visible
        words (and every phrase still stands). A document found without any page (by its address
        link) stays."""
        mine = [p for ps in pages.values() for p in ps if p.document_id in copies]
        kept = set(copies) - {p.document_id for p in mine}
        if tq is None or not mine:
            return kept
        terms, phrases = _highlight_terms(tq, expanded)
        info = self.index.pages([p.page_id for p in mine])
        for p in mine:
            pi = info[p.page_id]
            shown = tuple(w.text for w in copies[p.document_id].page_text(pi.seq).words)
            before = {t for t, _ in positions(pi.words)} & terms
            after = {t for t, _ in positions(shown)} & terms
            if before <= after and all(matched_words(shown, (), [ph]) for ph in phrases):
                visible_words[p.page_id] = shown
                kept.add(p.document_id)
        return kept


def search(index: SearchIndex, query: SearchQuery, bag_db: Path | None = None,
           gazetteer: dict[str, str] | None = None) -> SearchResult:
    """One search (a portal keeps a ``Searcher``)."""
    return Searcher(index, bag_db, gazetteer).search(query)


def _with_time(result: SearchResult, seconds: float) -> SearchResult:
    return SearchResult(**{**result.__dict__, "seconds": round(seconds, 4)})


def _address_score(aq: AddressQuery, m: AddressMatch) -> float:
    score = KIND_RANK[m.kind]
    if m.kind in ("adres", "bereik", "postcode"):
        same = (aq.letter or "") == (m.row.letter or "").upper() and (aq.addition or "") == (m.row.addition or "").upper()
        score += 0.4 if same else 0.0
    if m.row.role == "object":
        score += 0.1
    return score


def _text_score(pages: list[PageMatch]) -> float:
    return max(p.score for p in pages) + 0.1 * math.log1p(len(pages))


def _address_hits(matches: list[AddressMatch]) -> tuple[AddressHit, ...]:
    seen, out = set(), []
    for m in sorted(matches, key=lambda m: -KIND_RANK[m.kind]):
        r = m.row
        label = (f"{r.street or ''} {r.number or ''}{r.letter or ''}" + (f"-{r.addition}" if r.addition else "")).strip()
        key = (label, m.kind, r.num_id)
        if key not in seen:
            seen.add(key)
            out.append(AddressHit(label or (r.written or ""), r.written, m.kind, r.num_id, r.vbo_id, r.pand_id))
    return tuple(out)


def _highlight_terms(tq: TextQuery | None, expanded: dict[str, tuple[str, ...]]):
    if tq is None:
        return set(), []
    terms = {stem(t) for t in tq.terms} | {stem(w) for ws in expanded.values() for w in ws}
    return terms, [tuple(stem(w) for w in p) for p in tq.phrases]


def _facets(order, batch_of, docs, documents) -> dict[str, tuple[FacetValue, ...]]:
    types: dict[str, int] = defaultdict(int)
    decades: dict[str, int] = defaultdict(int)
    batches: dict[str, int] = defaultdict(int)
    for d in order:
        batches[batch_of[d]] += 1
        ts, ds = set(), set()
        for i in docs[d]:
            doc = documents[i]
            if doc.type:
                ts.add(doc.type)
            if doc.year_to is not None:  # its latest date (earlier ones are often quoted: a birth date)
                ds.add(doc.year_to // 10 * 10)
        for t in ts:
            types[t] += 1
        for dec in ds:
            decades[str(dec)] += 1

    def values(counts: dict[str, int], by_value: bool = False) -> tuple[FacetValue, ...]:
        key = (lambda kv: kv[0]) if by_value else (lambda kv: (-kv[1], kv[0]))
        return tuple(FacetValue(v, n) for v, n in sorted(counts.items(), key=key))

    return {"type": values(types), "decade": values(decades, True), "batch": values(batches)}
