"""Page functions that misbehave on purpose, run by the worker processes in the fault tests. They are
module-level (workers import them by name) and pick their victim by the source file's name."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from digitalisering.runner.page_chain import PAGE_STAGES, PageJob
from digitalisering.runner.worker import PageOutcome, process_page  # noqa: F401  (process_page: re-exported)


def _first_time(job: PageJob, tag: str) -> bool:
    marker = Path(job.work_dir).parent / f".{tag}-{job.page_id}"
    if marker.exists():
        return False
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("x")
    return True


def kill_worker_once(job: PageJob) -> PageOutcome:
    """The worker process is killed (SIGKILL, as the OOM killer does) the first time it reads a page
    of a file named *victim*, half-way through the page."""
    if "victim" in Path(job.source).name and _first_time(job, "killed"):
        os.kill(os.getpid(), signal.SIGKILL)
    return process_page(job)


def kill_worker_always(job: PageJob) -> PageOutcome:
    """A page of a file named *victim* kills every worker that touches it."""
    if "victim" in Path(job.source).name:
        os.kill(os.getpid(), signal.SIGKILL)
    return process_page(job)


def _boom(ctx) -> None:
    raise RuntimeError("stage exploded")


def raise_in_stage(job: PageJob) -> PageOutcome:
    """A page stage raises an unexpected exception on pages of a file named *victim*."""
    if "victim" in Path(job.source).name:
        stages = PAGE_STAGES[:2] + [("boom", _boom)] + PAGE_STAGES[2:]
        return process_page(job, stages)
    return process_page(job)


def fail_as_cut_short(job: PageJob) -> PageOutcome:
    """A page of a file named *victim* fails as a damaged file does: an InputFileError whose reason
    is a catalogue word (``errors.library_reason``)."""
    if "victim" in Path(job.source).name:
        from digitalisering.errors import InputFileError
        from digitalisering.i18n import N_, Word

        def cut_short(ctx) -> None:
            raise InputFileError("cannot decode {fmt} page {value}: {value2}", fmt="TIFF", value=job.page_index + 1,
                                 value2=Word(N_("the file is cut short")))
        return process_page(job, [PAGE_STAGES[0], ("cut-short", cut_short)])
    return process_page(job)
