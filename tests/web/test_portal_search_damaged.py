"""The portal over a damaged search index (``search.sqlite`` after a power cut: its header garbage,
pages overwritten, the file cut short): the search page tells residents that searching is
temporarily unavailable (Dutch; English with the language switch), the server logs one line that
names the file and the repair, every other page works, and once ``digitalisering index`` has built
the index again the same server searches again (before: a 500 with a traceback, or a 503 naming the
file's path and SQLite's words to the public)."""

from __future__ import annotations

import logging
import re
import shutil

import pytest
from click.testing import CliRunner
from webhelpers import HOST, open_all

from digitalisering.catalog import Catalog
from digitalisering.cli import main
from digitalisering.index.sqlite import INDEX_FILE, SqliteIndex
from digitalisering.store import Store
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.workspace import Workspace


@pytest.fixture
def site(processed, tmp_path):
    ws = Workspace.open(shutil.copytree(processed["workspace"].root, tmp_path / "ws"))
    batch = processed["batch"].name
    with Store(ws.database) as store:
        open_all(store, ws, batch)
        dossier = Catalog(store, ws).dossiers(batch)[0]
        word = next(w.text for p in dossier.pages for w in Catalog(store, ws).page_text(batch, p.seq).words
                    if re.fullmatch(r"[a-zA-Z]{6,}", w.text))
    return ws, dossier, word


def serve(ws):
    """The portal as a server started now (after the power cut: it opens the file as it is)."""
    return create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64)).test_client()


def get(client, path: str):
    return client.get(path, headers={"Host": HOST})


def _damage(path, how: str) -> None:
    size = path.stat().st_size
    if how == "cut":
        with open(path, "r+b") as fh:
            fh.truncate(size // 3)
        return
    pages = {"header": [0], "pages": range(4096, size, 4096), "rows": range(size // 2 // 4096 * 4096, size, 4096)}
    with open(path, "r+b") as fh:  # the file's header, every page but the first, or the second half's pages
        for offset in pages[how]:
            fh.seek(offset)
            fh.write(b"\xff" * 200)


@pytest.mark.parametrize("how", ["header", "pages", "rows", "cut"])
def test_search_over_a_damaged_index_says_so_and_the_rest_works(site, how, caplog):
    ws, dossier, word = site
    assert dossier.id in get(serve(ws), f"/?q={word}").get_data(as_text=True)  # the index worked
    path = ws.root / INDEX_FILE
    _damage(path, how)
    if how == "rows":  # the file opens: the search itself meets the damage
        SqliteIndex(path).close()
    client = serve(ws)
    with caplog.at_level(logging.INFO):
        res = get(client, f"/?q={word}")
    html = res.get_data(as_text=True)
    assert res.status_code == 503
    assert "Zoeken is tijdelijk niet mogelijk. Probeer het later opnieuw." in html and 'role="search"' in html  # the form stays
    assert str(path) not in html and "sqlite" not in html.lower() and "malformed" not in html
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1 and str(path) in logged[0].getMessage() and "digitalisering index" in logged[0].getMessage()
    en = get(client, f"/?q={word}&lang=en").get_data(as_text=True)
    assert "Search is temporarily unavailable" in en
    url = f"/dossier/{dossier.batch}/{dossier.folder}"
    assert get(client, url).status_code == 200 and get(client, "/").status_code == 200
    assert get(client, f"{url}/1/pdf").status_code == 200
    r = CliRunner().invoke(main, ["--workspace", str(ws.root), "index"])
    assert r.exit_code == 0, r.output
    res = get(client, f"/?q={word}")  # the same server, the same thread: the new file is read
    assert res.status_code == 200 and dossier.id in res.get_data(as_text=True)


def test_a_server_thread_that_never_met_the_damage_reads_the_file_index_builds_again(site):
    # `index` replaces a damaged search.sqlite by a new file; a thread whose searches had not met
    # the damage kept reading the old, removed file: what `run` or `index` put in the new one
    # (here: nothing yet) it never saw, until the server was restarted
    ws, dossier, word = site
    client = serve(ws)
    assert dossier.id in get(client, f"/?q={word}").get_data(as_text=True)  # the thread's searcher is open
    fresh = SqliteIndex(ws.root / INDEX_FILE)
    fresh.start_afresh()  # as `index` does with a damaged file: a new, empty one, filled afterwards
    fresh.close()
    assert dossier.id not in get(client, f"/?q={word}").get_data(as_text=True)
    r = CliRunner().invoke(main, ["--workspace", str(ws.root), "index"])
    assert r.exit_code == 0, r.output
    assert dossier.id in get(client, f"/?q={word}").get_data(as_text=True)
