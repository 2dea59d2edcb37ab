"""The web application's texts: every text in its code and templates has a Dutch translation in the
catalogue (Babel domain ``web``), the compiled catalogue says what the .po says, and dates and
numbers are written the Dutch way (or the English way on request)."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from digitalisering.web.i18n import DOMAIN, LOCALE_DIR, nice_date, nice_datetime

REPO = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{DOMAIN}.po"


def extracted(tmp_path: Path) -> set[str]:
    pot = tmp_path / "web.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
                    "digitalisering/web/babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=REPO, check=True)
    with pot.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def test_every_text_has_a_dutch_translation(tmp_path):
    with PO.open("rb") as fh:
        catalogue = read_po(fh, locale="nl")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalogue if m.id}
    missing = sorted(t for t in extracted(tmp_path) if not translated.get(t) or
                     (isinstance(translated[t], tuple) and not all(translated[t])))
    assert missing == [], "run scripts/i18n-web.sh and translate: " + ", ".join(missing)
    assert not [m.id for m in catalogue if m.id and m.fuzzy]


def test_the_compiled_catalogue_matches_the_po():
    with PO.open("rb") as fh:
        catalogue = read_po(fh, locale="nl")
    mo = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=["nl"])
    for m in catalogue:
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            assert mo.ngettext(m.id[0], m.id[1], 1) == m.string[0]
            assert mo.ngettext(m.id[0], m.id[1], 5) == m.string[1]
        else:
            assert mo.gettext(m.id) == m.string, m.id


def test_dates_and_numbers_the_dutch_way(web_app):
    with web_app.test_request_context("/", headers={"Host": "127.0.0.1:8080"}):
        assert nice_date("2026-12-07") == "7 december 2026"
        assert nice_date("1958-03") == "maart 1958" and nice_date("1958") == "1958"
        assert nice_datetime("2026-12-07T13:05:00+00:00") == "7 december 2026 14:05"  # Amsterdam time
        assert web_app.jinja_env.filters["number"](60000) == "60.000"
    with web_app.test_request_context("/?lang=en", headers={"Host": "127.0.0.1:8080"}):
        assert nice_date("2026-12-07") == "7 December 2026"
        assert web_app.jinja_env.filters["number"](60000) == "60,000"
