import sqlite3

import pytest

from digitalisering.errors import StateError
from digitalisering.store import Store
from digitalisering.store.migrations import MIGRATIONS
from digitalisering.store.records import PageStatus


def test_new_database_is_at_latest_schema(workspace):
    with Store(workspace.database) as store:
        level = store.db.schema_level()
    assert level == len(MIGRATIONS)


def test_failed_file_gets_one_failed_page_so_it_is_counted(store):
    batch = store.create_batch("b", "/d", "folders", "ann")
    store.add_file(batch.id, "x/0001.tif", "x", 10, "0" * 64, "TIFF", 3, None, 0)
    store.add_file(batch.id, "x/bad.tif", "x", 0, "1" * 64, None, 0, "empty file (0 bytes)", 3)
    counts = store.page_counts(batch.id)
    assert counts[PageStatus.PENDING] == 3
    assert counts[PageStatus.FAILED] == 1
    assert [p.seq for p in store.pages(batch.id)] == [0, 1, 2, 3]


def test_finish_page_persists_result_and_events_keep_who(store):
    batch = store.create_batch("b", "/d", "stack", "ann")
    store.add_file(batch.id, "s1.tif", None, 10, "0" * 64, "TIFF", 1, None, 0)
    page = store.pages(batch.id)[0]
    store.finish_page(page.id, PageStatus.DONE, {"ocr": {"words": 3}}, None)
    store.log(batch.id, "bob", "run.end", done=1)
    again = store.pages(batch.id)[0]
    assert again.status == "done" and again.result == {"ocr": {"words": 3}}
    event = store.events(batch.id)[-1]
    assert (event.who, event.action, event.detail) == ("bob", "run.end", {"done": 1})


def test_database_from_newer_version_is_refused(workspace):
    conn = sqlite3.connect(workspace.database)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StateError, match="newer"):
        Store(workspace.database)


def test_garbage_database_file_is_a_clear_error(workspace):
    workspace.database.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="cannot open state database"):
        Store(workspace.database)


def _target(store: Store) -> str:
    """What another command opens to reach the same database (the SQLite file, the PostgreSQL URL)."""
    if store.db.name == "sqlite":
        return store.db.location
    info = store.db.conn.info
    return f"postgresql://{info.user}@/{info.dbname}?host={info.host}&port={info.port}"


def test_a_delivery_is_registered_by_one_command_at_a_time(store):
    other = Store(_target(store))
    try:
        with store.registration("/scans/levering"):
            with pytest.raises(StateError, match="being registered by another command"):
                with other.registration("/scans/levering", wait_s=0.3):
                    pass
            with other.registration("/scans/elders", wait_s=0):  # another delivery: no wait
                pass
        with other.registration("/scans/levering", wait_s=0):  # released: free
            pass
    finally:
        other.close()


def test_a_batch_claim_refuses_another_command_and_nests_in_its_own(store):
    batch = store.create_batch("b", "/d", "folders", "ann")
    other = Store(_target(store))
    try:
        with store.batch_claim(batch):
            with store.batch_claim(batch):  # a run inside its own registration
                pass
            with pytest.raises(StateError, match="batch b is being processed by another run"):
                with other.batch_claim(batch):
                    pass
        with other.batch_claim(batch):  # released with the outer claim
            pass
    finally:
        other.close()


def test_last_event_of_a_kind(store):
    """The catalog asks for the last run's start on every portal request: one row, not the log."""
    batch = store.create_batch("b", "/d", "stack", "ann")
    other = store.create_batch("c", "/e", "stack", "ann")
    assert store.last_event(batch.id, "run.start") is None
    store.log(batch.id, "ann", "run.start", out="/out/1")
    store.log(batch.id, "ann", "run.end", done=1)
    store.log(batch.id, "bob", "run.start", out="/out/2")
    store.log(other.id, "bob", "run.start", out="/out/other")
    store.log(batch.id, "bob", "run.end", done=2)
    event = store.last_event(batch.id, "run.start")
    assert (event.who, event.detail) == ("bob", {"out": "/out/2"})
