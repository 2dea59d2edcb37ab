"""A damaged search.sqlite (a power cut, a half-made copy): ``index`` builds it again from scratch.
It is derived data; SQLite's "database disk image is malformed" ended ``index`` (the repair a run
points to) as an internal error, exit 15, every time."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from index_rows import breestraat_batch

from digitalisering.cli import main
from digitalisering.index.sqlite import INDEX_FILE, SqliteIndex
from digitalisering.workspace import Workspace


@pytest.mark.parametrize("where", ["rows", "header"])
def test_index_builds_a_damaged_index_again(tmp_path, where):
    ws, path = _damaged_index(tmp_path, lambda size: range(size - 4096 * 6, size - 4096, 4096)
                              if where == "rows" else [0])  # the last pages' rows, or the file's header
    r = CliRunner().invoke(main, ["--workspace", str(ws.root), "index"])
    assert r.exit_code == 0, r.output
    assert "internal error" not in r.output and "built again" in r.output
    ix = SqliteIndex(path)
    try:
        assert not ix.batches() and ix.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        ix.close()


@pytest.mark.parametrize("where", ["rows", "header"])
def test_search_over_a_damaged_index_says_how_to_repair_it(tmp_path, where):
    """`search` over a damaged search.sqlite: one line naming the file and `digitalisering index`,
    exit 6 (was: exit 15, an internal error with a crash log, or SQLite's "file is not a database")."""
    ws, path = _damaged_index(tmp_path, lambda size: range(size // 2 // 4096 * 4096, size, 4096)
                              if where == "rows" else [0])  # the second half's pages, or the file's header
    r = CliRunner().invoke(main, ["--workspace", str(ws.root), "search", "Breestraat"])
    assert r.exit_code == 6, r.output
    assert "internal error" not in r.output and not (ws.root / "crash.log").exists()
    assert f"the search index {path} is damaged" in r.output and "digitalisering index" in r.output


def _damaged_index(tmp_path, offsets):
    """A workspace whose search.sqlite holds 60 batches and then has 200 bytes overwritten at each
    of ``offsets(size)``; the workspace and the index's path."""
    ws = Workspace.open(tmp_path / "ws")
    path = ws.root / INDEX_FILE
    ix = SqliteIndex(path)
    for n in range(60):
        ix.replace_batch(f"b{n}", breestraat_batch())
    ix.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ix.close()
    with open(path, "r+b") as fh:
        for offset in offsets(path.stat().st_size):
            fh.seek(offset)
            fh.write(b"\xff" * 200)
    return ws, path
