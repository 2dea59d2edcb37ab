"""The ``digitalisering`` command: a thin face over the library (parse, call, print)."""

from __future__ import annotations

import json
import logging
import sys
import warnings
from pathlib import Path

import click

from digitalisering import __version__
from digitalisering.exitcodes import ExitCode
from digitalisering.ingest import IngestReport, ingest_delivery
from digitalisering.imaging.limits import set_pixel_limit
from digitalisering.ingest.register import check_workspace_apart, operator_name, registered
from digitalisering.ocr.engines import DEFAULT_ENGINE, ENGINES
from digitalisering.qa.failures import FAILURES_FILE, count_by_reason, list_failures
from digitalisering.runner import RunOptions, RunSummary, run_batch
from digitalisering.store.records import PageStatus
from digitalisering.workspace import ENV_VAR
from digitalisering.store.backend import DB_ENV_VAR
from digitalisering.cli_access import access_group
from digitalisering.cli_iiif import iiif_group
from digitalisering.cli_qa import qa_group
from digitalisering.cli_index import index_command, search_command
from digitalisering.cli_db import db_group
from digitalisering.cli_events import events
from digitalisering.cli_package import package, verify
from digitalisering.cli_progress import progress
from digitalisering.cli_web import portal, user_group
from digitalisering.cli_common import Context, LocalisedMain, _fail, echo_json, handle_errors, json_option, operator_option
from digitalisering.i18n import ENV_VAR as LANG_ENV, LANGS, _, long_date, ngettext, number, set_language, timestamp


_GLOBAL_WITH_VALUE = ("--workspace", "--db", "--taal", "--language")
_GLOBAL_FLAGS = ("-v", "--verbose")


COMMAND_ORDER = ("bag", "ingest", "run", "status", "qa", "access", "package", "verify", "index", "search", "iiif",
                 "portal", "user",
                 "validate", "progress", "events", "learn", "db")
"""The commands in the order of the work: the BAG index first, then a delivery from ingest to package."""

EXAMPLES = """\b
Examples (the order of the work):
  digitalisering bag import BAGNLDL-01102026.zip --gemeente 0546
  digitalisering run batches/demo --out out/demo
  digitalisering run batches/demo --out out/demo --accept-redelivery BWT-1962-0422/0002.tif
  digitalisering status demo
  digitalisering qa check demo
  digitalisering qa report demo
  digitalisering qa review demo
  digitalisering package out/demo --to out/demo-package
  digitalisering verify out/demo-package
  digitalisering user add anna --role archivaris
  digitalisering portal --port 8080
  digitalisering progress --targets targets.toml --html voortgang.html
  digitalisering db move --to postgresql://digitalisering@dbhost/archief

Options of the command line as a whole (--workspace, --db, --taal, -v) may also be given after the
command: digitalisering status demo --workspace ws. Everything is in Dutch; --taal en for English.
"""


def _show_version(ctx: click.Context) -> None:
    """click's own ``version_option`` fixes its text when the module is imported (in English): this one
    says it in the language chosen on the command line."""
    from digitalisering.i18n import click_gettext

    click.echo(click_gettext("%(prog)s, version %(version)s") % {"prog": "digitalisering", "version": __version__})
    ctx.exit()


class _Main(LocalisedMain):
    """The top-level group: its options (``--workspace``, ``--db``, ``--taal``, ``-v``) may also stand
    after the subcommand (``digitalisering status demo --workspace WS``): they are moved in front before
    parsing. Commands are listed in the order of the work, each with its whole first sentence."""

    order = COMMAND_ORDER

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with the global options found after the subcommand moved to the front (up to ``--``)."""
    front: list[str] = []
    rest: list[str] = []
    i, seen_command = 0, False
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        name = arg.split("=", 1)[0]
        if seen_command and name in _GLOBAL_WITH_VALUE:
            if "=" in arg or i + 1 == len(args):
                front.append(arg)
                i += 1
            else:
                front += [arg, args[i + 1]]
                i += 2
            continue
        if seen_command and arg in _GLOBAL_FLAGS:
            front.append(arg)
        else:
            if not arg.startswith("-"):
                seen_command = True
            rest.append(arg)
        i += 1
    if not front:
        return args
    # the options before the command keep their place; the hoisted ones come right after them
    head = []
    for j, arg in enumerate(rest):
        if not arg.startswith("-") and (j == 0 or rest[j - 1].split("=", 1)[0] not in _GLOBAL_WITH_VALUE
                                        or "=" in rest[j - 1]):
            break
        head.append(arg)
    return head + front + rest[len(head):]


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
             epilog=EXAMPLES)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, help="Show the version and exit.",
              callback=lambda ctx, _param, value: _show_version(ctx) if value and not ctx.resilient_parsing else None)
@click.option("--taal", "--language", "taal", type=click.Choice(LANGS), envvar=LANG_ENV,
              help=f"Language of everything printed and written for people: nl (default) or en [env {LANG_ENV}].")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), envvar=ENV_VAR,
              help=f"Folder for the state database and work files [env {ENV_VAR}; "
                   "default ~/.local/share/digitalisering].")
@click.option("--db", envvar=DB_ENV_VAR, metavar="URL",
              help=f"Shared state database, postgresql://user@host/dbname [env {DB_ENV_VAR}; "
                   "default: SQLite in the workspace].")
@click.option("-v", "--verbose", is_flag=True, help="Log details (failed page tracebacks).")
@click.pass_context
def main(ctx: click.Context, taal: str | None, workspace: Path | None, db: str | None, verbose: bool) -> None:
    """Scanned building dossiers (bouwdossiers) into a trustworthy digital archive."""
    set_language(taal)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(message)s")
    # Pillow warns about odd metadata (corrupt EXIF); the page record keeps what matters.
    warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
    ctx.obj = Context(workspace, db)


delivery_argument = click.argument(
    "delivery", type=click.Path(exists=True, file_okay=False, path_type=Path))
layout_option = click.option("--layout", type=click.Choice(["auto", "folders", "stack"]), default="auto",
                             show_default=True,
                             help="folders: one folder per dossier; stack: one continuous stack.")
batch_option = click.option("--batch", "batch_name", help="Batch name [default: the delivery folder's name].")
station_option = click.option(
    "--station", metavar="NAME",
    help="The scanning station the files come from, for the progress per station "
         "[env DIGITALISERING_STATION; default: this computer's name].")
redelivery_option = click.option(
    "--accept-redelivery", "redelivered", multiple=True, metavar="FILE",
    help="FILE (its path in the delivery, e.g. DOSSIER/0002.tif) failed or was missing and the scanner "
         "delivered it again: take the new version (the old one stays in the history); repeatable.")


def _print_ingest(report: IngestReport) -> None:
    b = report.batch
    if report.created:
        click.echo(_("batch {name}: new ({layout} layout) from {delivery}", name=b.name, layout=b.layout,
                     delivery=b.delivery))
    elif report.is_noop:
        click.echo(ngettext("batch {name}: already ingested, nothing new ({n} file unchanged)",
                            "batch {name}: already ingested, nothing new ({n} files unchanged)",
                            report.unchanged_files, name=b.name))
    else:
        click.echo(ngettext("batch {name}: already ingested; {n} file unchanged",
                            "batch {name}: already ingested; {n} files unchanged", report.unchanged_files, name=b.name))
    if report.added_files:
        click.echo("  " + _("added {files} files, {pages} pages (scanning station {station})",
                            files=number(len(report.added_files)), pages=number(report.added_pages),
                            station=report.station or "–"))
    for rel, reason in report.failed_files.items():
        click.secho("  " + _("failed: {file}: {reason}", file=rel, reason=reason), fg="yellow")
    for rel in report.redelivered_files:
        click.echo("  " + _("re-delivered, the new version is taken (the earlier one is kept in the history): {file}",
                            file=rel))
    for rel, reason in report.redelivery_refused.items():
        click.secho("  " + _("not taken as a re-delivery: {file}: {reason}", file=rel, reason=_(reason)), fg="red")
    for changed in report.changed_files:
        click.secho("  " + _("CHANGED since ingest (kept the recorded version): {file} recorded sha256 {old}..., "
                             "now {new}...", file=changed.relpath, old=changed.recorded_sha256[:12],
                             new=changed.current_sha256[:12]), fg="red")
        if changed.redeliverable:
            click.echo("    " + _("the recorded version failed or was missing; to take the new one: "
                                  "--accept-redelivery {file}", file=changed.relpath))
    for rel in report.missing_files:
        click.secho("  " + _("MISSING since ingest: {file}", file=rel), fg="red")
    for rel, recorded in report.renamed_files.items():
        click.secho("  " + _("RENAMED since ingest (not taken as a new file): {file} was ingested as {recorded}; "
                             "copy the delivery again keeping its names", file=rel, recorded=recorded), fg="red")
    if report.ignored_files:
        click.echo("  " + ngettext("ignored {n} non-scan file: {names}", "ignored {n} non-scan files: {names}",
                                   len(report.ignored_files), names=", ".join(report.ignored_files[:5])
                                   + (" …" if len(report.ignored_files) > 5 else "")))
    for rel, reason in report.skipped.items():
        click.secho("  " + _("skipped, not read: {file}: {reason}", file=rel, reason=reason), fg="yellow")


def _ingest_exit(report: IngestReport) -> ExitCode:
    if report.changed_files or report.missing_files:
        return ExitCode.FIXITY
    return ExitCode.PAGES_FAILED if report.failed_files else ExitCode.OK


@main.command()
@delivery_argument
@operator_option
@layout_option
@batch_option
@station_option
@redelivery_option
@click.pass_obj
@handle_errors
def ingest(obj: Context, delivery: Path, operator: str | None, layout: str, batch_name: str | None,
           station: str | None, redelivered: tuple[str, ...]) -> None:
    """Register DELIVERY: SHA-256 of every file, its pages, and an event log entry."""
    check_workspace_apart(delivery, obj.workspace_path)  # before the workspace is made
    with obj.store() as store:
        report = ingest_delivery(store, delivery, operator=operator, batch_name=batch_name, layout=layout,
                                 workspace_root=obj.workspace.root, accept_redelivery=redelivered,
                                 station=station)
    _print_ingest(report)
    sys.exit(int(_ingest_exit(report)))


@main.command()
@delivery_argument
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (PDFs and results.json).")
@click.option("--ocr-lang", default=None, metavar="LANGS",
              help="Language(s) of the text on the pages, for OCR: tesseract's codes, e.g. nld or nld+eng "
                   "[default: nld]. (The language you read is --taal.)")
@click.option("--lang", "old_lang", default=None, hidden=True,
              help="Old name of --ocr-lang (still accepted, with a note).")
@click.option("--ocr-engine", type=click.Choice(sorted(ENGINES)), default=DEFAULT_ENGINE, show_default=True,
              help="OCR engine that reads the pages.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (0 = one per core).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Send the page work to a Dask distributed scheduler (tcp://host:8786); its workers "
                   "must reach the delivery, workspace and output folders at the same paths.")
@click.option("--jpeg-quality", type=click.IntRange(10, 100), default=85, show_default=True,
              help="JPEG quality of greyscale and colour page images.")
@click.option("--max-megapixels", type=click.IntRange(min=1), default=250, show_default=True,
              help="Refuse page images larger than this (decompression bombs).")
@click.option("--lossless", is_flag=True, help="Grey and colour pages losslessly (Flate) instead of JPEG.")
@click.option("--pdfa", type=click.Choice(["2b", "1b"]), default="2b", show_default=True,
              help="PDF/A flavour of the output files.")
@click.option("--ocr-max-megapixels", type=click.FloatRange(min=0), default=40, show_default=True,
              help="Larger pages (drawings) are OCRed at a reduced resolution; 0 = never reduce.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of historic street-name variants (namevariant,<street key>) for address matching.")
@click.option("--exclusions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The municipality's exclusion list (CSV bag_id;reden;einddatum): documents about these "
                   "buildings are proposed for restriction.")
@click.option("--dossier-pdf", is_flag=True, help="Also write one PDF per dossier, a bookmark per document.")
@click.option("--overrides", "overrides_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Corrections of the split and types (CSV page;action;value); kept for later runs.")
@click.option("--keep-blank", is_flag=True, help="Keep blank pages in the PDFs (always kept in the record).")
@click.option("--crop", is_flag=True,
              help="Show each PDF page cropped to its sheet, without the scanner's border (the scan stays whole "
                   "in the file).")
@click.option("--no-osd", is_flag=True, help="Never ask the OCR engine's orientation detection (OSD) which way up a page is.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@operator_option
@layout_option
@batch_option
@station_option
@redelivery_option
@click.pass_obj
@handle_errors
def run(obj: Context, delivery: Path, out_dir: Path, ocr_lang: str | None, old_lang: str | None, ocr_engine: str,
        jobs: int, scheduler: str | None, jpeg_quality: int,
        max_megapixels: int, lossless: bool, pdfa: str, ocr_max_megapixels: float, gazetteer: Path | None,
        exclusions: Path | None, dossier_pdf: bool,
        overrides_file: Path | None, keep_blank: bool, crop: bool, no_osd: bool, no_progress: bool, operator: str | None,
        layout: str, batch_name: str | None, station: str | None, redelivered: tuple[str, ...]) -> None:
    """Ingest DELIVERY and process every page not yet done; resumes where a previous run stopped."""
    from digitalisering.bag.link import load_gazetteer
    from digitalisering.documents.overrides import load_overrides
    from digitalisering.documents.vocabulary import default_vocabulary

    check_workspace_apart(delivery, obj.workspace_path)  # before the workspace is made
    if old_lang is not None:
        click.secho(_("note: --lang of run is now called --ocr-lang (the language of the pages' text, for OCR); "
                      "--lang will go away. The language you read is --taal."), fg="yellow", err=True)
        if ocr_lang is not None and ocr_lang != old_lang:
            _fail(_("--lang {old} and --ocr-lang {new} disagree; give only --ocr-lang", old=old_lang, new=ocr_lang),
                  ExitCode.USAGE)
    who = operator_name(operator)
    options = RunOptions(lang=ocr_lang or old_lang or "nld", ocr_engine=ocr_engine, jobs=jobs,
                         jpeg_quality=jpeg_quality,
                         max_pixels=max_megapixels * 1_000_000, progress=not no_progress,
                         keep_blank=keep_blank, crop=crop, use_osd=not no_osd, pdfa=pdfa, lossless=lossless,
                         ocr_max_megapixels=ocr_max_megapixels, dossier_pdf=dossier_pdf,
                         gazetteer=str(gazetteer.resolve()) if gazetteer else None, scheduler=scheduler,
                         exclusions=str(exclusions.resolve()) if exclusions else None)
    # operator files are checked before ingest (which can take long); pages named by the overrides after it
    overrides = load_overrides(overrides_file, default_vocabulary().type_names) if overrides_file else None
    set_pixel_limit(options.max_pixels)  # Pillow's and pikepdf's guards, for ingest too
    if gazetteer:
        load_gazetteer(gazetteer)
    if exclusions:
        from digitalisering.access.vulnerable import read_exclusions
        read_exclusions(exclusions)
    # the batch stays held from its registration to the end of the run: a second command that
    # registers the same delivery meanwhile waits for the registration, then is refused (exit 6)
    with obj.store() as store, registered(store, delivery, operator=who, batch_name=batch_name,
                                          layout=layout, workspace_root=obj.workspace.root,
                                          accept_redelivery=redelivered, station=station) as report:
        _print_ingest(report)
        summary = run_batch(store, obj.workspace, report.batch, out_dir, options, who, overrides)
    _print_summary(summary)
    code = _ingest_exit(report)
    if code == ExitCode.OK and (summary.failures or summary.addresses_unlinked):
        code = ExitCode.PAGES_FAILED
    sys.exit(int(code))


def _print_summary(s: RunSummary) -> None:
    """What the batch holds now, then what this run did: never a count of this run beside a count of
    the batch without saying which is which."""
    c = s.counts or {}
    failed_now = c.get(PageStatus.FAILED, 0)
    state = ngettext("batch {name}: {n} page: {done} done, {failed} failed", "batch {name}: {n} pages: {done} done, {failed} failed",
                     s.pages_total, name=s.batch.name, done=number(c.get(PageStatus.DONE, 0)), failed=number(failed_now))
    for status, word in ((PageStatus.PENDING, _("pending")), (PageStatus.RESCAN, _("waiting for a rescan"))):
        if c.get(status):
            state += f", {number(c[status])} {word}"
    click.echo(state)
    before = ("; " + ngettext("{n} was already done", "{n} were already done", s.already_done)) if s.already_done else ""
    if s.pages_processed:
        click.echo("  " + ngettext("this run: {count} page processed ({done} done, {failed} failed) in {s} s = {rate} "
                                   "pages/min (pages {pages_s} s, outputs {out_s} s)",
                                   "this run: {count} pages processed ({done} done, {failed} failed) in {s} s = {rate} "
                                   "pages/min (pages {pages_s} s, outputs {out_s} s)",
                                   s.pages_processed, count=number(s.pages_processed), done=number(s.pages_done), failed=number(s.pages_failed), s=number(s.elapsed_s, 1),
                            rate=number(s.pages_per_minute, 1), pages_s=number(s.pages_s, 1),
                            out_s=number(s.elapsed_s - s.pages_s, 1)) + before)
    else:
        click.echo("  " + _("this run: no pages to process; outputs brought up to date in {s} s",
                            s=number(s.elapsed_s, 1)) + before)
    rebuilt = sum(1 for o in s.outputs if o.rebuilt)
    flavours = sorted({o.pdfa for o in s.outputs})
    checked = (", " + _("PDF/A-{flavours} checked", flavours="/".join(flavours))) if flavours else ""
    click.echo("  " + _("{dossiers} dossiers, {documents} documents; {pdfs} PDFs ({rebuilt} written now{checked}) in "
                        "{out}", dossiers=number(s.dossiers), documents=number(s.documents),
                        pdfs=number(len(s.outputs)), rebuilt=number(rebuilt), checked=checked, out=s.out_dir))
    for problem in s.problems:
        click.secho(f"  {problem}", fg="yellow")
    if s.failures:
        click.secho("  " + ngettext("{n} page failed (list in {csv}):", "{n} pages failed (list in {csv}):",
                                    len(s.failures), csv=s.out_dir / FAILURES_FILE), fg="yellow")
        for f in s.failures[:20]:
            click.secho(f"    {f.source} p{f.page}: {f.reason}", fg="yellow")
        if len(s.failures) > 20:
            click.echo("    " + _("... and {n} more; by reason:", n=number(len(s.failures) - 20)))
            for kind, n in count_by_reason(s.failures).most_common():
                click.echo(f"    {n:>6} x {kind}")
    click.echo("  " + _("results: {path}", path=s.results_path))
    if s.addresses_unlinked:
        click.secho(ngettext("warning: no BAG index in the workspace: the addresses of {n} dossier were not linked; "
                             "import one (digitalisering bag import EXTRACT.zip --gemeente NNNN) and run again (exit 1)",
                             "warning: no BAG index in the workspace: the addresses of {n} dossiers were not linked; "
                             "import one (digitalisering bag import EXTRACT.zip --gemeente NNNN) and run again (exit 1)",
                             s.dossiers), fg="red", err=True)


def status_data(store, batch_name: str | None) -> dict:
    """What ``status`` shows, as data (``--json``): every batch with its page counts, or one batch in
    detail with its failed pages and fixity and re-delivery events."""
    from digitalisering.qa.inspection import find_batch

    def counts(b):
        c = store.page_counts(b.id)
        return {"files": len(store.files(b.id)), "pages": sum(c.values()), **{k: c[k] for k in PageStatus.ALL}}

    if batch_name is None:
        return {"batches": [{"name": b.name, "layout": b.layout, "delivery": b.delivery, "created_at": b.created_at,
                             "created_by": b.created_by, **counts(b)} for b in store.batches()]}
    b = find_batch(store, batch_name)
    outputs = store.outputs(b.id)
    events = store.events(b.id)
    runs = [e for e in events if e.action in ("run.start", "run.end")]
    return {
        "name": b.name, "layout": b.layout, "delivery": b.delivery, "created_at": b.created_at,
        "created_by": b.created_by, **counts(b),
        "outputs": len(outputs), "outputs_bytes": sum(o.size for o in outputs),
        "failed_pages": [{"file": f.source, "page_in_file": f.page, "reason": f.reason}
                         for f in list_failures(store, b)],
        "file_events": [{"at": e.at, "action": e.action, "who": e.who, "file": e.detail.get("file"),
                         "reason": e.detail.get("reason")} for e in events
                        if e.action in ("file.changed", "file.missing", "fixity.mismatch", "file.redelivered")],
        "last_run": {"action": runs[-1].action, "at": runs[-1].at, "who": runs[-1].who} if runs else None,
    }


@main.command()
@operator_option
@click.pass_obj
@handle_errors
def learn(obj: Context, operator: str | None) -> None:
    """Train the document model (and the address model) from the archivists' corrections.

    Learns from every corrected dossier of every batch and from the decisions that can be trusted,
    saves a new version in the workspace (model/vNNNN) and makes it the one `run` uses. Run the
    batch again afterwards: the dossiers nobody corrected are decided again, without reading a page.
    """
    from digitalisering.learning.learn import learn as learn_models

    with obj.store() as store:
        r = learn_models(store, obj.workspace, operator_name(operator))
    types = ", ".join(f"{t} {number(n)}" for t, n in sorted(r.types.items()))
    click.echo(_("model {version}: trained on {corrected} corrected and {trusted} trusted dossiers "
                 "({documents} documents: {types})", version=r.version, corrected=number(r.corrected),
                 trusted=number(r.trusted), documents=number(r.documents), types=types))
    loo = r.loo
    if loo.types_total:
        line = _("leave-one-out over the corrected dossiers: types {right}/{total} = {accuracy}",
                 right=number(loo.types_right), total=number(loo.types_total), accuracy=number(loo.type_accuracy, 3))
        if loo.boundary_f1 is not None:
            line += _(", document boundaries F1 {f1}", f1=number(loo.boundary_f1, 3))
        click.echo("  " + line)
    else:
        click.echo("  " + _("leave-one-out: too few corrected dossiers to measure"))
    click.echo("  " + _("the vocabulary's share in each decision: {weight} (chosen by the leave-one-out score)",
                        weight=number(r.vocabulary_weight, 1)))
    if r.address_model:
        click.echo("  " + _("address model: trained on {candidates} candidate addresses ({dossiers} dossiers corrected)",
                            candidates=number(r.address_model["candidates"]),
                            dossiers=number(r.address_model["dossiers_corrected"])))
    else:
        click.echo("  " + _("address model: the package's (no address corrections yet)"))
    click.echo("  " + _("saved in {folder}; run a batch again to apply it", folder=r.folder))


@main.command()
@click.argument("batch", required=False)
@json_option
@click.pass_obj
@handle_errors
def status(obj: Context, batch: str | None, as_json: bool) -> None:
    """Show all batches, or one BATCH in detail: exit 1 while pages of it are failed, 2 for an unknown BATCH."""
    with obj.store() as store:
        data = status_data(store, batch)
    failed_now = batch is not None and data[PageStatus.FAILED] > 0
    if as_json:
        echo_json(data)
        sys.exit(int(ExitCode.PAGES_FAILED if failed_now else ExitCode.OK))
    if batch is None:
        if not data["batches"]:
            click.echo(_("no batches in workspace {path}", path=obj.workspace.root))
            return
        head = (_("batch"), _("layout"), _("files"), _("pages"), _("done"), _("failed"), _("pending"))
        click.echo(f"{head[0]:<28} {head[1]:<8} {head[2]:>6} {head[3]:>6} {head[4]:>6} {head[5]:>6} {head[6]:>7}  "
                   + _("created"))
        for b in data["batches"]:
            click.echo(f"{b['name']:<28} {b['layout']:<8} {number(b['files']):>6} {number(b['pages']):>6} "
                       f"{number(b['done']):>6} {number(b['failed']):>6} {number(b['pending']):>7}  "
                       + _("{at} by {who}", at=timestamp(b["created_at"]), who=b["created_by"]))
        return
    d = data
    click.echo(_("batch {name} ({layout}) from {delivery}", name=d["name"], layout=d["layout"], delivery=d["delivery"]))
    click.echo("  " + _("created {at} by {who}", at=timestamp(d["created_at"]), who=d["created_by"]))
    click.echo("  " + _("files {files}, pages {pages}: done {done}, failed {failed}, pending {pending}, rescan {rescan}",
                        files=number(d["files"]), pages=number(d["pages"]), done=number(d["done"]),
                        failed=number(d["failed"]), pending=number(d["pending"]), rescan=number(d["rescan"])))
    if d["outputs"]:
        click.echo("  " + _("outputs {n}, {mb} MB", n=number(d["outputs"]), mb=number(d["outputs_bytes"] / 1e6, 1)))
    if d["failed_pages"]:
        click.secho("  " + _("failed pages:"), fg="yellow")
        for f in d["failed_pages"]:
            click.secho(f"    {f['file']} p{f['page_in_file']}: {f['reason']}", fg="yellow")
    for e in d["file_events"]:
        if e["action"] == "file.redelivered":
            click.echo(f"  {timestamp(e['at'])} {e['action']} ({_(e['reason'] or '')}, {_('by')} {e['who']}): "
                       f"{e['file']}")
        else:
            click.secho(f"  {timestamp(e['at'])} {e['action']}: {e['file']}", fg="red")
    if d["last_run"]:
        e = d["last_run"]
        click.echo("  " + _("last {what}: {at} by {who}", what=_("run start") if e["action"] == "run.start"
                            else _("run end"), at=timestamp(e["at"]), who=e["who"]))
    if failed_now:
        sys.exit(int(ExitCode.PAGES_FAILED))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--flavour", type=click.Choice(["1b", "2b"]), help="Check as this flavour [default: as declared].")
@click.option("--preflight/--no-preflight", default=None,
              help="Also run Apache PDFBox Preflight on PDF/A-1b files [default: when installed].")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@handle_errors
def validate(files: tuple[Path, ...], flavour: str | None, preflight: bool | None, as_json: bool) -> None:
    """Check that each PDF FILE is valid PDF/A (exit 7 when one is not)."""
    from digitalisering.pdfa.validate import validate_pdf

    reports = []
    for path in files:
        report = validate_pdf(path, flavour, use_preflight=preflight)
        reports.append(report)
        if as_json:
            continue
        label = f"PDF/A-{report.flavour}" if report.flavour else "PDF/A"
        if report.passed:
            click.echo(ngettext("ok       {path}: valid {label} ({n} check)", "ok       {path}: valid {label} ({n} checks)",
                                len(report.checks), path=path, label=label))
        else:
            click.secho(_("INVALID  {path}: not valid {label}", path=path, label=label), fg="red")
            for check in report.failures:
                click.echo(f"         {check.name}: {check.detail}")
    if as_json:
        click.echo(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=1))
    sys.exit(int(ExitCode.OK if all(r.passed for r in reports) else ExitCode.INVALID))


@main.group()
def bag() -> None:
    """The local BAG index (Kadaster LV-BAG 2.0 extract) that addresses are linked to."""


@bag.command("import")
@click.argument("extract", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--gemeente", help="Keep one gemeente (four-digit code, e.g. 0546 for Leiden).")
@click.option("--force", is_flag=True, help="Replace the index even with an older extract.")
@click.pass_obj
@handle_errors
def bag_import(obj: Context, extract: Path, gemeente: str | None, force: bool) -> None:
    """Build the BAG index from EXTRACT (BAGNLDL-DDMMYYYY.zip or a municipal extract)."""
    from digitalisering.bag.index import INDEX_FILE, import_extract

    target = obj.workspace.root / INDEX_FILE

    def progress(kind: str, read: int) -> None:
        click.echo("  " + _("{n} objects read ({kind})", n=number(read), kind=kind), err=True)

    report = import_extract(extract, target, gemeente, force=force, progress=progress)
    counts = ", ".join(f"{k} {number(v)}" for k, v in report.counts.items())
    where = (", " + _("gemeente {code}", code=gemeente)) if gemeente else ""
    click.echo(_("BAG index {path}: extract of {date}{where}; {counts} ({n} read in {s} s = {rate}/s)", path=target,
                 date=long_date(report.stand_date) if report.stand_date else "?", where=where, counts=counts,
                 n=number(report.read), s=number(report.seconds, 1), rate=number(report.per_second, 0)))


@bag.command("status")
@click.pass_obj
@handle_errors
def bag_status(obj: Context) -> None:
    """Show which extract the BAG index holds."""
    from digitalisering.bag.index import INDEX_FILE, read_meta, remove_leftovers

    target = obj.workspace.root / INDEX_FILE
    for path in remove_leftovers(target):
        click.echo(_("removed {name}, left by an import that was stopped", name=path.name), err=True)
    meta = read_meta(target)
    if not meta:
        click.echo(_("no BAG index: digitalisering bag import EXTRACT.zip [--gemeente 0546]"))
        return
    counts = ", ".join(f"{k[6:]} {number(int(v))}" for k, v in meta.items() if k.startswith("count_"))
    where = (", " + _("gemeente {code}", code=meta["gemeente"])) if meta.get("gemeente") else ""
    click.echo(_("BAG index: extract of {date} from {source}{where}, imported {at}; {counts}",
                 date=long_date(meta["stand_date"]) if meta.get("stand_date") else "?", source=meta.get("source"),
                 where=where, at=timestamp(meta["imported_at"]) if meta.get("imported_at") else "?",
                 counts=counts))


main.add_command(qa_group)
main.add_command(index_command)
main.add_command(search_command)
main.add_command(access_group)
main.add_command(user_group)
main.add_command(portal)
main.add_command(iiif_group)
main.add_command(package)
main.add_command(verify)
main.add_command(events)
main.add_command(progress)
main.add_command(db_group)
