"""Forecasts say what they rest on, give a range on a small basis and a figure with its range on a
large one; weeks without production are listed; the page shows the basis and the breakdowns."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date, timedelta

from digitalisering.progress.compute import Observations, compute_progress
from digitalisering.progress.report import html_page, progress_json, terminal_table, write_csv
from digitalisering.progress.targets import parse_targets

TARGETS = {
    "project": {"name": "Proef", "start": date(2026, 1, 5), "end": date(2026, 12, 18),
                "working_days": ["mon", "tue", "wed", "thu", "fri"]},
    "estimate": {"dossiers": 2000, "pages": 20000, "large_format_sheets": 1000},
    "budget": {"total_eur": 60000, "fixed_eur": 5000, "per_a4_page_eur": 2, "per_large_format_sheet_eur": 5,
               "per_dossier_preparation_eur": 1},
}


def _observations(working_days: int, skip_week: int | None = None) -> Observations:
    """Two dossiers a working day of 9 and 11 pages (one large format each); no work in ``skip_week``."""
    daily, dossiers = {}, []
    d, n = date(2026, 1, 5), 0
    while n < working_days:
        if d.weekday() < 5:
            n += 1
            if d.isocalendar()[1] != skip_week:
                daily[d] = Counter(pages=20, dossiers=2, large_format=2)
                dossiers += [(d, 9), (d, 11)]
        d += timedelta(days=1)
    return Observations(daily, dossiers, by_batch={"levering-1": Counter(pages=20 * n, dossiers=2 * n)},
                        by_operator={"ann": Counter(pages=20 * n)}, operator_batches={"ann": {"levering-1"}})


def test_a_small_basis_gives_ranges_and_says_so():
    t = parse_targets(TARGETS)
    p = compute_progress(t, _observations(5), date(2026, 1, 9))
    assert p.small_basis and (p.basis_dossiers, p.basis_days) == (10, 5)
    table = terminal_table(p, "nl")
    assert "Prognose op basis van 10 afgeronde dossiers en 5 werkdagen; een kleine basis" in table
    assert "prognose einddatum: tussen " in table and "verwachte kosten bij voltooiing: tussen € " in table
    data = progress_json(p)
    assert data["basis"] == {"dossiers": 10, "working_days": 5, "small": True, "extrapolated": True,
                             "confidence": 0.9}
    assert data["pages_range"]["low"] < 20000 < data["pages_range"]["high"]


def test_a_large_basis_gives_a_figure_with_its_range():
    t = parse_targets(TARGETS)
    p = compute_progress(t, _observations(40), date(2026, 2, 27))
    assert not p.small_basis and p.basis_dossiers == 80
    table = terminal_table(p, "en")
    assert "Forecast based on 80 finished dossiers and 40 working days; ranges are 90% likely." in table
    assert "between" not in table and "estimate at completion: €" in table and " – €" in table
    assert p.pages_range.low <= p.reestimated["pages"] <= p.pages_range.high


def test_too_few_dossiers_keep_the_plan_and_no_cost_forecast_is_claimed():
    t = parse_targets(TARGETS)
    obs = Observations({date(2026, 1, 5): Counter(pages=30, dossiers=1)}, [(date(2026, 1, 5), 30)])
    p = compute_progress(t, obs, date(2026, 1, 5))
    assert not p.extrapolated and p.reestimated["pages"] == 20000
    assert not any(kind in ("over_budget", "may_exceed_budget", "thicker_dossiers") for kind, _ in p.warnings)
    assert "by the plan (no forecast yet: 1 finished dossier)" in terminal_table(p, "en")


def test_weeks_without_production_are_listed_and_the_page_shows_basis_and_breakdowns():
    t = parse_targets(TARGETS)
    p = compute_progress(t, _observations(25, skip_week=3), date(2026, 2, 6))
    weeks = dict(p.weekly())
    assert list(weeks) == [f"2026-W{w:02d}" for w in range(2, 7)]
    assert weeks["2026-W03"]["pages"] == 0 and weeks["2026-W04"]["pages"] == 100
    buf = io.StringIO()
    write_csv(p, buf)
    assert "2026-W03;0;0;0;0;0;" in buf.getvalue()
    page = html_page(p, "nl")
    assert 'id="basis"' in page and "Prognose op basis van 40 afgeronde dossiers" in page
    assert 'id="batches"' in page and "levering-1" in page and 'id="operators"' in page and "ann" in page
    text = re.sub(r'base64,[^"]+', "", page)  # the charts' bytes
    assert "tr class='idle'" in text and "€ 60.000" in text and "EUR" not in text
