"""The runner: the explicit stage chain, worker processes, resume and progress."""

from digitalisering.runner.options import RunOptions
from digitalisering.runner.batch import RunSummary, run_batch

__all__ = ["RunOptions", "RunSummary", "run_batch"]
