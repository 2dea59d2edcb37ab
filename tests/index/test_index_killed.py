"""An index rebuild killed half-way (SIGKILL, a power cut) leaves the batch's previous rows, whole:
search shows neither nothing nor a half batch. Held before this test was written (the batch is
swapped in one transaction); kept as the guarantee's test."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from index_rows import breestraat_batch

from digitalisering.index.model import SearchQuery
from digitalisering.index.search import Searcher
from digitalisering.index.sqlite import SqliteIndex

REPO = Path(__file__).resolve().parents[2]


def _found(path: Path, text: str) -> list[str]:
    index = SqliteIndex(path)
    try:
        return [h.dossier for h in Searcher(index).search(SearchQuery(text)).hits]
    finally:
        index.close()


def test_a_rebuild_killed_half_way_leaves_the_previous_rows(tmp_path):
    path = tmp_path / "search.sqlite"
    index = SqliteIndex(path)
    index.replace_batch("lev", breestraat_batch())
    before = index.batches()
    index.close()
    assert _found(path, "Breestraat 12") == ["BWT-1962-0422"]
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path[:0] = [{str(REPO)!r}, {str(Path(__file__).parent)!r}]
        from dataclasses import replace
        from index_rows import breestraat_batch
        from digitalisering.index.sqlite import SqliteIndex

        def rows():
            first = breestraat_batch()[0]
            yield replace(first, id="NIEUW-0001", folder="NIEUW-0001")
            yield first
            os.kill(os.getpid(), signal.SIGKILL)  # half-way through the batch
        SqliteIndex(sys.argv[1]).replace_batch("lev", rows())
    """)
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    index = SqliteIndex(path)
    try:
        assert index.batches() == before
    finally:
        index.close()
    assert _found(path, "Breestraat 12") == ["BWT-1962-0422"]
    assert "NIEUW-0001" not in _found(path, "bouwvergunning")
