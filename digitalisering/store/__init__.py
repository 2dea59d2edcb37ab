"""Persistent state: batches, files, pages, events and outputs in an embedded SQLite database."""

from digitalisering.store.db import Store
from digitalisering.store.records import (
    Batch, Decision, Event, FileRecord, OutputRecord, PageRecord, PageVersion, SampleRecord, UserRecord,
)

__all__ = ["Store", "Batch", "Decision", "FileRecord", "PageRecord", "PageVersion", "Event", "OutputRecord",
           "SampleRecord", "UserRecord"]
