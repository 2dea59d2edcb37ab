"""``digitalisering access ...``: openbaarheid of a batch's documents: the proposals of the run, the
default and current decision per document, and an archivist's decision (see digitalisering.access)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from digitalisering.cli_common import Context, handle_errors
from digitalisering.errors import ConfigError
from digitalisering.i18n import N_, _, long_date, ngettext, number
from digitalisering.ingest.register import operator_name

config_option = click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help="Access settings (TOML): default states, grounds, terms "
                                  "[default: digitalisering/access/access_defaults.toml].")
STATE_LABELS = {"open": N_("open"), "restricted": N_("restricted"), "redacted": N_("open, redacted")}
"""The states as people read them (Dutch: openbaar, beperkt openbaar, openbaar, geanonimiseerd)."""
KIND_LABELS_EN = {"bsn": N_("BSN"), "iban": N_("IBAN"), "phone": N_("phone number"), "email": N_("e-mail address"),
                  "birth_date": N_("date of birth"), "person_name": N_("name")}


def state_label(state: str) -> str:
    return _(STATE_LABELS[state])


def kind_label(kind: str) -> str:
    return _(KIND_LABELS_EN[kind])


def _load(store, batch_name: str):
    from digitalisering.qa.inspection import find_batch, run_out_dir
    from digitalisering.resultsfile import read_results

    batch = find_batch(store, batch_name)
    return batch, read_results(run_out_dir(store, batch))


def parse_until(text: str) -> date:
    """``2070`` (the restriction ends on 31 December 2070) or ``2070-06-30``."""
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError("--until {text}; expected a year (2070) or a date (2070-06-30)", text=text) from None


def parse_region(text: str):
    from digitalisering.access.policy import Region
    m = re.fullmatch(r"(\d+):(\d+),(\d+),(\d+),(\d+)", text.replace(" ", ""))
    if not m or int(m.group(4)) == 0 or int(m.group(5)) == 0:
        raise ConfigError("--region {text}; expected SEQ:LEFT,TOP,WIDTH,HEIGHT in pixels (e.g. 14:220,310,400,40)", text=text)
    return Region(*(int(g) for g in m.groups()), kind="manual")


@click.group("access")
def access_group() -> None:
    """Openbaarheid: personal data and vulnerable buildings proposed by the run, decisions per document."""


@access_group.command("list")
@click.argument("batch")
@config_option
@click.option("--all", "show_all", is_flag=True, help="Every proposal with its evidence (default: counts).")
@click.pass_obj
@handle_errors
def access_list(obj: Context, batch: str, config_file: Path | None, show_all: bool) -> None:
    """Every document of BATCH with its proposals and the decision that counts."""
    from digitalisering.access.policy import batch_access, load_settings

    settings = load_settings(config_file)
    with obj.store() as store:
        b, results = _load(store, batch)
        for row in batch_access(store, b, results, settings):
            d = row.current
            kinds: dict[str, int] = {}
            for p in row.proposals.personal_data:
                kinds[kind_label(p.kind)] = kinds.get(kind_label(p.kind), 0) + 1
            found = ", ".join(f"{k} {number(n)}" for k, n in sorted(kinds.items())) or _("no personal data")
            objects = "; ".join(f"{o.kind} {o.bag_id}" for o in row.proposals.objects)
            source = _("decision") if d.source == "archivist" else (_("default, stored") if d.at else _("default"))
            term = (" " + _("until {date}", date=long_date(d.until))) if d.until else ""
            ground = f" ({d.ground})" if d.ground else ""
            click.echo(f"{row.document}: {state_label(d.state)}{ground}{term} [{source}: {d.reason}]")
            click.echo("    " + _("proposals: {found}", found=found)
                       + (("; " + _("vulnerable object: {objects}", objects=objects)) if objects else ""))
            if show_all:
                for p in row.proposals.personal_data:
                    click.echo("      " + _("page {seq}: {kind} {text} (confidence {sure}; {evidence})", seq=p.seq,
                                            kind=kind_label(p.kind), text=repr(p.text), sure=number(p.confidence, 2),
                                            evidence=p.evidence))
                for o in row.proposals.objects:
                    click.echo(f"      {o.kind} {o.bag_id}: {o.reason}")


@access_group.command("defaults")
@click.argument("batch")
@config_option
@click.pass_obj
@handle_errors
def access_defaults(obj: Context, batch: str, config_file: Path | None) -> None:
    """Store the settings' default decision for every document of BATCH nobody decided on yet."""
    from digitalisering.access.policy import apply_defaults, load_settings

    settings = load_settings(config_file)
    with obj.store() as store:
        b, results = _load(store, batch)
        n = apply_defaults(store, b, results, settings)
    click.echo(ngettext("{n} default decision stored for batch {batch}", "{n} default decisions stored for batch {batch}",
                        n, batch=batch))


@access_group.command("decide")
@click.argument("batch")
@click.argument("document")
@click.option("--state", type=click.Choice(["open", "restricted", "redacted"]), required=True)
@click.option("--ground", help="Restriction ground (a key of [grounds] in the settings).")
@click.option("--until", help="Last day of the restriction: a year (2070) or a date (2070-06-30).")
@click.option("--region", "regions", multiple=True, help="SEQ:LEFT,TOP,WIDTH,HEIGHT to redact (repeat).")
@click.option("--proposals", "from_proposals", is_flag=True,
              help="Redact the boxes of every personal-data proposal of the document (as confirmed).")
@click.option("--reason", required=True, help="Why (stored with the decision).")
@click.option("--who", help="Who decides [default: login name].")
@config_option
@click.pass_obj
@handle_errors
def access_decide(obj: Context, batch: str, document: str, state: str, ground: str | None, until: str | None,
                  regions: tuple[str, ...], from_proposals: bool, reason: str, who: str | None,
                  config_file: Path | None) -> None:
    """Record an archivist's decision on DOCUMENT of BATCH (earlier decisions are kept)."""
    from digitalisering.access.copies import remove_superseded
    from digitalisering.access.policy import AccessDecision, Region, decide, load_settings
    from digitalisering.access.proposals import DocumentProposals

    settings = load_settings(config_file)
    found = [parse_region(r) for r in regions]
    with obj.store() as store:
        b, results = _load(store, batch)
        docs = {d["id"]: d for d in results["documents"]}
        if from_proposals and document in docs:
            props = DocumentProposals.from_json(docs[document].get("access_proposals"))
            found += [Region(p.seq, x.left, x.top, x.width, x.height, p.kind)
                      for p in props.personal_data for x in p.boxes]
        decision = AccessDecision(document, state, ground, parse_until(until) if until else None, tuple(found),
                                  reason, operator_name(who), source="archivist")
        done = decide(store, b, decision, settings, set(docs))
        remove_superseded(store, obj.workspace.root, b.name, document)
    click.echo(f"{document}: {state_label(done.state)}"
               + ((" " + _("until {date}", date=long_date(done.until))) if done.until else "")
               + ((", " + ngettext("{n} region", "{n} regions", len(done.regions))) if done.regions else "")
               + " " + _("(by {who})", who=done.who))


@access_group.command("publish")
@click.argument("batch")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the public copies (open documents as they are, redacted copies, no restricted ones).")
@config_option
@click.pass_obj
@handle_errors
def access_publish(obj: Context, batch: str, target: Path, config_file: Path | None) -> None:
    """Write what the public may receive of every document of BATCH (each redacted copy leak-checked)."""
    from digitalisering.access.policy import load_settings
    from digitalisering.access.publish import publish_batch
    from digitalisering.qa.inspection import run_out_dir

    settings = load_settings(config_file)
    with obj.store() as store:
        b, results = _load(store, batch)
        report = publish_batch(store, obj.workspace, b, results, run_out_dir(store, b), target, settings)
    click.echo(_("{open} open, {redacted} redacted (leak check passed), {restricted} restricted (left out): {target}",
                 open=number(len(report.open)), redacted=number(len(report.redacted)),
                 restricted=number(len(report.restricted)), target=target))
