"""Addresses written in a document: street + house number (+ huisletter / toevoeging), ranges,
"no."/"nr."/"N°", "bis", abbreviations, corners ("hoek X/Y"), postcodes, OCR noise.

Pure text work: the street names to match against come from the caller (the BAG index of the
woonplaats plus an optional gazetteer of historic variants), matched with rapidfuzz on a
normalised form (lower case, no accents, no spaces or punctuation, abbreviations expanded).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

ABBREVIATIONS = [
    (r"\bstr\b\.?", "straat"), (r"\bgr\b\.?", "gracht"), (r"\bln\b\.?", "laan"), (r"\bpl\b\.?", "plein"),
    (r"\bkd\b\.?", "kade"), (r"\bsngl\b\.?", "singel"), (r"\bv\.? ?d\.?(?= )", "van de"), (r"\bv\.(?= )", "van"),
    (r"\bo\.(?= )", "oude"), (r"\bn\.(?= )", "nieuwe"), (r"\bl\.(?= )", "lange"), (r"\bk\.(?= )", "korte"),
    (r"\bhaarl\.", "haarlemmer"), (r"\bst\.(?= )", "sint"), (r"\bmr\.(?= )", "meester"), (r"\bdr\.(?= )", "doctor"),
]
_ABBREV = [(re.compile(p), r) for p, r in ABBREVIATIONS]
MIN_SCORE = 86.0
"""Fuzzy street match threshold (rapidfuzz ratio on the normalised names, 0..100)."""
MAX_STREET_WORDS = 5
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "|": "1"}
"""Roman toevoegingen ("80 I"), and "|": how OCR reads a capital I set apart."""

_NUMBER = re.compile(
    r"(?P<prefix>\b(?:no|nr|n°|n o|nummer)\s*[.:]?\s*°?\.?\s*)?"
    r"(?P<num>\d{1,4})(?!\d|[.,]\d|\s?(?:m|cm|mm|kg|x)\b|/(?:19|20)\d\d)"
    r"(?:(?:\s?-\s?|\s)?(?P<letter>[a-z])(?![a-z0-9/]))?"
    r"(?P<range>\s*(?P<sep>-|/|t/m|tot en met|en)\s*(?P<num2>\d{1,4})(?![\d/]))?"
    r"(?:\s*[- ]\s*(?P<toev>bis|rd|hs|iii|ii|i|[1-4]|\|)(?![a-z0-9]))?",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([a-z]{2})\b", re.IGNORECASE)
_CORNER = re.compile(r"\bhoek\s+(?P<a>[^/,;\n]{3,40}?)\s*(?:/|\ben\b)\s*(?P<b>[^/,;\n\d]{3,40}?)(?=[,;.\n]|$| \d{4}| te\b)",
                     re.IGNORECASE)


def normalise_street(text: str) -> str:
    """Lower case, accents removed, abbreviations expanded, no spaces, hyphens or dots."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = " " + text + " "
    for pattern, repl in _ABBREV:
        text = pattern.sub(repl, text)
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class Street:
    name: str
    """The BAG name (openbare ruimte naam) this written form stands for."""
    score: float
    written: str
    exact: bool


class StreetMatcher:
    """Written street names -> BAG street names: exact, via a variant, or fuzzy."""

    def __init__(self, names: list[str], variants: dict[str, str] | None = None):
        self.names = sorted(set(names))
        self.by_key: dict[str, str] = {}
        for name in self.names:
            self.by_key.setdefault(normalise_street(name), name)
        for variant, name in (variants or {}).items():
            self.by_key.setdefault(normalise_street(variant), name)
        self.keys = list(self.by_key)

    def match(self, written: str) -> Street | None:
        key = normalise_street(written)
        if len(key) < 4:
            return None
        if key in self.by_key:
            return Street(self.by_key[key], 100.0, written, True)
        found = process.extractOne(key, self.keys, scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        if found is None:
            return None
        return Street(self.by_key[found[0]], float(found[1]), written, False)


@dataclass
class Mention:
    """One address as written in a document."""

    text: str
    street: str
    """BAG street name."""
    numbers: list[int] = field(default_factory=list)
    huisletter: str | None = None
    toevoeging: str | None = None
    postcode: str | None = None
    corner_with: str | None = None
    """For "hoek X/Y" without a number: the other street."""
    score: float = 100.0
    exact_street: bool = True
    context: str = ""
    """The words before the address on its line (for telling the object from a sender)."""
    line: int = 0
    start: int = 0
    """Offset of the mention in the text it was found in (line breaks count as one character)."""
    end: int = 0
    bar: bool = False
    """The toevoeging was read from a "|" (OCR's I, or a stray rule): linking may drop it."""
    after: str = ""
    """The text just after the address (a town: "..., Katwijk", "te Oegstgeest")."""


WORDS_WINDOW = 160
"""Characters before a number searched for its street (MAX_STREET_WORDS words fit easily): not the
whole text before it, which made a long document quadratic (bench/bag.py cost)."""
_WORD = re.compile(r"[^\s,;:()]+")


def _words_before(line: str, end: int) -> list[tuple[int, str]]:
    start = max(0, end - WORDS_WINDOW)
    words = [(m.start(), m.group(0)) for m in _WORD.finditer(line, start, end)]
    cut = start > 0 and words and words[0][0] == start and _WORD.match(line, start - 1) is not None
    return words[1:] if cut else words  # not the tail of a word the window cut


def _toevoeging(value: str | None) -> str | None:
    if not value:
        return None
    v = value.lower()
    return ROMAN.get(v, v)


CONTEXT_CHARS = 80
AFTER_CHARS = 40
_DATE = re.compile(r"\d{1,2}\s?[-/.]\s?\d{1,2}\s?[-/.]\s?\d{2,4}")


def find_addresses(text: str, streets: StreetMatcher) -> list[Mention]:
    """Every address mention in ``text``, in reading order. Line breaks count as spaces (an
    address may wrap: "Wiardi\nBeckmanstr. 24"); ``context`` is the text just before it."""
    found: list[Mention] = []
    for number, line in enumerate([text.replace("\n", " ")]):
        postcodes = [(m.start(), (m.group(1) + m.group(2)).upper()) for m in _POSTCODE.finditer(line)]
        taken: list[tuple[int, int]] = []
        for m in _CORNER.finditer(line):
            a, b = streets.match(m.group("a")), streets.match(m.group("b"))
            if a and b and not re.search(r"\d", m.group("b")):
                found.append(Mention(m.group(0).strip(), a.name, [], corner_with=b.name, score=min(a.score, b.score),
                                     exact_street=a.exact and b.exact,
                                     context=line[max(0, m.start() - CONTEXT_CHARS):m.start()], line=number,
                                     start=m.start(), end=m.end(), after=line[m.end():m.end() + AFTER_CHARS]))
                taken.append(m.span())
        for m in _NUMBER.finditer(line):
            if any(s <= m.start() < e for s, e in taken):
                continue
            if any(abs(m.start() - p) < 2 for p, _ in postcodes):
                continue  # the digits of a postcode
            if _DATE.match(line, m.start()):
                continue  # a date: "d.d. 7-12-1974"
            if m.start() > 0 and not line[m.start() - 1].isspace() and line[m.start() - 1] not in ".:°(":
                continue  # glued to something: "{9", "B7", "f25"
            words = _words_before(line, m.start())[-MAX_STREET_WORDS:]
            best: tuple[Street, int] | None = None
            for n in range(1, min(MAX_STREET_WORDS, len(words)) + 1):
                start = words[-n][0]
                candidate = line[start:m.start()].strip(" ,.:;-")
                if "," in candidate or re.search(r"\d(?![0-9]*e\b)", candidate):
                    continue  # a street name holds no digits (but "2e Binnenvestgracht") and no comma
                street = streets.match(candidate)
                if street and (best is None or street.score > best[0].score
                               or (street.score == best[0].score and street.exact and
                                   (not best[0].exact or len(street.name) > len(best[0].name)))):
                    best = (street, start)
            if best is None:
                continue
            street, start = best
            first = int(m.group("num"))
            numbers = [first]
            toev = _toevoeging(m.group("toev"))
            if m.group("num2"):
                second = int(m.group("num2"))
                sep = m.group("sep").lower()
                if second > first and second - first <= 40 and (second - first) % 2 == 0:
                    step = 2 if sep in ("t/m", "tot en met") else second - first
                    numbers = list(range(first, second + 1, step))
                elif second == first + 1 and sep in ("-", "/", "en"):
                    numbers = [first, second]  # "65-66": both numbers (a building on two plots)
                elif sep == "-" and second < first and second <= 4 and toev is None:
                    toev = str(second)  # "41-1": toevoeging 1
                elif sep == "/":
                    continue  # "2/7" is no address form (an OCR slip in "27", a fraction): no guess
            postcode = next((pc for pos, pc in postcodes if m.end() <= pos <= m.end() + 25), None)
            letter = m.group("letter")
            found.append(Mention(
                text=line[start:m.end()].strip().lstrip("_-.,;:'\"`|~*"), street=street.name, numbers=numbers,
                huisletter=letter.upper() if letter and len(numbers) == 1 else None, toevoeging=toev,
                postcode=postcode, score=street.score, exact_street=street.exact,
                context=line[max(0, start - CONTEXT_CHARS):start], line=number,
                start=start, end=m.end(), after=line[m.end():m.end() + AFTER_CHARS], bar=m.group("toev") == "|",
            ))
            taken.append((start, m.end()))
    return found
