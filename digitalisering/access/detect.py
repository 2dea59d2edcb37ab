"""Personal data proposed from a page's OCR words: BSN, IBAN, phone numbers, e-mail addresses,
dates of birth and names of private persons, each with the word boxes it covers and its evidence.

Proposals are for an archivist to confirm, not decisions. The checks that decide what a number is
come from well-kept libraries: the elfproef and IBAN mod 97 from python-stdnum, phone numbers from
Google's libphonenumber (``phonenumbers``, region NL). A 9-digit number that fails the elfproef is
never a BSN and an IBAN whose check digits fail is never proposed, whatever cue stands before it.
OCR slips in numbers (``NL50`` read ``NLSO``, ``071`` read ``O7T``) are undone before the checks
(``ocrtext``); a value that passes only after that gets a lower confidence.

Names: see ``names`` (initials + surname, or a first name after a cue; private persons vs people
named in a professional capacity). ``detect_document`` runs the page detectors over a document's
pages and settles each name's role over all its occurrences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from digitalisering.access.ocrtext import DIGIT_SLIPS, LETTER_SLIPS, TextLine, page_lines
from digitalisering.metadata.dates import MONTHS
from digitalisering.ocr.model import Box, PageText, Word

KINDS = ("bsn", "iban", "phone", "email", "birth_date", "person_name")
"""The kinds of personal data proposed (``vulnerable`` proposes objects, not text)."""
KIND_LABELS = {"bsn": "BSN", "iban": "IBAN", "phone": "telefoonnummer", "email": "e-mailadres",
               "birth_date": "geboortedatum", "person_name": "naam"}
"""What people read for each kind (Dutch)."""

BSN_CUES = re.compile(r"\b(bsn|b\.s\.n|burger\s?service\s?n(umme)?r|sofi\s?-?\s?n(umme)?r|sofinummer|"
                      r"sofi-?nr|persoonsnummer|fiscaal\s?nummer)", re.IGNORECASE)
BIRTH_CUES = re.compile(r"\b(geboren|geb\.|geb\b|geboortedatum|geboorte\s?datum|geb\.?\s?datum|"
                        r"date of birth|\*\s)", re.IGNORECASE)
IBAN_CUES = re.compile(r"\b(iban|bankrekening|rekeningnummer|rekening|giro|t\.n\.v|ten name van)", re.IGNORECASE)
PHONE_CUES = re.compile(r"\b(tel|telefoon|telefoonnummer|mobiel|gsm|fax)\b", re.IGNORECASE)

CUE_WINDOW = 48
"""Characters before a value in which its cue must stand (a form label with its leader dots, or
'Sofi-nr. aanvrager:'); the line above and the row left of the line count too."""


@dataclass(frozen=True)
class Proposal:
    kind: str
    """One of ``KINDS``."""
    text: str
    """As the OCR read it."""
    value: str
    """Normalised: digits for BSN and phone, compact upper-case IBAN, lower-case e-mail, ISO date,
    the name as written."""
    seq: int
    """The page (its ``seq`` in results.json)."""
    boxes: tuple[Box, ...]
    """The boxes of the words it covers, in pixels of the page as the outputs show it."""
    confidence: float
    evidence: str
    """Why: the cue, the check it passed, the OCR slip undone."""

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "value": self.value, "seq": self.seq,
                "boxes": [[b.left, b.top, b.width, b.height] for b in self.boxes],
                "confidence": round(self.confidence, 2), "evidence": self.evidence}

    @classmethod
    def from_json(cls, data: dict) -> "Proposal":
        return cls(data["kind"], data["text"], data["value"], data["seq"],
                   tuple(Box(*b) for b in data["boxes"]), data["confidence"], data["evidence"])


def boxes_of(words: list[Word]) -> tuple[Box, ...]:
    return tuple(Box(w.left, w.top, w.width, w.height) for w in words)


def _cue(pattern: re.Pattern, line: TextLine, start: int) -> str | None:
    """The cue before position ``start``: within ``CUE_WINDOW`` characters on the line, the row left
    of it and, when the value stands near the start of its line, the end of the line above (a label
    over its value, a sentence running on). No digit may stand between the cue and the value (the
    cue belongs to another value then)."""
    window = line.row + " | " + line.text[:start]
    if start < CUE_WINDOW // 2:
        window = line.above + " | " + window
    window = window[-CUE_WINDOW:]
    for m in reversed(list(pattern.finditer(window))):
        if not re.search(r"\d", window[m.end():]):
            return m.group().strip()
    return None


@dataclass
class _Found:
    """Proposals of one page and the character ranges already claimed, per line."""
    seq: int
    items: list[Proposal] = field(default_factory=list)
    claimed: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def free(self, line: TextLine, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.claimed.get(line.index, []))

    def claim(self, line: TextLine, start: int, end: int) -> None:
        self.claimed.setdefault(line.index, []).append((start, end))

    def add(self, line: TextLine, start: int, end: int, kind: str, value: str, confidence: float,
            evidence: str) -> None:
        self.claim(line, start, end)
        self.items.append(Proposal(kind, line.text[start:end], value, self.seq,
                                   boxes_of(line.words_in(start, end)), round(confidence, 2), evidence))


# --- IBAN --------------------------------------------------------------------------------------

_IBAN = re.compile(r"\b[NM][LI1]\s?[0-9OoSsIlBZQD]{2}\s?[A-Z0-9]{4}\s?(?:[0-9OoSsIlBZQDTG]\s?){9}[0-9OoSsIlBZQDTG]\b")


def _iban_fixed(compact: str) -> str:
    """Country code, check digits, bank code and account number each read as what they must be."""
    return ("NL" + compact[2:4].translate(DIGIT_SLIPS) + compact[4:8].translate(LETTER_SLIPS)
            + compact[8:].translate(DIGIT_SLIPS))


def find_ibans(line: TextLine, found: _Found) -> None:
    for m in _IBAN.finditer(line.text):
        compact = re.sub(r"\s", "", m.group())
        fixed = _iban_fixed(compact)
        if not stdnum_iban.is_valid(fixed):
            found.claim(line, m.start(), m.end())  # its digits are no phone number or BSN either
            continue
        cue = _cue(IBAN_CUES, line, m.start())
        slip = fixed != compact
        conf = 0.97 - (0.1 if slip else 0) - (0 if cue else 0.05)
        evidence = "IBAN, controlegetal mod 97 klopt" + (f"; '{cue}'" if cue else "") + \
            (f"; OCR gelezen als {compact}" if slip else "")
        found.add(line, m.start(), m.end(), "iban", fixed, conf, evidence)


# --- BSN ---------------------------------------------------------------------------------------

_BSN = re.compile(r"(?<![\d.\-/])(\d{9}|\d{4}\s?\.\s?\d{2}\s?\.\s?\d{3}|\d{3}\s\d{3}\s\d{3}|\d{8})(?![\d]|\.\d)")


def find_bsns(line: TextLine, found: _Found) -> None:
    for m in _BSN.finditer(line.digits):
        if not found.free(line, m.start(), m.end()):
            continue
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 8:  # a BSN written without its leading zero
            digits = "0" + digits
        if not stdnum_bsn.is_valid(digits):
            if len(m.group()) > 8:
                found.claim(line, m.start(), m.end())
            continue  # fails the elfproef: not a BSN, whatever the cue says
        cue = _cue(BSN_CUES, line, m.start())
        if len(m.group()) == 8 and not cue:
            continue
        slip = line.text[m.start():m.end()] != m.group()
        conf = (0.95 if cue else 0.55) - (0.1 if slip else 0)
        evidence = "9 cijfers, elfproef klopt" + (f"; '{cue}'" if cue else "; zonder aanduiding als BSN") + \
            (f"; OCR gelezen als {line.text[m.start():m.end()]}" if slip else "")
        found.add(line, m.start(), m.end(), "bsn", digits, conf, evidence)


# --- phone -------------------------------------------------------------------------------------

def find_phones(line: TextLine, found: _Found) -> None:
    for m in phonenumbers.PhoneNumberMatcher(line.digits, "NL", leniency=phonenumbers.Leniency.POSSIBLE):
        start, end = m.start, m.end
        raw = line.digits[start:end]
        if not re.match(r"(\+|00|\(?0)", raw) or not found.free(line, start, end):
            continue
        digits = re.sub(r"\D", "", raw)
        if not 9 <= len(digits) <= 13:
            continue
        cue = _cue(PHONE_CUES, line, start)
        valid = phonenumbers.is_valid_number(m.number)
        slip = line.text[start:end] != raw
        conf = 0.6 + (0.2 if valid else 0) + (0.15 if cue else 0) - (0.1 if slip else 0)
        evidence = ("telefoonnummer" + (" (geldig NL-nummer)" if valid else " (mogelijk, oud nummerplan)")
                    + (f"; '{cue}'" if cue else "") + (f"; OCR gelezen als {line.text[start:end]}" if slip else ""))
        found.add(line, start, end, "phone", digits, conf, evidence)


# --- e-mail ------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*\s?[@©®]\s?[A-Za-z0-9-]+(?:\s?\.\s?[A-Za-z0-9-]+)*\s?\.\s?[A-Za-z]{2,6}\b")


def find_emails(line: TextLine, found: _Found) -> None:
    for m in _EMAIL.finditer(line.text):
        if not found.free(line, m.start(), m.end()):
            continue
        value = re.sub(r"\s", "", m.group()).replace("©", "@").replace("®", "@").lower()
        slip = value != m.group().lower()
        found.add(line, m.start(), m.end(), "email", value, 0.95 - (0.1 if slip else 0),
                  "e-mailadres" + (f"; OCR gelezen als {m.group()}" if slip else ""))


# --- dates of birth ----------------------------------------------------------------------------

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(r"\b(\d{1,2})\s?[-./]\s?(\d{1,2})\s?[-./]\s?(1[6-9]\d\d|20\d\d)\b|"
                   r"\b(\d{1,2})\s+(" + _MONTH + r")\.?\s+(1[6-9]\d\d|20\d\d)\b", re.IGNORECASE)


def find_birth_dates(line: TextLine, found: _Found) -> None:
    from datetime import date
    for m in _DATE.finditer(line.digits):
        if not found.free(line, m.start(), m.end()):
            continue
        cue = _cue(BIRTH_CUES, line, m.start())
        if not cue:
            continue
        if m.group(1):
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            day, month, year = int(m.group(4)), MONTHS[m.group(5).lower()], int(m.group(6))
        try:
            value = date(year, month, day).isoformat()
        except ValueError:
            continue
        found.add(line, m.start(), m.end(), "birth_date", value, 0.9, f"datum na '{cue}'")


DETECTORS = (find_ibans, find_emails, find_bsns, find_phones, find_birth_dates)
"""In this order: an IBAN's digits are not a BSN or a phone number, an e-mail's not a phone."""


def detect_page(seq: int, text: PageText) -> list[Proposal]:
    """Every personal-data proposal on one page (names' roles settled on this page alone)."""
    return detect_document({seq: text})


def detect_document(pages: dict[int, PageText]) -> list[Proposal]:
    """The proposals of a document's (or dossier's) pages, ``seq -> words``; a name's role (private
    person or professional) is settled over all its occurrences in them."""
    from digitalisering.access.names import find_names, settle
    items, candidates = [], []
    for seq in sorted(pages):
        lines = page_lines(seq, pages[seq])
        found = _Found(seq)
        for line in lines.lines:
            for detector in DETECTORS:
                detector(line, found)
        items += found.items
        candidates += find_names(lines, found.claimed)
    items += settle(candidates)
    return sorted(items, key=lambda p: (p.seq, p.boxes[0].top if p.boxes else 0, p.boxes[0].left if p.boxes else 0))
