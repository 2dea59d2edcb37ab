"""A delivery copied again through a system that changes names (macOS writes ``Café`` as NFD, a FAT
disk may change case) is not a delivery with new files.

Reproduced before the fix (failed on the old code): after the dossier folder ``BWT-Café`` (NFC)
came back as NFD, ingest recorded its scan as a new file beside the missing one (the same SHA-256
twice), and the run made the dossier twice (two folders, two PDFs of one scan)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

import pagegen
from digitalisering.cli import main
from digitalisering.ingest import ingest_delivery

NFC = unicodedata.normalize("NFC", "BWT-Café")
NFD = unicodedata.normalize("NFD", "BWT-Café")


def _delivery(root: Path) -> Path:
    for n, name in enumerate((NFC, "BWT-B")):
        pagegen.save(pagegen.page_image([f"Brief aan de gemeente Leiden nummer {n}"]), root / name / "0001.tif",
                     compression="tiff_lzw")
    return root


@pytest.mark.parametrize("rename", [lambda p: p.with_name(NFD), lambda p: p.with_name(NFC.upper())],
                         ids=["unicode-form", "case"])
def test_a_file_renamed_by_a_copy_is_not_a_new_file(store, tmp_path, rename):
    root = _delivery(tmp_path / "lev")
    first = ingest_delivery(store, root)
    batch = first.batch
    (root / NFC).rename(rename(root / NFC))
    again = ingest_delivery(store, root)
    assert again.added_files == []  # before: the scan again, as a new file of a new dossier
    assert again.missing_files == [f"{NFC}/0001.tif"]
    [(found, recorded)] = again.renamed_files.items()
    assert recorded == f"{NFC}/0001.tif" and found != recorded
    assert sorted(f.relpath for f in store.files(batch.id)) == sorted([f"{NFC}/0001.tif", "BWT-B/0001.tif"])
    assert any(e.action == "file.renamed" for e in store.events(batch.id))


def test_the_command_says_so_in_one_line_and_exits_5(tmp_path):
    root = _delivery(tmp_path / "lev")
    ws = ["--workspace", str(tmp_path / "ws"), "--taal", "en"]
    assert CliRunner().invoke(main, [*ws, "ingest", str(root)]).exit_code == 0
    (root / NFC).rename(root / NFD)
    res = CliRunner().invoke(main, [*ws, "ingest", str(root)])
    assert res.exit_code == 5, res.output
    lines = [line for line in res.output.splitlines() if "RENAMED since ingest" in line]
    assert len(lines) == 1 and f"was ingested as {NFC}/0001.tif" in lines[0]


def test_a_look_alike_name_with_other_content_is_not_a_rename(store, tmp_path):
    """Before: the checksum was never compared: a file under the NFD name holding another scan was
    reported RENAMED (and not ingested), as if it were the recorded file."""
    from digitalisering.metadata.fixity import sha256_file

    root = _delivery(tmp_path / "lev")
    batch = ingest_delivery(store, root).batch
    (root / NFC).rename(root / NFD)
    pagegen.save(pagegen.page_image(["Een heel andere brief aan de gemeente"]), root / NFD / "0001.tif",
                 compression="tiff_lzw")
    again = ingest_delivery(store, root)
    assert again.renamed_files == {}
    assert again.added_files == [f"{NFD}/0001.tif"] and again.missing_files == [f"{NFC}/0001.tif"]
    assert not any(e.action == "file.renamed" for e in store.events(batch.id))
    # the real rename (the recorded content under the NFD name) carries the checksum in its event
    b2 = ingest_delivery(store, _delivery(tmp_path / "lev3")).batch
    (tmp_path / "lev3" / NFC).rename(tmp_path / "lev3" / NFD)
    third = ingest_delivery(store, tmp_path / "lev3")
    assert list(third.renamed_files.values()) == [f"{NFC}/0001.tif"]
    [event] = [e for e in store.events(b2.id) if e.action == "file.renamed"]
    assert event.detail["sha256"] == sha256_file(tmp_path / "lev3" / NFD / "0001.tif")
