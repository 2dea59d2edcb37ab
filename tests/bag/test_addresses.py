"""Addresses as old dossiers write them."""

import pytest

from digitalisering.bag.addresses import StreetMatcher, find_addresses, normalise_street

STREETS = StreetMatcher(["Haarlemmerstraat", "Oude Vest", "Hooigracht", "2e Binnenvestgracht", "Seringenstraat",
                         "Breestraat", "Maarsmansteeg", "Melchior Treublaan", "Hoge Morsweg", "Sterrenwacht",
                         "Van der Werfstraat", "Herenstraat", "Morsweg"], {"Hoogemorschweg": "Hoge Morsweg"})


def one(text: str):
    found = find_addresses(text, STREETS)
    return [(m.street, m.numbers, m.huisletter, m.toevoeging, m.postcode) for m in found]


@pytest.mark.parametrize("text, expected", [
    ("op het perceel Haarl. str. n°. 291 A te Leiden", [("Haarlemmerstraat", [291], "A", None, None)]),
    ("perceel O. Vest 107/109", [("Oude Vest", [107, 109], None, None, None)]),
    ("Hooigracht 15-17", [("Hooigracht", [15, 17], None, None, None)]),
    ("Hooigracht 15 t/m 21", [("Hooigracht", [15, 17, 19, 21], None, None, None)]),
    ("Herenstraat 65-66", [("Herenstraat", [65, 66], None, None, None)]),
    ("perceel Hoge Morsweg 382", [("Hoge Morsweg", [382], None, None, None)]),  # not Morsweg 382
    ("PERCEEL SERINGENSTRAAT 80 |", [("Seringenstraat", [80], None, "1", None)]),  # OCR's "I"
    ("2e Binnenvestgracht 41-1", [("2e Binnenvestgracht", [41], None, "1", None)]),
    ("Seringstraat 80 1", [("Seringenstraat", [80], None, "1", None)]),  # a typo and a toevoeging
    ("Sterrenwacht 6 bis", [("Sterrenwacht", [6], None, "bis", None)]),
    ("Breestraat 12-a", [("Breestraat", [12], "A", None, None)]),
    ("Hoogemorschweg 381, 2331 VS LEIDEN", [("Hoge Morsweg", [381], None, None, "2331VS")]),
    ("Melchior Treub laan 5 en v.d. Werfstraat No. 3",
     [("Melchior Treublaan", [5], None, None, None), ("Van der Werfstraat", [3], None, None, None)]),
    ("perceel Wiardi\nBreestraat 25", [("Breestraat", [25], None, None, None)]),
])
def test_written_forms(text, expected):
    assert one(text) == expected


def test_corner_without_number():
    found = find_addresses("bouwvergunning hoek Breestrsat/Maarsmansteeg", STREETS)
    assert [(m.street, m.corner_with, m.numbers) for m in found] == [("Breestraat", "Maarsmansteeg", [])]


@pytest.mark.parametrize("text", [
    "eigen gewicht vloer 420 kg/m2", "Leiden, 20 mei 1962", "onder no. 344/1937 vergunning",
    "d.d. 7-12-1974 Breestraat", "balk B7 l = 4,80 m", "Breestraat {9", "Breestraat 2/7",
])
def test_what_is_not_an_address(text):
    assert one(text) == []


def test_normalised_street_names():
    assert normalise_street("Haarl. str.") == normalise_street("Haarlemmerstraat")
    assert normalise_street("Melchior-Treublaan") == normalise_street("Melchior Treub laan")


def test_an_address_deep_in_a_long_text_is_found_like_one_at_the_start():
    filler = "de aanvrager verzoekt vergunning voor het bouwen van een schuur met berging. " * 8
    found = one(filler + "perceel Breestraat 12-a te Leiden")
    assert found == [("Breestraat", [12], "A", None, None)]
    assert one("x" * 170 + " Breestraat 25") == [("Breestraat", [25], None, None, None)]
