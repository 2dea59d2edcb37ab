"""Accounts of the web application: passwords stored only as hashes, checked as such; a changed
password, role or a removed account ends the sessions signed in before; both databases."""

from __future__ import annotations

import pytest

from digitalisering.web import users


def test_an_account_signs_in_with_its_password_only(store):
    users.add_user(store, "anna", users.ARCHIVARIS, "een-lang-wachtwoord", "beheer")
    row = store.user_by_name("anna")
    assert "een-lang-wachtwoord" not in row.password_hash and row.password_hash.startswith("scrypt:")
    assert users.authenticate(store, "anna", "een-lang-wachtwoord").role == users.ARCHIVARIS
    assert users.authenticate(store, "anna", "een-lang-wachtwoorD") is None
    assert users.authenticate(store, "niemand", "een-lang-wachtwoord") is None
    assert users.authenticate(store, "anna' OR 1=1 --", "x") is None


def test_changes_end_the_sessions_signed_in_before(store):
    user = users.add_user(store, "anna", users.ARCHIVARIS, "een-lang-wachtwoord", "beheer")
    session_id = users.SignedIn.of(user).get_id()
    assert users.load_session_user(store, session_id).name == "anna"
    users.set_role(store, "anna", users.MEDEWERKER, "beheer")
    assert users.load_session_user(store, session_id) is None
    again = users.SignedIn.of(store.user_by_name("anna"))
    assert users.load_session_user(store, again.get_id()).role == users.MEDEWERKER
    users.set_password(store, "anna", "nog-een-ander-wachtwoord", "beheer")
    assert users.load_session_user(store, again.get_id()) is None
    assert users.authenticate(store, "anna", "een-lang-wachtwoord") is None
    assert users.authenticate(store, "anna", "nog-een-ander-wachtwoord") is not None
    users.remove_user(store, "anna", "beheer")
    assert users.authenticate(store, "anna", "nog-een-ander-wachtwoord") is None
    assert users.list_users(store) == []
    assert users.load_session_user(store, "not-a-session") is None


def test_bad_names_roles_and_passwords_are_refused(store):
    with pytest.raises(users.UserError, match="too short"):
        users.add_user(store, "anna", users.ARCHIVARIS, "kort", "beheer")
    with pytest.raises(users.UserError, match="role 'koning'"):
        users.add_user(store, "anna", "koning", "een-lang-wachtwoord", "beheer")
    with pytest.raises(users.UserError, match="user name"):
        users.add_user(store, "../anna", users.ARCHIVARIS, "een-lang-wachtwoord", "beheer")
    with pytest.raises(users.UserError, match="must not be the user name"):
        users.add_user(store, "annabelle12", users.ARCHIVARIS, "Annabelle12", "beheer")
    users.add_user(store, "anna", users.ARCHIVARIS, "een-lang-wachtwoord", "beheer")
    with pytest.raises(users.UserError, match="exists already"):
        users.add_user(store, "anna", users.BEHEERDER, "een-lang-wachtwoord", "beheer")
    with pytest.raises(users.UserError, match="no user 'bert'"):
        users.set_role(store, "bert", users.BEHEERDER, "beheer")


def test_a_name_that_differs_only_in_case_is_refused(store):
    """Before: `Anna` (beheerder) was added beside `anna` (archivaris): two accounts that the event
    log, the decisions and the corrections name alike."""
    users.add_user(store, "anna", users.ARCHIVARIS, "een-lang-wachtwoord", "beheer")
    with pytest.raises(users.UserError, match="only in case"):
        users.add_user(store, "Anna", users.BEHEERDER, "nog-een-ander-wachtwoord", "beheer")
    users.remove_user(store, "anna", "beheer")  # a removed account still names its decisions
    with pytest.raises(users.UserError, match="only in case.*add 'anna' again"):
        users.add_user(store, "ANNA", users.BEHEERDER, "nog-een-ander-wachtwoord", "beheer")
    assert [u.name for u in store.users()] == ["anna"]
    assert users.add_user(store, "anna", users.MEDEWERKER, "nog-een-ander-wachtwoord", "beheer").active


def test_roles_rank():
    assert users.at_least(users.BEHEERDER, users.ARCHIVARIS) and users.at_least(users.ARCHIVARIS, users.ARCHIVARIS)
    assert not users.at_least(users.MEDEWERKER, users.ARCHIVARIS)
    assert not users.at_least(users.PUBLIC, users.MEDEWERKER)
