"""Corrections as data: stored with who and when on SQLite and PostgreSQL, every one kept, the
latest per subject counting; the --overrides file stored there too."""

from __future__ import annotations

import pytest

from digitalisering.corrections import (address_corrections, as_overrides, corrections_for, current,
                                        record_correction, record_overrides)
from digitalisering.documents.overrides import parse_overrides
from digitalisering.errors import ConfigError


def _batch(store, pages: int = 6):
    batch = store.create_batch("levering-1", "/data/levering-1", "folders", "tester")
    store.add_file(batch.id, "D/0001.tif", "D", 10, "0" * 64, "TIFF", pages, None, 1)  # pages 1..6
    return batch


def test_each_correction_is_kept_with_who_and_when_and_the_latest_counts(store):
    batch = _batch(store)
    record_correction(store, batch, "split", who="anna", page=3)
    record_correction(store, "levering-1", "type", who="anna", page=3, value="brief", document="D-02")
    record_correction(store, batch, "type", who="bert", page=4, value="vergunning")  # same document, other page
    record_correction(store, batch, "type", who="bert", page=3, value="aanvraag")  # anna's type replaced
    record_correction(store, batch, "address_add", who="anna", dossier="D", value="0546200000318960")
    history = corrections_for(store, batch)
    assert [(c.kind, c.page_seq, c.value, c.who) for c in history] == [
        ("boundary", 3, "split", "anna"), ("type", 3, "brief", "anna"), ("type", 4, "vergunning", "bert"),
        ("type", 3, "aanvraag", "bert"), ("address", None, "object", "anna")]
    assert all(c.at and c.source == "review" for c in history)
    assert history[1].document == "D-02"
    overrides = as_overrides(history)
    assert overrides.boundary_at(3) is True and overrides.boundary_at(4) is None
    assert overrides.type_for([3, 4]) in ("aanvraag", "vergunning")  # both pages' latest types count
    assert {o.value for o in overrides.items if o.action == "type"} == {"aanvraag", "vergunning"}
    assert address_corrections(history) == {"D": {"0546200000318960": True}}
    # withdrawn: the model decides again, the history keeps all
    record_correction(store, batch, "clear_boundary", who="anna", page=3)
    record_correction(store, batch, "address_remove", who="bert", dossier="D", value="0546200000318960")
    history = corrections_for(store, batch)
    assert len(history) == 7 and as_overrides(history).boundary_at(3) is None
    assert address_corrections(history) == {"D": {"0546200000318960": False}}
    assert [e.action for e in store.events(batch.id)].count("correction") == 7


@pytest.mark.parametrize("action, kwargs, message", [
    ("rename", {"page": 1}, "expected one of split, merge"),
    ("split", {"page": 99}, "page 99 is not a page of batch levering-1"),
    ("type", {"page": 1, "value": "roman"}, "'roman' is not a document type"),
    ("address_add", {"dossier": "D", "value": "Breestraat 1"}, "nummeraanduiding id"),
    ("split", {"page": 1, "who": " "}, "needs who"),
])
def test_a_wrong_correction_is_refused_in_one_line_and_not_stored(store, action, kwargs, message):
    batch = _batch(store)
    kwargs = {"who": "anna", **kwargs}
    with pytest.raises(ConfigError, match=message):
        record_correction(store, batch, action, **kwargs)
    assert corrections_for(store, batch) == []


def test_the_overrides_file_is_stored_as_corrections_and_is_the_operators_whole_list(store):
    batch = _batch(store)
    record_correction(store, batch, "type", who="anna", page=5, value="tekening")  # from the review page
    first = parse_overrides("page;action;value\n2;split;\n2;type;brief\n4;merge;\n", None)
    assert record_overrides(store, batch, first, "operator").added == 3
    assert record_overrides(store, batch, first, "operator").added == 0  # the same file again: nothing new
    second = parse_overrides("page;action;value\n2;split;\n", None)
    done = record_overrides(store, batch, second, "operator")
    assert (done.added, done.withdrawn) == (0, 2)
    now = as_overrides(corrections_for(store, batch))
    assert now.boundary_at(2) is True and now.boundary_at(4) is None
    assert now.type_for([2]) is None and now.type_for([5]) == "tekening"  # the review page's stays
    assert {c.source for c in current(corrections_for(store, batch))} == {"overrides", "review"}
