"""The IIIF services over the generated delivery run once (``processed``), read through the catalog."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from digitalisering.catalog import Catalog
from digitalisering.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from iiifapp import make_app  # noqa: E402

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "iiif"


@pytest.fixture
def published(processed):
    """(catalog, batch name, processed) over the shared processed workspace."""
    with Store(processed["workspace"].database) as store:
        yield Catalog(store, processed["workspace"]), processed["batch"].name, processed


@pytest.fixture
def client(published, tmp_path):
    catalog, _, _ = published
    app = make_app(catalog, tmp_path / "iiif-cache")
    return app.test_client()


@pytest.fixture(scope="session")
def presentation_schema() -> dict:
    return json.loads((SCHEMAS / "presentation-3.0.schema.json").read_text(encoding="utf-8"))
