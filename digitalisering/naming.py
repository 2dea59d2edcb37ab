"""File names made from untrusted identifiers (folder names, barcodes, batch names) that never collide.

A dossier id becomes a folder name and a file-name stem. The mapping from id to name must be
one-to-one, or the second dossier's PDF overwrites the first (reproduced with `X 1` / `X_1` and
`BWT-Café` / `BWT-Cafe`). ``safe_stem`` alone cannot be one-to-one (it removes characters), so
``allocate`` assigns the names of a whole set of ids at once: an id keeps its plain stem when no
other id of the set has the same stem (compared case-insensitively: outputs are copied to
case-insensitive file systems and e-depots), and otherwise gets a suffix made from a hash of the
exact id. A stem that had to be shortened always carries the hash, so two long ids with the same
beginning stay apart. The result is checked once more: two names that still compare equal raise,
they are never handed out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from typing import Iterable

from anyascii import anyascii

from digitalisering.errors import StateError

MAX_STEM = 80
"""Longest stem before the hash suffix: leaves room for `-nn-<type>.pdf`, `.bestand.MDTO.xml` and the
batch folder within the 255-character limit of a file name (and of the SIP naming rules)."""

HASH_CHARS = 8
"""Hex digits of SHA-256 in a disambiguating suffix (32 bits: a collision needs ~65,000 ids that
already share one stem)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What no XML 1.0 file (XMP, ALTO, PREMIS, MDTO) can hold: control characters other than tab and
line ends, and lone surrogates (bytes of a name that are not UTF-8)."""


def is_text(name: str) -> bool:
    """Whether ``name`` can be written into every file we make (``_NOT_TEXT``)."""
    return _NOT_TEXT.search(name) is None


def printable(text: str) -> str:
    """``text`` with what no XML file can hold written as ``\\xNN`` (a byte that is not UTF-8 as that
    byte): an id or name that can be stored, logged and put in metadata, and read back by a person."""
    def escape(m: re.Match) -> str:
        ch = m.group()
        if "\ud800" <= ch <= "\udfff":
            code = ord(ch) - 0xDC00 if "\udc80" <= ch <= "\udcff" else ord(ch)
            return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
    return _NOT_TEXT.sub(escape, text)


def safe_stem(text: str, fallback: str = "item") -> str:
    """A file-name component made from untrusted text: ASCII letters, digits, ``.``, ``_`` and ``-``.

    Letters are transliterated (``é`` -> ``e``, ``Æ`` -> ``AE``, ``ß`` -> ``ss``) by anyascii;
    anything else becomes ``_``. No separators, never ``..``, never empty, never starts or ends with
    a dot or underscore. Not one-to-one: use ``allocate`` for names that must not collide.
    """
    ascii_only = anyascii(unicodedata.normalize("NFC", text))
    cleaned = _UNSAFE.sub("_", ascii_only)
    cleaned = re.sub(r"_+", "_", cleaned).strip("._")
    return cleaned or fallback


def id_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


def _with_hash(stem: str, text: str) -> str:
    return f"{stem[:MAX_STEM].rstrip('._-')}-{id_hash(text)}"


def allocate(ids: Iterable[str], fallback: str = "item", reserved: Iterable[str] = ()) -> dict[str, str]:
    """One file-name stem per distinct id, no two equal when compared case-insensitively, none
    equal to a ``reserved`` name (names the folder holds itself: a dossier ``results.json`` made
    the folder where results.json was to be written, and every run of the batch failed).

    Deterministic: the names depend only on the set of ids (not on their order), so a re-run of
    the same batch gives every dossier the same folder again.
    """
    taken = {r.casefold() for r in reserved}
    unique = sorted(set(ids))
    stems = {i: safe_stem(i, fallback) for i in unique}
    groups: dict[str, list[str]] = defaultdict(list)
    for i, stem in stems.items():
        groups[stem.casefold()].append(i)
    names: dict[str, str] = {}
    for members in groups.values():
        exact = [i for i in members if stems[i] == i]
        keeper = exact[0] if len(exact) == 1 else None
        if len(members) == 1:
            keeper = members[0]
        if stems[members[0]].casefold() in taken:
            keeper = None
        for i in members:
            stem = stems[i]
            names[i] = stem if i == keeper and len(stem) <= MAX_STEM else _with_hash(stem, i)
    check_distinct(names)
    return names


def check_distinct(names: dict[str, str]) -> None:
    """Raise when two ids were given names that are the same on a case-insensitive file system."""
    seen: dict[str, str] = {}
    for key, name in names.items():
        folded = name.casefold()
        if folded in seen and seen[folded] != key:
            raise StateError("{seen!r} and {key!r} would be written under the same name {name!r}; rename one of them in the delivery", seen=seen[folded], key=key, name=name)
        seen[folded] = key


def fresh_name(text: str, taken: Iterable[str], fallback: str = "item") -> str:
    """A stem for ``text`` that differs (case-insensitively) from every name in ``taken``:
    ``stem``, else ``stem-2``, ``stem-3``, ... (used for batch names, which are given once and stored)."""
    stem = safe_stem(text, fallback)
    if len(stem) > MAX_STEM:
        stem = _with_hash(stem, text)
    folded = {t.casefold() for t in taken}
    name, n = stem, 1
    while name.casefold() in folded:
        n += 1
        name = f"{stem}-{n}"
    return name
