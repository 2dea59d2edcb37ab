"""What each role may do on the review pages: the public is sent to sign in and can change
nothing, a medewerker is refused (the pages show originals), an archivaris (and a beheerder) decides, and the
decision is stored under the name of whoever is signed in."""

from __future__ import annotations

from webhelpers import HOST, OWN, csrf, sign_in

from digitalisering.store.records import PageStatus


def routes(batch: str, seq: int) -> list[str]:
    return ["/qa/", f"/qa/{batch}/", f"/qa/{batch}/page/{seq}", f"/qa/{batch}/img/{seq}/thumb.jpg",
            f"/qa/{batch}/rescan.csv", f"/qa/{batch}/api/state"]


def decide(client, batch: str, seq: int, decision: str, reason: str = "", token: str | None = None):
    if token is None:
        token = csrf(client.get("/aanmelden", headers={"Host": HOST}).get_data(as_text=True))
    return client.post(f"/qa/{batch}/page/{seq}", headers=OWN,
                       data={"csrf_token": token, "decision": decision, "reason": reason})


def test_the_public_reaches_no_review_route_and_decides_nothing(reviewed):
    client, insp, batch = reviewed["app"].test_client(), reviewed["insp"], reviewed["batch"]
    seq = insp.sample_seqs[0]
    for path in routes(batch, seq):
        res = client.get(path, headers={"Host": HOST})
        assert res.status_code == 302 and res.headers["Location"].startswith("/aanmelden?next="), path
        assert batch not in res.get_data(as_text=True) or "next=" in res.get_data(as_text=True)
    res = decide(client, batch, seq, "rejected", "vals")
    assert res.status_code == 401
    assert insp.store.decisions(insp.batch.id) == []


def test_a_medewerker_may_not_open_the_review_pages(reviewed):
    """The review pages show originals whatever their access decision; a medewerker may see a
    restricted document not at all (access.policy.may_see), so the review pages are refused."""
    client, insp, batch = reviewed["app"].test_client(), reviewed["insp"], reviewed["batch"]
    seq = insp.sample_seqs[0]
    sign_in(client, "mia")
    for path in routes(batch, seq):
        assert client.get(path, headers={"Host": HOST}).status_code == 403, path
    res = decide(client, batch, seq, "rejected", "vals")
    assert res.status_code in (400, 403)
    assert insp.store.decisions(insp.batch.id) == []
    assert insp.store.page_by_id(insp.page_ids[seq]).status == PageStatus.DONE


def test_an_archivaris_decides_under_her_own_name(reviewed):
    client, insp, batch = reviewed["app"].test_client(), reviewed["insp"], reviewed["batch"]
    first, second = insp.sample_seqs[:2]
    sign_in(client, "anna")
    page = client.get(f"/qa/{batch}/page/{first}", headers={"Host": HOST}).get_data(as_text=True)
    assert 'class="decide"' in page and "Beoordelaar: anna" in page
    res = decide(client, batch, first, "rejected", "scheef", token=csrf(page))
    assert res.status_code == 302 and f"/qa/{batch}/page/" in res.headers["Location"]
    other = reviewed["app"].test_client()
    sign_in(other, "bert")  # a beheerder may decide too
    assert decide(other, batch, second, "approved").status_code == 302
    decisions = insp.store.decisions(insp.batch.id)
    assert [(d.decision, d.who, d.reason) for d in decisions] == [("rejected", "anna", "scheef"),
                                                                  ("approved", "bert", None)]
    assert insp.store.page_by_id(insp.page_ids[first]).status == PageStatus.RESCAN
    state = client.get(f"/qa/{batch}/api/state", headers={"Host": HOST}).get_json()
    assert state["rescan"] == [first] and state["decisions"][str(first)]["who"] == "anna"


def test_a_decision_from_another_site_is_refused_even_when_signed_in(reviewed):
    client, insp, batch = reviewed["app"].test_client(), reviewed["insp"], reviewed["batch"]
    seq = insp.sample_seqs[0]
    sign_in(client, "anna")
    token = csrf(client.get(f"/qa/{batch}/page/{seq}", headers={"Host": HOST}).get_data(as_text=True))
    form = {"decision": "rejected", "reason": "vals", "csrf_token": token}
    assert client.post(f"/qa/{batch}/page/{seq}", data=form,
                       headers={"Host": HOST, "Origin": "http://evil.example"}).status_code == 403
    assert client.post(f"/qa/{batch}/page/{seq}", data=form, headers={"Host": HOST}).status_code == 403
    del form["csrf_token"]
    res = client.post(f"/qa/{batch}/page/{seq}", data=form, headers=OWN)
    assert res.status_code == 400 and 'class="decide"' in res.get_data(as_text=True)  # the form again, fresh token
    assert insp.store.decisions(insp.batch.id) == []


def test_only_a_beheerder_sees_the_accounts(web_app):
    assert web_app.test_client().get("/beheer/gebruikers", headers={"Host": HOST}).status_code == 302  # sign in
    for name, status in [("mia", 403), ("anna", 403), ("bert", 200)]:
        client = web_app.test_client()
        sign_in(client, name)
        res = client.get("/beheer/gebruikers", headers={"Host": HOST})
        assert res.status_code == status, name
    page = res.get_data(as_text=True)
    assert all(f"<td>{n}</td>" in page for n in ("mia", "anna", "bert")) and "wachtwoord" not in page
