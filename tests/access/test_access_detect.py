"""Personal-data proposals on a generated dossier with planted items (valid and invalid)."""

from __future__ import annotations

import re

from access_planted import PAGES, PROFESSIONALS, TRUTH, page

from digitalisering.access.detect import Proposal, detect_document, detect_page
from digitalisering.access.ocrtext import undo_digit_slips


def _proposals() -> list[Proposal]:
    return detect_document(PAGES)


def test_every_valid_planted_item_is_proposed():
    got = {(p.kind, p.value, p.seq) for p in _proposals()}
    missing = [t for t in TRUTH if t.valid and (t.kind, t.value, t.seq) not in got]
    assert missing == []


def test_invalid_bsn_and_iban_are_never_proposed():
    got = {(p.kind, p.value) for p in _proposals()}
    for t in TRUTH:
        if not t.valid:
            assert (t.kind, t.value) not in got
    # and their digits are not proposed as anything else either (a phone number, another BSN)
    invalid_digits = {re.sub(r"\D", "", t.value) for t in TRUTH if not t.valid}
    assert not [p for p in _proposals() if re.sub(r"\D", "", p.value) in invalid_digits]


def test_professionals_are_not_proposed_as_private_persons():
    names = {p.value for p in _proposals() if p.kind == "person_name"}
    assert names == {"Joost Meerburg", "K.P. van Dorp"}
    assert not set(PROFESSIONALS) & names


def test_nothing_else_is_proposed():
    truth = {(t.kind, t.value, t.seq) for t in TRUTH if t.valid}
    extra = [p for p in _proposals() if (p.kind, p.value, p.seq) not in truth]
    assert extra == []


def test_a_proposal_carries_its_word_boxes_evidence_and_confidence():
    iban = next(p for p in _proposals() if p.kind == "iban" and p.seq == 1)
    assert iban.text == "NLSO FVLB 4383 5090 45"  # as the OCR read it: NL50 read NLSO
    assert len(iban.boxes) == 5  # one per word it covers
    words = [w for w in PAGES[1].words if w.text in iban.text.split()]
    assert {(b.left, b.top) for b in iban.boxes} == {(w.left, w.top) for w in words}
    assert "mod 97" in iban.evidence and "NLSOFVLB4383509045" in iban.evidence
    clean = next(p for p in _proposals() if p.kind == "iban" and p.seq == 0)
    assert iban.confidence < clean.confidence  # a value that passes only after undoing slips
    bsn = next(p for p in _proposals() if p.kind == "bsn" and p.seq == 0 and p.text == "200629153")
    assert "BSN" in bsn.evidence and bsn.confidence >= 0.9


def test_bsn_without_a_cue_is_proposed_with_a_low_confidence_and_a_near_miss_never():
    found = detect_page(3, page(["Volgnummer 200629153 in het register"]))
    assert [(p.kind, p.value) for p in found] == [("bsn", "200629153")]
    assert found[0].confidence < 0.7
    assert detect_page(3, page(["BSN : 200629154"])) == []  # one digit off: fails the elfproef


def test_birth_date_needs_its_cue():
    assert detect_page(0, page(["Leiden, 7 Juli 1902."])) == []
    found = detect_page(0, page(["Geb. : 17-02-1836", "Leiden, 7 Juli 1902."]))
    assert [(p.kind, p.value) for p in found] == [("birth_date", "1836-02-17")]


def test_digit_slips_are_undone_only_in_numbers():
    assert undo_digit_slips("Tel. O7T-5077725 Sofi") == "Tel. 077-5077725 Sofi"
    assert undo_digit_slips("BOS 12") == "BOS 12"


def test_proposal_json_round_trip():
    for p in _proposals():
        assert Proposal.from_json(p.to_json()) == p


def test_a_signature_row_under_stamp_noise_is_professional_and_a_report_writer_too():
    found = detect_page(0, page(["Burgemeester en Wethouders voornoemd,", "De Secretaris, De Burgemeester,",
                                 "ANN e ANNE", "J. Peters W. van den Heuvel"]))
    assert [p for p in found if p.kind == "person_name"] == []
    report = page(["PROCES-VERBAAL", "Heden, donderdag 31 Juli 1919, heb ik, ondergeteekende, H. Jansen,",
                   "De opzichter,", "H. Jansen"])
    assert [p for p in detect_page(0, report) if p.kind == "person_name"] == []
    applicant = page(["GEREEDMELDING", "Ondergeteekende, M. de Haan, bericht hierbij,", "M. de Haan"])
    names = [p for p in detect_page(0, applicant) if p.kind == "person_name"]
    assert [p.value for p in names] == ["M. de Haan", "M. de Haan"] and names[0].confidence == 0.7
