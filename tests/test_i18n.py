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


def test_a_count_of_one_is_said_in_the_singular_and_numbers_the_readers_way():
    """One dossier is "1 dossier", not "1 dossiers" (the run's warning without a BAG index said
    "de adressen van 1 dossiers"); the count is written the reader's way (1.234 / 1,234)."""
    warning = ("warning: no BAG index in the workspace: the addresses of {n} dossier were not linked; import one "
               "(digitalisering bag import EXTRACT.zip --gemeente NNNN) and run again (exit 1)",
               "warning: no BAG index in the workspace: the addresses of {n} dossiers were not linked; import one "
               "(digitalisering bag import EXTRACT.zip --gemeente NNNN) and run again (exit 1)")
    assert "de adressen van 1 dossier zijn niet gekoppeld" in i18n.ngettext(*warning, 1, "nl")
    assert "de adressen van 1.234 dossiers zijn niet gekoppeld" in i18n.ngettext(*warning, 1234, "nl")
    assert "the addresses of 1 dossier were not linked" in i18n.ngettext(*warning, 1, "en")
    assert "the addresses of 1,234 dossiers were not linked" in i18n.ngettext(*warning, 1234, "en")
    unchanged = ("batch {name}: already ingested; {n} file unchanged", "batch {name}: already ingested; {n} files unchanged")
    assert i18n.ngettext(*unchanged, 1, "nl", name="b") == "batch b: al geregistreerd; 1 bestand ongewijzigd"
    assert i18n.ngettext(*unchanged, 2, "nl", name="b") == "batch b: al geregistreerd; 2 bestanden ongewijzigd"


def test_no_count_in_the_catalogue_is_a_plural_without_its_singular():
    """A message that puts a count before a plural noun, or hedges with "(s)", is a plural message:
    an ngettext entry with its own singular (``Np_`` where a QA finding's message is defined).
    Messages with more than one count are not checked here."""
    import re

    count = r"(?:\{(?:n|total|counted|regions)\}|%\(n\)s) "
    plural = re.compile(count + r"(?:\S+ )?\S*\((?:s|es|en)\)|" + count + r"(?:ALTO |finished )?"
                        r"(?:dossiers|files|decisions|regions|workers|checks|pages|documents|addresses|findings|events"
                        r"|were)\b")  # ("1 findings to look at", "1 events", "1 were already done")
    for domain in ("messages", "web"):
        with open(LOCALE / "nl" / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
            singular_only = [m.id for m in read_po(fh) if m.id and isinstance(m.id, str)]
        assert not [t for t in singular_only if plural.search(t)], domain


def test_a_qa_finding_counting_one_says_it_in_the_singular():
    assert render("alto_valid", {"n": 1}, "nl") == "1 ALTO-bestand geldig (ALTO 4.4), SHA-256 klopt"
    assert render("alto_valid", {"n": 3}, "en") == "3 ALTO files valid (ALTO 4.4), SHA-256 matches"
    assert render("page_count", {"counted": 1, "expected": 2}, "en") == "1 page scanned, manifest says 2"
    assert render("page_count", {"counted": 1200, "expected": 2}, "nl") == "1.200 pagina's gescand, manifest zegt 2"
    assert "(1 gebied, gemarkeerd" in render("text_missing", {"pct": 12.0, "regions": 1}, "nl")
    assert render("address_unlinked", {"n": 1}, "en") == "1 address found, not linked to the BAG"
    assert render("pdf_valid", {"format": "PDF/A-2b", "n": 1}, "nl") == "PDF/A-2b: 1 controle geslaagd, SHA-256 klopt"


def test_a_resumed_run_a_qa_report_and_a_premis_file_counting_one_say_it_in_the_singular():
    assert i18n.ngettext("{n} was already done", "{n} were already done", 1, "nl") == "1 was al gereed"
    assert i18n.ngettext("{n} was already done", "{n} were already done", 1, "en") == "1 was already done"
    assert i18n.ngettext("{n} finding to look at", "{n} findings to look at", 1, "nl") == "1 bevinding om te bekijken"
    assert i18n.ngettext("{n} page pictured", "{n} pages pictured", 1200, "nl") == "1.200 pagina's afgebeeld"
