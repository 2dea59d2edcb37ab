"""One language setting for what people read: Dutch by default with Dutch numbers, amounts and dates,
English on request; the texts come from the ``messages`` catalogues."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

from babel.messages.pofile import read_po
from click.testing import CliRunner

from digitalisering import i18n
from digitalisering.cli import main
from digitalisering.qa.messages import render

LOCALE = Path(i18n.__file__).parent / "locale"


def test_numbers_amounts_and_dates_the_readers_way():
    assert (i18n.number(60000, lang="nl"), i18n.number(60000, lang="en")) == ("60.000", "60,000")
    assert (i18n.money(150052.4, lang="nl"), i18n.money(150052.4, lang="en")) == ("€ 150.052", "€150,052")
    assert i18n.long_date(date(2026, 12, 7), lang="nl") == "7 december 2026"
    assert i18n.long_date("2026-12-07", lang="en") == "7 December 2026"
    assert f"{i18n.Localised(1.4123, 'nl'):+.2f}" == "+1,41" and f"{i18n.Localised(-0.5, 'en'):+.1f}" == "-0.5"
    assert f"{i18n.Localised(300.0, 'nl'):g}" == "300" and f"{i18n.Localised(12503, 'nl')}" == "12.503"
    assert render("skew", {"skew": 1.4123, "residual": 0.004}, "nl") == "gemeten +1,41°, 0,00° over"
    assert render("colour_ok", {"mode": "grey", "bits": 8}, "nl") == "grijs, 8 bits per kanaal"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_dutch_catalogue_translates_every_text_with_the_same_placeholders():
    with open(LOCALE / "nl" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 150
    for m in messages:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings), f"no Dutch for {ids[0]!r}"
        for s in strings:  # a plural's forms name what its plural id names
            assert _fields(s) == _fields(ids[-1]), ids[0]


def test_the_language_setting_reaches_every_command(tmp_path: Path, delivery, monkeypatch):
    root, _ = delivery
    ws = ["--workspace", str(tmp_path / "ws")]
    runner = CliRunner()
    monkeypatch.delenv(i18n.ENV_VAR)
    res = runner.invoke(main, ["ingest", str(root), *ws])  # Dutch by default
    assert "batch levering-2026-01: nieuw (indeling folders)" in res.output
    assert "mislukt: BWT-1980-0003/zero.tif" in res.output
    res = runner.invoke(main, ["status", root.name, *ws])
    assert "bestanden 9, pagina's 11: gereed 0, mislukt 3" in res.output
    assert re.search(r"aangemaakt \d{1,2} [a-z]+ \d{4} \d\d:\d\d door", res.output)
    res = runner.invoke(main, ["status", root.name, *ws, "--taal", "en"])
    assert "files 9, pages 11: done 0, failed 3" in res.output
    monkeypatch.setenv(i18n.ENV_VAR, "en")
    assert "files 9, pages 11" in runner.invoke(main, ["status", root.name, *ws]).output
    assert "bestanden 9" in runner.invoke(main, ["--taal", "nl", "status", root.name, *ws]).output


def test_every_text_in_the_code_is_in_the_dutch_catalogue():
    """The catalogue is in step with the code (scripts/i18n-messages.sh was run): a message added or
    changed without it stays English for Dutch readers, and a merge once dropped entries."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_messages", LOCALE.parents[1] / "scripts" / "i18n_messages.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with open(LOCALE / "nl" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        dutch = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(fh) if m.id}
    code = LOCALE.parent
    texts = [msgid if isinstance(msgid, str) else msgid[0]
             for msgid, _ in [*script._extracted(code, skip=lambda name: name.startswith("web/")),
                              *script._extracted(code / "web", keywords={name: None for name in script.ERRORS})]]
    missing = sorted({t for t in texts if t and not dutch.get(t)})
    assert not missing, f"{len(missing)} texts without Dutch (run scripts/i18n-messages.sh): {missing[:5]}"
