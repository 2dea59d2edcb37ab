"""A Flask app with only the IIIF blueprint, for the IIIF tests (a module of its own: test modules
importing from ``conftest`` get whichever conftest was imported first in a whole run)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from digitalisering.catalog import Catalog
from digitalisering.iiif.web import iiif_blueprint


def make_app(catalog: Catalog, cache_dir: Path, may_view=None) -> Flask:
    app = Flask(__name__)
    kwargs = {"cache_dir": cache_dir}
    if may_view is not None:
        kwargs["may_view"] = may_view
    app.register_blueprint(iiif_blueprint(lambda: catalog, **kwargs), url_prefix="/iiif")
    return app
