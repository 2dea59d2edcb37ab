"""Ingest: find the scans of a delivery, record their SHA-256 and pages, and log who did it."""

from digitalisering.ingest.register import IngestReport, ingest_delivery

__all__ = ["IngestReport", "ingest_delivery"]
