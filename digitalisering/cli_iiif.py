"""``digitalisering iiif ...``: the IIIF services' work that can be done before anyone looks
(see digitalisering.iiif; the services themselves are part of the portal)."""

from __future__ import annotations

import click

from digitalisering.cli_common import Context, handle_errors
from digitalisering.i18n import _, number


@click.group("iiif")
def iiif_group() -> None:
    """IIIF image service: tile pyramids of the published pages."""


@iiif_group.command("prepare")
@click.argument("batch")
@click.pass_obj
@handle_errors
def iiif_prepare(obj: Context, batch: str) -> None:
    """Make the tile pyramids of BATCH's published pages (only those missing or out of date)."""
    from digitalisering.catalog import Catalog
    from digitalisering.iiif.prepare import prepare_batch

    with obj.store() as store:
        with click.progressbar(length=0, label=_("pyramids"), show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(1)

            report = prepare_batch(Catalog(store, obj.workspace), batch, progress=progress)
    click.echo(_("batch {batch}: {built} pyramids made, {current} already current (in {folder})", batch=batch,
                 built=number(report.built), current=number(report.current), folder=obj.workspace.root / "iiif"))
