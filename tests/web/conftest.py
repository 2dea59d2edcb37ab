from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from webhelpers import PASSWORDS, ROLES

from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.config import load_archive_config
from digitalisering.qa.config import load_qa_config
from digitalisering.qa.inspection import open_inspection
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.web import users
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.workspace import Workspace


@pytest.fixture
def accounts(workspace: Workspace):
    with Store(workspace.database) as store:
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    return workspace


@pytest.fixture
def web_app(accounts):
    ws = accounts
    return create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64))


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture
def reviewed(delivery_template, tmp_path: Path):
    """A fresh run of the generated delivery with accounts of every role, and the app serving its
    review pages."""
    src, _ = delivery_template
    root = tmp_path / src.name
    shutil.copytree(src, root)
    ws = Workspace.open(tmp_path / "ws")
    config = tmp_path / "qa.toml"
    config.write_text('[sampling]\naql = "4.0"\nlevel = "II"\nseed = 7\n')
    with Store(ws.database) as store:
        report = ingest_delivery(store, root, operator="operator")
        run_batch(store, ws, report.batch, tmp_path / "out", RunOptions(jobs=1, progress=False), "operator")
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    store = Store(ws.database)
    insp = open_inspection(store, ws, report.batch.name, load_qa_config(config), load_archive_config(), who="archivaris")
    from digitalisering.qa.review import ReviewBatches

    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64),
                     review=ReviewBatches.fixed(insp))
    yield {"app": app, "insp": insp, "workspace": ws, "batch": report.batch.name}
    store.close()
