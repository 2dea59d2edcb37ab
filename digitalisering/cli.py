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
from digitalisering.ingest.register import operator_name, registered
from digitalisering.ocr.engines import DEFAULT_ENGINE, ENGINES
from digitalisering.qa.failures import FAILURES_FILE, count_by_reason, list_failures
from digitalisering.runner import RunOptions, RunSummary, run_batch
from digitalisering.store.records import PageStatus
from digitalisering.workspace import ENV_VAR
from digitalisering.store.backend import DB_ENV_VAR
from digitalisering.cli_qa import qa_group
from digitalisering.cli_common import Context, _fail, handle_errors, operator_option


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digitalisering")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), envvar=ENV_VAR,
              help=f"Folder for the state database and work files [env {ENV_VAR}; "
                   "default ~/.local/share/digitalisering].")
@click.option("--db", envvar=DB_ENV_VAR, metavar="URL",
              help=f"Shared state database, postgresql://user@host/dbname [env {DB_ENV_VAR}; "
                   "default: SQLite in the workspace].")
@click.option("-v", "--verbose", is_flag=True, help="Log details (failed page tracebacks).")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, db: str | None, verbose: bool) -> None:
    """Scanned building dossiers (bouwdossiers) into a trustworthy digital archive."""
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


def _print_ingest(report: IngestReport) -> None:
    b = report.batch
    if report.created:
        click.echo(f"batch {b.name}: new ({b.layout} layout) from {b.delivery}")
    elif report.is_noop:
        click.echo(f"batch {b.name}: already ingested, nothing new ({report.unchanged_files} files unchanged)")
    else:
        click.echo(f"batch {b.name}: already ingested; {report.unchanged_files} files unchanged")
    if report.added_files:
        click.echo(f"  added {len(report.added_files)} files, {report.added_pages} pages")
    for rel, reason in report.failed_files.items():
        click.secho(f"  failed: {rel}: {reason}", fg="yellow")
    for rel in report.redelivered_files:
        click.echo(f"  re-delivered after rescan (the earlier version is kept in the history): {rel}")
    for changed in report.changed_files:
        click.secho(f"  CHANGED since ingest (kept the recorded version): {changed.relpath} "
                    f"recorded sha256 {changed.recorded_sha256[:12]}..., now {changed.current_sha256[:12]}...",
                    fg="red")
    for rel in report.missing_files:
        click.secho(f"  MISSING since ingest: {rel}", fg="red")
    if report.ignored_files:
        click.echo(f"  ignored {len(report.ignored_files)} non-scan files: "
                   + ", ".join(report.ignored_files[:5]) + (" ..." if len(report.ignored_files) > 5 else ""))
    for rel, reason in report.skipped.items():
        click.secho(f"  skipped, not read: {rel}: {reason}", fg="yellow")


def _ingest_exit(report: IngestReport) -> ExitCode:
    if report.changed_files or report.missing_files:
        return ExitCode.FIXITY
    return ExitCode.PAGES_FAILED if report.failed_files else ExitCode.OK


@main.command()
@delivery_argument
@operator_option
@layout_option
@batch_option
@click.pass_obj
@handle_errors
def ingest(obj: Context, delivery: Path, operator: str | None, layout: str, batch_name: str | None) -> None:
    """Register DELIVERY: SHA-256 of every file, its pages, and an event log entry."""
    with obj.store() as store:
        report = ingest_delivery(store, delivery, operator=operator, batch_name=batch_name, layout=layout)
    _print_ingest(report)
    sys.exit(int(_ingest_exit(report)))


@main.command()
@delivery_argument
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (PDFs and results.json).")
@click.option("--lang", default="nld", show_default=True, help="OCR language(s), e.g. nld or nld+eng.")
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
@click.option("--dossier-pdf", is_flag=True, help="Also write one PDF per dossier, a bookmark per document.")
@click.option("--overrides", "overrides_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Corrections of the split and types (CSV page;action;value); kept for later runs.")
@click.option("--keep-blank", is_flag=True, help="Keep blank pages in the PDFs (always kept in the record).")
@click.option("--no-osd", is_flag=True, help="Never ask the OCR engine's orientation detection (OSD) which way up a page is.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@operator_option
@layout_option
@batch_option
@click.pass_obj
@handle_errors
def run(obj: Context, delivery: Path, out_dir: Path, lang: str, ocr_engine: str, jobs: int, scheduler: str | None, jpeg_quality: int,
        max_megapixels: int, lossless: bool, pdfa: str, ocr_max_megapixels: float, gazetteer: Path | None,
        dossier_pdf: bool,
        overrides_file: Path | None, keep_blank: bool, no_osd: bool, no_progress: bool, operator: str | None,
        layout: str, batch_name: str | None) -> None:
    """Ingest DELIVERY and process every page not yet done; resumes where a previous run stopped."""
    from digitalisering.bag.link import load_gazetteer
    from digitalisering.documents.overrides import load_overrides
    from digitalisering.documents.vocabulary import default_vocabulary

    who = operator_name(operator)
    options = RunOptions(lang=lang, ocr_engine=ocr_engine, jobs=jobs, jpeg_quality=jpeg_quality,
                         max_pixels=max_megapixels * 1_000_000, progress=not no_progress,
                         keep_blank=keep_blank, use_osd=not no_osd, pdfa=pdfa, lossless=lossless,
                         ocr_max_megapixels=ocr_max_megapixels, dossier_pdf=dossier_pdf,
                         gazetteer=str(gazetteer.resolve()) if gazetteer else None, scheduler=scheduler)
    # operator files are checked before ingest (which can take long); pages named by the overrides after it
    overrides = load_overrides(overrides_file, default_vocabulary().type_names) if overrides_file else None
    set_pixel_limit(options.max_pixels)  # Pillow's and pikepdf's guards, for ingest too
    if gazetteer:
        load_gazetteer(gazetteer)
    # the batch stays held from its registration to the end of the run: a second command that
    # registers the same delivery meanwhile waits for the registration, then is refused (exit 6)
    with obj.store() as store, registered(store, delivery, operator=who, batch_name=batch_name,
                                          layout=layout) as report:
        _print_ingest(report)
        summary = run_batch(store, obj.workspace, report.batch, out_dir, options, who, overrides)
    _print_summary(summary)
    code = _ingest_exit(report)
    if code == ExitCode.OK and summary.failures:
        code = ExitCode.PAGES_FAILED
    sys.exit(int(code))


def _print_summary(s: RunSummary) -> None:
    click.echo(
        f"batch {s.batch.name}: {s.pages_total} pages; processed {s.pages_processed} now "
        f"({s.pages_done} done, {s.pages_failed} failed) in {s.elapsed_s:.1f} s"
        + (f" = {s.pages_per_minute:.1f} pages/min" if s.pages_processed else "")
        + f" (pages {s.pages_s:.1f} s, outputs {s.elapsed_s - s.pages_s:.1f} s)"
        + (f"; {s.already_done} were already done" if s.already_done else "")
    )
    rebuilt = sum(1 for o in s.outputs if o.rebuilt)
    flavours = sorted({o.pdfa for o in s.outputs})
    click.echo(f"  {s.dossiers} dossiers, {s.documents} documents; {len(s.outputs)} PDFs ({rebuilt} written now"
               + (f", PDF/A-{'/'.join(flavours)} checked" if flavours else "") + f") in {s.out_dir}")
    for problem in s.problems:
        click.secho(f"  {problem}", fg="yellow")
    if s.failures:
        click.secho(f"  {len(s.failures)} pages failed (list in {s.out_dir / FAILURES_FILE}):", fg="yellow")
        for f in s.failures[:20]:
            click.secho(f"    {f.source} p{f.page}: {f.reason}", fg="yellow")
        if len(s.failures) > 20:
            click.echo(f"    ... and {len(s.failures) - 20} more; by reason:")
            for kind, n in count_by_reason(s.failures).most_common():
                click.echo(f"    {n:>6} x {kind}")
    click.echo(f"  results: {s.results_path}")


@main.command()
@click.argument("batch", required=False)
@click.pass_obj
@handle_errors
def status(obj: Context, batch: str | None) -> None:
    """Show all batches, or one BATCH in detail with its failures."""
    with obj.store() as store:
        if batch is None:
            batches = store.batches()
            if not batches:
                click.echo(f"no batches in workspace {obj.workspace.root}")
                return
            click.echo(f"{'batch':<28} {'layout':<8} {'files':>6} {'pages':>6} {'done':>6} "
                       f"{'failed':>6} {'pending':>7}  created")
            for b in batches:
                c = store.page_counts(b.id)
                click.echo(f"{b.name:<28} {b.layout:<8} {len(store.files(b.id)):>6} {sum(c.values()):>6} "
                           f"{c[PageStatus.DONE]:>6} {c[PageStatus.FAILED]:>6} {c[PageStatus.PENDING]:>7}  "
                           f"{b.created_at} by {b.created_by}")
            return
        b = store.find_batch(name=batch)
        if b is None:
            names = ", ".join(x.name for x in store.batches()) or "none"
            _fail(f"no batch named {batch!r} (batches: {names})", ExitCode.USAGE)
        c = store.page_counts(b.id)
        click.echo(f"batch {b.name} ({b.layout}) from {b.delivery}")
        click.echo(f"  created {b.created_at} by {b.created_by}")
        click.echo(f"  files {len(store.files(b.id))}, pages {sum(c.values())}: done {c[PageStatus.DONE]}, "
                   f"failed {c[PageStatus.FAILED]}, pending {c[PageStatus.PENDING]}, rescan {c[PageStatus.RESCAN]}")
        outputs = store.outputs(b.id)
        if outputs:
            click.echo(f"  outputs {len(outputs)}, {sum(o.size for o in outputs) / 1e6:.1f} MB")
        failed = list_failures(store, b)
        if failed:
            click.secho("  failed pages:", fg="yellow")
            for f in failed:
                click.secho(f"    {f.source} p{f.page}: {f.reason}", fg="yellow")
        for e in store.events(b.id):
            if e.action in ("file.changed", "file.missing", "fixity.mismatch"):
                click.secho(f"  {e.at} {e.action}: {e.detail.get('file')}", fg="red")
        last_runs = [e for e in store.events(b.id) if e.action in ("run.start", "run.end")]
        if last_runs:
            e = last_runs[-1]
            click.echo(f"  last {e.action.replace('run.', 'run ')}: {e.at} by {e.who}")
        if failed:
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
            click.echo(f"ok       {path}: valid {label} ({len(report.checks)} checks)")
        else:
            click.secho(f"INVALID  {path}: not valid {label}", fg="red")
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
        click.echo(f"  {read:,} objects read ({kind})", err=True)

    report = import_extract(extract, target, gemeente, force=force, progress=progress)
    counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
    click.echo(f"BAG index {target}: extract of {report.stand_date or '?'}"
               + (f", gemeente {gemeente}" if gemeente else "") + f"; {counts} "
               f"({report.read:,} read in {report.seconds:.1f} s = {report.per_second:,.0f}/s)")


@bag.command("status")
@click.pass_obj
@handle_errors
def bag_status(obj: Context) -> None:
    """Show which extract the BAG index holds."""
    from digitalisering.bag.index import INDEX_FILE, read_meta, remove_leftovers

    target = obj.workspace.root / INDEX_FILE
    for path in remove_leftovers(target):
        click.echo(f"removed {path.name}, left by an import that was stopped", err=True)
    meta = read_meta(target)
    if not meta:
        click.echo("no BAG index: digitalisering bag import EXTRACT.zip [--gemeente 0546]")
        return
    counts = ", ".join(f"{k[6:]} {int(v):,}" for k, v in meta.items() if k.startswith("count_"))
    click.echo(f"BAG index: extract of {meta.get('stand_date')} from {meta.get('source')}"
               + (f", gemeente {meta['gemeente']}" if meta.get("gemeente") else "")
               + f", imported {meta.get('imported_at')}; {counts}")


@main.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--to", "target", required=True, type=click.Path(path_type=Path),
              help="Folder to create for the package (a BagIt bag).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Archive values (archiefvormer, waardering, openbaarheid) in TOML [default: gemeente Leiden].")
@operator_option
@handle_errors
def package(out_dir: Path, target: Path, config_file: Path | None, operator: str | None) -> None:
    """Make the e-depot delivery package (MDTO + BagIt) of the run in OUT_DIR."""
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.metadata.package import build_package

    report = build_package(out_dir, target, load_archive_config(config_file), operator=operator_name(operator))
    click.echo(f"package {report.path}: {report.dossiers} dossiers, {report.documents} documents, "
               f"{report.files} PDF/A files ({report.bytes:,} bytes), {report.records} MDTO records "
               "(each validated against the MDTO 1.0.1 XSD); BagIt bag with SHA-256 manifest, validated")


@main.command()
@click.argument("package_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@handle_errors
def verify(package_dir: Path) -> None:
    """Re-check a delivery package: fixity, completeness, MDTO records (exit 5 or 7 on problems)."""
    from digitalisering.metadata.package import verify_package

    report = verify_package(package_dir)
    if report.ok:
        click.echo(f"ok: {package_dir}: every file present and unchanged, every MDTO record valid")
        sys.exit(int(ExitCode.OK))
    click.secho(f"{package_dir}: {len(report.problems)} problem(s)", fg="red")
    for problem in report.problems:
        click.echo(f"  {problem}")
    sys.exit(int(ExitCode.FIXITY if report.fixity_problems else ExitCode.INVALID))


@main.command()
@click.option("--targets", "targets_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default="batches/targets.example.toml", show_default=True, help="The project's targets (TOML).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Report as of this day [default: today].")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the weekly figures.")
@click.option("--period", type=click.Choice(["week", "month"]), default="week", show_default=True,
              help="Rows of the CSV.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML page with the burn-up and cost charts.")
@click.option("--lang", "lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.pass_obj
@handle_errors
def progress(obj: Context, targets_file: Path, as_of, csv_file: Path | None, period: str, html_file: Path | None,
             lang: str) -> None:
    """Progress of all batches against the targets: volumes, rates, forecast, budget."""
    import io as _io

    from digitalisering.fileio import write_text_atomic
    from digitalisering.progress.compute import project_progress
    from digitalisering.progress.report import html_page, terminal_table, write_csv
    from digitalisering.progress.targets import load_targets

    targets = load_targets(targets_file)
    with obj.store() as store:
        p = project_progress(store, targets, as_of.date() if as_of else None)
    click.echo(terminal_table(p, lang))
    if csv_file:
        buf = _io.StringIO()
        write_csv(p, buf, period)
        write_text_atomic(csv_file, buf.getvalue())
        click.echo(f"CSV: {csv_file}")
    if html_file:
        write_text_atomic(html_file, html_page(p, lang))
        click.echo(f"HTML: {html_file}")


main.add_command(qa_group)
