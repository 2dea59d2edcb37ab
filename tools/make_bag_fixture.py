"""Cut a small BAG 2.0 extract, in Kadaster's layout, out of the synthetic Leiden extract.

    .venv/bin/python tools/make_bag_fixture.py [--shared ../shared] [--out batches/demo-bag/BAGNLDL-01102026-demo.zip]

A development tool (it reads ../shared, which a fresh clone does not have): the result is committed
and used by the demo and the tests. It keeps the streets the demo dossiers mention plus every
25th other street, all their addresses (with history), the objects with those addresses and
their panden, and the woonplaats; each ``sl:stand`` is copied byte for byte.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import zipfile
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
OBJ = "www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601"
REF = "www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601"
STAND = "{http://www.kadaster.nl/schemas/standlevering-generiek/1.0}stand"


def parts(outer: zipfile.ZipFile, kind: str):
    for name in outer.namelist():
        if re.search(rf"9999{kind}\d{{8}}\.zip$", name):
            inner = zipfile.ZipFile(io.BytesIO(outer.read(name)))
            for part in sorted(inner.namelist()):
                yield name, part, inner.read(part)


def filter_part(data: bytes, keep) -> tuple[bytes, int]:
    """The part with only the sl:stand elements ``keep`` accepts (header and footer kept)."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    kept = 0
    for stand in list(root.iter(STAND)):
        obj = stand[0][0]
        if keep(obj):
            kept += 1
        else:
            stand.getparent().remove(stand)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), kept


def ident(obj) -> str:
    return obj.findtext(f"{{{OBJ}}}identificatie")


def refs(obj, path: str) -> list[str]:
    return [r.text for r in obj.iterfind(path)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out", type=Path, default=REPO / "batches/demo-bag/BAGNLDL-01102026-demo.zip")
    args = ap.parse_args()
    source = args.shared / "data/bag/leiden/BAGNLDL-01102026-leiden.zip"
    truth = json.loads((args.shared / "data/dossiers/dev-folders.truth.json").read_text())
    demo = {p.name for p in (REPO / "batches/demo").iterdir()}
    wanted_names: set[str] = set()
    for d in truth["dossiers"]:
        if d["id"] in demo:
            for a in d["addresses"]:
                wanted_names.update(row["openbare_ruimte"] for row in a["bag"])
            wanted_names.update(o["street"] for o in d["other_addresses"])
    wanted_names.update({"Breestraat", "Maarsmansteeg", "Rapenburg", "Hooigracht", "Haarlemmerstraat"})
    outer = zipfile.ZipFile(source)
    out_parts: dict[str, list[tuple[str, bytes]]] = {}
    streets: set[str] = set()

    def keep_opr(obj) -> bool:
        name = obj.findtext(f"{{{OBJ}}}naam")
        n = int(ident(obj)[-4:])
        if name in wanted_names or n % 25 == 0:
            streets.add(ident(obj))
            return True
        return False

    nums: set[str] = set()

    def keep_num(obj) -> bool:
        if refs(obj, f"{{{OBJ}}}ligtAan/{{{REF}}}OpenbareRuimteRef")[0] in streets:
            nums.add(ident(obj))
            return True
        return False

    panden: set[str] = set()

    def keep_ao(obj) -> bool:
        addresses = refs(obj, f"{{{OBJ}}}heeftAlsHoofdadres/{{{REF}}}NummeraanduidingRef") + \
            refs(obj, f"{{{OBJ}}}heeftAlsNevenadres/{{{REF}}}NummeraanduidingRef")
        if any(a in nums for a in addresses):
            panden.update(refs(obj, f"{{{OBJ}}}maaktDeelUitVan/{{{REF}}}PandRef"))
            return True
        return False

    rules = {"WPL": lambda obj: True, "OPR": keep_opr, "NUM": keep_num, "VBO": keep_ao, "LIG": keep_ao,
             "STA": keep_ao, "PND": lambda obj: ident(obj) in panden}
    counts = {}
    for kind, rule in rules.items():
        for outer_name, part, data in parts(outer, kind):
            filtered, kept = filter_part(data, rule)
            counts[kind] = counts.get(kind, 0) + kept
            if kept:
                out_parts.setdefault(outer_name, []).append((part, filtered))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in outer.namelist():
            if name.startswith("Leveringsdocument") or name.startswith("GEM-WPL-RELATIE"):
                z.writestr(zipfile.ZipInfo(name, (2026, 10, 1, 6, 7, 0)), outer.read(name))
        for outer_name, members in out_parts.items():
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as inner:
                for part, data in members:
                    inner.writestr(zipfile.ZipInfo(part, (2026, 10, 1, 6, 7, 0)), data,
                                   compress_type=zipfile.ZIP_DEFLATED)
            z.writestr(zipfile.ZipInfo(outer_name, (2026, 10, 1, 6, 7, 0)), buf.getvalue())
    print(f"{args.out}: {counts}, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
