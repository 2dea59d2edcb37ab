"""Schema migrations of the state database, applied in order; ``PRAGMA user_version`` is the level."""

MIGRATIONS: list[str] = [
    # 1: foundation
    """
    CREATE TABLE batches (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        delivery    TEXT NOT NULL UNIQUE,
        layout      TEXT NOT NULL CHECK (layout IN ('folders', 'stack')),
        created_at  TEXT NOT NULL,
        created_by  TEXT NOT NULL
    );
    CREATE TABLE files (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        relpath     TEXT NOT NULL,
        folder      TEXT,
        size        INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        format      TEXT,
        page_count  INTEGER NOT NULL,
        error       TEXT,
        ingested_at TEXT NOT NULL,
        UNIQUE (batch_id, relpath)
    );
    CREATE TABLE pages (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        file_id     INTEGER NOT NULL REFERENCES files(id),
        page_index  INTEGER NOT NULL,
        seq         INTEGER NOT NULL,
        folder      TEXT,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'done', 'failed', 'rescan')),
        error       TEXT,
        result      TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        finished_at TEXT,
        UNIQUE (file_id, page_index),
        UNIQUE (batch_id, seq)
    );
    CREATE INDEX pages_batch_status ON pages (batch_id, status);
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER REFERENCES batches(id),
        at          TEXT NOT NULL,
        who         TEXT NOT NULL,
        action      TEXT NOT NULL,
        detail      TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_batch ON events (batch_id, id);
    CREATE TABLE outputs (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        kind        TEXT NOT NULL,
        key         TEXT NOT NULL,
        path        TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        size        INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        UNIQUE (batch_id, kind, key)
    );
    """,
    # 2: the checks an output passed when it was written (PDF/A validation)
    """
    ALTER TABLE outputs ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
    """,
    # 3: QA: the drawn ISO 2859-1 samples, the archivist's decisions, and the earlier versions of
    #    pages that were re-delivered after a rescan
    """
    CREATE TABLE qa_samples (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        drawn_at    TEXT NOT NULL,
        drawn_by    TEXT NOT NULL,
        plan        TEXT NOT NULL,
        seed        INTEGER NOT NULL,
        page_ids    TEXT NOT NULL
    );
    CREATE TABLE qa_decisions (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        page_id     INTEGER NOT NULL REFERENCES pages(id),
        sample_id   INTEGER REFERENCES qa_samples(id),
        decision    TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
        reason      TEXT,
        who         TEXT NOT NULL,
        at          TEXT NOT NULL,
        page_sha256 TEXT NOT NULL
    );
    CREATE INDEX qa_decisions_batch ON qa_decisions (batch_id, page_id, id);
    CREATE TABLE page_history (
        id          INTEGER PRIMARY KEY,
        page_id     INTEGER NOT NULL REFERENCES pages(id),
        file_sha256 TEXT NOT NULL,
        status      TEXT NOT NULL,
        result      TEXT,
        finished_at TEXT,
        replaced_at TEXT NOT NULL,
        replaced_by TEXT NOT NULL
    );
    """,
    # 4: outputs are looked up by path: one path has one owner (a second dossier or batch never
    #    writes over the first one's file)
    """
    CREATE INDEX outputs_path ON outputs (path);
    """,
    # access decisions per document (openbaarheid): open, restricted (ground, end date) or a
    #    redacted public copy (the confirmed regions); every decision kept, the latest counts
    """
    CREATE TABLE access_decisions (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        document    TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('open', 'restricted', 'redacted')),
        ground      TEXT,
        until       TEXT,
        regions     TEXT NOT NULL DEFAULT '[]',
        reason      TEXT NOT NULL,
        who         TEXT NOT NULL,
        at          TEXT NOT NULL,
        source      TEXT NOT NULL CHECK (source IN ('default', 'archivist'))
    );
    CREATE INDEX access_decisions_document ON access_decisions (batch_id, document, id);
    """,
    # (understanding) archivists' corrections of the split, the types and the address links, each
    #    with who and when; every one is kept, the latest per subject counts (digitalisering/corrections.py)
    """
    CREATE TABLE corrections (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        page_seq    INTEGER,
        dossier     TEXT,
        document    TEXT,
        kind        TEXT NOT NULL CHECK (kind IN ('boundary', 'type', 'address')),
        target      TEXT NOT NULL DEFAULT '',
        value       TEXT NOT NULL,
        source      TEXT NOT NULL,
        who         TEXT NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE INDEX corrections_batch ON corrections (batch_id, id);
    """,
    # web: the people who sign in to the portal and the review page, with their role; a password
    #    is stored only as a salted hash (werkzeug.security); session_version changes with the
    #    password or the role, which ends the sessions signed in before
    """
    CREATE TABLE users (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL UNIQUE,
        role            TEXT NOT NULL CHECK (role IN ('medewerker', 'archivaris', 'beheerder')),
        password_hash   TEXT NOT NULL,
        active          INTEGER NOT NULL DEFAULT 1,
        session_version INTEGER NOT NULL DEFAULT 1,
        created_at      TEXT NOT NULL,
        created_by      TEXT NOT NULL,
        changed_at      TEXT NOT NULL
    );
    CREATE INDEX events_who_action ON events (who, action, at);
    """,
    # progress per scanning station: which station a file was scanned at (``ingest/run --station``)
    #    and when the scanner wrote it (the file's modification time), for pages per hour
    """
    ALTER TABLE files ADD COLUMN station TEXT;
    ALTER TABLE files ADD COLUMN scanned_at TEXT;
    """,
]
