"""Generated BAG extracts for the tests: the demo extract with one part changed, XML parts with floods
of foreign elements, zip bombs and zips that lie about their sizes."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "batches/demo-bag/BAGNLDL-01102026-demo.zip"

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<sl-bag-extract:bagStand xmlns:Objecten="www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601" '
        b'xmlns:Historie="www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601" '
        b'xmlns:Objecten-ref="www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601" '
        b'xmlns:sl-bag-extract="http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/v20200601" '
        b'xmlns:sl="http://www.kadaster.nl/schemas/standlevering-generiek/1.0" '
        b'xmlns:j="urn:junk"><sl:standBestand>')
TAIL = b"</sl:standBestand></sl-bag-extract:bagStand>"


def num_stand(serial: int, street: str = "0546300000000001", huisnummer: int = 1) -> bytes:
    """One sl:stand with a Nummeraanduiding in Kadaster's layout."""
    return (f"<sl:stand><sl-bag-extract:bagObject><Objecten:Nummeraanduiding>"
            f"<Objecten:identificatie domein=\"NL.IMBAG.Nummeraanduiding\">0546200{serial:09d}</Objecten:identificatie>"
            f"<Objecten:huisnummer>{huisnummer}</Objecten:huisnummer><Objecten:postcode>2312AB</Objecten:postcode>"
            f"<Objecten:status>Naamgeving uitgegeven</Objecten:status><Objecten:voorkomen><Historie:Voorkomen>"
            f"<Historie:voorkomenidentificatie>1</Historie:voorkomenidentificatie>"
            f"<Historie:beginGeldigheid>2010-11-25</Historie:beginGeldigheid></Historie:Voorkomen>"
            f"</Objecten:voorkomen><Objecten:ligtAan><Objecten-ref:OpenbareRuimteRef domein=\"NL.IMBAG.OpenbareRuimte\">"
            f"{street}</Objecten-ref:OpenbareRuimteRef></Objecten:ligtAan></Objecten:Nummeraanduiding>"
            f"</sl-bag-extract:bagObject></sl:stand>").encode()


def num_part(stands: int, *, flood_between: int = 0, flood_tail: int = 0) -> bytes:
    """An XML part of ``stands`` Nummeraanduidingen; ``flood_between`` foreign elements after each
    stand and ``flood_tail`` more inside a foreign wrapper after the last one."""
    between = b"<j:e/>" * flood_between
    body = b"".join(num_stand(i) + between for i in range(stands))
    tail = b"<j:box>" + b"<j:e>x</j:e>" * flood_tail + b"</j:box>" if flood_tail else b""
    return HEAD + body + tail + TAIL


def read_members(data: bytes | Path) -> dict[str, bytes]:
    raw = data.read_bytes() if isinstance(data, Path) else data
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def demo_with(target: Path, kind: str, change: Callable[[dict[str, bytes]], dict[str, bytes]]) -> Path:
    """The demo extract with the nested zip of ``kind`` (NUM, OPR, ...) replaced by ``change(its members)``,
    which returns the new members (bytes, or ready-made zip bytes under the key ``None``)."""
    outer = read_members(FIXTURE)
    key = next(name for name in outer if name.startswith(f"9999{kind}"))
    new = change(read_members(outer[key]))
    outer[key] = new[None] if None in new else zip_bytes(new)
    target.write_bytes(zip_bytes(outer, zipfile.ZIP_STORED))
    return target


def first_part(members: dict[str, bytes]) -> str:
    return sorted(name for name in members if name.endswith(".xml"))[0]


def lie_about_size(zip_data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size rewritten to ``size`` in its local header and in the
    central directory (the data and CRC stay the real ones)."""
    data = bytearray(zip_data)
    name = member.encode()
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) >= 0:
        name_len = struct.unpack_from("<H", data, pos + 26)[0]
        if data[pos + 30:pos + 30 + name_len] == name:
            struct.pack_into("<I", data, pos + 22, size)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + name_len] == name:
            struct.pack_into("<I", data, pos + 24, size)
        pos += 4
    return bytes(data)
