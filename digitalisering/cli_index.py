"""``digitalisering index`` and ``digitalisering search``: a thin face over ``digitalisering.index``."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from digitalisering.cli_common import Context, echo_json, handle_errors, json_option
from digitalisering.exitcodes import ExitCode
from digitalisering.i18n import N_, _, long_date, ngettext, number
from digitalisering.index.model import Filters, SearchQuery, SearchResult

KINDS = {"address": N_("address"), "text": N_("text")}
FACETS = {"type": N_("type"), "decade": N_("decade"), "batch": N_("batch")}
VIA = {"gazetteer": N_(" (historic name)"), "fuzzy": N_(" (similar name)")}

@click.command("index")
@click.argument("batch", required=False)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes reading the stored OCR.")
@click.pass_obj
@handle_errors
def index_command(obj: Context, batch: str | None, jobs: int) -> None:
    """(Re)build the search index for BATCH, or for every published batch."""
    from digitalisering.catalog import Catalog
    from digitalisering.index.build import Readers, open_for, rebuild

    from digitalisering.errors import StateError
    from digitalisering.index.sqlite import INDEX_FILE, SqliteIndex, damaged, remove_files

    with obj.store() as store:
        try:
            index = open_for(store, obj.workspace)
        except StateError as exc:  # damaged where it starts (its header): as below, a new file
            if not damaged(exc.__cause__):
                raise
            path = Path(obj.workspace.root) / INDEX_FILE
            click.echo(_("the search index {path} was damaged ({error}): built again from scratch",
                         path=path, error=exc.__cause__))
            remove_files(path)
            index, batch = open_for(store, obj.workspace), None
        try:
            try:
                before = set(index.batches())
                with Readers(jobs, obj.state_target(), obj.workspace.root) as readers:
                    stats = rebuild(index, Catalog(store, obj.workspace), batch, readers)
            except sqlite3.DatabaseError as exc:
                if not (isinstance(index, SqliteIndex) and damaged(exc)):
                    raise
                # derived data: every published batch again, into a new file
                click.echo(_("the search index {path} was damaged ({error}): built again from scratch",
                             path=index.path, error=exc))
                index.start_afresh()
                before, batch = set(), None
                with Readers(jobs, obj.state_target(), obj.workspace.root) as readers:
                    stats = rebuild(index, Catalog(store, obj.workspace), None, readers)
            removed = before - set(index.batches()) - {s.batch for s in stats}
        finally:
            index.close()
    if not stats:
        click.echo(_("no published batches to index (first: digitalisering run)"))
    for s in stats:
        click.echo(_("batch {batch}: {dossiers} dossiers, {documents} documents, {pages} pages indexed "
                     "({rate} pages/min)", batch=s.batch, dossiers=number(s.dossiers), documents=number(s.documents),
                     pages=number(s.pages), rate=number(round(s.pages_per_minute))))
    if removed and batch is None:
        click.echo(ngettext("{n} batch no longer published: removed from the index",
                            "{n} batches no longer published: removed from the index", len(removed)))


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
@json_option
@click.pass_obj
@handle_errors
def search_command(obj: Context, query: str, types: tuple[str, ...], from_year: int | None, to_year: int | None,
                   batches: tuple[str, ...], mode: str, exact: bool, limit: int, offset: int, gazetteer: Path | None,
                   as_json: bool) -> None:
    """Find dossiers by address ("Breestraat 12", "2311 CS", a BAG id) or words ("dakkapel", "a phrase")."""
    from digitalisering.index import open_searcher

    q = SearchQuery(query, Filters(tuple(types), from_year, to_year, tuple(batches)), mode, not exact, limit, offset)
    from digitalisering.errors import StateError
    from digitalisering.index.sqlite import INDEX_FILE, damaged

    with obj.store() as store:
        try:
            searcher = open_searcher(store, obj.workspace, gazetteer)
            try:
                result = searcher.search(q)
                empty = not searcher.index.batches()
            finally:
                searcher.index.close()
        except (StateError, sqlite3.DatabaseError) as exc:
            # a damaged search.sqlite (a power cut) is derived data that `index` builds again: one
            # line and exit 6, not an internal error (exit 15) or SQLite's words alone
            cause = exc.__cause__ if isinstance(exc, StateError) else exc
            if not damaged(cause):
                raise
            raise StateError("the search index {path} is damaged ({error}); build it again: digitalisering index",
                             path=Path(obj.workspace.root) / INDEX_FILE, error=cause) from exc
    if empty:
        click.echo(_("the search index is empty: digitalisering index (or first digitalisering run)"), err=True)
    if as_json:
        echo_json(result.to_json())
    else:
        _print(result)
    sys.exit(int(ExitCode.OK))


def _print(r: SearchResult) -> None:
    click.echo(ngettext("{n} dossier found for {query!r} ({kind}, {ms} ms)", "{n} dossiers found for {query!r} ({kind}, {ms} ms)",
                        r.total, query=r.query.text, kind=_(KINDS[r.kind]), ms=number(round(r.seconds * 1000))))
    if r.address is not None:
        a = r.address
        via = _(VIA[a.via]) if a.via in VIA else ""
        what = a.bag_id or " ".join(x for x in (
            (a.street or "") + via, f"{a.number}" if a.number is not None else "",
            a.letter or "", f"-{a.addition}" if a.addition else "", a.postcode or "") if x)
        click.echo(_("read as: {what}", what=what))
    if r.expanded:
        click.echo(_("also searched: {what}", what="; ".join(f"{k}: {', '.join(v)}" for k, v in r.expanded.items())))
    if not r.hits:
        click.echo(_("nothing found"))
    for hit in r.hits:
        dates = [long_date(d) for d in (hit.dates[:1] + hit.dates[-1:] if len(hit.dates) > 1 else hit.dates)]
        click.echo(f"\n{hit.dossier}  [{hit.batch}]  {' - '.join(dates)}")
        for a in hit.addresses[:4]:
            click.echo(f"  {a.label} ({a.match})")
        click.echo("  " + ", ".join(f"{d.index}. {d.type or '?'}" for d in hit.documents))
        for p in hit.pages:
            click.echo("  " + _("{document} page {number}: {snippet}", document=p.document, number=p.number,
                                snippet=p.snippet_text))
    shown = r.query.offset + len(r.hits)
    if r.total > shown:
        click.echo("\n" + _("... and {n} more (--limit, --offset)", n=number(r.total - shown)))
    for name, values in r.facets.items():
        if values:
            click.echo(_("by {name}: {values}", name=_(FACETS[name]),
                         values=", ".join(f"{v.value} {number(v.count)}" for v in values)))
    if r.truncated:
        from digitalisering.index.search import MAX_PAGES

        click.echo(_("(counts over the {n} best matching pages)", n=number(MAX_PAGES)))
