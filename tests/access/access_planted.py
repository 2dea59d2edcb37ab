"""A small generated dossier with planted personal data: pages as OCR words with boxes (what the
detectors read), and the truth of every planted item."""

from __future__ import annotations

from dataclasses import dataclass

from digitalisering.ocr.model import Block, Line, PageText, Word

CHAR_W, LINE_H = 20, 40


@dataclass(frozen=True)
class Planted:
    kind: str
    value: str
    """Normalised as the proposals are."""
    seq: int
    valid: bool = True


def page(lines: list[str | tuple[int, str]]) -> PageText:
    """Words laid out on a page: each line at its own y (a tuple gives the x where it starts, for a
    form's value to the right of its label on the line before in the list)."""
    out, y = [], 100
    prev_x = None
    for item in lines:
        x, text = item if isinstance(item, tuple) else (100, item)
        if isinstance(item, tuple) and prev_x is not None:
            y -= LINE_H + 10  # same row as the line before
        words, pos = [], x
        for word in text.split(" "):
            if word:
                words.append(Word(word, pos, y, CHAR_W * len(word), LINE_H - 8, 91.0))
            pos += CHAR_W * (len(word) + 1)
        out.append(Block([Line(words)]))
        prev_x = x
        y += LINE_H + 10
    return PageText("nld", out, width=2480, height=3508, dpi=300.0)


FORM = page([
    "AANVRAAG OM BOUWVERGUNNING",
    "Naam :", (600, "Joost Meerburg"),
    "BSN :", (600, "200629153"),
    "Sofinummer :", (600, "1234.56.782"),
    "Burgerservicenummer :", (600, "976 244 566"),
    "Geboortedatum :", (600, "24-3-1907"),
    "Bankrekening :", (600, "NL13 RABO 3444 2127 71"),
    "IBAN echtgenote :", (600, "NL11 KNAB 4528 9696 37"),
    "Tel. :", (600, "O7T-5077725"),
    "E-mail :", (600, "j.meerburg@home.nl"),
    "Naam en adres van den ontwerper:",
    "H. de Vries, Kagerstraat 97",
])
LETTER = page([
    "Leiden, 4 April 1962",
    "Gelezen het verzoek van K.P. van Dorp, slager, d.d. 2 April 1962,",
    "telefoon 06 2715 3690, geboren 22 September 1918 te Leiden; Sofi-nr. aanvrager: 123 456 782.",
    "Terugbetaling van de borgsom gaarne op IBAN NLSO FVLB 4383 5090 45 t.n.v. K.P. van Dorp;",
    "niet op NL67INGB0001103792. Het rekeningnummer 123456789 is vervallen.",
    "Ondergeteekende, H. de Vries, architect te Leiden, handelende namens",
    "De Burgemeester,",
    "W. van den Heuvel",
])
PAGES = {0: FORM, 1: LETTER}
TRUTH = [
    Planted("person_name", "Joost Meerburg", 0), Planted("bsn", "200629153", 0), Planted("bsn", "123456782", 0),
    Planted("bsn", "976244566", 0, valid=False), Planted("birth_date", "1907-03-24", 0),
    Planted("iban", "NL13RABO3444212771", 0), Planted("iban", "NL11KNAB4528969637", 0, valid=False),
    Planted("phone", "0775077725", 0), Planted("email", "j.meerburg@home.nl", 0),
    Planted("person_name", "K.P. van Dorp", 1), Planted("phone", "0627153690", 1),
    Planted("birth_date", "1918-09-22", 1), Planted("bsn", "123456782", 1),
    Planted("iban", "NL50FVLB4383509045", 1), Planted("iban", "NL67INGB0001103792", 1, valid=False),
    Planted("bsn", "123456789", 1, valid=False),
]
PROFESSIONALS = ["H. de Vries", "W. van den Heuvel"]
