"""The openbaarheid page in the web application, without a browser: only archivaris and beheerder get
it (the public is sent to sign in, a medewerker is refused, a POST below archivaris 403), every POST
needs this site's origin and the CSRF token, the run's proposals are shown with their word boxes on
the page picture, a redacted decision stores the confirmed proposals' boxes as its regions (plus
typed ones) with the signed-in archivist as who, a restriction stores its ground and end date, and
the page shows every earlier decision."""

from __future__ import annotations

import re
from datetime import date

import pytest
from accessfixture import REDACTED, RESTRICTED, build
from webhelpers import HOST, OWN, PASSWORDS, ROLES, csrf, sign_in

from digitalisering.access.policy import Region, current, history
from digitalisering.access.proposals import DocumentProposals
from digitalisering.store import Store
from digitalisering.web import users
from digitalisering.web.app import WebSettings, create_app
from digitalisering.web.security import allowed_hosts


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = build(tmp_path_factory.mktemp("accessui"))
    with Store(out.workspace.database) as store:
        for name, role in ROLES.items():
            users.add_user(store, name, role, PASSWORDS[name], "test")
    return out


@pytest.fixture
def app(published):
    ws = published.workspace
    return create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "a" * 64))


def url(published, state: str) -> str:
    return f"/openbaarheid/{published.batch}/{published.dossiers[state].folder}"


def decisions(published, document: str):
    with Store(published.workspace.database) as store:
        batch = store.find_batch(name=published.batch)
        return current(store, batch, document), history(store, batch, document)


def test_only_archivists_get_the_page(published, app):
    page = url(published, "redacted")
    client = app.test_client()
    res = client.get(page, headers={"Host": HOST})
    assert res.status_code == 302 and "/aanmelden" in res.headers["Location"]
    token = csrf(client.get("/aanmelden", headers={"Host": HOST}).get_data(as_text=True))
    assert client.post(page, headers=OWN, data={"csrf_token": token, "state": "open"}).status_code == 403
    mia = app.test_client()
    sign_in(mia, "mia")
    assert mia.get(page, headers={"Host": HOST}).status_code == 403
    dossier = f"/dossier/{published.batch}/{published.dossiers['redacted'].folder}"
    assert 'id="access-dossier"' not in mia.get(dossier, headers={"Host": HOST}).get_data(as_text=True)
    for name in ("anna", "bert"):
        c = app.test_client()
        sign_in(c, name)
        assert c.get(page, headers={"Host": HOST}).status_code == 200
        assert f'href="{page}"' in c.get(dossier, headers={"Host": HOST}).get_data(as_text=True)


def test_post_needs_csrf_token_and_origin(published, app):
    doc = published.dossiers["redacted"].documents[0].id
    before = len(decisions(published, doc)[1])
    c = app.test_client()
    sign_in(c, "anna")
    page = url(published, "redacted")
    token = csrf(c.get(page, headers={"Host": HOST}).get_data(as_text=True))
    form = {"document": doc, "state": "open", "reason": "x"}
    assert c.post(page, headers=OWN, data=form).status_code == 400
    assert c.post(page, headers={"Host": HOST, "Origin": "http://evil.example"},
                  data={**form, "csrf_token": token}).status_code == 403
    assert len(decisions(published, doc)[1]) == before


def test_proposals_are_shown_on_the_page_picture(published, app):
    doc = published.dossiers["redacted"].documents[0]
    proposals = DocumentProposals.from_json(doc.access_proposals).personal_data
    kinds = {p.kind for p in proposals}
    assert {"bsn", "person_name"} <= kinds, kinds
    c = app.test_client()
    sign_in(c, "anna")
    html = c.get(url(published, "redacted"), headers={"Host": HOST}).get_data(as_text=True)
    assert f"/iiif/" in html and 'class="page-frame"' in html
    page = doc.pages[0]
    boxes = re.findall(r'class="proposal-box"[^>]*style="left: ([\d.]+)%; top: ([\d.]+)%', html)
    assert len(boxes) == sum(len(p.boxes) for p in proposals)
    bsn = next(p for p in proposals if p.kind == "bsn")
    assert (f"{100 * bsn.boxes[0].left / page.width_px:.2f}", f"{100 * bsn.boxes[0].top / page.height_px:.2f}") in boxes
    assert "123456782" in html and "BSN" in html


def test_redacted_decision_stores_confirmed_proposals_and_typed_regions(published, app):
    doc = published.dossiers["redacted"].documents[0]
    proposals = DocumentProposals.from_json(doc.access_proposals).personal_data
    keep = [n for n, p in enumerate(proposals) if p.kind == "bsn"]
    assert keep and len(keep) < len(proposals)
    c = app.test_client()
    sign_in(c, "anna")
    page = url(published, "redacted")
    token = csrf(c.get(page, headers={"Host": HOST}).get_data(as_text=True))
    res = c.post(page, headers=OWN, data={"csrf_token": token, "document": doc.id, "state": "redacted",
                                         "confirm": [str(n) for n in keep], "regions": "1:10,20,30,40",
                                         "reason": "BSN afgedekt, naam is van de architect"})
    assert res.status_code == 302, res.get_data(as_text=True)
    decision, past = decisions(published, doc.id)
    assert decision.state == "redacted" and decision.who == "anna" and decision.source == "archivist"
    expected = [Region(p.seq, b.left, b.top, b.width, b.height, p.kind)
                for n, p in enumerate(proposals) if n in keep for b in p.boxes]
    expected.append(Region(doc.pages[0].seq, 10, 20, 30, 40, "manual"))
    assert list(decision.regions) == expected
    assert len(past) >= 2  # the fixture's decision is kept
    # the history shows both, newest first
    html = c.get(page, headers={"Host": HOST}).get_data(as_text=True)
    section = html.split(f'id="access-{doc.index}"')[1]
    assert "BSN afgedekt, naam is van de architect" in section and "BSN en naam" in section
    assert section.index("BSN afgedekt") < section.index("BSN en naam")
    # a redaction without any region, a region off the page, or one on a page the document lacks: refused
    for bad in ({"regions": ""}, {"regions": "1:0,0,999999,10"}, {"regions": "7:1,1,5,5"}, {"regions": "1:1,1"}):
        token = csrf(html)
        res = c.post(page, headers=OWN, data={"csrf_token": token, "document": doc.id, "state": "redacted",
                                             "reason": "x", **bad})
        assert res.status_code == 400, bad
    assert len(decisions(published, doc.id)[1]) == len(past)


def test_restricted_decision_with_ground_and_end(published, app):
    doc = published.dossiers["open"].documents[0]
    c = app.test_client()
    sign_in(c, "bert")
    page = url(published, "open")
    html = c.get(page, headers={"Host": HOST}).get_data(as_text=True)
    assert "beveiliging" in html and "persoonlijke_levenssfeer" in html  # the grounds of the settings
    form = {"csrf_token": csrf(html), "document": doc.id, "state": "restricted", "reason": "kluis"}
    assert c.post(page, headers=OWN, data={**form, "until": "2080"}).status_code == 400  # no ground
    assert c.post(page, headers=OWN, data={**form, "ground": "geheim", "until": "2080"}).status_code == 400
    assert c.post(page, headers=OWN, data={**form, "ground": "beveiliging", "until": "later"}).status_code == 400
    res = c.post(page, headers=OWN, data={**form, "ground": "beveiliging", "until": "2080"})
    assert res.status_code == 302
    decision, past = decisions(published, doc.id)
    assert (decision.state, decision.ground, decision.until, decision.who) == (
        "restricted", "beveiliging", date(2080, 12, 31), "bert")
    assert [d.state for d in past] == ["open", "restricted"]
    html = c.get(page, headers={"Host": HOST}).get_data(as_text=True)
    assert "31 December 2080" in html or "31 december 2080" in html
    # a document of another dossier is not decided through this page
    other = published.dossiers["restricted"].documents[0].id
    res = c.post(page, headers=OWN, data={**form, "csrf_token": csrf(html), "document": other, "state": "open"})
    assert res.status_code == 400
    assert decisions(published, other)[0].state == "restricted"


def test_page_is_dutch(published, app):
    c = app.test_client()
    sign_in(c, "anna")
    html = c.get(url(published, "restricted"), headers={"Host": HOST, "Accept-Language": "nl"}).get_data(as_text=True)
    assert "Openbaarheid van dossier" in html and "Besluit opslaan" in html
    doc = published.dossiers["restricted"].documents[0]
    res = c.post(url(published, "restricted"), headers={**OWN, "Accept-Language": "nl"},
                 data={"csrf_token": csrf(html), "document": doc.id, "state": "redacted", "reason": "x"})
    assert res.status_code == 400
    assert "minstens één bevestigd voorstel of gebied" in res.get_data(as_text=True)


def test_a_stale_or_repeated_form_does_not_replace_a_decision_made_meanwhile(published, app):
    """Before: bert's page, shown before anna restricted the document again, opened it: anna's
    decision was silently replaced by one taken without seeing it (a form sent twice: two decisions)."""
    doc = published.dossiers["restricted"].documents[0]
    page = url(published, "restricted")
    anna, bert = app.test_client(), app.test_client()
    sign_in(anna, "anna")
    sign_in(bert, "bert")
    anna_html = anna.get(page, headers={"Host": HOST}).get_data(as_text=True)
    bert_html = bert.get(page, headers={"Host": HOST}).get_data(as_text=True)
    seen = re.search(r'name="seen" value="(\d+)"', bert_html).group(1)
    before = len(decisions(published, doc.id)[1])
    assert seen == str(max(decision_ids(published, doc.id)))  # the latest decision's id, not a count
    restrict = {"document": doc.id, "state": "restricted", "ground": "beveiliging", "until": "2099",
                "reason": "celfunctie bevestigd", "seen": seen}
    assert anna.post(page, headers=OWN, data={**restrict, "csrf_token": csrf(anna_html)}).status_code == 302
    res = bert.post(page, headers=OWN, data={"csrf_token": csrf(bert_html), "document": doc.id, "state": "open",
                                            "reason": "niets bijzonders", "seen": seen})
    assert res.status_code == 409
    assert "Niet opgeslagen: anna heeft intussen over document 1 besloten" in res.get_data(as_text=True)
    decision, past = decisions(published, doc.id)
    assert (decision.state, decision.who, len(past)) == ("restricted", "anna", before + 1)
    res = anna.post(page, headers=OWN, data={**restrict, "csrf_token": csrf(anna_html)})  # sent twice
    assert res.status_code == 409 and len(decisions(published, doc.id)[1]) == before + 1


def decision_ids(published, document: str) -> list[int]:
    with Store(published.workspace.database) as store:
        return [r.id for r in store.access_decisions(store.find_batch(name=published.batch).id, document)]


@pytest.mark.parametrize("value", ["999999", "-1", "junk"])
def test_a_seen_value_no_page_sent_is_refused(published, app, value):
    """Before: a tampered value was taken for a count of decisions: 409 saying someone decided
    meanwhile (and on a document without decisions, ``past[-1]``: HTTP 500)."""
    doc = published.dossiers["open"].documents[0]
    page = url(published, "open")
    anna = app.test_client()
    sign_in(anna, "anna")
    html = anna.get(page, headers={"Host": HOST}).get_data(as_text=True)
    before = decision_ids(published, doc.id)
    res = anna.post(page, headers=OWN, data={"csrf_token": csrf(html), "document": doc.id, "state": "open",
                                            "reason": "opnieuw bekeken", "seen": value})
    assert res.status_code == 400
    assert decision_ids(published, doc.id) == before


def test_the_municipalitys_own_grounds_come_from_its_access_settings(published, tmp_path):
    """``WebSettings.access_config_file`` (``portal --access-config``): its grounds are offered,
    shown with their labels and accepted, over the shipped ones."""
    own = tmp_path / "toegang.toml"
    own.write_text('[grounds]\nraadhuis = "beveiligingsplan van het raadhuis (eigen grond van de gemeente)"\n',
                   encoding="utf-8")
    ws = published.workspace
    app = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "a" * 64,
                                 access_config_file=own))
    doc = published.dossiers["restricted"].documents[0]
    page = url(published, "restricted")
    c = app.test_client()
    sign_in(c, "anna")
    html = c.get(page, headers={"Host": HOST}).get_data(as_text=True)
    assert '<option value="raadhuis">beveiligingsplan van het raadhuis (eigen grond van de gemeente)</option>' in html
    assert 'value="beveiliging"' in html  # the shipped grounds stay
    form = {"csrf_token": csrf(html), "document": doc.id, "state": "restricted", "ground": "raadhuis",
            "until": "2090", "reason": "plattegrond van de kluis"}
    assert c.post(page, headers=OWN, data=form).status_code == 302
    decision, _ = decisions(published, doc.id)
    assert (decision.ground, decision.until) == ("raadhuis", date(2090, 12, 31))
    html = c.get(page, headers={"Host": HOST}).get_data(as_text=True)
    assert '<dd class="ground">beveiligingsplan van het raadhuis (eigen grond van de gemeente)</dd>' in html
    # started without the file, the portal does not know the ground
    shipped = create_app(WebSettings(ws.database, ws, tuple(allowed_hosts("127.0.0.1", 8080)), "a" * 64))
    other = shipped.test_client()
    sign_in(other, "anna")
    html = other.get(page, headers={"Host": HOST}).get_data(as_text=True)
    assert 'value="raadhuis"' not in html
    res = other.post(page, headers=OWN, data={**form, "csrf_token": csrf(html)})
    assert res.status_code == 400
