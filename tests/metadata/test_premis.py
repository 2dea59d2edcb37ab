"""The event log as PREMIS 3.0: valid against the Library of Congress schema, every event linked to
its file and its agents, in the package and checked again by ``verify``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.premis import NS, batch_events_xml, validation_errors

import pagegen

P = {"p": NS}


def test_the_event_log_is_valid_premis_with_files_events_and_agents(store, delivery):
    root, _ = delivery
    batch = ingest_delivery(store, root, operator="ann").batch
    pagegen.save(pagegen.letter_page(), root / "BWT-1980-0003" / "zero.tif")
    ingest_delivery(store, root, operator="bob", accept_redelivery=["BWT-1980-0003/zero.tif"])
    data = batch_events_xml(store, batch)
    assert validation_errors(data) == []
    doc = etree.fromstring(data)
    files = doc.xpath("p:object[@xsi:type='premis:file']/p:originalName/text()",
                      namespaces={**P, "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    assert sorted(files) == sorted(f.relpath for f in store.files(batch.id))
    events = doc.findall("p:event", P)
    assert len(events) == len(store.events(batch.id))
    redelivery = [e for e in events if "file.redelivered" in e.findtext("p:eventDetailInformation/p:eventDetail", "",
                                                                         P)]
    assert len(redelivery) == 1
    e = redelivery[0]
    assert e.findtext("p:eventType", None, P) == "modification"
    assert e.findtext("p:linkingObjectIdentifier/p:linkingObjectIdentifierValue", None, P).endswith(
        "BWT-1980-0003/zero.tif")
    assert [a.findtext("p:linkingAgentIdentifierValue", None, P) for a in e.findall("p:linkingAgentIdentifier", P)][0] \
        == "bob"
    agents = {a.findtext("p:agentName", None, P): a.findtext("p:agentType", None, P) for a in doc.findall("p:agent", P)}
    assert agents["ann"] == "person" and agents["bob"] == "person" and agents["digitalisering"] == "software"
    # the check can fail: an event without its type is not PREMIS
    broken = etree.fromstring(data)
    broken.find("p:event", P).remove(broken.find("p:event/p:eventType", P))
    assert validation_errors(etree.tostring(broken))


def test_the_package_holds_the_event_log_and_verify_checks_it(processed, tmp_path: Path):
    ws = processed["workspace"].root
    package = tmp_path / "pakket"
    res = CliRunner().invoke(main, ["package", str(processed["out"]), "--to", str(package), "--workspace", str(ws)])
    assert res.exit_code == 0, res.output
    assert "event log: data/premis-events.xml (PREMIS 3.0, validated" in res.output
    events = package / "data" / "premis-events.xml"
    assert validation_errors(events.read_bytes()) == []
    assert CliRunner().invoke(main, ["verify", str(package)]).exit_code == 0
    events.write_bytes(events.read_bytes().replace(b"<premis:eventType", b"<premis:eventTyp", 1)
                       .replace(b"</premis:eventType>", b"</premis:eventTyp>", 1))
    res = CliRunner().invoke(main, ["verify", str(package)])
    assert res.exit_code == ExitCode.FIXITY and "changed: data/premis-events.xml" in res.output
    assert "invalid PREMIS: data/premis-events.xml" in res.output


def test_an_operator_or_station_with_a_control_character_does_not_stop_the_log(store, delivery, tmp_path):
    """``--operator $'jan\\x01'`` (a pasted name): stored as given, the PREMIS log could not be
    written (XML cannot hold it): ``events --premis`` and ``package`` stopped with an internal error,
    exit 15. The command line keeps such a name as ``jan\\\\x01``; one already stored is written so."""
    from digitalisering.ingest.register import operator_name, station_name

    assert operator_name("jan\x01") == "jan\\x01" and station_name("st\x1b") == "st\\x1b"
    root, _ = delivery
    batch = ingest_delivery(store, root, operator="jan\x01", station="st\x1b").batch
    data = batch_events_xml(store, batch)
    assert validation_errors(data) == [] and b"jan\\x01" in data
