"""Working-day arithmetic: the project's working weekdays minus its holidays."""

from __future__ import annotations

from datetime import date, timedelta

from digitalisering.progress.targets import Targets


def is_working_day(t: Targets, d: date) -> bool:
    return d.weekday() in t.working_days and d not in t.holidays


def working_days(t: Targets, first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 when last < first)."""
    if last < first:
        return 0
    n, d = 0, first
    while d <= last:
        n += is_working_day(t, d)
        d += timedelta(days=1)
    return n


FAR = 365 * 50
"""Further than this many days ahead a forecast is 'not in sight' (None)."""


def add_working_days(t: Targets, after: date, n: int) -> date | None:
    """The ``n``-th working day after ``after`` (``after`` itself when n <= 0); None when it lies
    more than 50 years ahead (at a near-zero rate)."""
    per_week = len(t.working_days)
    if per_week == 0 or n / per_week * 7 > FAR:
        return None
    d = after
    while n > 0:
        d += timedelta(days=1)
        n -= is_working_day(t, d)
    return d
