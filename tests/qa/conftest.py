from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.config import load_archive_config
from digitalisering.qa.config import load_qa_config
from digitalisering.qa.inspection import open_inspection
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.workspace import Workspace


@pytest.fixture
def qa_run(delivery_template, tmp_path: Path):
    """A fresh run of the generated delivery in its own workspace (tests record decisions in it),
    with a QA configuration whose sample is smaller than the lot."""
    src, _ = delivery_template
    root = tmp_path / src.name
    shutil.copytree(src, root)
    ws = Workspace.open(tmp_path / "ws")
    out = tmp_path / "out"
    config = tmp_path / "qa.toml"
    config.write_text('[sampling]\naql = "4.0"\nlevel = "II"\nseed = 7\n')
    with Store(ws.database) as store:
        report = ingest_delivery(store, root, operator="operator")
        run_batch(store, ws, report.batch, out, RunOptions(jobs=1, progress=False), "operator")
    return {"root": root, "workspace": ws, "out": out, "batch": report.batch, "config": config}


@pytest.fixture
def inspection(qa_run):
    with Store(qa_run["workspace"].database) as store:
        yield open_inspection(store, qa_run["workspace"], qa_run["batch"].name, load_qa_config(qa_run["config"]),
                              load_archive_config(), who="archivaris")
