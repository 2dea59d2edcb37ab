from pathlib import Path

import pytest

from digitalisering.bag.index import import_extract
from digitalisering.bag.link import BagIndex

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "batches/demo-bag/BAGNLDL-01102026-demo.zip"
VARIANTS = REPO / "batches/demo-bag/straatnamen-varianten.csv"


@pytest.fixture(scope="session")
def bag_db(tmp_path_factory) -> Path:
    """The demo extract (a cut of the synthetic Leiden extract, official layout) imported once."""
    db = tmp_path_factory.mktemp("bag") / "bag.sqlite"
    import_extract(FIXTURE, db, "0546")
    return db


@pytest.fixture
def bag(bag_db: Path):
    index = BagIndex(bag_db, VARIANTS)
    yield index
    index.close()
