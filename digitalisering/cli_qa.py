"""``digitalisering qa ...``: automated checks, the ISO 2859-1 sample, the report, the review page and
the rescan list of a batch (see digitalisering.qa)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from digitalisering.cli_common import Context, OrderedGroup, echo_json, handle_errors, json_option
from digitalisering.errors import DigitaliseringError
from digitalisering.exitcodes import ExitCode
from digitalisering.ingest.register import operator_name
from digitalisering.i18n import _, language, ngettext, number
from digitalisering.qa.numbering import word as numbering_word
from digitalisering.qa.messages import check_label, render, ui

config_option = click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help="QA settings (TOML): AQL, inspection level, seed, thresholds "
                                  "[default: digitalisering/qa/qa_defaults.toml].")
archive_option = click.option("--archive-config", "archive_file",
                              type=click.Path(exists=True, dir_okay=False, path_type=Path),
                              help="Archive values for the MDTO check (as for `package --config`).")
lang_option = click.option("--lang", type=click.Choice(["nl", "en"]), default=None, hidden=True,
                           help="Language of the report [default: --taal, else Dutch].")
"""Kept for scripts written before; hidden: the one language option people see is --taal (also after
the command), and --lang of run was the pages' language for OCR (now --ocr-lang)."""


def _open(obj: Context, store, batch: str, config_file, archive_file, who: str, redraw: bool = False):
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.qa.config import load_qa_config
    from digitalisering.qa.inspection import open_inspection

    return open_inspection(store, obj.workspace, batch, load_qa_config(config_file), load_archive_config(archive_file),
                           who=who, redraw=redraw)


def _aql(label: object) -> str:
    """The AQL as the table writes it, the reader's way: 1.0 -> 1,0 in Dutch."""
    from digitalisering.i18n import WrittenDecimal, localised

    try:
        return f"{localised(WrittenDecimal(str(label)))}"
    except (TypeError, ValueError):
        return str(label)


def _plan_text(insp) -> str:
    p = insp.plan
    letter = p.code_letter if p.plan_letter == p.code_letter else f"{p.code_letter} -> {p.plan_letter}"
    return _("ISO 2859-1 single sampling, normal inspection, level {level}, AQL {aql}: lot {lot} pages, code letter "
             "{letter}, sample {n}, Ac {ac}, Re {re} (seed {seed})", level=p.level, aql=_aql(p.aql),
             lot=number(p.lot_size), letter=letter, n=number(p.sample_size), ac=p.acceptance, re=p.rejection,
             seed=insp.sample.seed)


def _echo_plan(insp) -> None:
    click.echo(_plan_text(insp))


def _plan_json(insp) -> dict:
    p = insp.plan
    return {"level": p.level, "aql": p.aql, "lot": p.lot_size, "code_letter": p.code_letter,
            "plan_letter": p.plan_letter, "sample": p.sample_size, "acceptance": p.acceptance,
            "rejection": p.rejection, "seed": insp.sample.seed}


def finding_json(insp, f, lang: str) -> dict:
    """One finding as ``qa check --json`` gives it: where it is as people count (dossier, document,
    blad, file) and as the program keys it (scope, key, seq)."""
    place = insp.places.get(f.pages[0]) if f.scope == "page" and f.pages else None
    return {"status": f.status, "check": f.check, "scope": f.scope, "key": f.key, "where": insp.where(f, lang),
            "dossier": place.dossier if place else None, "document": place.document if place else None,
            "blad": place.blad if place else None, "file": place.file if place else None,
            "page_in_file": place.file_page if place else None, "message": f.message(lang),
            "always_reviewed": f.review}


class _QaGroup(OrderedGroup):
    order = ("check", "report", "review", "rescan-list")


@click.group("qa", cls=_QaGroup)
def qa_group() -> None:
    """Quality assurance for archivists: checks, ISO 2859-1 sample, report, review page, rescan list."""


@qa_group.command("check")
@click.argument("batch")
@config_option
@archive_option
@click.option("--all", "show_all", is_flag=True, help="List warnings too (default: failures only).")
@json_option
@click.pass_obj
@handle_errors
def qa_check(obj: Context, batch: str, config_file, archive_file, show_all: bool, as_json: bool) -> None:
    """Run the automated checks on BATCH and list what failed (exit 8 when something failed)."""
    lang = language()
    with obj.store() as store:
        insp = _open(obj, store, batch, config_file, archive_file, operator_name())
        counts = insp.checks.counts()
        shown = [f for f in insp.checks.problems() if show_all or f.status == "fail"]
        failed = sum(c["fail"] for c in counts.values())
        if as_json:
            echo_json({"batch": insp.batch.name, "counts": counts,
                       "not_run": {name: render(code, {}, lang) for name, code in insp.checks.not_run.items()},
                       "findings": [finding_json(insp, f, lang) for f in shown], "plan": _plan_json(insp),
                       "failed": failed})
            sys.exit(int(ExitCode.QA_FAILED if failed else ExitCode.OK))
        width = max([len(check_label(n, lang)) for n in [*counts, *insp.checks.not_run]] + [10])
        words = {"pass": _("pass"), "warn": _("warn"), "fail": _("fail")}
        for name, c in counts.items():
            click.echo(f"  {check_label(name, lang):<{width}}  " + "  ".join(
                f"{words[k]} {number(c[k]):>6}" for k in ("pass", "warn", "fail")))
        for name, code in insp.checks.not_run.items():
            click.secho(f"  {check_label(name, lang):<{width}}  {render(code, {}, lang)}", fg="yellow")
        for f in shown:
            click.echo(f"  {ui(f.status, lang).upper():<12} {check_label(f.check, lang)}: {insp.where(f, lang)}: "
                       f"{f.message(lang)}")
        _echo_plan(insp)
    sys.exit(int(ExitCode.QA_FAILED if failed else ExitCode.OK))


@qa_group.command("report")
@click.argument("batch")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Report folder [default: qa-rapport (or qa-report) in the run's output folder].")
@config_option
@archive_option
@lang_option
@click.option("--redraw", is_flag=True, help="Draw a new sample (the earlier one and its decisions stay recorded).")
@json_option
@click.pass_obj
@handle_errors
def qa_report(obj: Context, batch: str, target: Path | None, config_file, archive_file, lang: str | None,
              redraw: bool, as_json: bool) -> None:
    """Write the QA report of BATCH: a static HTML folder and a CSV of the findings."""
    from digitalisering.qa.report import DEFECTS_FILE, verdict_text, write_report

    lang = lang or language()
    who = operator_name()
    with obj.store() as store:
        insp = _open(obj, store, batch, config_file, archive_file, who, redraw)
        target = target or insp.out_dir / ("qa-rapport" if lang == "nl" else "qa-report")
        summary = write_report(insp, target, who=who, lang=lang)
        verdict = insp.verdict()
    code = ExitCode.QA_FAILED if verdict.status == "not_accepted" else ExitCode.OK
    text, _values = verdict_text(verdict, lang)
    if as_json:
        echo_json({"batch": insp.batch.name, "report": str(summary.path / "index.html"),
                   "csv": str(summary.path / DEFECTS_FILE[lang]), "findings": summary.problems,
                   "pages_pictured": summary.pages_with_images, "no_picture": summary.image_failures,
                   "plan": _plan_json(insp), "verdict": {**verdict.__dict__, "text": text}})
        sys.exit(int(code))
    _echo_plan(insp)
    click.echo(_("report: {path} ({findings}, {pictured}; CSV {csv})", path=summary.path / "index.html",
                 findings=ngettext("{n} finding to look at", "{n} findings to look at", summary.problems),
                 pictured=ngettext("{n} page pictured", "{n} pages pictured", summary.pages_with_images),
                 csv=summary.path / DEFECTS_FILE[lang]))
    for failure in summary.image_failures:
        click.secho("  " + _("no picture: {what}", what=failure), fg="yellow")
    click.echo(f"{ui('verdict', lang)}: {text}")
    sys.exit(int(code))


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
                click.echo("  " + _("no account may decide yet: digitalisering user add NAME --role archivaris"))
            click.echo(_("review page: {url}  (sign in; Ctrl-C to stop)",
                         url=f"http://{shown}/qa/{quote(insp.batch.name)}/"))
            if host in WILDCARD_HOSTS or extra_hosts:
                click.echo("  " + _("opened as: {names}", names=", ".join(hosts)))
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                click.echo(_("stopped; the decisions are stored"))
    finally:
        sock.close()


@qa_group.command("rescan-list")
@click.argument("batch")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the list here as well [it is always kept in the workspace].")
@json_option
@click.pass_obj
@handle_errors
def qa_rescan_list(obj: Context, batch: str, csv_file: Path | None, as_json: bool) -> None:
    """The pages of BATCH rejected in review and waiting for a rescan."""
    from digitalisering.fileio import write_text_atomic
    from digitalisering.qa.inspection import find_batch, rescan_csv_text, rescan_rows, run_out_dir
    from digitalisering.resultsfile import read_results
    from digitalisering.reportfiles import check_report_target

    with obj.store() as store:
        b = find_batch(store, batch)
        if csv_file:
            check_report_target(store, csv_file, obj.workspace.root)  # never over a run's or a delivery's file
        try:
            results = read_results(run_out_dir(store, b))
        except DigitaliseringError:
            results = None  # dossier names then come from the delivery folders
        rows = rescan_rows(store, b, results)
    lang = language()
    if as_json:
        echo_json({"batch": b.name, "pages": rows, "csv": str(csv_file) if csv_file else None})
    for r in rows if not as_json else []:
        place = " · ".join(x for x in (r["dossier"], r["document"] and f"document {r['document']}",
                                       r["blad"] and f"{numbering_word('blad', lang)} {r['blad']}") if x)
        click.echo(f"  {place} ({r['bestand']} p. {r['pagina_in_bestand']}): {r['reden']} "
                   f"[{r['beoordelaar']}, {r['tijdstip']}]")
    if not as_json:
        click.echo(ngettext("{n} page to rescan", "{n} pages to rescan", len(rows)))
    if csv_file:
        write_text_atomic(csv_file, rescan_csv_text(rows))
        if not as_json:
            click.echo(f"CSV: {csv_file}")
