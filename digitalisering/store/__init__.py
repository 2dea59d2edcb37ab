"""Persistent state: batches, files, pages, events and outputs in an embedded SQLite database."""

from digitalisering.store.db import Store
from digitalisering.store.records import Batch, FileRecord, PageRecord, Event, OutputRecord

__all__ = ["Store", "Batch", "FileRecord", "PageRecord", "Event", "OutputRecord"]
