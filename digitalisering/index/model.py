"""The typed rows that go into the search index and the typed query and result that come out.

Rows are made from the catalog (``index.build``) or, in the bench, synthesised; the backends see
nothing else. A query is what a person typed plus filters; a result lists dossiers (what people
ask for: "the dossier of Breestraat 12") with the documents and pages that matched, each page with
a snippet and the positions of the matched words in the page's word list, so a viewer can draw the
word boxes (``Catalog.page_text(batch, seq).words[i]``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


# --- what is indexed -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AddressRow:
    """One house number of an address linked to a dossier or document (a written range such as
    ``15-17`` gives one row per number it covers)."""

    street: str | None
    number: int | None
    letter: str | None = None
    addition: str | None = None
    postcode: str | None = None
    num_id: str | None = None
    vbo_id: str | None = None
    pand_id: str | None = None
    written: str | None = None
    status: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class PageRow:
    seq: int
    number: int
    """Blad in its document, 1-based."""
    words: tuple[str, ...]
    """The page's words in reading order (the page record's words: index i is word i of PageText)."""


@dataclass(frozen=True)
class DocumentRow:
    id: str
    index: int
    type: str | None
    dates: tuple[str, ...] = ()
    """ISO dates found in the document."""
    pages: tuple[PageRow, ...] = ()
    addresses: tuple[AddressRow, ...] = ()


@dataclass(frozen=True)
class DossierRow:
    id: str
    folder: str | None = None
    dates: tuple[str, ...] = ()
    documents: tuple[DocumentRow, ...] = ()
    addresses: tuple[AddressRow, ...] = ()
    """The dossier's own addresses (its object), the union over its documents."""


@dataclass(frozen=True)
class IndexStats:
    batch: str
    dossiers: int
    documents: int
    pages: int
    addresses: int
    seconds: float

    @property
    def pages_per_minute(self) -> float:
        return self.pages * 60.0 / self.seconds if self.seconds else 0.0


# --- what is asked -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    """Document types (aanvraag, vergunning, ...); empty: all."""
    year_from: int | None = None
    year_to: int | None = None
    batches: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.types or self.batches or self.year_from is not None or self.year_to is not None)


@dataclass(frozen=True)
class SearchQuery:
    text: str
    """As typed: an address ("Breestraat 12", "2311 AB", a BAG id), words, "a phrase", or both."""
    filters: Filters = Filters()
    mode: str = "auto"
    """auto (an address when the text reads as one, else full text), address, or text."""
    fuzzy: bool = True
    """Also match words that look alike (OCR slips: "bouwvergunnlng")."""
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class AddressQuery:
    """How the address part of a query was read."""

    street: str | None = None
    """The street as found in the index (after the gazetteer and fuzzy matching)."""
    street_written: str | None = None
    number: int | None = None
    letter: str | None = None
    addition: str | None = None
    postcode: str | None = None
    bag_id: str | None = None
    via: str | None = None
    """How the street was found: exact, gazetteer, fuzzy."""
    related_num_ids: tuple[str, ...] = ()
    """Other nummeraanduidingen of the same object in the BAG history (an older numbering)."""
    vbo_ids: tuple[str, ...] = ()
    pand_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextQuery:
    terms: tuple[str, ...] = ()
    """Single words (as typed, lower case)."""
    phrases: tuple[tuple[str, ...], ...] = ()
    """Quoted phrases, word by word."""
    excluded: tuple[str, ...] = ()
    """Words prefixed with '-'."""

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases


# --- what comes back ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SnippetPart:
    text: str
    hit: bool


@dataclass(frozen=True)
class PageHit:
    seq: int
    number: int
    document: str
    words: tuple[int, ...]
    """Indices of the matched words in the page's word list."""
    matched: tuple[str, ...]
    """The matched words as they are on the page."""
    snippet: tuple[SnippetPart, ...]

    @property
    def snippet_text(self) -> str:
        return "".join(f"[{p.text}]" if p.hit else p.text for p in self.snippet)


@dataclass(frozen=True)
class DocumentHit:
    id: str
    index: int
    type: str | None
    dates: tuple[str, ...]


@dataclass(frozen=True)
class AddressHit:
    label: str
    """The address as the BAG writes it ("Breestraat 12A-1"), or as written when not linked."""
    written: str | None
    match: str
    """How it matched: adres (street and number), bereik (a number inside a written range),
    postcode, bag-id, geschiedenis (an older numbering of the same object), pand (the same building),
    tekst (not linked to this address, but a page writes it: the street and number in a row)."""
    num_id: str | None
    vbo_id: str | None
    pand_id: str | None


@dataclass(frozen=True)
class DossierHit:
    batch: str
    dossier: str
    folder: str | None
    score: float
    """Higher is better (comparable within one result)."""
    dates: tuple[str, ...]
    documents: tuple[DocumentHit, ...]
    """The documents that matched (all documents of the dossier for an address match)."""
    pages: tuple[PageHit, ...] = ()
    """The pages whose words matched, best first (at most a few per dossier)."""
    addresses: tuple[AddressHit, ...] = ()


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    """Dossiers in the result with this value."""


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    kind: str
    """address or text: how the query was answered."""
    total: int
    """Dossiers found."""
    hits: tuple[DossierHit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    """type, decade, batch -> values with counts."""
    address: AddressQuery | None = None
    text: TextQuery | None = None
    expanded: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Fuzzy matching: query word -> the index's similar words it was widened with."""
    truncated: bool = False
    """The text matched more pages than are ranked (``MAX_PAGES``): total and facets count the best ones."""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for hit in data["hits"]:
            for page in hit["pages"]:
                page["snippet_text"] = "".join(f"[{p['text']}]" if p["hit"] else p["text"] for p in page["snippet"])
        return data
