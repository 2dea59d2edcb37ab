"""The correction form in the web application, without a browser: only archivaris and beheerder get
it (the public and a medewerker are refused, POST 403), every POST needs this site's origin and the
CSRF token, a correction is stored with who made it and when (SQLite and PostgreSQL), the page shows
the decision, its confidence, whether it was corrected and the history, and the next run applies the
correction without reading a page again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from webhelpers import HOST, OWN, PASSWORDS, ROLES, csrf, sign_in

from digitalisering.corrections import corrections_for
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.web import users
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts
from digitalisering.workspace import Workspace

APPLICATION = ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aanvraag om bouwvergunning",
               "het bouwen van een schuur op het perceel Zeemanlaan 71 te Leiden.", "Hoogachtend,"]
ANNEX = ["Bijlage bij de aanvraag", "Omschrijving van het werk: schuur", "vervolg van blad 1"]
LETTER = ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aan de heer J. Visser", "Morsweg 12",
          "Onderwerp: bouwvergunning", "Geachte heer Visser,", "vergunning voor het vernieuwen van de kap",
          "op het perceel Morsweg 138 te Leiden.", "Hoogachtend,"]
DOSSIER = "BWT-1974-0475"
REPO = Path(__file__).resolve().parents[2]


def make_delivery(root: Path) -> Path:
    """One dossier of three pages: an application and its annex, and a letter, which the model makes
    into two documents (checked in the tests)."""
    import pagegen

    for n, lines in enumerate((APPLICATION, ANNEX, LETTER), start=1):
        pagegen.save(pagegen.page_image(lines, dpi=200), root / DOSSIER / f"{n:04d}.tif", dpi=200,
                     compression="tiff_lzw")
    return root


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    """The delivery run once on the given state database with the demo BAG extract (its addresses
    linked), accounts of every role, and the app on it."""
    from digitalisering.ingest import ingest_delivery

    from digitalisering.bag.index import INDEX_FILE, import_extract

    ws = Workspace.open(tmp_path / "ws")
    import_extract(REPO / "batches/demo-bag/BAGNLDL-01102026-demo.zip", ws.root / INDEX_FILE, "0546")
    target = ws.database if request.param == "sqlite" else request.getfixturevalue("pg_url")
    out = tmp_path / "out"
    with Store(target) as store:
        batch = ingest_delivery(store, make_delivery(tmp_path / "levering")).batch
        run_batch(store, ws, batch, out, RunOptions(jobs=1, progress=False), "operator")
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    app = create_app(WebSettings(target, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64))
    return {"app": app, "target": target, "ws": ws, "out": out, "batch": batch.name,
            "url": f"/correcties/{batch.name}/{DOSSIER}", "dossier_url": f"/dossier/{batch.name}/{DOSSIER}"}


def stored(site) -> list:
    with Store(site["target"]) as store:
        return corrections_for(store, site["batch"])


def documents(site) -> list[tuple[list[int], str]]:
    data = json.loads((site["out"] / "results.json").read_text())
    return [(d["pages"], d["type"]) for d in data["documents"]]


def test_only_archivists_get_the_form_others_are_refused(site):
    url, client = site["url"], site["app"].test_client()
    # the public: sent to sign in; a POST (even with a valid token of its session) is refused
    res = client.get(url, headers={"Host": HOST})
    assert res.status_code == 302 and "/aanmelden" in res.headers["Location"]
    token = csrf(client.get("/aanmelden", headers={"Host": HOST}).get_data(as_text=True))
    res = client.post(url, headers=OWN, data={"csrf_token": token, "action": "type", "page": 0, "value": "brief"})
    assert res.status_code == 403
    # a medewerker: no link on the dossier page, no form, POST refused
    sign_in(client, "mia")
    page = client.get(site["dossier_url"], headers={"Host": HOST}).get_data(as_text=True)
    assert 'id="correct-dossier"' not in page
    assert client.get(url, headers={"Host": HOST}).status_code == 403
    token = csrf(page)
    res = client.post(url, headers=OWN, data={"csrf_token": token, "action": "split", "page": 2})
    assert res.status_code == 403 and "Uw rol staat dit niet toe." in res.get_data(as_text=True)
    assert stored(site) == []
    # an archivaris and a beheerder: the link and the form
    for name in ("anna", "bert"):
        other = site["app"].test_client()
        sign_in(other, name)
        assert 'id="correct-dossier"' in other.get(site["dossier_url"], headers={"Host": HOST}).get_data(as_text=True)
        html = other.get(url, headers={"Host": HOST}).get_data(as_text=True)
        assert f"<h1>Dossier {DOSSIER} corrigeren</h1>" in html and 'name="csrf_token"' in html
        assert 'id="type-1"' in html and "Hier splitsen" in html
    english = other.get(url + "?lang=en", headers={"Host": HOST}).get_data(as_text=True)
    assert f"<h1>Correct dossier {DOSSIER}</h1>" in english and "Split here" in english


def test_the_qa_review_page_links_archivists_to_the_correction_page(site):
    review = f"/qa/{site['batch']}/page/1"
    mia, anna = site["app"].test_client(), site["app"].test_client()
    sign_in(mia, "mia")
    assert 'id="correct-dossier"' not in mia.get(review, headers={"Host": HOST}).get_data(as_text=True)
    sign_in(anna, "anna")
    html = anna.get(review, headers={"Host": HOST}).get_data(as_text=True)
    link = f'href="/correcties/{site["batch"]}/id/{DOSSIER}#page-1"'
    assert link in html and "Splitsing, typen en adressen corrigeren" in html
    res = anna.get(f"/correcties/{site['batch']}/id/{DOSSIER}", headers={"Host": HOST})
    assert res.status_code == 302 and res.headers["Location"].endswith(site["url"])
    assert anna.get(f"/correcties/{site['batch']}/id/GEEN-DOSSIER", headers={"Host": HOST}).status_code == 404
    assert mia.get(f"/correcties/{site['batch']}/id/{DOSSIER}", headers={"Host": HOST}).status_code == 403


def test_a_post_without_token_or_from_another_site_stores_nothing(site):
    url, client = site["url"], site["app"].test_client()
    sign_in(client, "anna")
    token = csrf(client.get(url, headers={"Host": HOST}).get_data(as_text=True))
    assert client.post(url, headers=OWN, data={"action": "type", "page": 0, "value": "brief"}).status_code == 400
    foreign = {"Host": HOST, "Origin": "http://elders.example"}
    res = client.post(url, headers=foreign, data={"csrf_token": token, "action": "type", "page": 0, "value": "brief"})
    assert res.status_code == 403
    # a page of no document of this dossier, a type that does not exist: refused in one line
    res = client.post(url, headers=OWN, data={"csrf_token": token, "action": "split", "page": 99})
    assert res.status_code == 400 and "geen pagina van dit dossier" in res.get_data(as_text=True)
    res = client.post(url, headers=OWN, data={"csrf_token": token, "action": "type", "page": 0, "value": "roman"})
    assert res.status_code == 400 and "Niet opgeslagen: roman is geen documenttype." in res.get_data(as_text=True)
    res = client.post(url, headers=OWN, data={"csrf_token": token, "action": "address_add", "value": "Morsweg 138"})
    assert res.status_code == 400 and "een nummeraanduiding-id heeft 16 cijfers" in res.get_data(as_text=True)
    res = client.post(url, headers=OWN, data={"csrf_token": token, "action": "rename", "page": 0})
    assert res.status_code == 400 and "de correctie was onvolledig" in res.get_data(as_text=True)
    assert stored(site) == []
    # an address link: the dossier's object is this nummeraanduiding
    res = client.post(url, headers=OWN, data={"csrf_token": token, "action": "address_add", "value": "0546200000385399"})
    assert res.status_code == 302
    [c] = stored(site)
    assert (c.kind, c.dossier, c.target, c.value, c.who) == ("address", DOSSIER, "0546200000385399", "object", "anna")
    html = client.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert "adres 0546200000385399 is het object van het dossier" in html
    assert "Adres 0546200000385399: terug naar het model" in html


def test_corrections_are_stored_with_who_and_when_and_the_next_run_applies_them(site):
    assert documents(site) == [([0, 1], "aanvraag"), ([2], "brief")]  # what the model made
    url = site["url"]
    anna, bert = site["app"].test_client(), site["app"].test_client()
    sign_in(anna, "anna")
    sign_in(bert, "bert")
    html = anna.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert "nee: het model besliste" in html and "zekerheid " in html and "Nog geen correcties." in html
    token = csrf(html)
    res = anna.post(url, headers=OWN, data={"csrf_token": token, "action": "type", "page": 0, "value": "tekening",
                                            "document": f"{DOSSIER}-01"})
    assert res.status_code == 302
    token = csrf(bert.get(url, headers={"Host": HOST}).get_data(as_text=True))
    assert bert.post(url, headers=OWN, data={"csrf_token": token, "action": "merge", "page": 2}).status_code == 302
    history = stored(site)
    assert [(c.kind, c.page_seq, c.value, c.who, c.source) for c in history] == [
        ("type", 0, "tekening", "anna", "review"), ("boundary", 2, "merge", "bert", "review")]
    assert all(c.at for c in history) and history[0].document == f"{DOSSIER}-01"
    html = anna.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert "ja: type tekening door anna op " in html and "telt vanaf de volgende verwerking" in html
    assert "samenvoegen: deze pagina hoort bij het vorige document" in html and "type: tekening" in html
    assert html.index(">bert<") < html.index(">anna<")  # the history, newest first

    with Store(site["target"]) as store:
        batch = store.find_batch(name=site["batch"])
        again = run_batch(store, site["ws"], batch, site["out"], RunOptions(jobs=1, progress=False), "operator")
    assert again.pages_processed == 0  # nothing read again
    assert documents(site) == [([0, 1, 2], "tekening")]
    html = anna.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert 'id="correct-2"' not in html and "telt vanaf de volgende verwerking" not in html
    assert "ja: type tekening door anna" in html
    # back to the model: kept in the history, the merge counts no more at the next run
    token = csrf(html)
    assert anna.post(url, headers=OWN, data={"csrf_token": token, "action": "clear_boundary", "page": 2}).status_code == 302
    assert [c.value for c in stored(site)] == ["tekening", "merge", "auto"]
    with Store(site["target"]) as store:
        run_batch(store, site["ws"], store.find_batch(name=site["batch"]), site["out"],
                  RunOptions(jobs=1, progress=False), "operator")
    assert documents(site) == [([0, 1], "tekening"), ([2], "brief")]


def test_an_address_link_corrected_in_the_form_is_applied_by_the_next_run(site):
    def dossier_addresses() -> list[tuple[list[str], bool]]:
        data = json.loads((site["out"] / "results.json").read_text())
        return [(a["nummeraanduiding_ids"], bool(a.get("corrected"))) for a in data["dossiers"][0]["addresses"]]

    before = dossier_addresses()
    assert (["0546200000385399"], False) in before  # Morsweg 138, from the letter
    url, anna = site["url"], site["app"].test_client()
    sign_in(anna, "anna")
    html = anna.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert "Morsweg 138" in html and "Niet het object van het dossier" in html
    token = csrf(html)
    for action, num_id in (("address_remove", "0546200000385399"), ("address_add", "0546200000318960")):
        res = anna.post(url, headers=OWN, data={"csrf_token": token, "action": action, "value": num_id})
        assert res.status_code == 302
    assert [(c.target, c.value, c.who) for c in stored(site)] == [
        ("0546200000385399", "not_object", "anna"), ("0546200000318960", "object", "anna")]
    with Store(site["target"]) as store:
        again = run_batch(store, site["ws"], store.find_batch(name=site["batch"]), site["out"],
                          RunOptions(jobs=1, progress=False), "operator")
    assert again.pages_processed == 0
    after = dossier_addresses()  # Breestraat 163 instead of Morsweg 138, as the archivist said
    assert (["0546200000318960"], True) in after and ["0546200000385399"] not in [ids for ids, _ in after]
    assert [a for a in after if a[0] != ["0546200000318960"]] == [a for a in before if a[0] != ["0546200000385399"]]
    html = anna.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert "Breestraat 163" in html and "gecorrigeerd" in html


def stored_ids(site) -> list[int]:
    with Store(site["target"]) as store:
        return [c.id for c in store.corrections(store.find_batch(name=site["batch"]).id)]


@pytest.mark.parametrize("value", ["7", "-1", "junk"])
def test_a_seen_value_no_page_sent_is_refused_not_a_crash(site, value):
    """Before: a value that was not the number of corrections, on a dossier without corrections,
    took ``past[-1]`` of an empty list: HTTP 500."""
    url = site["url"]
    anna = site["app"].test_client()
    sign_in(anna, "anna")
    page = anna.get(url, headers={"Host": HOST}).get_data(as_text=True)
    res = anna.post(url, headers=OWN, data={"csrf_token": csrf(page), "action": "type", "page": 0,
                                            "document": f"{DOSSIER}-01", "value": "brief", "seen": value})
    assert res.status_code == 400
    assert stored(site) == []


def _seen(html: str) -> str:
    import re
    return re.search(r'name="seen" value="(\d+)"', html).group(1)


def test_a_stale_or_repeated_form_does_not_replace_a_correction_made_meanwhile(site):
    """Before: anna's page, still showing the model's type, set it to brief after bert had set it to
    tekening: bert's correction was silently replaced (and a form sent twice was stored twice)."""
    url = site["url"]
    anna, bert = site["app"].test_client(), site["app"].test_client()
    sign_in(anna, "anna")
    sign_in(bert, "bert")
    anna_page = anna.get(url, headers={"Host": HOST}).get_data(as_text=True)
    bert_page = bert.get(url, headers={"Host": HOST}).get_data(as_text=True)
    assert _seen(anna_page) == _seen(bert_page) == "0"
    form = {"action": "type", "page": 0, "document": f"{DOSSIER}-01", "seen": "0"}
    assert bert.post(url, headers=OWN, data={**form, "csrf_token": csrf(bert_page), "value": "tekening"}).status_code == 302
    res = anna.post(url, headers=OWN, data={**form, "csrf_token": csrf(anna_page), "value": "brief"})
    assert res.status_code == 409
    html = res.get_data(as_text=True)
    assert "Niet opgeslagen: bert heeft dit dossier intussen gecorrigeerd" in html
    assert _seen(html) == str(stored_ids(site)[-1])  # the latest correction's id, not a count
    assert [(c.value, c.who) for c in stored(site)] == [("tekening", "bert")]
    # bert's form sent twice (a double click, the browser's back button): stored once
    res = bert.post(url, headers=OWN, data={**form, "csrf_token": csrf(bert_page), "value": "tekening"})
    assert res.status_code == 409 and len(stored(site)) == 1
    # anna, having seen bert's correction, decides again
    res = anna.post(url, headers=OWN, data={**form, "csrf_token": csrf(html), "value": "brief", "seen": _seen(html)})
    assert res.status_code == 302
    assert [(c.value, c.who) for c in stored(site)] == [("tekening", "bert"), ("brief", "anna")]
