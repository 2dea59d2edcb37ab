"""The web application's language: Dutch unless the reader asks for English (the switch in the
page header sets ``?lang=en``, remembered in the session). Texts live in the gettext catalogue of
the Babel domain ``web`` (``digitalisering/locale/<lang>/LC_MESSAGES/web.po``, compiled to ``.mo``;
the messages in the code and templates are English, the Dutch catalogue translates them);
dates and numbers are formatted by Babel for the reader's language (``7 december 2026``, ``60.000``),
times in the Netherlands' time zone.

Update the catalogue after changing a text: ``scripts/i18n-web.sh`` (extract, update, compile).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale

LANGS = ("nl", "en")
DEFAULT_LANG = "nl"
DOMAIN = "web"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
TIMEZONE = "Europe/Amsterdam"


LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""English as written in Europe: 7 December 2026, 24-hour times."""


def select_lang() -> str:
    """``?lang=`` (remembered for the session), else the session's choice, else Dutch."""
    asked = request.args.get("lang")
    if asked in LANGS:
        session["lang"] = asked
        return LOCALES[asked]
    chosen = session.get("lang")
    return LOCALES[chosen if chosen in LANGS else DEFAULT_LANG]


def current_lang() -> str:
    """The reader's language as a two-letter code (the ``lang`` attribute, the QA texts)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANG


def nice_date(value: str | date | None) -> str:
    """An ISO date ('2026-12-07', '1958', '1958-03') as people write it in the reader's language:
    '7 december 2026'; a year or month alone stays as precise as it is."""
    if not value:
        return ""
    if isinstance(value, date):
        return format_date(value, "long")
    text = str(value)
    try:
        if len(text) == 4:
            return text
        if len(text) == 7:
            return format_date(date.fromisoformat(text + "-01"), "MMMM y")
        return format_date(date.fromisoformat(text[:10]), "long")
    except ValueError:
        return text


def nice_datetime(value: str | None) -> str:
    """A stored UTC timestamp as a local date and time: '7 december 2026 14:05'."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return format_datetime(moment, "d MMMM y HH:mm")


def install(app: Flask) -> Babel:
    app.config.update(BABEL_DEFAULT_LOCALE=DEFAULT_LANG, BABEL_DOMAIN=DOMAIN,
                      BABEL_TRANSLATION_DIRECTORIES=str(LOCALE_DIR), BABEL_DEFAULT_TIMEZONE=TIMEZONE)
    babel = Babel(app, locale_selector=select_lang)
    app.jinja_env.filters.update(nice_date=nice_date, nice_datetime=nice_datetime,
                                 number=lambda v: format_decimal(v))
    app.jinja_env.globals.update(current_lang=current_lang, LANGS=LANGS)
    return babel
