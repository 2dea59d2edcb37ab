"""Importing a Kadaster extract: history kept, bad extracts refused, the existing index untouched."""

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from digitalisering.bag.index import import_extract, read_meta
from digitalisering.errors import InputFileError, StateError

from conftest import FIXTURE


def test_import_keeps_every_voorkomen_and_the_extract_date(bag_db: Path):
    meta = read_meta(bag_db)
    assert meta["stand_date"] == "2026-10-01" and meta["gemeente"] == "0546"
    with sqlite3.connect(bag_db) as conn:
        # Zeemanlaan 71 was withdrawn: both voorkomens are there
        rows = conn.execute("SELECT voorkomen, status FROM nummeraanduiding WHERE id='0546200000437425' "
                            "ORDER BY voorkomen").fetchall()
        assert rows == [(1, "Naamgeving uitgegeven"), (2, "Naamgeving ingetrokken")]
        demolished = conn.execute("SELECT COUNT(DISTINCT id) FROM pand WHERE status='Pand gesloopt'").fetchone()[0]
    assert demolished > 0  # demolished panden stay findable
    assert int(meta["count_NUM"]) > 1000


def _zip_with(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for member, data in members.items():
            z.writestr(member, data)
    return path


def _nested(part_name: str, xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(part_name, xml)
    return buf.getvalue()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sl-bag-extract:bagStand xmlns:sl-bag-extract="x">&lol3;</sl-bag-extract:bagStand>"""


@pytest.mark.parametrize("name, members, message", [
    ("corrupt.zip", None, "not a readable zip"),
    ("bomb.zip", {"9999NUM01102026.zip": _nested("0546NUM01102026-000001.xml", BOMB)}, "DOCTYPE"),
    ("truncated.zip", {"9999NUM01102026.zip": _nested("0546NUM01102026-000001.xml",
                                                      FIXTURE.read_bytes()[:0] + b"<?xml version='1.0'?><a><b>")},
     "not well-formed"),
    ("other.zip", {"readme.txt": b"hello"}, "not a BAG 2.0 extract"),
    ("schema.zip", {"9999NUM01102026.zip": _nested("0546NUM01102026-000001.xml",
                                                   b"<bagStand xmlns='urn:other'><Nummeraanduiding/></bagStand>"),
                    "9999OPR01102026.zip": _nested("0546OPR01102026-000001.xml", b"<bagStand/>")},
     "no BAG 2.0 objects"),
])
def test_bad_extract_is_refused_and_the_index_is_untouched(tmp_path: Path, bag_db: Path, name, members, message):
    db = tmp_path / "bag.sqlite"
    db.write_bytes(bag_db.read_bytes())
    before = db.read_bytes()
    bad = tmp_path / name
    if members is None:
        bad.write_bytes(b"PK\x03\x04 this is no zip")
    else:
        bad = _zip_with(tmp_path, name, members)
    with pytest.raises(InputFileError, match=message):
        import_extract(bad, db)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".bag.sqlite*"))  # no half-built index left behind


def test_unknown_gemeente_and_older_extract(tmp_path: Path, bag_db: Path):
    with pytest.raises(InputFileError, match="gemeente 0363 has no woonplaats"):
        import_extract(FIXTURE, tmp_path / "a.sqlite", "0363")
    db = tmp_path / "b.sqlite"
    db.write_bytes(bag_db.read_bytes())
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value='2030-01-01' WHERE key='stand_date'")
    with pytest.raises(StateError, match="newer extract"):
        import_extract(FIXTURE, db, "0546")
    import_extract(FIXTURE, db, "0546", force=True)
    assert read_meta(db)["stand_date"] == "2026-10-01"
