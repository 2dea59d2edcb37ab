"""The IIIF services over the generated delivery run once (``processed``), read through the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from digitalisering.catalog import Catalog
from digitalisering.iiif.web import iiif_blueprint
from digitalisering.store import Store

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "iiif"


def make_app(catalog: Catalog, cache_dir: Path, may_view=None) -> Flask:
    app = Flask(__name__)
    kwargs = {"cache_dir": cache_dir}
    if may_view is not None:
        kwargs["may_view"] = may_view
    app.register_blueprint(iiif_blueprint(lambda: catalog, **kwargs), url_prefix="/iiif")
    return app


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
