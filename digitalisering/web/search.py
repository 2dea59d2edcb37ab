"""The search page's side of the search index: what the reader asked (the form: words or an
address, document type, years, batch, result page) and what the index answered (hits with
snippets, facets with counts), read through the index's typed API (``digitalisering.index``)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, Mapping

from digitalisering.errors import StateError

PAGE_SIZE = 20
MAX_QUERY = 200


@dataclass(frozen=True)
class Asked:
    q: str = ""
    type: str = ""
    year_from: int | None = None
    year_to: int | None = None
    batch: str = ""
    page: int = 1

    @property
    def empty(self) -> bool:
        return not (self.q or self.type or self.year_from or self.year_to or self.batch)

    def args(self, **change: Any) -> dict[str, Any]:
        """The query string of this search with ``change`` applied (for facet and page links)."""
        values = {"q": self.q, "soort": self.type, "van": self.year_from, "tot": self.year_to, "batch": self.batch,
                  "pagina": self.page if self.page > 1 else None}
        values.update(change)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _year(value: str | None) -> int | None:
    try:
        year = int((value or "").strip())
    except ValueError:
        return None
    return year if 1000 <= year <= 2999 else None


def parse(args: Mapping[str, str]) -> Asked:
    try:
        page = max(1, min(500, int(args.get("pagina", "1"))))
    except ValueError:
        page = 1
    return Asked(q=" ".join((args.get("q") or "").split())[:MAX_QUERY], type=(args.get("soort") or "")[:40],
                 year_from=_year(args.get("van")), year_to=_year(args.get("tot")),
                 batch=(args.get("batch") or "")[:100], page=page)


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    selected: bool
    set: dict
    unset: dict


@dataclass(frozen=True)
class Snippet:
    url: str
    where: str
    parts: tuple
    """The index's SnippetPart (text, hit) pieces: hits are marked."""


@dataclass(frozen=True)
class Hit:
    url: str
    title: str
    subtitle: str
    addresses: tuple[str, ...]
    snippets: tuple[Snippet, ...]


@dataclass
class Outcome:
    asked: Asked
    available: bool = True
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetLink]] = field(default_factory=dict)
    error: str | None = None
    out_of_order: bool = False
    """The index is there but cannot be read (damaged by a power cut): searching is temporarily
    unavailable until ``digitalisering index`` builds it again."""
    kind: str = ""
    read_as: str = ""
    """How an address query was read ('Zeemanlaan 71'), to show the reader."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _filters(asked: Asked):
    from digitalisering.index.model import Filters

    return Filters(types=(asked.type,) if asked.type else (), year_from=asked.year_from, year_to=asked.year_to,
                   batches=(asked.batch,) if asked.batch else ())


def _facets(asked: Asked, facets: dict) -> dict[str, list[FacetLink]]:
    from digitalisering.web.portal import type_label

    out: dict[str, list[FacetLink]] = {}
    for value in facets.get("type", ()):
        out.setdefault("type", []).append(FacetLink(
            type_label(value.value), value.count, asked.type == value.value,
            asked.args(soort=value.value, pagina=None), asked.args(soort=None, pagina=None)))
    for value in facets.get("decade", ()):
        try:
            decade = int(value.value)
        except ValueError:
            continue
        chosen = asked.year_from == decade and asked.year_to == decade + 9
        out.setdefault("decade", []).append(FacetLink(
            f"{decade}–{decade + 9}", value.count, chosen, asked.args(van=decade, tot=decade + 9, pagina=None),
            asked.args(van=None, tot=None, pagina=None)))
    for value in facets.get("batch", ()):
        out.setdefault("batch", []).append(FacetLink(
            value.value, value.count, asked.batch == value.value, asked.args(batch=value.value, pagina=None),
            asked.args(batch=None, pagina=None)))
    return out


def _hit(asked: Asked, found, catalog) -> Hit | None:
    """A dossier found, with links to it and to the pages whose words matched (in the viewer, the
    words highlighted); None when the catalog no longer publishes it."""
    from flask import url_for
    from flask_babel import gettext as _
    from flask_babel import ngettext

    from digitalisering.catalog import CatalogError
    from digitalisering.web.i18n import nice_date
    from digitalisering.web.portal import type_label, visible_documents

    try:
        dossier = catalog.dossier(found.batch, found.dossier)
    except CatalogError:
        return None
    documents = visible_documents(dossier)
    if not documents:
        return None
    position = {p.seq: i for i, p in enumerate((p for d in documents for p in d.pages), start=1)}
    by_id = {d.id: d for d in documents}
    url = url_for("portal.dossier", batch=dossier.batch, folder=dossier.folder)
    addresses = tuple(dict.fromkeys(a.label for a in found.addresses)) or tuple(
        dict.fromkeys(a.label for a in (dossier.object_addresses or dossier.addresses)))
    title = _("Dossier %(id)s", id=dossier.id) + (f" — {addresses[0]}" if addresses else "")
    period = [nice_date(d) for d in dossier.period if d]
    kinds = sorted({type_label(d.type) for d in documents})
    subtitle = " · ".join(filter(None, [" – ".join(dict.fromkeys(period)),
                                        ngettext("%(num)s document", "%(num)s documents", len(documents)) + ": " + ", ".join(kinds)]))
    snippets = []
    for page in found.pages:
        doc = by_id.get(page.document)
        if doc is None or page.seq not in position:
            continue
        where = _("%(type)s, page %(n)s", type=type_label(doc.type).capitalize(), n=page.number)
        link = url_for("portal.viewer", batch=dossier.batch, folder=dossier.folder, pagina=position[page.seq],
                       q=" ".join(dict.fromkeys(page.matched)) or asked.q)
        snippets.append(Snippet(link, where, tuple(page.snippet)))
    return Hit(url, title, subtitle, addresses, tuple(snippets))


def _out_of_order(asked: Asked, exc: BaseException) -> Outcome:
    """A damaged search index (``search.sqlite`` after a power cut): the reader is told that
    searching is temporarily unavailable (nothing of the file or of SQLite's words), the server's
    log gets one line naming the file and the repair, and the thread lets go of the file, so that
    the index ``digitalisering index`` builds again (a new file) is read by the next search."""
    from flask import current_app

    from digitalisering.web.resources import resources

    where = resources().forget_searcher()
    current_app.logger.error("search unavailable: the search index %s is damaged (%s); "
                             "`digitalisering index` builds it again", where, exc.__cause__ or exc)
    return Outcome(asked, out_of_order=True)


def run_search(args: Mapping[str, str]) -> Outcome:
    """The search the form asks for (nothing when it asks nothing)."""
    from digitalisering.web.resources import catalog, searcher

    asked = parse(args)
    try:
        from digitalisering.index.model import SearchQuery
        from digitalisering.index.search import QueryError
    except ImportError:
        return Outcome(asked, available=False)
    if not asked.q:  # filters alone narrow a search; they are not one
        return Outcome(asked)
    try:
        engine = searcher()
        if engine is None:
            return Outcome(asked, available=False)
        result = engine.search(SearchQuery(asked.q, _filters(asked), limit=PAGE_SIZE,
                                           offset=(asked.page - 1) * PAGE_SIZE))
    except QueryError as exc:
        return Outcome(asked, error=str(exc))
    except (StateError, sqlite3.DatabaseError) as exc:
        from digitalisering.index.sqlite import damaged

        if not damaged(exc) and not damaged(exc.__cause__):
            raise
        return _out_of_order(asked, exc)
    cat = catalog()
    hits = [h for h in (_hit(asked, found, cat) for found in result.hits) if h is not None]
    read_as = ""
    aq = result.address
    if result.kind == "address" and aq is not None:
        if aq.street and aq.number is not None:
            read_as = f"{aq.street} {aq.number}{aq.letter or ''}" + (f"-{aq.addition}" if aq.addition else "")
        else:
            read_as = aq.postcode or aq.bag_id or ""
    return Outcome(asked, total=result.total, hits=hits, facets=_facets(asked, result.facets), kind=result.kind,
                   read_as=read_as)
