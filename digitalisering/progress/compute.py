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
  than planned show as an overrun as soon as they are observed;
- every forecast states its basis (finished dossiers, working days) and carries a 90 % interval:
  pages per dossier from the spread of the finished dossiers, the rate from the spread of the
  pages per working day (Student's t, as the basis is a sample). On a small basis (fewer than
  ``SMALL_DOSSIERS`` dossiers or ``SMALL_DAYS`` working days) the report gives only the interval, no
  point; with fewer than ``MIN_DOSSIERS`` dossiers the plan's totals are kept (no extrapolation).
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
SMALL_DOSSIERS = 30
SMALL_DAYS = 20
MIN_DOSSIERS = 3
CONFIDENCE = 0.90
MIN_SCAN_HOURS = 0.25
"""Below a quarter of an hour of observed scanning a rate per hour says nothing (a delivery copied
without its modification times shows seconds): the table then shows no rate."""
UNKNOWN_STATION = ""
"""The station of files ingested before stations were kept (shown as 'unknown')."""


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass
class Observations:
    """What the store holds, counted once: per day, the finished dossiers' sizes, per batch and operator."""

    daily: dict[date, Counter]
    dossiers: list[tuple[date, int]] = field(default_factory=list)
    """(day finished, pages) of every finished dossier (separator sheets not counted)."""
    by_batch: dict[str, Counter] = field(default_factory=dict)
    by_operator: dict[str, Counter] = field(default_factory=dict)
    """Pages done per operator of the run that did them (the run before the page finished)."""
    operator_batches: dict[str, set[str]] = field(default_factory=dict)
    by_station: dict[str, Counter] = field(default_factory=dict)
    """Per scanning station (of the page's file): 'pages' done, 'dossiers' finished (a dossier counts for
    the station most of its pages came from), 'failed', 'rescan' (rejected in QA), 'scanned' (pages
    of files with a known scan time) and 'seconds' (scanning time, see ``scan_seconds``)."""

    def pages_per_hour(self, station: str) -> float | None:
        """Pages the station scanned per hour of scanning; None when under ``MIN_SCAN_HOURS`` was seen."""
        c = self.by_station.get(station) or Counter()
        hours = c["seconds"] / 3600
        return c["scanned"] / hours if hours >= MIN_SCAN_HOURS else None


def _run_operators(store: Store, batch_id: int) -> list[tuple[str, str]]:
    """(start time, operator) of every run of the batch, in order: a page belongs to the run before it."""
    return [(e.at, e.who) for e in store.events(batch_id) if e.action == "run.start"]


def observe(store: Store) -> Observations:
    """Every batch's pages counted per day, per finished dossier, per batch and per operator."""
    import bisect

    days: dict[date, Counter] = {}
    obs = Observations(days)
    scans: dict[tuple[str, date], list[tuple[datetime, int]]] = {}
    for batch in store.batches():
        pages = store.pages(batch.id)
        files = {f.id: f for f in store.files(batch.id)}
        station_of = {fid: f.station or UNKNOWN_STATION for fid, f in files.items()}
        for f in files.values():
            obs.by_station.setdefault(station_of[f.id], Counter())
            if f.scanned_at and not f.error:
                written = datetime.fromisoformat(f.scanned_at)
                scans.setdefault((station_of[f.id], written.date()), []).append((written, f.page_count))
        runs = _run_operators(store, batch.id)
        starts = [at for at, _ in runs]
        per_batch = obs.by_batch.setdefault(batch.name, Counter())
        # the dossiers are the split's own (flags only: no text is read)
        views = [page_view(p, Path(), with_text=False) for p in pages]
        dossier_of = plan_batch(batch.layout, views).dossier_of()
        dossier_pages: dict[str, list] = {}
        separators: set[int] = set()
        for p in pages:
            record = PageResult.from_json(p.result)
            key = dossier_of.get(p.seq)
            if key is not None:
                dossier_pages.setdefault(key, []).append(p)
            per_batch[p.status] += 1
            station = obs.by_station.setdefault(station_of.get(p.file_id, UNKNOWN_STATION), Counter())
            if p.status in (PageStatus.FAILED, PageStatus.RESCAN):
                station[p.status] += 1
            elif p.status == PageStatus.DONE and not record.is_separator:
                station["pages"] += 1
            day = _day(p.finished_at)
            if day is None:
                continue
            if p.status == PageStatus.RESCAN:
                days.setdefault(day, Counter())["rejected"] += 1
                per_batch["rejected"] += 1
                continue
            if record.is_separator:
                separators.add(p.id)
            if p.status != PageStatus.DONE or record.is_separator:
                continue
            c = days.setdefault(day, Counter())
            c["pages"] += 1
            c["large_format"] += record.large_format
            c["blank"] += record.is_blank
            per_batch["pages"] += 1
            per_batch["large_format"] += record.large_format
            i = bisect.bisect_right(starts, p.finished_at) - 1
            who = runs[i][1] if i >= 0 else batch.created_by
            op = obs.by_operator.setdefault(who, Counter())
            op["pages"] += 1
            op["large_format"] += record.large_format
            obs.operator_batches.setdefault(who, set()).add(batch.name)
        for members in dossier_pages.values():
            if members and all(p.status == PageStatus.DONE for p in members):
                last = max(_day(p.finished_at) for p in members if p.finished_at)
                days.setdefault(last, Counter())["dossiers"] += 1
                obs.dossiers.append((last, sum(1 for p in members if p.id not in separators)))
                per_batch["dossiers"] += 1
                votes = Counter(station_of.get(p.file_id, UNKNOWN_STATION) for p in members)
                obs.by_station.setdefault(votes.most_common(1)[0][0], Counter())["dossiers"] += 1
    for (station, _day_), files in scans.items():
        # the scanning time of a day: from the first file the station wrote to the last; the pages
        # of a day with one file had no measurable time
        if len(files) > 1:
            times = [t for t, _n in files]
            obs.by_station[station]["seconds"] += (max(times) - min(times)).total_seconds()
            obs.by_station[station]["scanned"] += sum(n for _t, n in files)
    return obs


def _day(stamp: str | None) -> date | None:
    return datetime.fromisoformat(stamp).date() if stamp else None


def daily_counts(store: Store) -> dict[date, Counter]:
    """Per calendar day: dossiers, pages, large-format sheets, blank pages, rejected pages done."""
    return observe(store).daily


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
    """(kind, figures): 'late', 'may_be_late', 'over_budget', 'may_exceed_budget', 'thicker_dossiers',
    'no_forecast' (worded by the report)."""
    basis_dossiers: int = 0
    """Finished dossiers the forecast rests on."""
    basis_days: int = 0
    """Working days the rate rests on."""
    pages_per_dossier_range: Interval | None = None
    rate_range: Interval | None = None
    """Pages per working day, 90 % interval."""
    pages_range: Interval | None = None
    """Re-estimated page total, 90 % interval."""
    forecast_range: tuple[date | None, date | None] | None = None
    """(earliest, latest) end; latest None: not in sight at the slowest likely rate."""
    eac_range: Interval | None = None
    observations: Observations | None = None

    @property
    def small_basis(self) -> bool:
        return self.basis_dossiers < SMALL_DOSSIERS or self.basis_days < SMALL_DAYS

    @property
    def extrapolated(self) -> bool:
        """The totals are re-estimated from what was observed (enough finished dossiers)."""
        return self.basis_dossiers >= MIN_DOSSIERS

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


def _t_interval(values: list[float]) -> Interval | None:
    """The 90 % interval of the mean of ``values`` (Student's t); None for fewer than two values."""
    import statistics

    from scipy.stats import t as student_t

    n = len(values)
    if n < 2:
        return None
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    half = float(student_t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(max(0.0, mean - half), mean + half)


def compute_progress(t: Targets, daily: dict[date, Counter] | Observations, as_of: date) -> Progress:
    obs = daily if isinstance(daily, Observations) else Observations(daily)
    daily = obs.daily
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
    extrapolate = done["dossiers"] >= MIN_DOSSIERS
    re_pages = max(done["pages"], round(t.dossiers * ppd)) if ppd and extrapolate else t.pages
    re_large = (max(done["large_format"], round(re_pages * share)) if share is not None and extrapolate
                else t.large_format_sheets)
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
        basis_dossiers=done["dossiers"], basis_days=elapsed, observations=obs,
    )
    _ranges(p, obs)
    _warn(p)
    return p


def _ranges(p: Progress, obs: Observations) -> None:
    """The 90 % intervals of pages per dossier, the rate, the page total, the end and the cost."""
    t, done = p.targets, p.done
    sizes = [float(n) for day, n in obs.dossiers if day <= p.as_of]
    p.pages_per_dossier_range = _t_interval(sizes) if p.extrapolated else None
    per_day = []
    d = t.start
    while d <= min(p.as_of, t.end):
        if d.weekday() in t.working_days and d not in t.holidays:
            per_day.append(float((p.daily.get(d) or Counter())["pages"]))
        d += timedelta(days=1)
    p.rate_range = _t_interval(per_day)
    if p.pages_per_dossier_range:
        lo, hi = (max(done["pages"], round(t.dossiers * x)) for x in (p.pages_per_dossier_range.low,
                                                                        p.pages_per_dossier_range.high))
        p.pages_range = Interval(lo, hi)
        share = p.large_share or 0.0
        p.eac_range = Interval(cost(t, lo, max(done["large_format"], round(lo * share)), t.dossiers),
                               cost(t, hi, max(done["large_format"], round(hi * share)), t.dossiers))
    if p.rate_range and p.rate_range.high > 0:
        pages = p.pages_range or Interval(p.reestimated["pages"], p.reestimated["pages"])
        earliest = add_working_days(t, p.as_of, math.ceil(max(0, pages.low - done["pages"]) / p.rate_range.high))
        latest = (add_working_days(t, p.as_of, math.ceil(max(0, pages.high - done["pages"]) / p.rate_range.low))
                  if p.rate_range.low > 0 else None)
        p.forecast_range = (earliest, latest)


def _warn(p: Progress) -> None:
    """Warnings, certain ones (the whole interval beyond the line) apart from possible ones."""
    t = p.targets
    earliest, latest = p.forecast_range or (p.forecast_end, p.forecast_end)
    if earliest and earliest > t.end:
        p.warnings.append(("late", {"forecast": earliest, "end": t.end,
                                    "days": working_days(t, _next_day(t.end), earliest)}))
    elif (latest is None and earliest) or (latest and latest > t.end):
        p.warnings.append(("may_be_late", {"end": t.end, "latest": latest}))
    elif p.forecast_end is None and p.done["pages"] < p.reestimated["pages"]:
        p.warnings.append(("no_forecast", {"rate": p.rate["pages"], "needed": p.required["pages"]}))
    if p.extrapolated:
        low = p.eac_range.low if p.eac_range else p.estimate_at_completion
        high = p.eac_range.high if p.eac_range else p.estimate_at_completion
        if low > t.budget_eur:
            p.warnings.append(("over_budget", {"eac": low, "budget": t.budget_eur, "over": low - t.budget_eur}))
        elif high > t.budget_eur:
            p.warnings.append(("may_exceed_budget", {"eac": high, "budget": t.budget_eur}))
    ppd = p.pages_per_dossier
    if ppd and t.dossiers and p.extrapolated and ppd > 1.05 * t.pages / t.dossiers:
        p.warnings.append(("thicker_dossiers", {"observed": ppd, "estimated": t.pages / t.dossiers}))


def _next_day(d: date) -> date:
    return d + timedelta(days=1)


def project_progress(store: Store, t: Targets, as_of: date | None = None) -> Progress:
    return compute_progress(t, observe(store), as_of or date.today())
