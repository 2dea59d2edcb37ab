"""What runs inside a worker process: one page through the chain, errors turned into outcomes."""

from __future__ import annotations

import os
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image

from digitalisering.errors import (DigitaliseringError, InputFileError, MissingDependencyError, reason_of,
                                   stored_reason)
from digitalisering.i18n import N_
from digitalisering.runner.page_chain import PageJob, run_page_chain


@dataclass(frozen=True)
class PageOutcome:
    page_id: int
    ok: bool
    result: dict[str, Any] | None
    error: str | None
    """Why the page failed, in its stored form (``errors.stored_reason``: shown in the reader's
    language wherever it is read, not in the language of the run that recorded it)."""
    fatal: bool = False
    """True when the whole run must stop (a missing program), not just this page."""
    trace: str | None = None


_initialised = False


def init_worker() -> None:
    """Per-process setup: tesseract and OpenCV use one thread each (the pool gives parallelism);
    Pillow's and pikepdf's decompression-bomb warning (an image above the pixel limit) is an error,
    so no decode larger than the limit goes on in a worker, even one our own checks did not see."""
    global _initialised
    _initialised = True
    os.environ["OMP_THREAD_LIMIT"] = "1"
    warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
    warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover - opencv is a dependency
        pass


def process_page(job: PageJob, stages: list | None = None) -> PageOutcome:
    """One page through the chain (``stages``: the page stages, default ``PAGE_STAGES``)."""
    if not _initialised:  # a Dask worker: no pool initializer ran in this process
        init_worker()
    try:
        return PageOutcome(job.page_id, True, run_page_chain(job, stages), None)
    except MissingDependencyError as exc:
        return PageOutcome(job.page_id, False, None, reason_of(exc), fatal=True)
    except (InputFileError, DigitaliseringError) as exc:
        return PageOutcome(job.page_id, False, None, reason_of(exc))
    except MemoryError:
        return PageOutcome(job.page_id, False, None, stored_reason(N_("out of memory while processing this page")))
    except Exception as exc:  # a bug: keep the batch going, keep the traceback for the log
        return PageOutcome(job.page_id, False, None,
                           stored_reason(N_("internal error: {error}"), error=f"{type(exc).__name__}: {exc}"),
                           trace=traceback.format_exc())
