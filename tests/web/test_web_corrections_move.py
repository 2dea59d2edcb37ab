"""The archive's corrections survive the move to PostgreSQL: a generated delivery run on SQLite, an
archivist corrects a type, a split and the dossier's address in the correction form, `learn`, `db
move` to a private PostgreSQL; the re-run with --db reads no page again and applies the corrections
(with who and when), and `learn` on PostgreSQL makes the same model."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from test_web_corrections import APPLICATION, DOSSIER, LETTER, make_delivery
from webhelpers import HOST, OWN, PASSWORDS, ROLES, csrf, sign_in

from digitalisering.cli import main
from digitalisering.corrections import corrections_for
from digitalisering.learning import versions
from digitalisering.store import Store
from digitalisering.web import users
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
OTHER = "BWT-1980-0012"
"""A dossier nobody corrects: decided again by the learned model."""
MORSWEG_138, BREESTRAAT_163 = "0546200000385399", "0546200000318960"
RUN_FIELDS = ("generated_at",)
"""What a run writes anew every time (the rest of results.json says what was decided)."""


def _delivery(root: Path) -> Path:
    import pagegen

    make_delivery(root)
    for n, lines in enumerate((APPLICATION, LETTER), start=1):
        pagegen.save(pagegen.page_image(lines, dpi=200), root / OTHER / f"{n:04d}.tif", dpi=200,
                     compression="tiff_lzw")
    return root


def _cli(ws: Workspace, *args: str, db: str | None = None):
    res = CliRunner().invoke(main, ["--workspace", str(ws.root), *(["--db", db] if db else []), *args])
    assert res.exit_code == 0, (res.output, res.stderr)
    return res


def _results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


def _pages(conn) -> list[tuple]:
    """What each page's reading left: a page read again gets another attempt and finish time."""
    return [tuple(r) for r in conn.execute("SELECT id, status, result, attempts, finished_at FROM pages ORDER BY id")]


def _summary(ws: Workspace) -> dict:
    current = versions.current(ws.root)
    summary = json.loads((current.folder / "document-model.json").read_text())
    for when in ("learned_at", "trained", "by"):  # when and by whom, not what
        summary.pop(when, None)
    return summary


@pytest.mark.slow
def test_corrections_made_in_the_form_survive_learn_and_the_move_to_postgresql(tmp_path, pg_url):
    from digitalisering.bag.index import INDEX_FILE, import_extract

    ws = Workspace.open(tmp_path / "ws")
    import_extract(REPO / "batches/demo-bag/BAGNLDL-01102026-demo.zip", ws.root / INDEX_FILE, "0546")
    delivery, out = _delivery(tmp_path / "levering"), tmp_path / "out"
    _cli(ws, "run", str(delivery), "--out", str(out), "--no-progress", "-j", "1")
    with Store(ws.database) as store:
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    first = _results(out)
    mine = [(d["pages"], d["type"]) for d in first["documents"] if d["dossier"] == DOSSIER]
    assert mine == [([0, 1], "aanvraag"), ([2], "brief")]  # what the vocabulary made of it
    assert MORSWEG_138 in [i for a in first["dossiers"][0]["addresses"] for i in a["nummeraanduiding_ids"]]

    # the archivist corrects the split, a type and the address in the form
    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64))
    anna = app.test_client()
    sign_in(anna, "anna")
    url = f"/correcties/{first['batch']['name']}/{DOSSIER}"
    for form in ({"action": "split", "page": 1},  # the annex is a document of its own
                 {"action": "type", "page": 2, "value": "vergunning", "document": f"{DOSSIER}-02"},
                 {"action": "address_remove", "value": MORSWEG_138},  # the letter's perceel is not the object
                 {"action": "address_add", "value": BREESTRAAT_163}):
        token = csrf(anna.get(url, headers={"Host": HOST}).get_data(as_text=True))
        res = anna.post(url, headers=OWN, data={**form, "csrf_token": token})
        assert res.status_code == 302, res.get_data(as_text=True)
    with Store(ws.database) as store:
        made = corrections_for(store, first["batch"]["name"])
    assert [(c.kind, c.page_seq, c.target, c.value, c.who) for c in made] == [
        ("boundary", 1, "", "split", "anna"), ("type", 2, "", "vergunning", "anna"),
        ("address", None, MORSWEG_138, "not_object", "anna"), ("address", None, BREESTRAAT_163, "object", "anna")]
    assert all(c.at for c in made)

    twin = Workspace.open(tmp_path / "station2")  # the same work files, for learning on PostgreSQL later
    shutil.copytree(ws.root, twin.root, dirs_exist_ok=True)
    learned = _cli(ws, "learn", "--operator", "anna")
    assert "model v0001: trained on 1 corrected" in learned.output

    # the move: everything in PostgreSQL, the SQLite file as it was
    sqlite_bytes = hashlib.sha256(ws.database.read_bytes()).hexdigest()
    moved = _cli(ws, "db", "move", "--to", pg_url)
    assert f"--db {pg_url}" in moved.output
    assert hashlib.sha256(ws.database.read_bytes()).hexdigest() == sqlite_bytes
    with Store(pg_url) as store:
        assert corrections_for(store, first["batch"]["name"]) == made  # who and when kept

    # the next run, on PostgreSQL: nothing read again, the corrections and the model decide
    rerun = _cli(ws, "run", str(delivery), "--out", str(out), "--no-progress", db=pg_url)
    assert "error" not in rerun.stderr
    with sqlite3.connect(ws.database) as before, psycopg.connect(pg_url) as after:
        assert _pages(after) == _pages(before)
    again = _results(out)
    mine = [d for d in again["documents"] if d["dossier"] == DOSSIER]
    assert [(d["pages"], d["type"]) for d in mine] == [([0], "aanvraag"), ([1], "aanvraag"), ([2], "vergunning")]
    assert mine[1]["decided_by"]["boundary"] == "correction" and mine[2]["decided_by"]["type"] == "correction"
    dossier = next(d for d in again["dossiers"] if d["id"] == DOSSIER)
    assert [(a["nummeraanduiding_ids"], a["corrected"]) for a in dossier["addresses"]
            if a["corrected"]] == [([BREESTRAAT_163], True)]
    assert MORSWEG_138 not in [i for a in dossier["addresses"] for i in a["nummeraanduiding_ids"]]
    assert again["models"]["document"] == "v0001"
    # the rest as it was: the other dossier's decisions (now the model's), the pages, the files
    for key in ("batch", "options", "bag", "files", "problems"):
        assert again[key] == first[key], key
    assert [{k: v for k, v in p.items() if k != "document"} for p in again["pages"]] == \
        [{k: v for k, v in p.items() if k != "document"} for p in first["pages"]]
    moved_pages = {(p["seq"], q["document"], p["document"]) for p, q in zip(again["pages"], first["pages"])
                   if p["document"] != q["document"]}
    assert moved_pages == {(1, f"{DOSSIER}-01", f"{DOSSIER}-02"), (2, f"{DOSSIER}-02", f"{DOSSIER}-03")}
    # the dossier nobody corrected keeps its pages; its types are re-decided by the learned model
    # (which may change them: that is what learning is for), never marked as corrections
    others = [d for d in again["documents"] if d["dossier"] == OTHER]
    assert [d["pages"] for d in others] == [d["pages"] for d in first["documents"] if d["dossier"] == OTHER]
    assert all("correction" not in d["decided_by"].values() for d in others)
    assert {k: v for k, v in again["summary"].items() if k not in ("documents", "outputs_bytes")} == \
        {k: v for k, v in first["summary"].items() if k not in ("documents", "outputs_bytes")}
    assert again["summary"]["documents"] == first["summary"]["documents"] + 1  # the split

    # the review page on PostgreSQL shows who corrected what, and when
    pg_app = create_app(WebSettings(pg_url, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64))
    bert = pg_app.test_client()
    sign_in(bert, "bert")  # the accounts moved too
    html = bert.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert "ja: type vergunning door anna op " in html and "telt vanaf de volgende verwerking" not in html

    # learn on PostgreSQL (another station, before any model) makes the same model
    relearned = _cli(twin, "learn", "--operator", "bert", db=pg_url)
    assert "model v0001: trained on 1 corrected" in relearned.output
    assert _summary(twin) == _summary(ws)
