from pathlib import Path

import pytest

from digitalisering.errors import StateError
from digitalisering.fileio import atomic_path, ensure_inside, write_bytes_atomic


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


def test_ensure_inside_refuses_traversal(tmp_path: Path):
    assert ensure_inside(tmp_path, tmp_path / "a" / "b.pdf") == (tmp_path / "a" / "b.pdf").resolve()
    with pytest.raises(StateError, match="outside"):
        ensure_inside(tmp_path / "out", tmp_path / "out" / ".." / "x.pdf")
