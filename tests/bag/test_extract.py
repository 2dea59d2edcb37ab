"""Reading one XML part: no DTD or entity gets through wherever it is, and memory does not grow with
elements the reader has no use for."""

import io
import subprocess
import zipfile
import sys
from pathlib import Path

import pytest

from digitalisering.bag.extract import MAX_OBJECT_ELEMENTS, MemberStream, parse_objects
from digitalisering.errors import InputFileError

from bagzip import HEAD, REPO, TAIL, num_part, num_stand

PROLOG = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _read(xml: bytes) -> list:
    return list(parse_objects(io.BytesIO(xml), "0546NUM01102026-000001.xml"))


def _late_doctype(xml: bytes) -> bytes:
    """A DOCTYPE with an internal entity after more than 8 KB of comment, the entity used in a record."""
    body = xml[len(PROLOG):]
    root_start = body.index(b"<sl-bag-extract:bagStand")
    return (PROLOG + b"<!--" + b" padding" * 1100 + b" -->\n"
            + b'<!DOCTYPE sl-bag-extract:bagStand [<!ENTITY xxe "XXE[">]>\n'
            + body[root_start:].replace(b"<Objecten:postcode>2312AB", b"<Objecten:postcode>&xxe;", 1))


def test_a_clean_part_is_read():
    records = _read(num_part(3))
    assert [r.huisnummer for r in records] == [1, 1, 1] and records[0].postcode == "2312AB"


@pytest.mark.parametrize("xml", [
    _late_doctype(num_part(3)),
    _late_doctype(num_part(3)).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    PROLOG + b'<!DOCTYPE x SYSTEM "http://example.org/x.dtd">' + num_part(3)[len(PROLOG):],
], ids=["after-8KB-of-comment", "utf-16", "external"])
def test_a_doctype_anywhere_in_the_prolog_is_refused(xml: bytes):
    with pytest.raises(InputFileError, match="0546NUM01102026-000001.xml.*(DOCTYPE|not well-formed)") as err:
        _read(xml)
    assert "\n" not in str(err.value)


def test_an_entity_reference_is_refused_and_predefined_ones_are_text():
    with pytest.raises(InputFileError, match="entity"):
        _read(num_part(2).replace(b"2312AB", b"&xxe;"))
    # &amp; and character references are plain text, as in any Kadaster file
    records = _read(num_part(1).replace(b"2312AB", b"23&#49;2A&amp;"))
    assert records[0].postcode == "2312A&"


def test_an_xml_bomb_does_not_expand():
    bomb = (PROLOG + b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %c "%s">' % (bytes([98 + i]), (b"&%c;" % (97 + i)) * 10) for i in range(9))
            + b"]>" + num_part(1)[len(PROLOG):].replace(b"2312AB", b"&j;"))
    with pytest.raises(InputFileError, match="DOCTYPE"):
        _read(bomb)


_PEAK = """
import re, sys
from digitalisering.bag.extract import parse_objects
# the peak RSS of this process from here on (a child's ru_maxrss starts at its parent's)
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
with open(sys.argv[1], "rb") as fh:
    n = sum(1 for _ in parse_objects(fh, "flood.xml"))
with open("/proc/self/status") as fh:
    print(n, int(re.search(r"VmHWM:\\s+(\\d+) kB", fh.read()).group(1)) // 1024)
"""


def _peak_mb(path: Path) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, check=True,
                         cwd=REPO).stdout.split()
    return int(out[0]), int(out[1])


def test_memory_does_not_grow_with_foreign_elements(tmp_path: Path):
    peaks = {}
    for flood in (100_000, 400_000):
        path = tmp_path / f"flood-{flood}.xml"
        # foreign elements between the stands and, twice as many, after the last one
        path.write_bytes(num_part(50, flood_between=flood // 50, flood_tail=2 * flood))
        count, peaks[flood] = _peak_mb(path)
        assert count == 50
    # 900,000 more elements would take ~100 MB if they were kept
    assert peaks[400_000] - peaks[100_000] < 15, peaks


def test_an_object_stuffed_with_elements_is_refused():
    stuffed = num_stand(1).replace(b"<Objecten:status>", b"<j:e/>" * (2 * MAX_OBJECT_ELEMENTS) + b"<Objecten:status>")
    with pytest.raises(InputFileError, match="more than"):
        _read(HEAD + stuffed + TAIL)


@pytest.mark.parametrize("real, declared, compressed, message", [
    (2_000, 1_000, 500, "more than the 1,000 bytes its zip header declares"),
    (3 * 1024**2, 4 * 1024**2, 10_000, "more than 200 times its compressed size"),
])
def test_real_bytes_are_counted_whatever_the_header_says(real, declared, compressed, message):
    """zipfile itself stops at the declared size (and then fails the CRC); the count does not rely on it."""
    info = zipfile.ZipInfo("0546NUM01102026-000001.xml")
    info.file_size, info.compress_size = declared, compressed
    stream = MemberStream(io.BytesIO(b" " * real), info, "9999NUM01102026.zip/0546NUM01102026-000001.xml", None)
    with pytest.raises(InputFileError, match=f"0546NUM01102026-000001.xml unpacks to {message}"):
        while stream.read(64 * 1024):
            pass
