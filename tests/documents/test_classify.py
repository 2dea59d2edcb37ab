"""Document types from text and layout, as an archivist would name them."""

import pytest

from digitalisering.documents.classify import score_pages
from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import default_vocabulary, normalise, parse_vocabulary

TEXTS = {
    "aanvraag": """GEMEENTE LEIDEN
AANVRAGE OM BOUWVERGUNNING
ingevolge artikel 3 der Bouwverordening
1. Naam van den aanvrager: F. Hendriks
4. Ligging van het bouwwerk (straat en nummer): Kortenaerstr. 101
6. Omschrijving van het werk: het bouwen van een woonhuis""",
    "vergunning": """No. 1399/1929
Bouwvergunning.
BURGEMEESTER EN WETHOUDERS VAN LEIDEN,
Gelezen het verzoek van W. van der Veen, fabrikant, d.d. 30 Juli 1929,
Gezien de daarbij overgelegde teekeningen en beschrijving;
Gelet op de Woningwet en de Bouwverordening dezer gemeente;
B E S L U I T E N :""",
    "brief": """H.W. Visser
Staringkade 86
Leiden, 31 Januari 1914
Aan Burgemeester en Wethouders
van Leiden
Onderwerp: vergunning no. BWT-1914-0610
Edelachtbare Heeren,
Ondergeteekende, H.W. Visser, eigenaar van het pand Hoopstraat 6,
neemt de vrijheid u het volgende te verzoeken.
Met verschuldigde hoogachting,""",
    "berekening": """STERKTEBEREKENING
behoorende bij het bouwplan voor het bouwen van een woonhuis
Toelaatbare spanningen:
staal : 1.200 kg/cm2
eigen gewicht vloer 250 kg/m2
Balk B1 (kap):""",
    "gereedmelding": """PROCES-VERBAAL
Heden, dinsdag 18 augustus 1981, heb ik, ondergetekende, H.W. Peters,
opzichter bij de dienst van Bouw- en Woningtoezicht der gemeente Leiden, het
perceel bezocht ter controle van het werk, waarvoor vergunning werd verleend.""",
}


def page(text: str, seq: int = 1, **kw) -> PageView:
    return PageView(seq=seq, folder="D", done=True, text=normalise(text), words=len(text.split()), **kw)


@pytest.mark.parametrize("expected", sorted(TEXTS))
def test_typical_first_pages_get_their_type(expected: str):
    result = score_pages([page(TEXTS[expected])], default_vocabulary())
    assert result.type == expected
    assert result.confidence > 0.6
    assert result.evidence and all(e.startswith(expected + ":") for e in result.evidence)


def test_a_permit_written_as_a_letter_is_a_permit_not_a_letter():
    text = """gemeente Leiden
Aan de heer A.J. Overdijk
onderwerp : bouwvergunning Voorschoterweg 208
Geachte heer Overdijk,
Burgemeester en wethouders van Leiden delen u mee, dat zij in
hun vergadering van 11 augustus 1958 hebben besloten u de
gevraagde vergunning te verlenen voor het bouwen van een garage."""
    assert score_pages([page(text)], default_vocabulary()).type == "vergunning"


def test_large_format_sheet_with_little_text_is_a_drawing():
    sheet = page("VOORGEVEL 1:100\nP\n+3,00\n+6,00", large_format=True)
    assert score_pages([sheet], default_vocabulary()).type == "tekening"


def test_text_without_cues_is_overig_and_historic_spellings_and_accents_match():
    assert score_pages([page("Lorem ipsum dolor sit amet")], default_vocabulary()).type == "overig"
    assert score_pages([page("GEREEDMELDING\nhet werk is gereed gekomen")], default_vocabulary()).type == \
        "gereedmelding"
    assert normalise("Café  Résidence\t12\n\n  N°") == "cafe residence 12\nn°"


def test_vocabulary_is_data_a_new_type_needs_no_code():
    vocab = parse_vocabulary({"types": {"sloopmelding": {"title": [["^sloopmelding", 5]], "body": []}}})
    assert score_pages([page("SLOOPMELDING\nperceel Breestraat 5")], vocab).type == "sloopmelding"
