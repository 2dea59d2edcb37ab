"""Keep the command line's message catalogues in step with the code (run by scripts/i18n-messages.sh).

- domain ``messages``: the texts marked in the code (``_``, ``gettext``, ``ngettext``, ``N_``; the web
  application's own domain ``web`` left out) and the help texts of every command and option (read
  from the click command tree, English in the code), into ``locale/{nl,en}/LC_MESSAGES/messages.po``;
- domain ``click``: click's own texts ("Usage:", "No such option ...") from the installed click,
  into ``locale/nl/LC_MESSAGES/click.po``, compiled to ``click.mo`` (click reads them through the
  standard gettext module, which reads only compiled catalogues).

New entries arrive untranslated; tests/test_i18n.py fails until the Dutch is written.
"""

from __future__ import annotations

import sys
import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digitalisering import i18n  # noqa: E402
from digitalisering.cli import main  # noqa: E402
from digitalisering.cli_common import english_help_texts, english_metavars  # noqa: E402

ERRORS = ("DigitaliseringError", "InputFileError", "ExtractError", "OcrTimeoutError", "ConfigError", "DeliveryError",
          "MissingDependencyError", "FixityError", "UnknownBatchError", "StateError", "PremisInvalidError",
          "MetadataInvalidError", "AltoInvalidError", "UserError", "OutputInvalidError", "ReviewError", "CatalogError",
          "QueryError")
"""The errors (digitalisering.errors and its subclasses): their first argument is a catalogue entry."""
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Np_": (1, 2),
            **{name: None for name in ERRORS}, "folder_lock": (2,)}
CLICK_EXTRA = ("required",)
"""Texts click translates that its own extraction does not find (``_(extra["required"])``)."""


def _template(pairs) -> Catalog:
    pot = Catalog(project="digitalisering", fuzzy=False)
    for msgid, flags in pairs:
        if msgid and msgid not in pot:
            pot.add(msgid, flags=flags)
    return pot


def _searched(path: str) -> bool:
    """Folders to extract from: Babel's default skips every name starting with "_" or ".", which left
    out ``_exec/`` (the wrappers' "tesseract is not installed" lines stayed English)."""
    name = os.path.basename(path)
    return not name.startswith(".") and name not in {"__pycache__", "node_modules"}


def _extracted(folder: Path, skip=lambda name: False, keywords=None):
    method_map = [("**.py", "python")]
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map, keywords=keywords or KEYWORDS, strip_comment_tags=True,
            directory_filter=_searched):
        if skip(filename):
            continue
        msgid = message if isinstance(message, str) else tuple(message)
        text = msgid if isinstance(msgid, str) else msgid[0]
        yield msgid, ("python-brace-format",) if "{" in text else ()


def _update(po: Path, pot: Catalog, locale: str, domain: str) -> Catalog:
    if po.is_file():
        with open(po, "rb") as fh:
            cat = read_po(fh, locale=locale, domain=domain)
    else:
        po.parent.mkdir(parents=True, exist_ok=True)
        cat = Catalog(locale=locale, domain=domain, project="digitalisering")
    cat.update(pot, no_fuzzy_matching=True)
    cat.obsolete.clear()
    with open(po, "wb") as fh:
        write_po(fh, cat, omit_header=False, no_location=True, width=110)
    return cat


def main_() -> None:
    code = ROOT / "digitalisering"
    # the web application's own texts are its domain ``web``; the errors it raises are ours
    pairs = [*_extracted(code, skip=lambda name: name.startswith("web/")),
             *_extracted(code / "web", keywords={name: None for name in ERRORS})]
    for text in english_help_texts(main):
        for msgid in i18n.help_msgids(text):
            pairs.append((msgid, ()))
    pairs += [(metavar, ()) for metavar in english_metavars(main)]
    pot = _template(pairs)
    for lang in i18n.LANGS:
        _update(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", pot, i18n.LOCALES[lang], i18n.DOMAIN)

    import click

    click_pot = _template([*_extracted(Path(click.__file__).parent), *((t, ()) for t in CLICK_EXTRA)])
    po = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{i18n.CLICK_DOMAIN}.po"
    cat = _update(po, click_pot, "nl_NL", i18n.CLICK_DOMAIN)
    with open(po.with_suffix(".mo"), "wb") as fh:
        write_mo(fh, cat)
    missing = sum(1 for m in cat if m.id and not m.string)
    print(f"messages: {len(pot)} texts; click: {len(click_pot)} texts, {missing} without Dutch")


if __name__ == "__main__":
    main_()
