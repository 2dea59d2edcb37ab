"""Small hand-made index rows for the index tests (what the catalog would give for two batches)."""

from __future__ import annotations

from digitalisering.index.model import AddressRow, DocumentRow, DossierRow, PageRow


def page(seq: int, number: int, text: str) -> PageRow:
    return PageRow(seq, number, tuple(text.split()))


def breestraat_batch() -> list[DossierRow]:
    """Three dossiers: Breestraat 12 (exact), Hooigracht 15-17 (a range), Rapenburg 4a (a letter)."""
    bree = AddressRow("Breestraat", 12, None, None, "2311CS", "0546200000000012", "0546010000000012",
                      "0546100000000012", "Breestraat 12", "exact", "object")
    hooi = AddressRow("Hooigracht", 15, None, None, None, "0546200000000015", "0546010000000015",
                      "0546100000000015", "Hooigracht 15-17", "exact", "object")
    hooi17 = AddressRow("Hooigracht", 17, None, None, None, "0546200000000017", "0546010000000017",
                        "0546100000000015", "Hooigracht 15-17", "exact", "object")
    rapen = AddressRow("Rapenburg", 4, "A", None, None, "0546200000000004", "0546010000000004",
                       "0546100000000004", "Rapenburg 4a", "exact", "object")
    return [
        DossierRow("BWT-1962-0422", "BWT-1962-0422", ("1962-02-06", "1962-05-20"), (
            DocumentRow("BWT-1962-0422-01", 1, "aanvraag", ("1962-02-06",), (
                page(0, 1, "Aanvraag om bouwvergunning voor het verbouwen van het pand Breestraat 12 te Leiden"),
                page(1, 2, "Bouwbeschrijving: metselwerk en een nieuwe dakkapel aan de achterzijde"),
            )),
            DocumentRow("BWT-1962-0422-02", 2, "vergunning", ("1962-05-20",), (
                page(2, 1, "Burgemeester en Wethouders verlenen de gevraagde bouwvergunnlng voor Breestraat 12"),
            )),
        ), (bree,)),
        DossierRow("BWT-1923-0085", "BWT-1923-0085", ("1923-04-01",), (
            DocumentRow("BWT-1923-0085-01", 1, "tekening", ("1923-04-01",), (
                page(3, 1, "Teekening van een winkelpui Hooigracht 15-17 schaal 1:50"),
            )),
            DocumentRow("BWT-1923-0085-02", 2, "brief", ("1923-05-11",), (
                page(4, 1, "Geachte heer, hierbij de aanvragen voor de verbouwing van de winkel"),
            )),
        ), (hooi, hooi17)),
        DossierRow("BWT-1974-0401", "BWT-1974-0401", ("1974-03-03",), (
            DocumentRow("BWT-1974-0401-01", 1, "vergunning", ("1974-03-03",), (
                page(5, 1, "Vergunning voor een dakkapel op het pand Rapenburg 4a"),
            )),
        ), (rapen,)),
    ]


def second_batch(word: str = "schuur") -> list[DossierRow]:
    return [DossierRow("BWT-1988-0700", "BWT-1988-0700", ("1988-01-01",), (
        DocumentRow("BWT-1988-0700-01", 1, "aanvraag", ("1988-01-01",), (page(0, 1, f"Aanvraag voor een {word} Breestraat 12"),)),
    ), (AddressRow("Breestraat", 12, None, None, "2311CS", "0546200000000012", None, None, "Breestraat 12", "exact",
                   "object"),))]
