"""Names of private persons in a bouwdossier's OCR text, told apart from people named in a
professional capacity (architects, constructeurs, civil servants signing a permit).

Names are found by their Dutch written form: initials and a surname with its tussenvoegsels
("K.P. van Dorp", "Th. Lambregts", "H. DE VRIES"), or a first name and a surname right after a cue
that introduces a person ("Naam : Joost Meerburg", "de heer ...") or before one that describes a
person (", geboren", ", telefoon"). Each occurrence is judged by what stands around it:

- professional: a role word right after the name ("H. de Vries, architect te Leiden"), or in the
  line above / the row left of it (the signature block "De secretaris,  De burgemeester,"; the
  form label "Architect");
- private: a cue right before it ("verzoek van", "Ondergeteekende,", "Opdrachtgever:", "namens",
  "ten name van", "Naam :") or a personal detail right after it.

``settle`` then decides per name over all its occurrences in a document or dossier (a strong cue
anywhere decides for every occurrence: the architect's signature under a drawing is the architect's
name in the letterhead); a name with no cue at all is proposed as private with a low confidence,
because a missed private name is worse than an archivist's rejection. The library ``deduce`` (Dutch
de-identification) was measured against this in ``bench/access.py``; see README for the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digitalisering.access.ocrtext import PageLines, TextLine

_UP = "A-ZÀ-ÖØ-Ý"
_LOW = "a-zß-öø-ÿ'"
_INITIALS = rf"(?:[{_UP}][{_LOW}]{{0,2}}\.\s?){{1,4}}"
_TUSSEN = r"(?:(?i:van|de|der|den|ter|ten|te|het|in\s't|'t|v\.d\.|vd|la|le|du|op\sde|in\sde|van\sde)\s)*"
_SURNAME = rf"(?:[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?|[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})?)"
_INITIALS_NAME = re.compile(rf"(?<![A-Za-z0-9.]){_INITIALS}{_TUSSEN}{_SURNAME}\b")
_FIRST_NAME = re.compile(rf"(?<![A-Za-z0-9.])[{_UP}][{_LOW}]{{2,}}\s{_TUSSEN}{_SURNAME}\b")
NOT_SURNAMES = {"naam", "adres", "ligging", "beroep", "datum", "perceel", "gemeente", "woonplaats", "betonwerk",
                "handtekening", "bouwwerk", "sectie", "kadaster", "bijlage", "blad", "schaal", "tekening", "en"}
"""Words after an item number or abbreviation that read like initials and a surname ('11. Naam')."""
_STREET = re.compile(r"(straat|str|laan|gracht|kade|plein|singel|steeg)$",
                     re.IGNORECASE)

NOT_INITIALS = {"tel.", "geb.", "nr.", "no.", "str.", "bl.", "fa.", "kad.", "sect.", "gem.", "hr.", "dhr.",
                "mw.", "mej.", "mevr.", "wed.", "ged.", "d.d.", "z.g.", "blz.", "afd.", "art.", "bijl.",
                "n.v.", "b.v.", "b.n.a.", "dr.", "ir.", "mr.", "ing."}
"""Abbreviations that look like initials but are not part of a name (titles are dropped, not kept)."""

PRIVATE_BEFORE = re.compile(
    r"(naam|heer|hr\.|dhr\.|mevrouw|mevr\.|mw\.|mej\.|wed\.|weduwe|verzoek van|namens|"
    r"opdrachtgever|t\.n\.v\.?|ten name van|eigenaar|eigenares|aanvrager|aanvraagster|buurman|buurvrouw|"
    r"bewoner|huurder|echtgeno(o|t)e?|contactpersoon)[\s:,_]*$", re.IGNORECASE)
WEAK_PRIVATE_BEFORE = re.compile(r"(ondergete+kende)[\s:,_]*$", re.IGNORECASE)
"""The writer of a letter or report: the applicant, but also an architect or an opzichter writing
a proces-verbaal ("heb ik, ondergeteekende, H. Jansen,"): what follows the name decides."""
PRIVATE_AFTER = re.compile(r"^\s*[,.]?\s*(geboren|geb\.|telefoon|tel\.?|wonende|eigenaar|e-?mail)", re.IGNORECASE)
PROFESSIONAL_AFTER = re.compile(
    r"^\s*[,.]?\s*(architect|bouwkundige?|constructeur|ingenieur|opzichter|burgemeester|secretaris|wethouder|"
    r"directeur|aannemer|b\.?n\.?a|tekenaar|ambtenaar van|hoofd van|inspecteur)", re.IGNORECASE)
PROFESSIONAL_NEAR = re.compile(
    r"\b(architect\w*|ontwerper|getekend|bouwkundig bureau|bureau|constructeur|ingenieur|opzichter|burgemeester|secretaris|"
    r"wethouder|directeur|aannemer\w*|b\.n\.a|tekenaar|inspecteur|gemeente\w*|namens b(urgemeester)? ?(en|&) ?w)",
    re.IGNORECASE)


_NOT_A_NAME = re.compile(r"\bB\.?\s?(?:en|EN|&)\s?W\.?(?:\s(?:van|VAN)\s\w+)?")
"""'B. en W. van Leiden' (burgemeester en wethouders) is written like two names."""


@dataclass(frozen=True)
class NameCandidate:
    seq: int
    line: TextLine
    start: int
    end: int
    role: str
    """'private' or 'professional' (this occurrence alone), or '' when nothing says."""
    strong: bool
    cue: str

    @property
    def text(self) -> str:
        return self.line.text[self.start:self.end]

    @property
    def key(self) -> str:
        return key_of(self.text)


def key_of(name: str) -> str:
    """One key for the ways a name is written: case, spacing and dots after initials ignored."""
    return re.sub(r"[\s.]+", " ", name).strip().casefold()


def _strip_titles(text: str, start: int) -> int:
    """Move ``start`` past leading abbreviations that are titles or not initials ("Dhr. ")."""
    while True:
        m = re.match(r"([A-Za-z.]+\.)\s?", text[start:])
        if m and m.group(1).lower() in NOT_INITIALS:
            start += m.end()
        else:
            return start


def _judge(line: TextLine, start: int, end: int) -> tuple[str, bool, str]:
    after = line.text[end:end + 40]
    if m := PROFESSIONAL_AFTER.search(after):
        return "professional", True, m.group(1)
    before = line.text[:start] if start >= 3 else (line.row + " " + line.text[:start]).strip()
    if m := PRIVATE_BEFORE.search(before) or (PRIVATE_BEFORE.search(line.above) if start < 3 else None):
        return "private", True, m.group(1)
    if m := PRIVATE_AFTER.search(after):
        return "private", True, m.group(1)
    near = " ".join((line.text[:start], line.text[end:], line.row[-40:], line.above, line.above2))
    if m := PROFESSIONAL_NEAR.search(near):
        return "professional", False, m.group(1)
    if m := WEAK_PRIVATE_BEFORE.search(before):
        return "private", False, m.group(1)
    return "", False, ""


def find_names(lines: PageLines, claimed: dict[int, list[tuple[int, int]]] | None = None) -> list[NameCandidate]:
    """Every written name on the page with what its surroundings say of it."""
    claimed = claimed or {}
    out: list[NameCandidate] = []
    for line in lines.lines:
        taken = list(claimed.get(line.index, []))
        spans: list[tuple[int, int]] = []
        for m in _INITIALS_NAME.finditer(line.text):
            start = _strip_titles(line.text, m.start())
            if start < m.end() and _INITIALS_NAME.fullmatch(line.text[start:m.end()]):
                spans.append((start, m.end()))
        for m in _FIRST_NAME.finditer(line.text):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            before = line.text[:m.start()] if m.start() >= 3 else line.row
            if PRIVATE_BEFORE.search(before) or PRIVATE_AFTER.search(line.text[m.end():]):
                spans.append((m.start(), m.end()))
        for m in _NOT_A_NAME.finditer(line.text):
            taken.append((m.start(), m.end()))
        names_only = len(spans) >= 2 and not re.sub(r"[\s,.|]+", "", "".join(
            line.text[b:a] for (_, b), (a, _) in zip([(0, 0)] + sorted(spans), sorted(spans) + [(len(line.text), 0)])))
        for start, end in spans:
            if any(a < end and start < b for a, b in taken):
                continue
            surname = line.text[start:end].split()[-1].split("-")[-1]
            if surname.casefold() in NOT_SURNAMES or _STREET.search(surname):
                continue
            role, strong, cue = _judge(line, start, end)
            if not role and names_only:
                role, cue = "professional", "ondertekening (namen naast elkaar)"
            out.append(NameCandidate(lines.seq, line, start, end, role, strong, cue))
    return out


def settle(candidates: list[NameCandidate]):
    """Proposals for the names that belong to private persons, each name's role decided over all
    its occurrences: a strong cue beats a weak one, professional beats private among equals."""
    from digitalisering.access.detect import Proposal, boxes_of
    verdict: dict[str, tuple[str, float, str]] = {}
    for key in {c.key for c in candidates}:
        mine = [c for c in candidates if c.key == key]
        strong = {c.role: c.cue for c in mine if c.strong}
        weak = {c.role: c.cue for c in mine if c.role and not c.strong}
        if "professional" in strong:
            verdict[key] = ("professional", 0.0, strong["professional"])
        elif "private" in strong:
            verdict[key] = ("private", 0.9, f"naam bij '{strong['private']}'")
        elif "professional" in weak:
            verdict[key] = ("professional", 0.0, weak["professional"])
        elif "private" in weak:
            verdict[key] = ("private", 0.7, f"naam bij '{weak['private']}'")
        else:
            verdict[key] = ("private", 0.5, "naam zonder aanduiding van een beroep")
    out = []
    for c in candidates:
        role, conf, why = verdict[c.key]
        if role == "private":
            out.append(Proposal("person_name", c.text, re.sub(r"\s+", " ", c.text), c.seq,
                                boxes_of(c.line.words_in(c.start, c.end)), conf, why))
    return out
