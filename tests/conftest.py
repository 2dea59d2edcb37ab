from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# English texts for the fixtures shared by a module or the session too (they are set up before the
# function-scoped ``english_texts``): an error's message is translated when it is shown, and a page's
# failure reason is stored as shown. The language tests choose Dutch themselves.
os.environ["DIGITALISERING_LANG"] = "en"
# The machine's model cache (learning.base.machine_cache) in a folder of this test session, not the
# user's ~/.cache: tests neither read a model another version left there nor leave one behind.
_CACHE = tempfile.mkdtemp(prefix="digitalisering-test-cache-")
os.environ["DIGITALISERING_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)

import pagegen  # noqa: E402
from pgserver import PgServer  # noqa: E402

from digitalisering.ingest import ingest_delivery  # noqa: E402
from digitalisering.runner import RunOptions, run_batch  # noqa: E402
from digitalisering.store import Store  # noqa: E402
from digitalisering.workspace import Workspace  # noqa: E402


@pytest.fixture(autouse=True)
def english_texts(monkeypatch):
    """Tests read the command line's English texts (the language tests choose Dutch themselves):
    DIGITALISERING_LANG=en, for commands run in-process and in subprocesses alike."""
    from digitalisering import i18n

    monkeypatch.setenv(i18n.ENV_VAR, "en")
    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server from Debian's package, started for the test session."""
    server = PgServer()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, workspace: Workspace):
    """The state store, on each of the two databases."""
    target = workspace.database if request.param == "sqlite" else request.getfixturevalue("pg_url")
    with Store(target) as s:
        yield s


@pytest.fixture(scope="session")
def delivery_template(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    root = tmp_path_factory.mktemp("delivery-template") / "levering-2026-01"
    expected = pagegen.folders_delivery(root)
    return root, expected


@pytest.fixture
def delivery(delivery_template, tmp_path: Path) -> tuple[Path, dict[str, list[str]]]:
    """A fresh copy of the generated folders delivery (tests may change it)."""
    src, expected = delivery_template
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst, expected


@pytest.fixture(scope="session")
def processed(tmp_path_factory, delivery_template):
    """The generated delivery run once end to end (shared by read-only tests)."""
    src, expected = delivery_template
    base = tmp_path_factory.mktemp("processed")
    root = base / src.name
    shutil.copytree(src, root)
    ws = Workspace.open(base / "ws")
    out = base / "out"
    with Store(ws.database) as store:
        report = ingest_delivery(store, root, operator="tester")
        summary = run_batch(store, ws, report.batch, out, RunOptions(jobs=2, progress=False), "tester")
    return {"root": root, "workspace": ws, "out": out, "summary": summary, "expected": expected,
            "batch": report.batch}


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser():
    """Debian's chromium driven by Playwright, headless, for the tests that look at pages as people do."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/setup.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


# Property-based tests: modest example counts so that each runs in seconds on a shared machine
# (HYPOTHESIS_PROFILE=thorough for a longer search); no example database in the work tree.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("default", max_examples=40, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "default"))
