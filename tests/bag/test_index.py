"""Importing a Kadaster extract: history kept, bad extracts refused, the existing index untouched."""

import io
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from digitalisering.bag.index import import_extract, read_meta
from digitalisering.errors import InputFileError, StateError
from digitalisering.exitcodes import ExitCode

from bagzip import HEAD, TAIL, demo_with, first_part, lie_about_size, zip_bytes
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


def _ambon_entity(members: dict[str, bytes]) -> dict[str, bytes]:
    """The OPR part with a DOCTYPE declaring an entity after 8 KB of comment, and Ambonstraat's name
    replaced by a reference to it."""
    name = first_part(members)
    xml = members[name]
    end_of_prolog = xml.index(b"?>") + 2
    members[name] = (xml[:end_of_prolog] + b"\n<!--" + b" padding" * 1100 + b" -->\n"
                     + b'<!DOCTYPE sl-bag-extract:bagStand [<!ENTITY xxe "XXE[">]>\n'
                     + xml[end_of_prolog:].replace(b">Ambonstraat<", b">&xxe;<"))
    return members


def _entity_reference(members: dict[str, bytes]) -> dict[str, bytes]:
    name = first_part(members)
    members[name] = members[name].replace(b">Ambonstraat<", b">&xxe;<")
    return members


def _bomb(members: dict[str, bytes]) -> dict[str, bytes]:
    """A part that unpacks ~1000 times its compressed size (32 MiB of blanks inside a valid part)."""
    name = first_part(members)
    members[name] = members[name].replace(b"<sl:stand>", b" " * 32 * 1024**2 + b"<sl:stand>", 1)
    return members


def _liar(members: dict[str, bytes]) -> dict[str, bytes]:
    """A part whose zip headers claim 1,000 bytes where it unpacks to ~800 KB."""
    name = first_part(members)
    return {None: lie_about_size(zip_bytes(members), name, 1000)}


def _nested_deeper(members: dict[str, bytes]) -> dict[str, bytes]:
    return {"0546NUM01102026.zip": zip_bytes(members)}


@pytest.mark.parametrize("kind, change, message", [
    ("OPR", _ambon_entity, "0546OPR01102026-000001.xml.*DOCTYPE"),
    ("OPR", _entity_reference, "0546OPR01102026-000001.xml.*entity"),
    ("NUM", _bomb, "0546NUM01102026-000001.xml.*times its compressed size"),
    ("NUM", _liar, "0546NUM01102026-000001.xml.*(damaged|size)"),
    ("NUM", _nested_deeper, "0546NUM01102026.zip.*nest"),
], ids=["doctype-after-8KB", "entity-reference", "zip-bomb", "lying-size", "nested-deeper"])
def test_hostile_extract_is_refused_with_one_line_and_the_index_kept(tmp_path: Path, bag_db: Path, kind, change,
                                                                   message):
    db = tmp_path / "bag.sqlite"
    db.write_bytes(bag_db.read_bytes())
    before = db.read_bytes()
    bad = demo_with(tmp_path / "hostile.zip", kind, change)
    with pytest.raises(InputFileError, match=message) as err:
        import_extract(bad, db, "0546")
    assert "\n" not in str(err.value)
    assert db.read_bytes() == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM openbare_ruimte WHERE naam='Ambonstraat'").fetchone()[0] == 1
    assert not list(tmp_path.glob(".bag.sqlite*"))  # no half-built index or spool left behind


def test_an_extract_that_unpacks_far_beyond_its_size_is_refused(tmp_path: Path):
    """Each part compresses ~180 times (under the bound for one member), but together they unpack to
    far more than 100 times the extract's size, which no Kadaster extract does (16-35)."""
    rng = random.Random(16)
    letters = b"abcdefghijklmnopqrstuvwxyz"
    filler = b"".join(bytes(rng.choice(letters) for _ in range(90)) + b" " * 15_000 for _ in range(140))
    part = HEAD + b"<!--" + filler + b"-->" + TAIL
    nested = zip_bytes({f"0546NUM01102026-{i + 1:06d}.xml": part for i in range(12)})
    bad = tmp_path / "stuffed.zip"
    bad.write_bytes(zip_bytes({"9999NUM01102026.zip": nested}, zipfile.ZIP_STORED))
    with pytest.raises(InputFileError, match="unpack to more than .* times the size of stuffed.zip"):
        import_extract(bad, tmp_path / "bag.sqlite")
    assert not (tmp_path / "bag.sqlite").exists()


def _cli(*args: str, ws: Path, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "digitalisering", "--workspace", str(ws), "bag", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _leftovers(ws: Path) -> list[str]:
    return sorted(p.name for p in ws.iterdir() if p.name.startswith(".bag.sqlite"))


def _big(members: dict[str, bytes]) -> dict[str, bytes]:
    """The NUM parts repeated enough for an import to take a few seconds."""
    parts = [members[name] for name in sorted(members)]
    return {f"0546NUM01102026-{i + 1:06d}.xml": parts[i % len(parts)] for i in range(20 * len(parts))}


def test_killed_import_leaves_nothing_after_the_next_bag_command_and_a_second_import_is_refused(
        tmp_path: Path, bag_db: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "bag.sqlite").write_bytes(bag_db.read_bytes())
    before = (ws / "bag.sqlite").read_bytes()
    big = demo_with(tmp_path / "big.zip", "NUM", _big)
    first = _cli("import", str(big), "--gemeente", "0546", "--force", ws=ws)
    try:
        deadline = time.monotonic() + 60
        while not (any(n.endswith(".part") for n in _leftovers(ws)) and any("spool" in n for n in _leftovers(ws))):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        second = _cli("import", str(FIXTURE), "--gemeente", "0546", ws=ws)
        out, err = second.communicate(timeout=60)
        assert second.returncode == ExitCode.STATE, err
        assert len(err.strip().splitlines()) == 1 and "another import" in err and "Traceback" not in err
        time.sleep(0.5)
        assert first.poll() is None  # still reading the extract
    finally:
        first.kill()
        first.communicate()
    assert first.returncode == -signal.SIGKILL
    assert _leftovers(ws)  # the killed import's index part and spool are there ...
    status = _cli("status", ws=ws)
    out, err = status.communicate(timeout=60)
    assert status.returncode == 0, err
    assert _leftovers(ws) == []  # ... and gone after the next bag command
    assert (ws / "bag.sqlite").read_bytes() == before
    assert "extract of 1 October 2026" in out  # the reader's date (DIGITALISERING_LANG=en in the tests)


def test_a_refused_extract_is_exit_3_with_one_line(tmp_path):
    """A BAG extract that cannot be used is the input's fault (exit 3), not a failed page (exit 1)."""
    import subprocess
    import sys

    bad = tmp_path / "BAGNLDL-01102026.zip"
    bad.write_bytes(b"dit is geen zip")
    res = subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", str(tmp_path / "ws"), "bag", "import",
                          str(bad), "--gemeente", "0546"], capture_output=True, text=True)
    assert res.returncode == 3, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "not a readable zip file" in res.stderr
    res = subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", str(tmp_path / "ws"), "bag", "import",
                          str(bad), "--gemeente", "Leiden"], capture_output=True, text=True)
    assert res.returncode == 2 and "four-digit gemeente code" in res.stderr
