"""``digitalisering package`` and ``digitalisering verify``: the e-depot delivery package (MDTO + BagIt,
the event log as PREMIS) of a run, and its re-check (see digitalisering.metadata.package)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from digitalisering.cli_common import Context, handle_errors, operator_option
from digitalisering.errors import DigitaliseringError, StateError
from digitalisering.exitcodes import ExitCode
from digitalisering.i18n import _, ngettext, number
from digitalisering.ingest.register import operator_name


@click.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--to", "target", required=True, type=click.Path(path_type=Path),
              help="Folder to create for the package (a BagIt bag).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Archive values (archiefvormer, waardering, openbaarheid) in TOML [default: gemeente Leiden].")
@click.option("--public", is_flag=True,
              help="A package for the public: restricted documents left out, redacted copies instead of originals.")
@click.option("--access-config", "access_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Access settings (TOML) for documents nobody decided on [default: access_defaults.toml].")
@click.option("--no-events", is_flag=True, help="Leave the event log (PREMIS 3.0) out of the package.")
@operator_option
@click.pass_obj
@handle_errors
def package(obj: Context, out_dir: Path, target: Path, config_file: Path | None, public: bool,
            access_file: Path | None, no_events: bool, operator: str | None) -> None:
    """Make the e-depot delivery package (MDTO + BagIt, the event log as PREMIS) of the run in OUT_DIR;
    each document's beperkingGebruik comes from its access decision when the batch is in the workspace."""
    import shutil
    import tempfile

    from digitalisering.access.policy import load_settings
    from digitalisering.access.publish import package_terms
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.metadata.package import EVENTS_FILE, _begrip, build_package
    from digitalisering.metadata.premis import batch_events_xml
    from digitalisering.resultsfile import read_results
    from digitalisering.workspace import Workspace, default_workspace

    config = load_archive_config(config_file)  # a bad settings file is refused before anything else
    settings = load_settings(access_file)
    results = read_results(out_dir)
    name = results["batch"]["name"]
    work = Path(tempfile.mkdtemp(prefix=".public-", dir=Path(target).resolve().parent)) if public else None
    try:
        access = None
        events = None
        # the decisions and the event log are in the workspace's state (or --db); a package made where
        # the batch was not run carries the archive's default beperkingGebruik and no event log, and
        # cannot be public
        root = obj._workspace_path or default_workspace()  # (not created when it is not there)
        if obj.db or public or (Path(root) / Workspace(Path(root)).database.name).exists():
            try:
                with obj.store() as store:
                    batch = store.find_batch(name=name)
                    if batch is None and public:
                        raise StateError("batch {name} is not in this workspace: a public package needs its access decisions", name=name)
                    if batch is not None:
                        access = package_terms(store, obj.workspace, batch, results, settings,
                                               _begrip(config, "beperking_gebruik"), public=public,
                                               work_dir=work or Path(out_dir))
                        if not no_events:
                            events = batch_events_xml(store, batch)
            except DigitaliseringError as exc:
                if public:
                    raise
                # the package does not need the workspace: say why, go on
                click.secho(_("note: the package has no event log: {reason}", reason=exc), fg="yellow", err=True)
        if events is None and not no_events:
            click.secho(_("note: batch {name} is not in this workspace: the package has no event log "
                          "(give --workspace)", name=name), fg="yellow", err=True)
        report = build_package(out_dir, target, config, operator=operator_name(operator), access=access,
                               public=public, events_xml=events)
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)
    click.echo(_("package {path}: {dossiers} dossiers, {documents} documents, {files} files ({bytes} bytes), "
                 "{records} MDTO records (each validated against the MDTO 1.0.1 XSD); BagIt bag with SHA-256 "
                 "manifest, validated", path=report.path, dossiers=number(report.dossiers),
                 documents=number(report.documents), files=number(report.files), bytes=number(report.bytes),
                 records=number(report.records)) + (" " + _("(public)") if public else ""))
    if report.events:
        click.echo("  " + _("event log: {file} (PREMIS 3.0, validated against the Library of Congress schema)",
                            file=f"data/{EVENTS_FILE}"))



@click.command()
@click.argument("package_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@handle_errors
def verify(package_dir: Path) -> None:
    """Re-check a delivery package: fixity, completeness, MDTO records (exit 5 or 7 on problems)."""
    from digitalisering.metadata.package import verify_package

    report = verify_package(package_dir)
    if report.ok:
        click.echo(_("ok: {path}: every file present and unchanged, every MDTO record valid", path=package_dir))
        sys.exit(int(ExitCode.OK))
    click.secho(ngettext("{path}: {n} problem", "{path}: {n} problems", len(report.problems), path=package_dir),
                fg="red")
    for problem in report.problems:
        click.echo(f"  {problem}")
    sys.exit(int(ExitCode.FIXITY if report.fixity_problems else ExitCode.INVALID))
