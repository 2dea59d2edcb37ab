from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from digitalisering.index.postgres import PostgresIndex  # noqa: E402
from digitalisering.index.sqlite import SqliteIndex  # noqa: E402


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def index(request, tmp_path: Path):
    """An empty search index on each backend."""
    ix = SqliteIndex(tmp_path / "search.sqlite") if request.param == "sqlite" else \
        PostgresIndex(request.getfixturevalue("pg_url"))
    yield ix
    ix.close()
