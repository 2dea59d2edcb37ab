"""``digitalisering events``: the event log of a batch, on the terminal, as JSON or as PREMIS 3.0 XML
(see digitalisering.metadata.premis)."""

from __future__ import annotations

from pathlib import Path

import click

from digitalisering.cli_common import Context, echo_json, handle_errors, json_option
from digitalisering.i18n import ngettext, timestamp


@click.command()
@click.argument("batch")
@click.option("--premis", "premis_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the event log as PREMIS 3.0 XML (validated) to this file.")
@json_option
@click.pass_obj
@handle_errors
def events(obj: Context, batch: str, premis_file: Path | None, as_json: bool) -> None:
    """The event log of BATCH: who registered, ran, re-delivered, checked and judged what, and when."""
    from digitalisering.fileio import write_bytes_atomic
    from digitalisering.metadata.premis import batch_events_xml
    from digitalisering.qa.inspection import find_batch
    from digitalisering.reportfiles import check_report_target

    with obj.store() as store:
        b = find_batch(store, batch)
        if premis_file:
            check_report_target(store, premis_file, obj.workspace.root)  # never over a run's or a delivery's file
        log = store.events(b.id)
        xml = batch_events_xml(store, b) if premis_file else None
    if premis_file:
        write_bytes_atomic(premis_file, xml)
    if as_json:
        echo_json([{"id": e.id, "at": e.at, "who": e.who, "action": e.action, "detail": e.detail} for e in log])
        return
    for e in log:
        about = e.detail.get("file") or e.detail.get("page") or ""
        click.echo(f"{timestamp(e.at)}  {e.who:<12} {e.action:<22} {about}")
    if premis_file:
        click.echo(ngettext("PREMIS 3.0: {file} ({n} event, validated against the Library of Congress schema)",
                            "PREMIS 3.0: {file} ({n} events, validated against the Library of Congress schema)",
                            len(log), file=premis_file))
