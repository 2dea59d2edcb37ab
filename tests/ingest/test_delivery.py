from pathlib import Path

import pytest

from digitalisering.errors import DeliveryError
from digitalisering.ingest.delivery import discover, natural_key


def touch(path: Path, data: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_folders_layout_lists_dossier_folders_in_natural_order(tmp_path: Path):
    for rel in ["D2/10.tif", "D2/2.tif", "D1/0001.tif", "D1/notes.txt", "D1/.hidden.tif", "D1/Thumbs.db"]:
        touch(tmp_path / rel)
    d = discover(tmp_path)
    assert d.layout == "folders"
    assert [(f.relpath, f.folder) for f in d.files] == [
        ("D1/0001.tif", "D1"), ("D2/2.tif", "D2"), ("D2/10.tif", "D2")]
    assert d.ignored == ["D1/notes.txt"]


def test_stack_layout(tmp_path: Path):
    for rel in ["scan_00010.tif", "scan_00002.pdf", "scan_00001.JPG", "checksums.md5"]:
        touch(tmp_path / rel)
    d = discover(tmp_path)
    assert d.layout == "stack"
    assert [f.relpath for f in d.files] == ["scan_00001.JPG", "scan_00002.pdf", "scan_00010.tif"]
    assert all(f.folder is None for f in d.files)


def test_mixed_layout_needs_a_choice(tmp_path: Path):
    touch(tmp_path / "loose.tif")
    touch(tmp_path / "D1" / "0001.tif")
    with pytest.raises(DeliveryError, match="mixed layout"):
        discover(tmp_path)
    forced = discover(tmp_path, "folders")
    assert [f.relpath for f in forced.files] == ["D1/0001.tif"]
    assert forced.misplaced == ["loose.tif"]


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "no scans"),
    (lambda p: touch(p / "readme.txt"), "no scans"),
])
def test_delivery_without_scans_is_an_error(tmp_path: Path, setup, message):
    setup(tmp_path)
    with pytest.raises(DeliveryError, match=message):
        discover(tmp_path)


def test_missing_delivery_and_file_instead_of_folder(tmp_path: Path):
    with pytest.raises(DeliveryError, match="not found"):
        discover(tmp_path / "nope")
    touch(tmp_path / "a.tif")
    with pytest.raises(DeliveryError, match="folder, not a file"):
        discover(tmp_path / "a.tif")


def test_natural_key_orders_numbers_as_numbers():
    assert sorted(["p10", "p9", "P1"], key=natural_key) == ["P1", "p9", "p10"]


def test_links_fifos_and_dot_folders_are_listed_not_silently_skipped(tmp_path: Path):
    """Issue 16, finding 7: they used to disappear from the delivery without a word."""
    import os

    root = tmp_path / "levering"
    (root / "D1").mkdir(parents=True)
    (root / "D1" / "0001.tif").write_bytes(b"II*\x00")
    outside = tmp_path / "elders.tif"
    outside.write_bytes(b"II*\x00")
    (root / "D1" / "link.tif").symlink_to(outside)
    os.mkfifo(root / "D1" / "pipe.tif")
    (root / "..\\..\\x").mkdir()
    (root / "..\\..\\x" / "0001.tif").write_bytes(b"II*\x00")
    (root / "D1" / ".verborgen.tif").write_bytes(b"II*\x00")
    delivery = discover(root)
    assert [f.relpath for f in delivery.files] == ["D1/0001.tif"]
    assert delivery.skipped == {
        "D1/link.tif": "symbolic link, not followed",
        "D1/pipe.tif": "not a regular file (FIFO)",
        "D1/.verborgen.tif": "hidden (the name starts with a dot)",
        "..\\..\\x/": "hidden (the name starts with a dot)",
    }


def test_names_that_are_not_utf8_are_listed_and_the_rest_registered(tmp_path: Path):
    """A file or folder name in Latin-1 (``pé.tif`` copied from an old Windows share) is not text:
    ingest stopped with an internal error (exit 15; the state database cannot hold the name). Now it
    is listed as not read, with the bytes shown as ``\\xNN``, and the rest of the delivery is
    registered; a delivery folder whose own path is not UTF-8 is refused with one line (exit 3)."""
    import json
    import os
    import subprocess
    import sys

    from digitalisering.exitcodes import ExitCode

    import pagegen

    root = tmp_path / "levering"
    pagegen.save(pagegen.page_image(["Brief"]), root / "D1" / "0001.tif", compression="tiff_lzw")

    with open(os.fsencode(root) + b"/D1/p\xe9.tif", "wb") as fh:
        fh.write(b"II*\x00")
    os.makedirs(os.fsencode(root) + b"/D\xff2")
    with open(os.fsencode(root) + b"/D\xff2/0001.tif", "wb") as fh:
        fh.write(b"II*\x00")
    delivery = discover(root)
    assert [f.relpath for f in delivery.files] == ["D1/0001.tif"]
    assert set(delivery.skipped) == {"D1/p\\xe9.tif", "D\\xff2/"}
    assert all("not valid UTF-8" in reason for reason in delivery.skipped.values())

    def cli(*args: str | bytes) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", str(tmp_path / "ws"),
                               "--taal", "en", *args], capture_output=True, text=True, errors="replace")
    res = cli("ingest", str(root))
    assert res.returncode == 0, res.stderr
    assert "skipped, not read: D1/p\\xe9.tif" in res.stdout and "internal error" not in res.stderr
    events = cli("events", "levering", "--json")
    assert events.returncode == 0 and "D1/p\\\\xe9.tif" in events.stdout and json.loads(events.stdout), events.stderr
    bad_root = os.fsencode(tmp_path) + b"/lev\xff"
    os.makedirs(bad_root + b"/D1")
    with open(bad_root + b"/D1/0001.tif", "wb") as fh:
        fh.write(b"II*\x00")
    res = cli("ingest", bad_root)
    errors = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == ExitCode.INPUT and len(errors) == 1 and "not valid UTF-8" in errors[0], res.stderr


def test_names_with_control_characters_are_listed_and_named_when_nothing_else_is_left(tmp_path: Path):
    """A folder ``D<0x01>X`` (a scanner's name field with an escape in it): its name became the
    dossier id in the XMP and the file name in PREMIS, which XML cannot hold; the run and
    ``events --premis`` stopped with an internal error (exit 15). Now it is listed as not read, and
    a delivery with nothing else in it says why it has no scans."""
    root = tmp_path / "levering"
    touch(root / "D\x01X" / "0001.tif", b"II*\x00")
    with pytest.raises(DeliveryError, match=r"entries not read: 1, such as D\\x01X/: the name holds a control"):
        discover(root)
    touch(root / "D2" / "0001.tif", b"II*\x00")
    delivery = discover(root)
    assert [f.relpath for f in delivery.files] == ["D2/0001.tif"]
    assert list(delivery.skipped) == ["D\\x01X/"]
