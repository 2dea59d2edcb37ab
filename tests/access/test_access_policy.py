"""Access decisions: defaults from the settings, decisions stored with history (SQLite and
PostgreSQL), and what each role may see."""

from __future__ import annotations

from datetime import date

import pytest

from digitalisering.access.detect import Proposal
from digitalisering.access.policy import (
    AccessDecision, Content, Region, apply_defaults, batch_access, current, decide, default_decision, history,
    load_settings, may_see,
)
from digitalisering.access.proposals import DocumentProposals
from digitalisering.access.vulnerable import ObjectProposal
from digitalisering.errors import ConfigError, StateError
from digitalisering.ocr.model import Box

TODAY = date(2026, 12, 7)
BSN = Proposal("bsn", "200629153", "200629153", 3, (Box(10, 20, 90, 12),), 0.95, "BSN")
WEAK = Proposal("person_name", "P. Bos", "P. Bos", 3, (Box(10, 40, 60, 12),), 0.5, "naam")


def test_defaults_restrict_personal_data_for_75_years_after_the_document_date():
    settings = load_settings()
    d = default_decision("D-01", DocumentProposals([BSN]), date(1990, 5, 1), settings, TODAY)
    assert (d.state, d.ground, d.until) == ("restricted", "persoonlijke_levenssfeer", date(2065, 5, 1))
    assert "BSN" in d.reason
    old = default_decision("D-02", DocumentProposals([BSN]), date(1901, 1, 4), settings, TODAY)
    assert old.state == "open" and "verstreken" in old.reason  # the term has passed
    assert default_decision("D-03", DocumentProposals([WEAK]), date(1990, 1, 1), settings, TODAY).state == "open"
    assert default_decision("D-04", DocumentProposals(), None, settings, TODAY).state == "open"


def test_vulnerable_objects_are_restricted_until_the_lists_end_date(tmp_path):
    settings = load_settings()
    cell = ObjectProposal("exclusion_list", "0546100000000001", "Huis van bewaring", date(2090, 1, 1))
    d = default_decision("D-01", DocumentProposals([], [cell]), date(1901, 1, 1), settings, TODAY)
    assert (d.state, d.ground, d.until) == ("restricted", "beveiliging", date(2090, 1, 1))


def test_settings_can_ask_for_redacted_copies_and_are_checked(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text('[personal_data]\nstate = "redacted"\n', encoding="utf-8")
    d = default_decision("D-01", DocumentProposals([BSN]), date(1990, 5, 1), load_settings(path), TODAY)
    assert d.state == "redacted" and d.regions == (Region(3, 10, 20, 90, 12, "bsn"),)
    path.write_text('[personal_data]\nyears = 100\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}:2: \[personal_data\] years is 100; expected whole years"):
        load_settings(path)
    path.write_text('[vulnerable]\nground = "geheim"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}:2: \[vulnerable\] ground is \"geheim\""):
        load_settings(path)


@pytest.fixture
def batch(store):
    return store.create_batch("b1", "/levering", "folders", "tester")


def test_decisions_are_stored_with_who_when_why_and_history(store, batch):
    settings = load_settings()
    assert current(store, batch, "D-01").state == "restricted"  # nobody decided: never public by accident
    decide(store, batch, AccessDecision("D-01", "restricted", "persoonlijke_levenssfeer", date(2070, 12, 31),
                                        reason="BSN op pagina 3", who="archivaris.a", source="archivist"), settings)
    regions = (Region(3, 10, 20, 90, 12, "bsn"),)
    decide(store, batch, AccessDecision("D-01", "redacted", "persoonlijke_levenssfeer", None, regions,
                                        reason="BSN zwart gemaakt", who="archivaris.b", source="archivist"), settings)
    now = current(store, batch, "D-01")
    assert (now.state, now.regions, now.who, now.source) == ("redacted", regions, "archivaris.b", "archivist")
    assert now.at
    assert [d.who for d in history(store, batch, "D-01")] == ["archivaris.a", "archivaris.b"]
    assert [e.action for e in store.events(batch.id)].count("access.decided") == 2


@pytest.mark.parametrize("decision, words", [
    (AccessDecision("D-01", "restricted", "onbekend", date(2070, 1, 1), reason="x"), "ground"),
    (AccessDecision("D-01", "restricted", "beveiliging", None, reason="x"), "end date"),
    (AccessDecision("D-01", "redacted", None, None, reason="x"), "regions"),
    (AccessDecision("D-01", "open", None, None, reason=" "), "reason"),
])
def test_an_incomplete_decision_is_refused(store, batch, decision, words):
    with pytest.raises(ConfigError, match=words):
        decide(store, batch, decision, load_settings())
    assert store.access_decisions(batch.id) == []


def test_a_decision_on_an_unknown_document_is_refused(store, batch):
    with pytest.raises(StateError, match="no document D-09"):
        decide(store, batch, AccessDecision("D-09", "open", reason="x"), load_settings(), {"D-01"})


def test_defaults_are_stored_once_and_never_over_an_archivists_decision(store, batch):
    settings = load_settings()
    results = {"dossiers": [{"id": "D", "period": {"from": "1990-01-01", "to": "1991-01-01"}}],
               "documents": [
                   {"id": "D-01", "dossier": "D", "dates": ["1990-05-01"],
                    "access_proposals": DocumentProposals([BSN]).to_json()},
                   {"id": "D-02", "dossier": "D", "dates": [], "access_proposals": None},
                   {"id": "D-03", "dossier": "D", "dates": [], "access_proposals": DocumentProposals([BSN]).to_json()}]}
    decide(store, batch, AccessDecision("D-02", "open", reason="gecontroleerd", who="a", source="archivist"), settings)
    assert apply_defaults(store, batch, results, settings, today=TODAY) == 2
    assert apply_defaults(store, batch, results, settings, today=TODAY) == 0
    rows = {r.document: r for r in batch_access(store, batch, results, settings, TODAY)}
    assert rows["D-01"].current.state == "restricted" and rows["D-01"].current.source == "default"
    assert rows["D-02"].current.who == "a"
    assert rows["D-03"].current.until == date(2066, 1, 1)  # no date of its own: the dossier's last date


@pytest.mark.parametrize("state, until, role, content, notice", [
    ("open", None, "public", Content.ORIGINAL, False),
    ("redacted", None, "public", Content.REDACTED, True),
    ("restricted", date(2070, 1, 1), "public", Content.NONE, True),
    ("restricted", date(2000, 1, 1), "public", Content.ORIGINAL, False),  # the term has passed
    ("restricted", date(2070, 1, 1), "medewerker", Content.NONE, True),
    ("redacted", None, "medewerker", Content.REDACTED, True),
    ("restricted", date(2070, 1, 1), "archivaris", Content.ORIGINAL, True),
    ("redacted", None, "beheerder", Content.ORIGINAL, True),
    ("open", None, "hacker", Content.NONE, False),
])
def test_what_each_role_may_see(state, until, role, content, notice):
    view = may_see(role, AccessDecision("D", state, "beveiliging" if until else None, until), TODAY)
    assert (view.content, view.notice) == (content, notice)
    assert view.may_decide == (role in ("archivaris", "beheerder"))
    assert view.details == (role in ("medewerker", "archivaris", "beheerder"))


def test_the_iiif_hook_shows_originals_by_role_and_decision(store, batch):
    from digitalisering.access.policy import original_viewer
    settings = load_settings()
    decide(store, batch, AccessDecision("D-01", "open", reason="geen persoonsgegevens"), settings)
    decide(store, batch, AccessDecision("D-02", "restricted", "beveiliging", date(2090, 12, 31), reason="cel"),
           settings)
    decide(store, batch, AccessDecision("D-03", "redacted", None, None, (Region(1, 0, 0, 5, 5),), reason="bsn"),
           settings)
    role = {"now": "public"}
    may_view = original_viewer(store, lambda: role["now"], TODAY)
    assert [may_view("b1", "D", d) for d in ("D-01", "D-02", "D-03", "D-04")] == [True, False, False, False]
    assert may_view("no-such-batch", "D", "D-01") is False
    role["now"] = "archivaris"
    assert [may_view("b1", "D", d) for d in ("D-01", "D-02", "D-03", "D-04")] == [True, True, True, True]
