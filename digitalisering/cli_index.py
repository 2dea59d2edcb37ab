"""``digitalisering index`` and ``digitalisering search``: a thin face over ``digitalisering.index``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from babel.dates import format_date
from babel.numbers import format_decimal

from digitalisering.cli_common import Context, handle_errors
from digitalisering.exitcodes import ExitCode
from digitalisering.index.model import Filters, SearchQuery, SearchResult

TEXT = {
    "nl": {"indexed": "batch {batch}: {dossiers} dossiers, {documents} documenten, {pages} pagina's in de index "
                      "({rate} pagina's/min)",
           "none": "geen gepubliceerde batches om te indexeren (eerst: digitalisering run)",
           "empty": "de zoekindex is leeg: digitalisering index (of eerst digitalisering run)",
           "removed": "{n} batch(es) niet meer gepubliceerd: uit de index gehaald",
           "found": "{total} dossier(s) gevonden voor {query!r} ({kind}, {ms} ms)",
           "address": "adres", "text": "tekst", "nothing": "niets gevonden",
           "read_as": "gelezen als: {what}", "fuzzy": "ook gezocht: {what}", "truncated":
               "(aantallen over de {n} best passende pagina's)",
           "page": "blad", "facets": "per {name}: {values}",
           "facet_names": {"type": "type", "decade": "decennium", "batch": "batch"},
           "more": "... en {n} meer (--limit, --offset)", "via": {"exact": "", "gazetteer": " (historische naam)",
                                                                    "fuzzy": " (gelijkende naam)"}},
    "en": {"indexed": "batch {batch}: {dossiers} dossiers, {documents} documents, {pages} pages indexed "
                      "({rate} pages/min)",
           "none": "no published batches to index (first: digitalisering run)",
           "empty": "the search index is empty: digitalisering index (or first digitalisering run)",
           "removed": "{n} batch(es) no longer published: removed from the index",
           "found": "{total} dossier(s) found for {query!r} ({kind}, {ms} ms)",
           "address": "address", "text": "text", "nothing": "nothing found",
           "read_as": "read as: {what}", "fuzzy": "also searched: {what}", "truncated":
               "(counts over the {n} best matching pages)",
           "page": "page", "facets": "by {name}: {values}",
           "facet_names": {"type": "type", "decade": "decade", "batch": "batch"},
           "more": "... and {n} more (--limit, --offset)", "via": {"exact": "", "gazetteer": " (historic name)",
                                                                     "fuzzy": " (similar name)"}},
}
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
lang_option = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                           help="Language of the output.")


def _n(value: float, lang: str) -> str:
    return format_decimal(value, locale=LOCALES[lang])


@click.command("index")
@click.argument("batch", required=False)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes reading the stored OCR.")
@lang_option
@click.pass_obj
@handle_errors
def index_command(obj: Context, batch: str | None, jobs: int, lang: str) -> None:
    """(Re)build the search index for BATCH, or for every published batch."""
    from digitalisering.catalog import Catalog
    from digitalisering.index.build import Readers, open_for, rebuild

    t = TEXT[lang]
    with obj.store() as store:
        index = open_for(store, obj.workspace)
        try:
            before = set(index.batches())
            with Readers(jobs, obj.db or obj.workspace.database, obj.workspace.root) as readers:
                stats = rebuild(index, Catalog(store, obj.workspace), batch, readers)
            removed = before - set(index.batches()) - {s.batch for s in stats}
        finally:
            index.close()
    if not stats:
        click.echo(t["none"])
    for s in stats:
        click.echo(t["indexed"].format(batch=s.batch, dossiers=_n(s.dossiers, lang), documents=_n(s.documents, lang),
                                       pages=_n(s.pages, lang), rate=_n(round(s.pages_per_minute), lang)))
    if removed and batch is None:
        click.echo(t["removed"].format(n=len(removed)))


@click.command("search")
@click.argument("query")
@click.option("--type", "types", multiple=True, metavar="TYPE", help="Only documents of this type (repeatable).")
@click.option("--from-year", type=int, help="Only documents dated in or after this year.")
@click.option("--to-year", type=int, help="Only documents dated in or before this year.")
@click.option("--batch", "batches", multiple=True, metavar="BATCH", help="Only this batch (repeatable).")
@click.option("--mode", type=click.Choice(["auto", "address", "text"]), default="auto", show_default=True,
              help="auto: an address when the query reads as one, else full text.")
@click.option("--exact", is_flag=True, help="No fuzzy matching of OCR slips.")
@click.option("--limit", type=click.IntRange(1, 500), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of historic street-name variants (as for run).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result.")
@lang_option
@click.pass_obj
@handle_errors
def search_command(obj: Context, query: str, types: tuple[str, ...], from_year: int | None, to_year: int | None,
                   batches: tuple[str, ...], mode: str, exact: bool, limit: int, offset: int, gazetteer: Path | None,
                   as_json: bool, lang: str) -> None:
    """Find dossiers by address ("Breestraat 12", "2311 CS", a BAG id) or words ("dakkapel", "a phrase")."""
    from digitalisering.index import open_searcher

    q = SearchQuery(query, Filters(tuple(types), from_year, to_year, tuple(batches)), mode, not exact, limit, offset)
    with obj.store() as store:
        searcher = open_searcher(store, obj.workspace, gazetteer)
        try:
            result = searcher.search(q)
            empty = not searcher.index.batches()
        finally:
            searcher.index.close()
    if empty:
        click.echo(TEXT[lang]["empty"], err=True)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        _print(result, lang)
    sys.exit(int(ExitCode.OK))


def _date(iso: str, lang: str) -> str:
    from datetime import date

    try:
        return format_date(date.fromisoformat(iso), "long", locale=LOCALES[lang])
    except ValueError:
        return iso


def _print(r: SearchResult, lang: str) -> None:
    t = TEXT[lang]
    click.echo(t["found"].format(total=_n(r.total, lang), query=r.query.text, kind=t[r.kind],
                                 ms=_n(round(r.seconds * 1000), lang)))
    if r.address is not None:
        a = r.address
        what = a.bag_id or " ".join(x for x in (
            (a.street or "") + t["via"].get(a.via or "", ""), f"{a.number}" if a.number is not None else "",
            a.letter or "", f"-{a.addition}" if a.addition else "", a.postcode or "") if x)
        click.echo(t["read_as"].format(what=what))
    if r.expanded:
        click.echo(t["fuzzy"].format(what="; ".join(f"{k}: {', '.join(v)}" for k, v in r.expanded.items())))
    if not r.hits:
        click.echo(t["nothing"])
    for hit in r.hits:
        dates = [_date(d, lang) for d in (hit.dates[:1] + hit.dates[-1:] if len(hit.dates) > 1 else hit.dates)]
        click.echo(f"\n{hit.dossier}  [{hit.batch}]  {' - '.join(dates)}")
        for a in hit.addresses[:4]:
            click.echo(f"  {a.label} ({a.match})")
        click.echo("  " + ", ".join(f"{d.index}. {d.type or '?'}" for d in hit.documents))
        for p in hit.pages:
            click.echo(f"  {p.document} {t['page']} {p.number}: {p.snippet_text}")
    shown = r.query.offset + len(r.hits)
    if r.total > shown:
        click.echo("\n" + t["more"].format(n=_n(r.total - shown, lang)))
    for name, values in r.facets.items():
        if values:
            click.echo(t["facets"].format(name=t["facet_names"][name],
                                          values=", ".join(f"{v.value} {_n(v.count, lang)}" for v in values)))
    if r.truncated:
        from digitalisering.index.search import MAX_PAGES

        click.echo(t["truncated"].format(n=_n(MAX_PAGES, lang)))
