"""``digitalisering qa ...``: automated checks, the ISO 2859-1 sample, the report, the review page and
the rescan list of a batch (see digitalisering.qa)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from digitalisering.cli_common import Context, handle_errors
from digitalisering.errors import DigitaliseringError
from digitalisering.exitcodes import ExitCode
from digitalisering.ingest.register import operator_name

config_option = click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help="QA settings (TOML): AQL, inspection level, seed, thresholds "
                                  "[default: digitalisering/qa/qa_defaults.toml].")
archive_option = click.option("--archive-config", "archive_file",
                              type=click.Path(exists=True, dir_okay=False, path_type=Path),
                              help="Archive values for the MDTO check (as for `package --config`).")
lang_option = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                           help="Language of the report.")


def _open(obj: Context, store, batch: str, config_file, archive_file, who: str, redraw: bool = False):
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.qa.config import load_qa_config
    from digitalisering.qa.inspection import open_inspection

    return open_inspection(store, obj.workspace, batch, load_qa_config(config_file), load_archive_config(archive_file),
                           who=who, redraw=redraw)


def _echo_plan(insp) -> None:
    p = insp.plan
    letter = p.code_letter if p.plan_letter == p.code_letter else f"{p.code_letter} -> {p.plan_letter}"
    click.echo(f"ISO 2859-1 single sampling, normal inspection, level {p.level}, AQL {p.aql}: lot {p.lot_size} "
               f"pages, code letter {letter}, sample {p.sample_size}, Ac {p.acceptance}, Re {p.rejection}"
               f" (seed {insp.sample.seed})")


@click.group("qa")
def qa_group() -> None:
    """Quality assurance for archivists: checks, ISO 2859-1 sample, report, review page, rescan list."""


@qa_group.command("check")
@click.argument("batch")
@config_option
@archive_option
@click.option("--all", "show_all", is_flag=True, help="List warnings too (default: failures only).")
@click.pass_obj
@handle_errors
def qa_check(obj: Context, batch: str, config_file, archive_file, show_all: bool) -> None:
    """Run the automated checks on BATCH and list what failed (exit 8 when something failed)."""
    with obj.store() as store:
        insp = _open(obj, store, batch, config_file, archive_file, operator_name())
        counts = insp.checks.counts()
        for name, c in counts.items():
            click.echo(f"  {name:<18} pass {c['pass']:>6}  warn {c['warn']:>6}  fail {c['fail']:>6}")
        shown = [f for f in insp.checks.problems() if show_all or f.status == "fail"]
        for f in shown:
            where = f"page {f.key}" if f.scope == "page" else f.key
            click.echo(f"  {f.status.upper():<4} {f.check:<18} {where}: {f.message('en')}")
        _echo_plan(insp)
    failed = sum(c["fail"] for c in counts.values())
    sys.exit(int(ExitCode.QA_FAILED if failed else ExitCode.OK))


@qa_group.command("report")
@click.argument("batch")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Report folder [default: qa-rapport (or qa-report) in the run's output folder].")
@config_option
@archive_option
@lang_option
@click.option("--redraw", is_flag=True, help="Draw a new sample (the earlier one and its decisions stay recorded).")
@click.pass_obj
@handle_errors
def qa_report(obj: Context, batch: str, target: Path | None, config_file, archive_file, lang: str,
              redraw: bool) -> None:
    """Write the QA report of BATCH: a static HTML folder and a CSV of the findings."""
    from digitalisering.qa.report import DEFECTS_FILE, write_report

    who = operator_name()
    with obj.store() as store:
        insp = _open(obj, store, batch, config_file, archive_file, who, redraw)
        target = target or insp.out_dir / ("qa-rapport" if lang == "nl" else "qa-report")
        summary = write_report(insp, target, who=who, lang=lang)
        verdict = insp.verdict()
    _echo_plan(insp)
    click.echo(f"report: {summary.path / 'index.html'} ({summary.problems} findings to look at, "
               f"{summary.pages_with_images} pages pictured; CSV {summary.path / DEFECTS_FILE[lang]})")
    for failure in summary.image_failures:
        click.secho(f"  no picture: {failure}", fg="yellow")
    click.echo(f"verdict: {verdict.status} ({verdict.reviewed}/{verdict.sample_size} sample pages reviewed, "
               f"{verdict.rejected} rejected)")
    sys.exit(int(ExitCode.QA_FAILED if verdict.status == "not_accepted" else ExitCode.OK))


@qa_group.command("review")
@click.argument("batch")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--allowed-host", "extra_hosts", multiple=True, metavar="NAME[:PORT]",
              help="A further name the page may be opened by (e.g. the machine's name on the network with "
                   "--host 0.0.0.0); repeatable. The address listened on and its loopback names always are.")
@config_option
@archive_option
@click.pass_obj
@handle_errors
def qa_review(obj: Context, batch: str, host: str, port: int, extra_hosts: tuple[str, ...],
              config_file, archive_file) -> None:
    """Open the review page of BATCH in a local web server (stop it with Ctrl-C). Decisions are made
    by the archivist signed in on the page (`digitalisering user add NAME --role archivaris`)."""
    from urllib.parse import quote

    from digitalisering.cli_web import web_settings
    from digitalisering.qa.review import ReviewBatches
    from digitalisering.web.app import create_app
    from digitalisering.web.security import WILDCARD_HOSTS, allowed_hosts, format_host
    from digitalisering.web.server import WebServer, listen
    from digitalisering.web.users import ARCHIVARIS, at_least, list_users

    allowed_hosts(host, port, extra_hosts)  # a bad --allowed-host is a usage error before anything else
    sock = listen(host, port)  # a port in use is known at once, before the checks run
    try:
        port = sock.getsockname()[1]  # --port 0: a free port
        hosts = allowed_hosts(host, port, extra_hosts)
        with obj.store() as store:
            insp = _open(obj, store, batch, config_file, archive_file, operator_name())
            _echo_plan(insp)
            deciders = [u.name for u in list_users(store) if at_least(u.role, ARCHIVARIS)]
            settings = web_settings(obj, hosts, qa_config=config_file, archive_config=archive_file)
            app = create_app(settings, review=ReviewBatches.fixed(insp))
            server = WebServer(app, sock)
            shown = format_host("127.0.0.1" if host in WILDCARD_HOSTS else host.strip("[]"), port)
            if not deciders:
                click.echo("  no account may decide yet: digitalisering user add NAME --role archivaris")
            click.echo(f"review page: http://{shown}/qa/{quote(insp.batch.name)}/  (sign in; Ctrl-C to stop)")
            if host in WILDCARD_HOSTS or extra_hosts:
                click.echo(f"  opened as: {', '.join(hosts)}")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                click.echo("stopped; the decisions are stored")
    finally:
        sock.close()


@qa_group.command("rescan-list")
@click.argument("batch")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the list here as well [it is always kept in the workspace].")
@click.pass_obj
@handle_errors
def qa_rescan_list(obj: Context, batch: str, csv_file: Path | None) -> None:
    """The pages of BATCH rejected in review and waiting for a rescan."""
    from digitalisering.fileio import write_text_atomic
    from digitalisering.qa.inspection import find_batch, rescan_csv_text, rescan_rows, run_out_dir
    from digitalisering.resultsfile import read_results

    with obj.store() as store:
        b = find_batch(store, batch)
        try:
            results = read_results(run_out_dir(store, b))
        except DigitaliseringError:
            results = None  # dossier names then come from the delivery folders
        rows = rescan_rows(store, b, results)
    for r in rows:
        click.echo(f"  page {r['volgnummer']}: {r['bestand']} p. {r['pagina']} ({r['dossier']}): {r['reden']} "
                   f"[{r['beoordelaar']}, {r['tijdstip']}]")
    click.echo(f"{len(rows)} page(s) to rescan")
    if csv_file:
        write_text_atomic(csv_file, rescan_csv_text(rows))
        click.echo(f"CSV: {csv_file}")
