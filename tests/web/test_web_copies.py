"""The redacted copies the portal keeps in the workspace, end to end: a new redaction's copy replaces
the old one when a reader first asks for it, an archivist's decision that needs no copy removes it
at once, and a public package written before keeps every file (it carries copies of its own)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from accessfixture import build
from click.testing import CliRunner
from webhelpers import HOST, OWN, PASSWORDS, ROLES, csrf, sign_in

from digitalisering.access.copies import COPIES_DIR, copy_files, copy_version
from digitalisering.access.policy import Region, current, decide, load_settings
from digitalisering.cli import main
from digitalisering.metadata.package import verify_package
from digitalisering.store import Store
from digitalisering.web import users
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts


@pytest.mark.slow
def test_superseded_copies_leave_the_workspace_and_packages_keep_theirs(tmp_path):
    published = build(tmp_path)
    ws = published.workspace
    with Store(ws.database) as store:
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "c" * 64))
    dossier = published.dossiers["redacted"]
    doc = dossier.documents[0]
    pdf_url = f"/dossier/{published.batch}/{dossier.folder}/1/pdf"
    folder = ws.root / COPIES_DIR / published.batch
    public = app.test_client()

    assert public.get(pdf_url, headers={"Host": HOST}).status_code == 200
    with Store(ws.database) as store:
        first = current(store, store.find_batch(name=published.batch), doc.id)
    assert list(copy_files(folder, doc.id)) == [copy_version(first)]

    package = tmp_path / "pakket"
    res = CliRunner().invoke(main, ["--workspace", str(ws.root), "package", str(tmp_path / "out"), "--to",
                                    str(package), "--public"])
    assert res.exit_code == 0, res.output

    # a new redaction (one region more): its copy is made when first asked for, then the old one goes
    with Store(ws.database) as store:
        batch = store.find_batch(name=published.batch)
        wider = replace(first, regions=first.regions + (Region(doc.pages[0].seq, 5, 5, 40, 20, "manual"),), at=None)
        second = decide(store, batch, wider, load_settings())
    assert set(copy_files(folder, doc.id)) == {copy_version(first)}  # nobody asked yet: the old one stays
    assert public.get(pdf_url, headers={"Host": HOST}).status_code == 200
    assert list(copy_files(folder, doc.id)) == [copy_version(second)]

    # an archivist opens the document: no copy is needed, none is kept
    archivist = app.test_client()
    assert sign_in(archivist, "anna").status_code == 302
    form_url = f"/openbaarheid/{published.batch}/{dossier.folder}"
    token = csrf(archivist.get(form_url, headers={"Host": HOST}).get_data(as_text=True))
    res = archivist.post(form_url, headers=OWN, data={"csrf_token": token, "document": doc.id, "state": "open",
                                                      "reason": "toestemming van de aanvrager"})
    assert res.status_code == 302, res.get_data(as_text=True)
    assert copy_files(folder, doc.id) == {}
    assert [p.name for p in folder.iterdir()] == []

    report = verify_package(package)  # the package written before holds its own copy
    assert report.ok, report.problems
