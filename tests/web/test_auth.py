"""Signing in and out of the web application: the password decides, a form from another site or
without its token changes nothing, a changed password signs the session out, the language is
Dutch unless English is asked for."""

from __future__ import annotations

from webhelpers import HOST, OWN, csrf, sign_in

from digitalisering.store import Store
from digitalisering.web import users


def home(client) -> str:
    return client.get("/", headers={"Host": HOST}).get_data(as_text=True)


def test_sign_in_and_out(client):
    assert "Aanmelden" in home(client) and "anna" not in home(client)
    res = sign_in(client, "anna")
    assert res.status_code == 302 and res.headers["Location"] == "/"
    page = home(client)
    assert "anna" in page and "(archivaris)" in page and "Afmelden" in page
    res = client.post("/afmelden", headers=OWN, data={"csrf_token": csrf(page)})
    assert res.status_code == 302
    assert "anna" not in home(client)


def test_a_wrong_password_or_name_is_refused_alike(client):
    for name, password in [("anna", "niet-het-wachtwoord"), ("onbekend", "anna-wachtwoord-2")]:
        res = sign_in(client, name, password)
        assert res.status_code == 401
        assert "De gebruikersnaam of het wachtwoord klopt niet." in res.get_data(as_text=True)
    assert "Aanmelden" in home(client)


def test_sign_in_from_another_site_or_without_token_is_refused(client):
    form = {"name": "anna", "password": "anna-wachtwoord-2"}
    html = client.get("/aanmelden", headers={"Host": HOST}).get_data(as_text=True)
    res = client.post("/aanmelden", data={**form, "csrf_token": csrf(html)},
                      headers={"Host": HOST, "Origin": "http://evil.example"})
    assert res.status_code == 403
    res = client.post("/aanmelden", data=form, headers=OWN)
    assert res.status_code == 400
    res = client.post("/aanmelden", data={**form, "csrf_token": csrf(html)}, headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert res.status_code == 400
    assert "anna" not in home(client)


def test_signing_out_is_a_post_with_its_token(client):
    sign_in(client, "anna")
    assert client.get("/afmelden", headers={"Host": HOST}).status_code == 405
    assert client.post("/afmelden", headers=OWN).status_code == 400  # no token: another site cannot sign out
    assert client.post("/afmelden", headers={"Host": HOST, "Origin": "http://evil.example"}).status_code == 403
    assert "anna" in home(client)


def test_after_sign_in_only_a_path_of_this_site_is_followed(web_app):
    for target, expected in [("/qa/", "/qa/"), ("//evil.example/x", "/"), ("http://evil.example/", "/"),
                             ("/\\evil.example", "/")]:
        client = web_app.test_client()
        html = client.get("/aanmelden", headers={"Host": HOST}).get_data(as_text=True)
        res = client.post("/aanmelden", query_string={"next": target}, headers=OWN,
                          data={"csrf_token": csrf(html), "name": "bert", "password": "bert-wachtwoord-3"})
        assert res.headers["Location"] == expected, target


def test_a_changed_password_ends_the_session(client, accounts):
    sign_in(client, "anna")
    assert "anna" in home(client)
    with Store(accounts.database) as store:
        users.set_password(store, "anna", "een-heel-nieuw-wachtwoord", "bert")
    assert "anna" not in home(client)


def test_dutch_by_default_english_on_request(client):
    page = home(client)
    assert '<html lang="nl">' in page and "Bouwdossiers zoeken" in page
    page = client.get("/?lang=en", headers={"Host": HOST}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Search building dossiers" in page
    assert '<html lang="en">' in home(client)  # remembered for the session
    page = client.get("/aanmelden?lang=nl", headers={"Host": HOST}).get_data(as_text=True)
    assert '<html lang="nl">' in page and "Gebruikersnaam" in page


def test_a_foreign_host_gets_nothing(client):
    for path in ["/", "/aanmelden", "/qa/"]:
        res = client.get(path, headers={"Host": "evil.example"})
        assert res.status_code == 400 and "csrf_token" not in res.get_data(as_text=True)


def test_sign_in_with_the_state_in_postgresql(pg_url, workspace):
    """Several portal machines share one PostgreSQL state database: the accounts live there too."""
    from digitalisering.web.app import WebSettings, create_app
    from digitalisering.web.security import allowed_hosts

    with Store(pg_url) as store:
        users.add_user(store, "anna", users.ARCHIVARIS, "anna-wachtwoord-2", "test")
    app = create_app(WebSettings(pg_url, workspace, tuple(allowed_hosts("127.0.0.1", 8080)), "k" * 64))
    client = app.test_client()
    assert sign_in(client, "anna", "niet-het-wachtwoord").status_code == 401
    assert sign_in(client, "anna").status_code == 302
    assert "(archivaris)" in home(client)


def test_ten_wrong_passwords_lock_the_name_for_a_while(client, accounts):
    for _ in range(users.MAX_FAILURES):
        assert sign_in(client, "anna", "fout-wachtwoord-x").status_code == 401
    res = sign_in(client, "anna")  # even the right password, for now
    assert res.status_code == 429 and "probeer het over een kwartier opnieuw" in res.get_data(as_text=True)
    assert sign_in(client, "bert").status_code == 302  # other names are not affected
    with Store(accounts.database) as store:
        assert store.count_events("anna", "web.sign_in_failed", "2000-01-01") == users.MAX_FAILURES
        store.db.execute("UPDATE events SET at='2000-01-01T00:00:00+00:00' WHERE action='web.sign_in_failed'")
    client.post("/afmelden", headers=OWN, data={"csrf_token": csrf(home(client))})
    assert sign_in(client, "anna").status_code == 302  # the window has passed
