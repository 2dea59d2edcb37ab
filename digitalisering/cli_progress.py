"""``digitalisering progress``: all batches against the project's targets (see digitalisering.progress)."""

from __future__ import annotations

from pathlib import Path

import click

from digitalisering.cli_common import Context, echo_json, handle_errors, json_option
from digitalisering.i18n import _


TARGETS_ENV = "DIGITALISERING_TARGETS"
TARGETS_IN_WORKSPACE = "targets.toml"


def _targets_path(obj: Context, given: Path | None) -> Path:
    """The targets file: ``--targets``, else ``$DIGITALISERING_TARGETS``, else ``targets.toml`` in the
    workspace; never a path relative to wherever the command happens to be started."""
    import os

    from digitalisering.errors import ConfigError

    if given is not None:
        return given
    if os.environ.get(TARGETS_ENV):
        path = Path(os.environ[TARGETS_ENV])
        if not path.is_file():
            raise ConfigError("{path} (from {env}) does not exist; give --targets FILE", path=path, env=TARGETS_ENV)
        return path
    path = obj.workspace.root / TARGETS_IN_WORKSPACE
    if path.is_file():
        return path
    raise ConfigError("no targets file: give --targets FILE (an example: batches/targets.example.toml), set {env}, "
                      "or put it at {path}", env=TARGETS_ENV, path=path)


@click.command()
@click.option("--targets", "targets_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"The project's targets (TOML) [default: ${TARGETS_ENV}, else {TARGETS_IN_WORKSPACE} in the "
                   "workspace].")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="Report as of this day [default: today].")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the figures per week (or month), weeks without production included.")
@click.option("--period", type=click.Choice(["week", "month"]), default="week", show_default=True,
              help="Rows of the CSV.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML page with the burn-up and cost charts.")
@click.option("--stations-csv", "stations_csv", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the table per scanning station (pages, dossiers, pages per hour, failed, rescan).")
@click.option("--lang", "lang", type=click.Choice(["nl", "en"]), default=None, hidden=True,
              help="Language of the report [default: --taal].")
@json_option
@click.pass_obj
@handle_errors
def progress(obj: Context, targets_file: Path | None, as_of, csv_file: Path | None, period: str,
             html_file: Path | None, stations_csv: Path | None, lang: str | None, as_json: bool) -> None:
    """Progress of all batches against the targets: volumes, rates, forecast with its basis, budget."""
    import io as _io

    from digitalisering.fileio import write_text_atomic
    from digitalisering.i18n import language
    from digitalisering.progress.compute import project_progress
    from digitalisering.progress.report import (
        html_page, progress_json, terminal_table, write_csv, write_station_csv,
    )
    from digitalisering.progress.targets import load_targets
    from digitalisering.reportfiles import check_report_target

    lang = lang or language()
    targets = load_targets(_targets_path(obj, targets_file))
    with obj.store() as store:
        for target in (csv_file, html_file, stations_csv):
            if target:
                check_report_target(store, target, obj.workspace.root)  # never over a run's or a delivery's file
        p = project_progress(store, targets, as_of.date() if as_of else None)
    if as_json:
        echo_json(progress_json(p))
    else:
        click.echo(terminal_table(p, lang))
    if csv_file:
        buf = _io.StringIO()
        write_csv(p, buf, period, lang)
        write_text_atomic(csv_file, buf.getvalue())
        if not as_json:
            click.echo(f"CSV: {csv_file}")
    if stations_csv:
        buf = _io.StringIO()
        write_station_csv(p, buf)
        write_text_atomic(stations_csv, buf.getvalue())
        if not as_json:
            click.echo(f"CSV: {stations_csv}")
    if html_file:
        write_text_atomic(html_file, html_page(p, lang))
        if not as_json:
            click.echo(f"HTML: {html_file}")
