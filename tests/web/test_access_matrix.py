"""Role x route x document state, at HTTP level: every route of the portal and its IIIF services, for
every role (public, medewerker, archivaris, beheerder) and a dossier in every access state (open,
restricted, redacted). A reader who may see only the redacted copy gets that copy on every route
(burned pixels, words without the redacted ones, the public PDF and ALTO); a reader who may not see
a document gets none of it (403 on its content routes, a notice on its dossier page); nobody but an
archivist or a beheerder receives any part of a restricted document or any redacted string, nor any of
the archivists' forms (/correcties, /openbaarheid, /qa), whose POSTs of anyone else store nothing."""

from __future__ import annotations

import io
import json
import subprocess

import numpy as np
import pytest
from accessfixture import RESTRICTED_WORDS, SECRETS, VISIBLE_IN_COPY, build
from PIL import Image
from webhelpers import HOST, OWN, PASSWORDS, ROLES, csrf, sign_in

from digitalisering.store import Store
from digitalisering.text.alto import strings
from digitalisering.web import users
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts

ROLE_NAMES = ("public", "medewerker", "archivaris", "beheerder")
ACCOUNT = {"medewerker": "mia", "archivaris": "anna", "beheerder": "bert"}
STATES = ("open", "restricted", "redacted")
MATRIX = [(role, state) for role in ROLE_NAMES for state in STATES]
SEARCH_WORD = {"open": "dakkapel", "restricted": "kluisdeur", "redacted": "Grootveld"}
"""A word only that state's document holds (the redacted one's is burned out of its copy)."""


def expected(role: str, state: str) -> str:
    """What the role receives of a document in that state: original, copy or none."""
    if state == "open" or role in ("archivaris", "beheerder"):
        return "original"
    return "copy" if state == "redacted" else "none"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = build(tmp_path_factory.mktemp("matrix"))
    with Store(out.workspace.database) as store:
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    return out


@pytest.fixture(scope="module")
def app(published):
    ws = published.workspace
    return create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "m" * 64))


@pytest.fixture(scope="module")
def clients(app):
    out = {"public": app.test_client()}
    for role, name in ACCOUNT.items():
        out[role] = app.test_client()
        assert sign_in(out[role], name).status_code == 302
    return out


class Case:
    def __init__(self, published, clients, role, state):
        self.role, self.state = role, state
        self.client = clients[role]
        self.batch = published.batch
        self.dossier = published.dossiers[state]
        self.doc = self.dossier.documents[0]
        self.page = self.doc.pages[0]
        self.regions = [r for r in published.regions if r.seq == self.page.seq]
        self.gets = expected(role, state)

    def get(self, path: str):
        return self.client.get(path, headers={"Host": HOST})

    @property
    def portal(self) -> str:
        return f"/dossier/{self.batch}/{self.dossier.folder}"

    @property
    def iiif(self) -> str:
        return f"/iiif/presentation/{self.batch}/{self.dossier.id}"

    @property
    def image(self) -> str:
        return f"/iiif/image/{self.batch}/{self.page.seq}"


@pytest.fixture(params=MATRIX, ids=[f"{r}-{s}" for r, s in MATRIX])
def case(request, published, clients):
    return Case(published, clients, *request.param)


def no_leak(case: Case, text: str) -> None:
    """Nothing redacted reaches a reader of the copy; nothing of a closed document a reader of none."""
    low = text.casefold()
    if case.gets != "original":
        assert not [s for s in SECRETS if s.casefold() in low], (case.role, case.state)
    if case.gets == "none":
        assert not [w for w in RESTRICTED_WORDS if w in low], (case.role, case.state)


def refused(case: Case, res) -> bool:
    if case.gets == "none":
        assert res.status_code == 403, (case.role, case.state, res.status_code)
        no_leak(case, res.get_data(as_text=True))
        return True
    assert res.status_code == 200, (case.role, case.state, res.status_code)
    return False


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_search_page(case: Case):
    res = case.get(f"/?q={SEARCH_WORD[case.state]}")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    found = f"Dossier {case.dossier.id}" in html
    assert found == (case.gets == "original"), (case.role, case.state)
    if case.gets != "original":  # the query is echoed in the form; the results hold nothing of it
        results = html.split('class="results"', 1)[-1] if 'class="results"' in html else ""
        no_leak(case, results.replace(SEARCH_WORD[case.state], ""))
        assert "<mark>" not in html
    # a word every page holds: whoever may see the document (original or copy) finds it, quoted
    # from what they may see; nobody else does, nor is it counted in the total or a facet
    res = case.get("/?q=Leiden")
    html = res.get_data(as_text=True)
    assert (f"Dossier {case.dossier.id}" in html) == (case.gets != "none")
    no_leak(case, html)
    seen = sum(expected(case.role, s) != "none" for s in STATES)
    assert f"{seen} dossiers gevonden" in html or f"{seen} dossier gevonden" in html, seen
    if case.state == "redacted":  # the copy is found by the words it keeps
        html = case.get(f"/?q={VISIBLE_IN_COPY}").get_data(as_text=True)
        assert f"Dossier {case.dossier.id}" in html and f"<mark>{VISIBLE_IN_COPY}" in html
        no_leak(case, html)
        for secret in SECRETS:  # and not by a word burned out of it, even together with one it keeps
            html = case.get(f"/?q={secret} {VISIBLE_IN_COPY}").get_data(as_text=True)
            assert (f"Dossier {case.dossier.id}" in html) == (case.gets == "original"), secret


def test_dossier_page(case: Case):
    res = case.get(case.portal)
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    no_leak(case, html)
    has_notice = 'id="closed-documents"' in html
    assert ("Openbare kopie: persoonsgegevens zijn onleesbaar gemaakt." in html) == (case.gets == "copy")
    assert has_notice == (case.gets == "none")
    if case.gets == "none":
        assert "31 december 2099" in html  # the notice says until when
        assert f"{case.portal}/1/pdf" not in html
    else:
        assert f"{case.portal}/1/pdf" in html


def test_document_page(case: Case):
    res = case.get(f"{case.portal}/1")
    if not refused(case, res):
        no_leak(case, res.get_data(as_text=True))


def test_viewer(case: Case):
    res = case.get(f"{case.portal}/viewer")
    if not refused(case, res):
        no_leak(case, res.get_data(as_text=True))


def test_manifest(case: Case):
    res = case.get(f"{case.iiif}/manifest")
    if not refused(case, res):
        text = res.get_data(as_text=True)
        no_leak(case, text)
        assert f"/image/{case.batch}/{case.page.seq}" in text


def test_info_json(case: Case):
    res = case.get(f"{case.image}/info.json")
    if not refused(case, res):
        info = res.get_json()
        assert (info["width"], info["height"]) == (case.page.width_px, case.page.height_px)


def _region_pixels(case: Case, res) -> list[np.ndarray]:
    arr = np.asarray(Image.open(io.BytesIO(res.data)).convert("L")).astype(int)
    assert arr.shape == (case.page.height_px, case.page.width_px)
    m = 6  # inside the region, away from the edges the tiles' compression blurs
    return [arr[r.top + m:r.top + r.height - m, r.left + m:r.left + r.width - m] for r in case.regions]


def test_image_tile(case: Case):
    res = case.get(f"{case.image}/full/max/0/default.png")
    assert "Cookie" in res.headers.get("Vary", "")  # the same URL answers each reader differently
    if refused(case, res) or case.state != "redacted":
        return
    cuts = _region_pixels(case, res)
    assert cuts and all(c.size for c in cuts)
    if case.gets == "copy":  # burned: one dark value all over, nothing of the letters under it
        assert all(c.max() - c.min() <= 12 and c.mean() < 20 for c in cuts), [(c.min(), c.max()) for c in cuts]
    else:  # the original: the letters are there
        assert all(c.max() - c.min() > 100 for c in cuts)
    region = case.regions[0]
    part = case.get(f"{case.image}/{region.left},{region.top},{region.width},{region.height}/max/0/default.jpg")
    assert part.status_code == 200
    arr = np.asarray(Image.open(io.BytesIO(part.data)).convert("L")).astype(int)
    assert (arr.max() - arr.min() <= 40) == (case.gets == "copy")


def test_thumbnail(case: Case):
    res = case.get(f"{case.image}/full/,200/0/default.jpg")
    if not refused(case, res):
        assert Image.open(io.BytesIO(res.data)).height == 200


def test_content_search(case: Case):
    for word in (SEARCH_WORD[case.state], VISIBLE_IN_COPY):
        res = case.get(f"{case.iiif}/search?q={word}")
        if refused(case, res):
            continue
        data = res.get_json()
        hits = [i for i in data.get("items", [])]
        body = json.dumps(data.get("items", []), ensure_ascii=False) + json.dumps(data.get("annotations", []))
        no_leak(case, body)
        if word == SEARCH_WORD[case.state]:
            assert bool(hits) == (case.gets == "original"), (case.role, case.state, word)
        elif case.state == "redacted":  # the rest of the copy stays searchable
            assert hits, (case.role, case.state, word)


def test_pdf(case: Case):
    for path in (f"{case.portal}/1/pdf", f"{case.iiif}/document/{case.doc.id}.pdf"):
        res = case.get(path)
        if refused(case, res):
            continue
        assert res.data[:5] == b"%PDF-"
        assert res.headers["Cache-Control"] == "private, no-cache"  # no shared cache, asked again each time
        text = pdftotext(res.data)
        no_leak(case, text)
        if case.state == "redacted":
            assert VISIBLE_IN_COPY in text
            assert ("123456782" in text) == (case.gets == "original")


def test_alto(case: Case):
    for path in (f"{case.portal}/1/alto/1", f"{case.iiif}/canvas/{case.page.seq}/alto.xml"):
        res = case.get(path)
        if refused(case, res):
            continue
        words = " ".join(strings(res.data))
        no_leak(case, words)
        if case.state == "redacted":
            assert VISIBLE_IN_COPY in words
            assert ("Grootveld" in words) == (case.gets == "original")


# --- the archivists' forms: corrections, access decisions, the QA review ------------------------------
# They show originals whatever a document's decision and change what the archive holds: whoever ranks
# below archivaris gets none of them (the public is sent to sign in, a POST of theirs is refused), in
# every document state; a refused POST stores nothing even when its form is complete.


def archivist_gets(case: Case) -> list[str]:
    seq = case.page.seq
    return [f"/correcties/{case.batch}/{case.dossier.folder}", f"/correcties/{case.batch}/id/{case.dossier.id}",
            f"/openbaarheid/{case.batch}/{case.dossier.folder}", "/qa/", f"/qa/{case.batch}/",
            f"/qa/{case.batch}/page/{seq}", f"/qa/{case.batch}/img/{seq}/thumb.jpg", f"/qa/{case.batch}/rescan.csv",
            f"/qa/{case.batch}/api/state"]


def archivist_posts(case: Case) -> list[tuple[str, dict]]:
    """Each form complete (it would be stored by an archivist)."""
    return [(f"/correcties/{case.batch}/{case.dossier.folder}",
             {"action": "type", "page": str(case.page.seq), "value": "brief", "document": case.doc.id}),
            (f"/openbaarheid/{case.batch}/{case.dossier.folder}",
             {"document": case.doc.id, "state": "open", "reason": "matrix"}),
            (f"/qa/{case.batch}/page/{case.page.seq}", {"decision": "rejected", "reason": "matrix"})]


def held(published) -> tuple:
    """What the archivists' forms change: QA decisions, access decisions, corrections."""
    with Store(published.workspace.database) as store:
        batch = store.find_batch(name=published.batch)
        return (len(store.decisions(batch.id)), len(store.access_decisions(batch.id)),
                len(store.corrections(batch.id)))


def test_archivists_forms(case: Case, published):
    archivist = case.role in ("archivaris", "beheerder")
    for path in archivist_gets(case):
        res = case.get(path)
        if archivist:
            assert res.status_code in (200, 302), (case.role, case.state, path, res.status_code)
            if res.status_code == 302:  # the correction page by id: to the page by folder
                assert res.headers["Location"].endswith(f"/correcties/{case.batch}/{case.dossier.folder}"), path
        elif case.role == "public":
            assert res.status_code == 302 and res.headers["Location"].startswith("/aanmelden?next="), path
        else:
            assert res.status_code == 403, (case.role, case.state, path, res.status_code)
        if not archivist:
            text = res.get_data(as_text=True)
            assert not [w for w in (*SECRETS, *RESTRICTED_WORDS) if w.casefold() in text.casefold()], path
    before = held(published)
    token = csrf(case.get("/aanmelden").get_data(as_text=True))
    for path, form in archivist_posts(case):
        if archivist:  # allowed: an incomplete form is refused with the form again, nothing stored
            res = case.client.post(path, headers=OWN, data={"csrf_token": token})
            assert res.status_code == 400, (case.role, case.state, path, res.status_code)
        else:
            res = case.client.post(path, headers=OWN, data={"csrf_token": token, **form})
            assert res.status_code in ((401, 403) if case.role == "public" else (403,)), \
                (case.role, case.state, path, res.status_code)
    assert held(published) == before
