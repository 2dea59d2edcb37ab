from pathlib import Path

import pytest

from digitalisering.errors import StateError
from digitalisering.fileio import atomic_path, ensure_inside, safe_name, write_bytes_atomic


def test_atomic_write_replaces_whole_file(tmp_path: Path):
    target = tmp_path / "out" / "a.pdf"
    write_bytes_atomic(target, b"first")
    write_bytes_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["a.pdf"]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path):
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_unwritable_folder_is_a_state_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError, match="cannot write"):
        write_bytes_atomic(blocker / "sub" / "a.txt", b"x")


@pytest.mark.parametrize("raw, safe", [
    ("BWT-1962-0412", "BWT-1962-0412"),
    ("../../etc/passwd", "etc_passwd"),
    ("Bréestraat 12a", "Breestraat_12a"),
    ("..", "item"),
    ("a/b\\c", "a_b_c"),
])
def test_safe_name_never_escapes(raw: str, safe: str):
    assert safe_name(raw) == safe


def test_ensure_inside_refuses_traversal(tmp_path: Path):
    assert ensure_inside(tmp_path, tmp_path / "a" / "b.pdf") == (tmp_path / "a" / "b.pdf").resolve()
    with pytest.raises(StateError, match="outside"):
        ensure_inside(tmp_path / "out", tmp_path / "out" / ".." / "x.pdf")


def test_unfinished_temporaries_of_a_killed_writer_are_removed_and_nothing_else(tmp_path: Path):
    from digitalisering.fileio import remove_temporaries

    target = tmp_path / "pages" / "00000001" / "image.tif"
    ctx = atomic_path(target)
    tmp = ctx.__enter__()  # the writer is killed here: its temporary file stays
    tmp.write_bytes(b"half")
    keep = [tmp_path / "notes.part", tmp_path / ".hidden.part", tmp_path / "pages" / "a.pdf",
            tmp_path / ".qa-rapport.part" / "index.html"]
    for path in keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not ours")
    assert remove_temporaries(tmp_path) == [tmp]
    assert not tmp.exists() and all(p.read_text() == "not ours" for p in keep)
    assert remove_temporaries(tmp_path / "missing") == []
