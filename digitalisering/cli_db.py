"""``digitalisering db``: the state database itself (``db move``: from the workspace's SQLite file into
PostgreSQL, see digitalisering.store.move)."""

from __future__ import annotations

import click

from digitalisering.cli_common import Context, handle_errors
from digitalisering.i18n import _, number
from digitalisering.store.backend import DB_ENV_VAR


@click.group("db")
def db_group() -> None:
    """The state database: move it from the workspace's SQLite file to PostgreSQL for several stations."""


@db_group.command("move")
@click.option("--to", "target", required=True, metavar="URL",
              help="The empty PostgreSQL database, postgresql://user@host/dbname.")
@click.pass_obj
@handle_errors
def move(obj: Context, target: str) -> None:
    """Copy the whole state from the workspace's SQLite file into an empty PostgreSQL database.

    One transaction: either everything is copied and checked (row counts and a checksum per table)
    or the target stays empty. Refused while a run holds a batch, or when the target already holds
    state. Stop `portal` and `qa review` on this workspace first (their corrections and decisions
    would stay behind in SQLite). The SQLite file is only read: it stays as it was, as the fallback.
    Then every published batch is indexed into the PostgreSQL database (after the commit; when that
    fails the state has moved and `digitalisering --db URL index` makes the index).
    """
    from digitalisering.errors import DigitaliseringError, StateError, first_line
    from digitalisering.index.build import index_after_move
    from digitalisering.store.move import is_postgres_url, move_state
    from digitalisering.workspace import Workspace

    workspace = Workspace(obj.workspace_path.resolve())
    source = obj.db if obj.db and not is_postgres_url(obj.db) else workspace.database
    report = move_state(source, target)
    click.echo(_("moved the state from {source} to {target}: {tables} tables, {rows} rows (schema level {level})",
                 source=report.source, target=report.target, tables=number(len(report.tables)),
                 rows=number(report.rows), level=report.level))
    for t in report.tables:
        click.echo(f"  {t.name:<18} {number(t.rows):>10}  {t.checksum[:16]}")
    click.echo("  " + _("checked: row counts and checksums of every table are the same in both databases"))
    click.echo("  " + _("the SQLite file was not changed; it stays as the fallback (leave out --db to use it)"))
    click.echo("  " + _("from now on, on every station: --db {url} or the environment variable {var}={url}",
                        url=report.target, var=DB_ENV_VAR))
    try:
        stats = index_after_move(target, workspace)
    except DigitaliseringError as exc:
        raise StateError("the state was moved, but the search index in {target} could not be built: {error}; "
                         "make it with: digitalisering --db {target} index",
                         target=report.target, error=first_line(exc)) from exc
    click.echo("  " + _("search index in {target}: {batches} batches, {pages} pages indexed",
                        target=report.target, batches=number(len(stats)), pages=number(sum(s.pages for s in stats))))
