"""The failed pages of a batch, for the operator: a list, counts by reason, and a CSV to work from."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from digitalisering.csvtext import csv_text
from digitalisering.errors import shown_reason
from digitalisering.i18n import N_, gettext
from digitalisering.fileio import write_text_atomic
from digitalisering.store import Batch, Store
from digitalisering.store.records import PageStatus

FAILURES_FILE = "failures.csv"


@dataclass(frozen=True)
class Failure:
    seq: int
    source: str
    page: int
    """1-based page number within the source file."""
    reason: str
    """Why, in the reader's language (a reason stored by an earlier version: as it was written)."""


UNASSIGNED = N_("before the first dossier separator sheet: in no dossier")


def list_failures(store: Store, batch: Batch, unassigned: list[int] | None = None) -> list[Failure]:
    """Failed pages, and the pages the split could not put in a dossier (``unassigned`` seqs)."""
    files = {f.id: f for f in store.files(batch.id)}
    loose = set(unassigned or ())
    pages = [p for p in store.pages(batch.id)
             if p.status == PageStatus.FAILED or (p.seq in loose and p.status == PageStatus.DONE)]
    return [
        Failure(p.seq, files[p.file_id].relpath, p.page_index + 1,
                (shown_reason(p.error) or gettext("unknown")) if p.status == PageStatus.FAILED else gettext(UNASSIGNED))
        for p in pages
    ]


def reason_kind(reason: str) -> str:
    """The reason without its particulars (numbers, paths), to count alike failures together."""
    kind = reason.split(":")[0]
    return re.sub(r"\d+(\.\d+)?", "N", kind).strip()


def count_by_reason(failures: list[Failure]) -> Counter:
    return Counter(reason_kind(f.reason) for f in failures)


def write_failures_csv(failures: list[Failure], path: Path) -> None:
    """seq;source;page;reason — semicolon-separated so that Dutch spreadsheet software opens it as is."""
    write_text_atomic(path, csv_text(["seq", "source", "page", "reason"],
                                     ([f.seq, f.source, f.page, f.reason] for f in failures)))
