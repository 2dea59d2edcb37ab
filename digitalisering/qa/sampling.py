"""The ISO 2859-1 sample of a batch: the lot, a reproducible random selection, the plan's numbers."""

from __future__ import annotations

import hashlib
import random
from dataclasses import asdict

from digitalisering.qa.iso2859 import SamplingPlan, sampling_plan


def lot_pages(results: dict) -> list[int]:
    """The lot: every page of the batch (blank backs included: they are scanned and counted), except
    separator sheets, which are not part of any dossier."""
    return [p["seq"] for p in results["pages"] if not p.get("is_separator")]


def batch_seed(batch_name: str) -> int:
    """A seed derived from the batch name: the same batch always gets the same sample."""
    return int.from_bytes(hashlib.sha256(batch_name.encode("utf-8")).digest()[:4], "big")


def plan_for(lot: list[int], aql: str, level: str) -> SamplingPlan:
    if len(lot) < 2:
        # the standard's tables start at lots of 2; a single page is simply inspected
        return SamplingPlan(len(lot), level, aql, "-", "-", len(lot), 0, 1)
    return sampling_plan(len(lot), aql, level)


def draw(lot: list[int], plan: SamplingPlan, seed: int) -> list[int]:
    """``plan.sample_size`` pages chosen at random (seeded) from the lot, in scanning order."""
    return sorted(random.Random(seed).sample(sorted(lot), plan.sample_size))


def plan_json(plan: SamplingPlan) -> dict:
    return {**asdict(plan), "full_inspection": plan.full_inspection, "standard": "ISO 2859-1",
            "inspection": "single sampling, normal inspection"}
