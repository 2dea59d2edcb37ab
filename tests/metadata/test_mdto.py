"""MDTO records: element order and values as the official 1.0.1 XSD demands."""

from datetime import datetime, timezone

import pytest
from lxml import etree

from digitalisering.metadata.mdto import (
    NS,
    Begrip,
    Bestand,
    Informatieobject,
    MetadataInvalidError,
    Verwijzing,
    bestand_xml,
    informatieobject_xml,
    validation_errors,
)

WHEN = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def dossier() -> Informatieobject:
    return Informatieobject(
        kenmerk="BWT-1962-0422", bron="Gemeente Leiden, bouwdossiers", naam="Bouwdossier BWT-1962-0422",
        aggregatieniveau=Begrip("Dossier", "Begrippenlijst Aggregatieniveaus MDTO"),
        archiefvormer=Verwijzing("gemeente Leiden", "https://identifier.overheid.nl/tooi/id/gemeente/gm0546", "TOOI"),
        waardering=Begrip("Blijvend te bewaren", "Begrippenlijst Waarderingen MDTO", "B"),
        beperking=Begrip("openbaar (Archiefwet 1995)", "Openbaarheid", "Openbaarheid/AW1995/Openbaar/1.0"),
        dekking_in_tijd=("1962-02-06", "1962-05-20"), dekking_in_tijd_type=Begrip("Looptijd", "lijst"),
        dekking_in_ruimte=[Verwijzing("nummeraanduiding Breestraat 163", "0546200000318960", "BAG")],
        events=[(Begrip("Digitalisering", "Begrippenlijst EventTypeLijst MDTO"), WHEN, Verwijzing("operator"), None)],
        bevat_onderdeel=[Verwijzing("aanvraag", "BWT-1962-0422-01", "bron")],
    )


def test_dossier_and_file_records_validate_with_their_content():
    data = informatieobject_xml(dossier())
    assert validation_errors(data) == []
    doc = etree.fromstring(data)
    ns = {"m": NS}
    assert doc.findtext(".//m:aggregatieniveau/m:begripLabel", namespaces=ns) == "Dossier"
    assert doc.findtext(".//m:dekkingInRuimte/m:verwijzingIdentificatie/m:identificatieKenmerk",
                        namespaces=ns) == "0546200000318960"
    children = [etree.QName(c).localname for c in doc[0]]
    assert children.index("waardering") < children.index("archiefvormer") < children.index("beperkingGebruik")
    f = bestand_xml(Bestand("abc", "SHA-256", "BWT-1962-0422-01-aanvraag.pdf", 1234, "ab" * 32, WHEN, "2b",
                            Verwijzing("Aanvraag", "BWT-1962-0422-01", "bron")))
    assert validation_errors(f) == []
    assert etree.fromstring(f).findtext(".//m:bestandsformaat/m:begripCode", namespaces=ns) == "fmt/477"


def test_a_record_broken_on_purpose_fails_the_check():
    doc = etree.fromstring(informatieobject_xml(dossier()))
    io = doc[0]
    waardering = io.find(f"{{{NS}}}waardering")
    io.remove(waardering)
    io.append(waardering)  # now after beperkingGebruik: wrong order
    errors = validation_errors(etree.tostring(doc))
    assert errors and "waardering" in " ".join(errors)
    assert validation_errors(b"<MDTO xmlns='https://www.nationaalarchief.nl/mdto'/>")


def test_an_invalid_record_is_never_returned():
    bad = dossier()
    bad.bewaartermijn = "ten years"  # not an xsd:duration
    with pytest.raises(MetadataInvalidError, match="does not validate"):
        informatieobject_xml(bad)


def test_a_record_with_a_doctype_is_invalid_not_a_crash():
    """A package from elsewhere (verify) may carry a DOCTYPE with an internal entity."""
    from digitalisering.metadata.mdto import validation_errors

    hostile = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x "XXE">]>'
               b'<MDTO xmlns="https://www.nationaalarchief.nl/mdto"><informatieobject>&x;</informatieobject></MDTO>')
    assert validation_errors(hostile) == ["has a DOCTYPE (MDTO needs none; its entities are not read)"]
