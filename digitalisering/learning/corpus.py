"""The generated training corpus of the base document model: varied bouwdossiers as OCR sees them.

Why: the development deliveries hold 11 templates, one for berekening and one for tekening; a
model learned only from them cannot type a form it never saw (bench/split.py, leave-one-template-
out, text+layout: types 0.399). The corpus is written independently of them: templates and
phrasings as data (``corpus.toml``: aanvraag forms of several eras, bouwbeschrijvingen, besluiten,
vergunningen, weigeringen, vrijstellingen, brieven, welstandsadviezen, bezwaarschriften,
berekeningen, gereedmeldingen, processen-verbaal, drawings with several title blocks, leges
notes), names, streets, towns and dates drawn per dossier, old spelling before 1947.

The model does not train on rendered and OCR'd pages (about 1 s of tesseract per page, too slow
to rebuild at first use) but on the text with simulated OCR noise (character confusions, split
and merged words, dropped lines, specks, unreadable handwriting, shuffled drawing labels) and the
page properties the features read (words on the page, large format and paper size): the
features (``features``) see nothing else of a page. Everything is drawn from one seeded
``random.Random``: the same seed gives the same corpus, byte for byte, on every machine.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import normalise
from digitalisering.learning.model import LabelledDocument, LabelledDossier

GENERATOR_VERSION = 1
"""Raise when the generator's code changes what it makes (the base model's cache key)."""

LARGE_FORMATS = {"A3", "A2", "A1", "A0"}
"""Paper sizes the imaging stage calls large format (beyond A4)."""
# note: the imaging stage marks pages larger than A3 as large format; A3 sheets are borderline
# and are drawn both ways below


@dataclass(frozen=True)
class Template:
    name: str
    type: str
    subtype: str
    years: tuple[int, int]
    weight: float
    pages: tuple[tuple[str, ...], ...]
    extra: tuple[str, ...] = ()
    extra_max: int = 0
    page_numbers: float = 0.0
    kind: str = "text"
    paper: tuple[str, ...] = ("A4",)
    sparse: bool = False


@dataclass(frozen=True)
class CorpusRules:
    version: int
    old_spelling_before: int
    old_spelling: tuple[tuple[re.Pattern[str], str], ...]
    pools: dict[str, tuple[str, ...]]
    templates: tuple[Template, ...]
    digest: str
    """SHA-256 of the rules file (part of the base model's cache key)."""

    @property
    def types(self) -> list[str]:
        return sorted({t.type for t in self.templates})

    def of_type(self, kind: str) -> list[Template]:
        return [t for t in self.templates if t.type == kind]


def parse_rules(raw: bytes) -> CorpusRules:
    data = tomllib.loads(raw.decode("utf-8"))
    templates = tuple(
        Template(name=t["name"], type=t["type"], subtype=t.get("subtype", t["name"]),
                 years=(int(t["years"][0]), int(t["years"][1])), weight=float(t.get("weight", 1.0)),
                 pages=tuple(tuple(p) for p in t["pages"]), extra=tuple(t.get("extra", ())),
                 extra_max=int(t.get("extra_max", 0)), page_numbers=float(t.get("page_numbers", 0.0)),
                 kind=t.get("kind", "text"), paper=tuple(t.get("paper", ["A4"])), sparse=bool(t.get("sparse", False)))
        for t in data["templates"])
    spelling = tuple((re.compile(rf"\b{re.escape(a)}", re.IGNORECASE), b) for a, b in data.get("old_spelling", []))
    return CorpusRules(int(data.get("version", 1)), int(data.get("old_spelling_before", 1947)), spelling,
                       {k: tuple(v) for k, v in data["pools"].items()}, templates,
                       hashlib.sha256(raw).hexdigest())


@functools.lru_cache(maxsize=1)
def default_rules() -> CorpusRules:
    """The rules shipped with the package (``corpus.toml``)."""
    return parse_rules(resources.files("digitalisering.learning").joinpath("corpus.toml").read_bytes())


# ------------------------------------------------------------------------------------------------
# expansion of the mini-language

_GROUP = re.compile(r"\{([^{}]*)\}")
_OPTIONAL = re.compile(r"^\?(0(?:\.\d+)?|1(?:\.0+)?) ")


class _Context:
    """The values of one dossier and document, and the drawer of fresh ones."""

    def __init__(self, rules: CorpusRules, rng: random.Random, year: int, fixed: dict[str, str]):
        self.rules, self.rng, self.year, self.fixed = rules, rng, year, fixed

    def pool(self, name: str) -> str:
        return self.rng.choice(self.rules.pools[name])

    def person(self) -> str:
        title = self.pool("aanhef_persoon")
        name = f"{self.pool('voorletters')} {self.pool('achternamen')}"
        return f"{title} {name}".strip()

    def date(self, year: int | None = None, style: str | None = None) -> str:
        r = self.rng
        year = year or self.year
        day, month = r.randint(1, 28), r.randint(1, 12)
        style = style or r.choice(["long", "long", "numeric", "short", "dotted"])
        name = self.rules.pools["maanden"][month - 1]
        if style == "long":
            return f"{day} {name.capitalize() if year < 1947 else name} {year}"
        if style == "numeric":
            return f"{day}-{month}-{year}"
        if style == "dotted":
            return f"{day}.{month:02d}.{str(year)[2:]}"
        short = ["jan", "febr", "mrt", "apr", "mei", "juni", "juli", "aug", "sept", "okt", "nov", "dec"][month - 1]
        return f"{day} {short}. {year}"

    def amount(self) -> str:
        scale = 1 if self.year < 1940 else 4 if self.year < 1965 else 15
        value = self.rng.randint(4, 400) * 25 * scale
        text = f"{value:,}".replace(",", ".")
        return self.rng.choice([f"f {text},-", f"f {text}.-", f"ƒ {text},--", f"fl. {text},00", f"hfl {text},-"])

    def address(self) -> str:
        r = self.rng
        n = r.randint(1, 180)
        number = f"{n}{r.choice(['', '', '', 'a', ' A', '-b', 'bis'])}"
        street = self.pool("straten")
        return r.choice([f"{street} {number}", f"{street} {number}", f"{street} no. {number}",
                         f"{street} nr. {number}", f"{street} N°. {number}", f"{street} {n}-{n + 2}"])

    def slot(self, name: str) -> str:
        if name in self.fixed:
            return self.fixed[name]
        r = self.rng
        if name == "getal":
            return r.choice([str(r.randint(2, 999)), f"{r.randint(1, 99)},{r.randint(0, 99):02d}",
                             f"{r.randint(1, 9)}.{r.randint(0, 999):03d}"])
        if name == "maat":
            return f"{r.randint(1, 12)}.{r.randint(0, 99):02d}"
        if name == "ruimte":
            return self.pool("ruimten")
        if name == "achternaam":
            return self.pool("achternamen")
        if name == "voorletter":
            return self.pool("voorletters")
        if name == "schaal":
            return r.choice(["50", "100", "100", "200", "20", "500", "1000"])
        if name == "datum_kort":
            return self.date(style=r.choice(["numeric", "dotted"]))
        if name == "datum2":
            return self.date()
        if name == "telefoon":
            return (f"{r.randint(1000, 99999)}" if self.year < 1960 else
                    f"0{r.randint(10, 79)}-{r.randint(100000, 999999)}")
        if name == "initialen":
            return "".join(r.choice("ABCDEGHJKLMPRSTVW") for _ in range(r.randint(2, 3)))
        if name == "GEMEENTE":
            return self.fixed["gemeente"].upper()
        raise KeyError(f"corpus.toml: unknown slot {{{name}}}")

    def group(self, body: str) -> str:
        if "|" in body:
            choice = self.rng.choice(body.split("|"))
            return self.pool(choice[1:]) if choice.startswith("@") and choice[1:] in self.rules.pools else choice
        if body.startswith("@"):
            return self.pool(body[1:])
        return self.slot(body)

    def expand(self, text: str) -> str:
        for _ in range(12):  # pools and slots may hold further groups
            new = _GROUP.sub(lambda m: self.group(m.group(1)), text)
            if new == text:
                return new
            text = new
        return text


def _dossier_values(rules: CorpusRules, rng: random.Random, year: int) -> dict[str, str]:
    ctx = _Context(rules, rng, year, {})
    town = ctx.pool("gemeenten")
    fixed = {"gemeente": town, "gemeente2": ctx.pool("gemeenten"), "jaar": str(year)}
    ctx.fixed = fixed
    applicant = ctx.person()
    fixed.update({
        "aanvrager": applicant, "aanvrager2": ctx.person(), "architect": f"{ctx.pool('voorletters')} {ctx.pool('achternamen')}",
        "architect2": f"{ctx.pool('voorletters')} {ctx.pool('achternamen')}",
        "opzichter": f"{ctx.pool('voorletters')} {ctx.pool('achternamen')}",
        "secretaris": f"{ctx.pool('voorletters')} {ctx.pool('achternamen')}",
        "burgemeester": f"{ctx.pool('voorletters')} {ctx.pool('achternamen')}",
        "constructeur": f"{ctx.pool('voorletters')} {ctx.pool('achternamen')}",
        "adres": ctx.address(), "adres2": ctx.address(), "adres3": ctx.address(),
        "postcode": f"{rng.randint(1000, 9999)} {rng.choice('ABCDEHKLMNPRSTVWXZ')}{rng.choice('ABCDEHKLMNPRSTVWXZ')}",
        "kadaster": f"{rng.choice(['sectie', 'Sectie', 'sect.', ''])} {rng.choice('ABCDEFGHKLMN')} {rng.choice(['no.', 'nr.', ''])} {rng.randint(10, 9999)}".strip(),
        "werk": ctx.pool("werken"),
        "nummer": rng.choice([f"{rng.randint(1, 999)}/{year}", f"{year}/{rng.randint(1, 999):04d}",
                              f"B {str(year)[2:]}/{rng.randint(1, 999)}", f"{rng.randint(1, 9999)}",
                              f"BV {year}-{rng.randint(1, 999):03d}"]),
    })
    fixed["bedrag"] = ctx.amount()
    fixed["aannemer"] = ctx.expand(ctx.pool("firmas"))
    fixed["bureau"] = ctx.expand(ctx.pool("bureaus"))
    fixed["aanhef_aanvrager"] = rng.choice(["", "Aan ", "De heer ", "Den WelEd. Heer "]) + applicant
    fixed["datum"] = ctx.date()
    return fixed


# ------------------------------------------------------------------------------------------------
# simulated OCR

_CONFUSIONS = {
    "e": "co", "c": "eo(", "o": "0ce", "a": "ao", "i": "l1!j", "l": "1iI|", "n": "nm", "m": "n", "r": "t",
    "t": "tf", "h": "b", "b": "h6", "u": "uv", "v": "y", "s": "5", "g": "q9", "0": "o", "1": "l", "5": "s",
    "8": "b", ",": ".", ".": ",", "d": "cl",
}
_MULTI = [("rn", "m"), ("m", "rn"), ("cl", "d"), ("ij", "y"), ("ii", "u"), ("vv", "w"), ("fi", "h")]
_SPECKS = ["|", ".", "'", "-", "_", ":", "~", "=", ",", "i", "1", "«", "»", "/"]


def ocr_noise(line: str, level: float, rng: random.Random) -> str:
    """``line`` as OCR might read it at error ``level`` (0: clean; 0.15: a poor scan)."""
    if level <= 0:
        return line
    words = []
    for word in line.split():
        if rng.random() < level * 0.15:
            continue  # lost
        chars = list(word)
        for i, ch in enumerate(chars):
            if rng.random() < level * 0.35:
                options = _CONFUSIONS.get(ch.lower())
                chars[i] = rng.choice(options) if options else ""
        word = "".join(chars)
        if rng.random() < level * 0.3:
            a, b = rng.choice(_MULTI)
            word = word.replace(a, b, 1)
        if len(word) > 5 and rng.random() < level * 0.2:
            cut = rng.randint(2, len(word) - 2)
            word = word[:cut] + " " + word[cut:]
        words.append(word)
    out = " ".join(words)
    if rng.random() < level * 0.8:
        out = rng.choice(_SPECKS) + " " + out if rng.random() < 0.5 else out + " " + rng.choice(_SPECKS)
    return out


def _handwriting(line: str, rng: random.Random) -> str:
    """A filled-in value in handwriting: OCR reads little of it."""
    return " ".join(w if rng.random() < 0.25 else "".join(rng.choice("iIl1|nmuvc.,'") for _ in range(rng.randint(1, 4)))
                    for w in line.split())


def _old(text: str, rules: CorpusRules) -> str:
    for pattern, old in rules.old_spelling:
        text = pattern.sub(old, text)
    return text


def _page_number(style: str, k: int, n: int) -> str:
    return {"dash": f"- {k} -", "blad": f"blad {k}", "pagina": f"pagina {k}", "frac": f"{k}/{n}",
            "vervolg": f"vervolg blad {k}"}[style]


# ------------------------------------------------------------------------------------------------
# documents and dossiers


@dataclass
class GeneratedDocument:
    template: str
    type: str
    subtype: str
    pages: list[list[str]]
    """Each page's lines as printed (before OCR noise)."""
    paper: list[str]
    large: list[bool]


def _text_document(t: Template, ctx: _Context, rng: random.Random) -> GeneratedDocument:
    pages = [list(p) for p in t.pages]
    for _ in range(rng.randint(0, t.extra_max)):
        pages.append(list(t.extra))
    out: list[list[str]] = []
    for page in pages:
        lines = []
        for spec in page:
            m = _OPTIONAL.match(spec)
            if m:
                if rng.random() >= float(m.group(1)):
                    continue
                spec = spec[m.end():]
            text = ctx.expand(spec).strip()
            if text:
                lines.append(text)
        out.append(lines)
    out = _reflow(out, rng)
    if len(out) > 1 and rng.random() < t.page_numbers:
        style = rng.choice(["dash", "dash", "blad", "pagina", "frac", "vervolg"])
        top = rng.random() < 0.6
        for k, lines in enumerate(out[1:], start=2):
            mark = _page_number(style, k, len(out))
            lines.insert(0, mark) if top else lines.append(mark)
    paper = rng.choice(t.paper)
    return GeneratedDocument(t.name, t.type, t.subtype, out, [paper] * len(out), [paper in LARGE_FORMATS and paper != "A3"] * len(out))


REFLOW = 0.5
"""Share of text documents whose text runs on over the page breaks (a letter or a besluit that
continues mid-paragraph on its next sheet) instead of breaking where the template's pages do."""


def _reflow(pages: list[list[str]], rng: random.Random) -> list[list[str]]:
    lines = [line for page in pages for line in page]
    if rng.random() >= REFLOW or len(lines) < 8:
        return pages
    n = len(pages) + (1 if rng.random() < 0.4 else 0)
    if n < 2:
        return pages
    cuts = sorted(rng.sample(range(3, len(lines) - 1), min(n - 1, len(lines) - 4)))
    return [lines[a:b] for a, b in zip([0, *cuts], [*cuts, len(lines)])]


def _drawing(t: Template, ctx: _Context, rng: random.Random) -> GeneratedDocument:
    sheets = rng.choice([1, 1, 1, 2, 2, 3, 4])
    numbered = sheets > 1 and rng.random() < 0.6
    style = rng.choice(["BLAD {k} VAN {n}", "blad {k}/{n}", "Blad: {k} van {n}", "BLAD {k}"])
    paper = rng.choice(t.paper)
    pages, papers, large = [], [], []
    for k in range(1, sheets + 1):
        block = []
        for spec in t.pages[0]:
            m = _OPTIONAL.match(spec)
            if m:
                if rng.random() >= float(m.group(1)):
                    continue
                spec = spec[m.end():]
            block.append(ctx.expand(spec))
        if numbered:
            block.append(style.format(k=k, n=sheets))
        labels = []
        for _ in range(rng.randint(2, 9)):
            kind = rng.random()
            if kind < 0.35:
                labels.append(ctx.pool("aanzichten").upper() if rng.random() < 0.5 else ctx.pool("aanzichten"))
            elif kind < 0.6:
                labels.append(ctx.pool("ruimten"))
            elif kind < 0.85:
                labels.append(" ".join(ctx.slot("maat") if rng.random() < 0.5 else str(rng.randint(30, 9000))
                                       for _ in range(rng.randint(1, 5))))
            else:
                labels.append(rng.choice(["peil", "+ P", "N", "bestaand", "nieuw", "te slopen", "erfgrens",
                                          "rooilijn", "trottoir", "tuin", ctx.pool("materialen")]))
        if t.name.endswith("situatie") and rng.random() < 0.7:
            labels.append(ctx.pool("straten"))
        lines = labels + block if rng.random() < 0.6 else block + labels
        if rng.random() < 0.5:
            rng.shuffle(lines)
        pages.append(lines)
        sheet_paper = paper if rng.random() < 0.85 else rng.choice(t.paper)
        papers.append(sheet_paper)
        large.append(sheet_paper in LARGE_FORMATS and (sheet_paper != "A3" or rng.random() < 0.3))
    return GeneratedDocument(t.name, t.type, t.subtype, pages, papers, large)


def generate_document(t: Template, ctx: _Context, rng: random.Random) -> GeneratedDocument:
    return _drawing(t, ctx, rng) if t.kind == "drawing" else _text_document(t, ctx, rng)


def _pick(templates: list[Template], year: int, rng: random.Random) -> Template:
    fitting = [t for t in templates if t.years[0] - 5 <= year <= t.years[1] + 5] or templates
    return rng.choices(fitting, weights=[t.weight for t in fitting])[0]


def _dossier_plan(rules: CorpusRules, rng: random.Random, year: int) -> list[Template]:
    """Which documents a dossier holds, in filing order (chronological, or grouped by kind)."""
    def one(kind: str) -> Template:
        return _pick(rules.of_type(kind), year, rng)

    brieven = [one("brief") for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))]
    aanvraag = [one("aanvraag")] + ([one("aanvraag")] if rng.random() < 0.25 else [])
    tekeningen = [one("tekening") for _ in range(rng.choice([0, 1, 1, 1, 2, 3]))]
    berekening = [one("berekening") for _ in range(rng.choice([0, 0, 1, 1, 2]))]
    besluit = [one("vergunning")] if rng.random() < 0.9 else []
    gereed = [one("gereedmelding") for _ in range(rng.choice([0, 1, 1, 2]))]
    overig = [one("overig")] if rng.random() < 0.25 else []
    if rng.random() < 0.5:  # chronological: the letters fall between the other documents
        middle = tekeningen + berekening + brieven[:1]
        rng.shuffle(middle)
        docs = aanvraag + middle + brieven[1:] + besluit + gereed + overig
    else:  # grouped by kind, in an order the archive chose
        groups = [aanvraag, tekeningen, berekening, brieven, besluit, gereed, overig]
        if rng.random() < 0.4:
            rng.shuffle(groups)
        docs = [t for g in groups for t in g]
    if rng.random() < 0.15:  # a dossier in reverse filing order (newest on top)
        docs.reverse()
    return docs


def _views(doc: GeneratedDocument, year: int, rules: CorpusRules, rng: random.Random, folder: str,
           seq: int) -> tuple[list[PageView], int]:
    level = rng.choice([0.0, 0.01, 0.02, 0.04, 0.06, 0.1]) if doc.type != "tekening" else rng.choice([0.06, 0.12, 0.2])
    old = year < rules.old_spelling_before and rng.random() < 0.85
    hand = doc.type in ("aanvraag", "gereedmelding") and year < 1970 and rng.random() < 0.35
    views = []
    for lines, paper, large in zip(doc.pages, doc.paper, doc.large):
        out = []
        for line in lines:
            if old:
                line = _old(line, rules)
            if hand and ":" in line and rng.random() < 0.7:
                label, _, value = line.partition(":")
                line = f"{label}: {_handwriting(value, rng)}"
            if rng.random() < level * 0.5:
                continue  # a line OCR missed (faint, a stamp over it)
            out.append(ocr_noise(line, level, rng))
            if rng.random() < level * 0.3:
                out.append(rng.choice(_SPECKS) * rng.randint(1, 3))
        text = normalise("\n".join(out))
        words = len(text.split())
        if doc.type == "tekening":
            words += rng.randint(0, 15)  # lone specks and dimension digits OCR returns on a drawing
        views.append(PageView(seq=seq, folder=folder, done=True, text=text, words=words,
                              large_format=large, size_class=paper))
        seq += 1
        if rng.random() < 0.08:  # a blank back side
            views.append(PageView(seq=seq, folder=folder, done=True, is_blank=True, size_class=paper))
            seq += 1
    return views, seq


ATTACHED = {"aanvraag.bouwbeschrijving"}
"""Templates that are as often the next sheets of the aanvraag before them as a document of their own."""


@dataclass
class CorpusDocument:
    template: str
    subtype: str
    year: int


def generate(n_dossiers: int, seed: int = 0, rules: CorpusRules | None = None,
             with_info: bool = False) -> list[LabelledDossier] | tuple[list[LabelledDossier], list[list[CorpusDocument]]]:
    """``n_dossiers`` labelled dossiers (1900-1995), the same for the same seed and rules.
    ``with_info``: also each document's template, subtype and year (tests, the bench)."""
    rules = rules or default_rules()
    rng = random.Random(f"digitalisering-corpus/{GENERATOR_VERSION}/{seed}")
    out, info = [], []
    seq = 0
    for i in range(n_dossiers):
        year = rng.randint(1900, 1995)
        folder = f"GEN-{year}-{i:04d}"
        ctx = _Context(rules, rng, year, _dossier_values(rules, rng, year))
        docs, meta = [], []
        previous: GeneratedDocument | None = None
        for template in _dossier_plan(rules, rng, year):
            doc = generate_document(template, ctx, rng)
            if (previous is not None and previous.type == doc.type == "aanvraag" and doc.template in ATTACHED
                    and rng.random() < 0.5):  # the description filled in on the form's next sheets
                views, seq = _views(doc, year, rules, rng, folder, seq)
                docs[-1].pages.extend(views)
                continue
            views, seq = _views(doc, year, rules, rng, folder, seq)
            docs.append(LabelledDocument(views, doc.type))
            meta.append(CorpusDocument(doc.template, doc.subtype, year))
            previous = doc
        out.append(LabelledDossier(docs, source=f"corpus/{folder}"))
        info.append(meta)
    return (out, info) if with_info else out


def corpus_types(rules: CorpusRules | None = None) -> list[str]:
    return (rules or default_rules()).types
