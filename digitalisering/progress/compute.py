"""Progress figures from the state database over all batches, against the targets.

Counting rules (written down because project leads will ask):
- a page counts when it is done, on the day it finished; blank pages count (they were scanned and
  are billed), separator sheets do not (they are the scanning bureau's own sheets);
- a large-format sheet is a done page beyond A3 (the imaging stage's size class);
- a dossier counts when all its pages are done, on the day its last page finished;
- rejected pages are pages in state 'rescan' (QA sent them back);
- cost to date = fixed costs + A4 pages x unit + large-format sheets x unit + dossiers x preparation;
  the fixed costs count in full from the start;
- the estimate at completion uses re-estimated totals: the estimated number of dossiers times the
  observed pages per dossier, with the observed share of large formats, so that thicker dossiers
  than planned show as an overrun as soon as they are observed.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from digitalisering.documents.pages import page_view
from digitalisering.documents.split import plan_batch
from digitalisering.pagerecord import PageResult
from digitalisering.progress.targets import Targets
from digitalisering.progress.workdays import add_working_days, working_days
from digitalisering.store import Store
from digitalisering.store.records import PageStatus

KINDS = ("dossiers", "pages", "large_format", "blank", "rejected")


def _day(stamp: str | None) -> date | None:
    return datetime.fromisoformat(stamp).date() if stamp else None


def daily_counts(store: Store) -> dict[date, Counter]:
    """Per calendar day: dossiers, pages, large-format sheets, blank pages, rejected pages done."""
    days: dict[date, Counter] = {}
    for batch in store.batches():
        pages = store.pages(batch.id)
        # the dossiers are the split's own (flags only: no text is read)
        views = [page_view(p, Path(), with_text=False) for p in pages]
        dossier_of = plan_batch(batch.layout, views).dossier_of()
        dossier_pages: dict[str, list] = {}
        for p in pages:
            record = PageResult.from_json(p.result)
            key = dossier_of.get(p.seq)
            if key is not None:
                dossier_pages.setdefault(key, []).append(p)
            day = _day(p.finished_at)
            if day is None:
                continue
            if p.status == PageStatus.RESCAN:
                days.setdefault(day, Counter())["rejected"] += 1
                continue
            if p.status != PageStatus.DONE or record.is_separator:
                continue
            c = days.setdefault(day, Counter())
            c["pages"] += 1
            c["large_format"] += record.large_format
            c["blank"] += record.is_blank
        for members in dossier_pages.values():
            if members and all(p.status == PageStatus.DONE for p in members):
                last = max(_day(p.finished_at) for p in members if p.finished_at)
                days.setdefault(last, Counter())["dossiers"] += 1
    return days


@dataclass
class Progress:
    targets: Targets
    as_of: date
    done: Counter
    daily: dict[date, Counter]
    elapsed_days: int
    remaining_days: int
    total_days: int
    rate: dict[str, float]
    """done per working day so far."""
    required: dict[str, float]
    """per working day needed for the rest (against the original estimate)."""
    percent: dict[str, float]
    pages_per_dossier: float | None
    large_share: float | None
    reestimated: dict[str, int]
    forecast_end: date | None
    cost_to_date: float
    estimate_at_completion: float
    warnings: list[tuple[str, dict]] = field(default_factory=list)
    """(kind, figures): 'late', 'over_budget', 'thicker_dossiers' (worded by the report)."""

    def weekly(self) -> list[tuple[str, Counter]]:
        """Every ISO week from the project's start (or the first production, if earlier) to ``as_of``,
        weeks without production included (with zeros): a gap shows as a gap."""
        return _group(self.daily, _week, self._first_day(), self.as_of)

    def monthly(self) -> list[tuple[str, Counter]]:
        return _group(self.daily, lambda d: f"{d.year}-{d.month:02d}", self._first_day(), self.as_of)

    def _first_day(self) -> date:
        return min([self.targets.start, *(d for d in self.daily if d <= self.as_of)])


def _week(d: date) -> str:
    return f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}"


def _group(daily: dict[date, Counter], key, first: date, last: date) -> list[tuple[str, Counter]]:
    out: dict[str, Counter] = {}
    d = first
    while d <= last:
        out.setdefault(key(d), Counter())
        d += timedelta(days=1)
    for d in sorted(daily):
        if d <= last:
            out.setdefault(key(d), Counter()).update(daily[d])
    return sorted(out.items())


def cost(t: Targets, pages: float, large: float, dossiers: float) -> float:
    return t.fixed_eur + t.per_a4_page_eur * (pages - large) + t.per_large_format_sheet_eur * large + \
        t.per_dossier_preparation_eur * dossiers


def compute_progress(t: Targets, daily: dict[date, Counter], as_of: date) -> Progress:
    done: Counter = Counter()
    for d, c in daily.items():
        if d <= as_of:
            done.update(c)
    total_days = working_days(t, t.start, t.end)
    elapsed = working_days(t, t.start, min(as_of, t.end))
    # the rest: the working days after ``as_of`` (all of them before the start)
    remaining = total_days if as_of < t.start else working_days(t, _next_day(as_of), t.end)
    estimate = {"dossiers": t.dossiers, "pages": t.pages, "large_format": t.large_format_sheets}
    rate = {k: (done[k] / elapsed if elapsed else 0.0) for k in estimate}
    required = {k: (max(0, estimate[k] - done[k]) / remaining if remaining else math.inf) for k in estimate}
    percent = {k: (100.0 * done[k] / estimate[k] if estimate[k] else 0.0) for k in estimate}
    ppd = done["pages"] / done["dossiers"] if done["dossiers"] else None
    share = done["large_format"] / done["pages"] if done["pages"] else None
    re_pages = max(done["pages"], round(t.dossiers * ppd)) if ppd else t.pages
    re_large = max(done["large_format"], round(re_pages * share)) if share is not None else t.large_format_sheets
    reestimated = {"dossiers": t.dossiers, "pages": re_pages, "large_format": re_large}
    forecast_end = None
    if rate["pages"] > 0:
        left = max(0, re_pages - done["pages"])
        forecast_end = add_working_days(t, as_of, math.ceil(left / rate["pages"]))
    p = Progress(
        targets=t, as_of=as_of, done=done, daily=daily, elapsed_days=elapsed, remaining_days=remaining,
        total_days=total_days, rate=rate, required=required, percent=percent, pages_per_dossier=ppd,
        large_share=share, reestimated=reestimated, forecast_end=forecast_end,
        cost_to_date=cost(t, done["pages"], done["large_format"], done["dossiers"]),
        estimate_at_completion=cost(t, re_pages, re_large, t.dossiers),
    )
    if forecast_end and forecast_end > t.end:
        p.warnings.append(("late", {"forecast": forecast_end, "end": t.end,
                                    "days": working_days(t, _next_day(t.end), forecast_end)}))
    elif forecast_end is None and done["pages"] < re_pages:
        p.warnings.append(("no_forecast", {"rate": rate["pages"], "needed": required["pages"]}))
    if p.estimate_at_completion > t.budget_eur:
        p.warnings.append(("over_budget", {"eac": p.estimate_at_completion, "budget": t.budget_eur,
                                           "over": p.estimate_at_completion - t.budget_eur}))
    if ppd and t.dossiers and ppd > 1.05 * t.pages / t.dossiers:
        p.warnings.append(("thicker_dossiers", {"observed": ppd, "estimated": t.pages / t.dossiers}))
    return p


def _next_day(d: date) -> date:
    return d + timedelta(days=1)


def project_progress(store: Store, t: Targets, as_of: date | None = None) -> Progress:
    return compute_progress(t, daily_counts(store), as_of or date.today())
