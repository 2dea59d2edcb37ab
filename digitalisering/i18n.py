"""One language setting for everything a person reads: the command line's messages, the QA report
and its CSV files, the progress report. Dutch by default, English on request (``--taal en``, or the
environment variable ``DIGITALISERING_LANG=en``).

The texts are gettext message catalogues kept with Babel (domain ``messages``):
``digitalisering/locale/<lang>/LC_MESSAGES/messages.po``. The message ids are the English texts; the
Dutch catalogue translates them. The ``.po`` files are read directly (``babel.messages.pofile``), so
nothing has to be compiled at install time; ``pybabel extract -F babel.cfg`` and ``pybabel update``
keep them in step with the code.

Click's own texts ("Usage:", "Show this message and exit.", "No such option ...") go through Python's
``gettext`` module (click calls ``gettext.gettext``): their Dutch is the catalogue of domain ``click``
(``locale/nl/LC_MESSAGES/click.po``, compiled to ``click.mo`` by ``scripts/i18n-messages.sh``), made
the process's text domain by :func:`use_for_click`.

Numbers, amounts and dates are written the reader's way through Babel's CLDR data: Dutch 60.000,
€ 150.052, 7 december 2026; English 60,000, €150,052, 7 December 2026.
"""

from __future__ import annotations

import gettext as _gettext_module
import os
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

LANGS = ("nl", "en")
DEFAULT = "nl"
ENV_VAR = "DIGITALISERING_LANG"
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
CLICK_DOMAIN = "click"

_chosen: str | None = None


def normalise(lang: str | None) -> str | None:
    """'nl', 'nl_NL', 'nl-NL.UTF-8', 'NL' -> 'nl'; unknown languages -> None."""
    if not lang:
        return None
    code = lang.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGS else None


def set_language(lang: str | None) -> str:
    """Choose the language for this process (``None``: from the environment, else Dutch)."""
    global _chosen
    _chosen = normalise(lang)
    return language()


def language() -> str:
    """The language people read: chosen with ``set_language``, else ``DIGITALISERING_LANG``, else Dutch."""
    return _chosen or normalise(os.environ.get(ENV_VAR)) or DEFAULT


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, object]:
    """msgid -> translation (a string, or a tuple of plural forms) of ``lang``'s catalogue."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return {}
    with open(path, "rb") as fh:
        cat = read_po(fh, locale=LOCALES[lang], domain=DOMAIN)
    out: dict[str, object] = {}
    for message in cat:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
        if isinstance(message.string, (tuple, list)):
            if all(message.string):
                out[key] = tuple(message.string)
        elif message.string:
            out[key] = message.string
    return out


def gettext(msgid: str, lang: str | None = None, **values: object) -> str:
    """``msgid`` (English) in the reader's language, its ``{names}`` filled in from ``values``."""
    text = catalogue(lang or language()).get(msgid, msgid)
    if isinstance(text, tuple):
        text = text[0]
    return text.format(**values) if values else text  # type: ignore[union-attr]


_ = gettext


def translate(msgid: str, values: dict[str, object] | None = None, lang: str | None = None) -> str:
    """``msgid`` in the reader's language with its ``{fields}`` filled from ``values`` (numbers the
    reader's way); a text with fields but no values, or one whose fields do not fit, as it stands."""
    lang = lang or language()
    text = catalogue(lang).get(msgid, msgid)
    if isinstance(text, tuple):
        text = text[0]
    if not values:
        return text  # type: ignore[return-value]
    try:
        return text.format(**{k: _message_value(v, lang) for k, v in values.items()})  # type: ignore[union-attr]
    except (KeyError, IndexError, ValueError):
        return msgid.format(**values)


class _Whole:
    """A whole number inside a message: as it is (a port, a year, a pid, a page: 8080, 2070), grouped
    the reader's way only where the message asks for it (``{size:,}``: 1.048.576)."""

    def __init__(self, value: int, lang: str):
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        if "," in spec:
            return Localised(self.value, self.lang).__format__(spec)
        return format(self.value, spec)

    def __repr__(self) -> str:
        return repr(self.value)


def _message_value(value: object, lang: str) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return _Whole(value, lang)
    return localised(value, lang)


def use_for_click(lang: str | None = None) -> None:
    """Click's own texts in ``lang`` (default: the chosen language) from here on.

    Click looks its texts up with the standard ``gettext.gettext``: the process's text domain, bound
    to a folder, in the language the environment names (``LANGUAGE`` first). So the domain ``click``
    is bound to our locale folder and made the text domain, and ``LANGUAGE`` is set to the language
    chosen (child processes inherit it; they are ours or do not translate their messages)."""
    _gettext_module.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    _gettext_module.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = lang or language()


def click_gettext(msgid: str) -> str:
    """``msgid`` from click's catalogue (domain ``click``) in the language set by :func:`use_for_click`."""
    return _gettext_module.dgettext(CLICK_DOMAIN, msgid)


def translate_help(text: str, lang: str | None = None) -> str:
    """A command's or an option's help text (English in the code) in ``lang``: from the ``messages``
    catalogue (the text cleaned as click shows it, ``inspect.cleandoc``), else click's own catalogue
    (its standard options). Paragraphs marked ``\\b`` (shown as written) are translated line by
    line, so that example command lines in them stay as they are."""
    import inspect

    cat = catalogue(lang or language())
    text = inspect.cleandoc(text)

    def one(msgid: str) -> str:
        found = cat.get(msgid)
        if isinstance(found, tuple):
            found = found[0]
        return found or (click_gettext(msgid) if msgid else msgid)

    if "\b" not in text:
        return one(text)
    out = []
    for para in text.split("\n\n"):
        if para.startswith("\b\n"):
            out.append("\b\n" + "\n".join(one(line) if line.strip() else line for line in para[2:].split("\n")))
        else:
            out.append(one(para))
    return "\n\n".join(out)


def help_msgids(text: str) -> list[str]:
    """The catalogue entries :func:`translate_help` looks up for ``text`` (for the catalogue script)."""
    import inspect

    text = inspect.cleandoc(text)
    if "\b" not in text:
        return [text]
    ids = []
    for para in text.split("\n\n"):
        if para.startswith("\b\n"):
            ids += [line for line in para[2:].split("\n")
                    if line.strip() and line != "\b" and not line.startswith("  ")]
        else:
            ids.append(para)
    return ids


def N_(msgid: str) -> str:
    """Marks ``msgid`` for the catalogue where it is defined (a table of texts); translated where used."""
    return msgid


class Localised:
    """A number that formats itself the reader's way inside ``str.format``: ``{x:.2f}`` gives 0,55 in
    Dutch and 0.55 in English, ``{n}`` 60.000 and 60,000, ``{x:+.1f}`` +1,4; ``{x:g}`` as few
    decimals as needed."""

    def __init__(self, value: float | int, lang: str, digits: int | None = None):
        self.value, self.lang, self.digits = value, lang, digits

    def __format__(self, spec: str) -> str:
        sign = spec.startswith("+")
        body = spec.lstrip("+").lstrip(",")
        if body.endswith("%"):
            digits = int(body[1:-1]) if body.startswith(".") and body[1:-1].isdigit() else 0
            return percent(self.value, digits, self.lang)
        if body.startswith(".") and body.endswith("f") and body[1:-1].isdigit():
            text = number(abs(self.value) if sign else self.value, int(body[1:-1]), self.lang)
        elif body in ("", "g", "d"):
            text = number(abs(self.value) if sign else self.value, self.digits if body == "" else None, self.lang)
        else:
            return format(self.value, spec)
        if sign:
            text = ("-" if self.value < 0 else "+") + text
        return text

    def __str__(self) -> str:
        return self.__format__("")

    def __repr__(self) -> str:
        return repr(self.value)


class WrittenDecimal(float):
    """A number that keeps its written decimals ("4.0", "0.65": an AQL from the standard's table) when
    it is written the reader's way (4,0; 0,65)."""

    def __new__(cls, text: str) -> "WrittenDecimal":
        value = super().__new__(cls, text)
        value.digits = len(text.split(".", 1)[1]) if "." in text else 0
        return value


class Word(str):
    """A catalogue word inside a message's values ("delivery", "package"): translated when the message
    is shown. The words are marked for the catalogue with ``N_`` where they are defined."""


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """A message with a singular and a plural form, marked for the catalogue where it is defined
    (as ``N_`` marks one form) and shown later with ``ngettext(*forms, n)``."""
    return singular, plural


PLACE_WORDS = (N_("delivery"), N_("package"), N_("workspace"), N_("output folder"))
"""The folders a message may name by kind ("the output folder is inside the delivery ...")."""


def localised(value: object, lang: str | None = None) -> object:
    """``value`` ready for ``str.format`` in the reader's language: numbers become ``Localised``,
    ``Word`` values their translation."""
    if isinstance(value, WrittenDecimal):
        return Localised(float(value), lang or language(), value.digits)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Localised(value, lang or language())
    if isinstance(value, Word):
        return gettext(str(value), lang)
    return value


def ngettext(singular: str, plural: str, n: int, lang: str | None = None, **values: object) -> str:
    """The singular or plural form for ``n`` (Dutch and English: one form for 1, another for the rest),
    ``{n}`` and the numbers among ``values`` written the reader's way (1.234)."""
    lang = lang or language()
    forms = catalogue(lang).get(singular)
    if isinstance(forms, tuple) and len(forms) >= 2:
        text = forms[0] if n == 1 else forms[1]
    else:
        text = singular if n == 1 else plural
    return text.format(**{name: localised(value, lang) for name, value in {"n": n, **values}.items()})


def locale(lang: str | None = None) -> str:
    return LOCALES[lang or language()]


def number(value: float | int | None, digits: int | None = None, lang: str | None = None) -> str:
    """60.000 (nl) / 60,000 (en); ``digits``: exactly that many decimals; '–' for None."""
    if value is None:
        return "–"
    if digits is None:
        return format_decimal(value, locale=locale(lang))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def money(value: float | int | None, lang: str | None = None, cents: bool = False) -> str:
    """€ 150.052 (nl) / €150,052 (en); whole euros unless ``cents``; '–' for None."""
    if value is None:
        return "–"
    return format_currency(value, "EUR", locale=locale(lang), currency_digits=cents,
                           format=None if cents else "¤ #,##0" if (lang or language()) == "nl" else "¤#,##0")


def percent(value: float | None, digits: int = 0, lang: str | None = None) -> str:
    """``value`` a share (0.25 -> 25 %); '–' for None."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=locale(lang))


def long_date(value: date | datetime | str | None, lang: str | None = None) -> str:
    """7 december 2026 (nl) / 7 December 2026 (en); '–' for None."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format="d MMMM y", locale=locale(lang))


def short_date(value: date | datetime | str | None, lang: str | None = None) -> str:
    """7-12-2026 (nl) / 07/12/2026 (en): for tables."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format="short", locale=locale(lang))


def timestamp(value: str | datetime | None, lang: str | None = None) -> str:
    """7 december 2026 14:05 (nl) / 7 December 2026 14:05 (en), in the machine's time zone."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone()
    return format_datetime(value, format="d MMMM y HH:mm", locale=locale(lang))
