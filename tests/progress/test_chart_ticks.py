"""The progress charts name their dates the reader's way: Dutch month names (jan, mrt, mei) by
default, English on request; by day and month on a short chart, by month and year on a long one."""

from collections import Counter
from datetime import date, timedelta

from digitalisering.progress.compute import compute_progress
from digitalisering.progress.report import burnup_figure, cost_figure, date_tick_format
from digitalisering.progress.targets import parse_targets


def _progress(end: date, pages: int = 10000, dossiers: int = 100):
    t = parse_targets({
        "project": {"name": "Ticks", "start": date(2026, 1, 5), "end": end},
        "estimate": {"dossiers": dossiers, "pages": pages, "large_format_sheets": 0},
        "budget": {"total_eur": 50000, "fixed_eur": 0, "per_a4_page_eur": 1, "per_large_format_sheet_eur": 1,
                   "per_dossier_preparation_eur": 1},
    })
    daily = {date(2026, 1, 5) + timedelta(days=i): Counter(pages=40, dossiers=1) for i in range(0, 40) if i % 7 < 5}
    return compute_progress(t, daily, date(2026, 2, 13))


def _labels(fig) -> list[str]:
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    import matplotlib.pyplot as plt

    plt.close(fig)
    return labels


def test_long_chart_ticks_in_dutch_month_names_and_english_on_request():
    p = _progress(date(2026, 12, 18))
    nl = _labels(burnup_figure(p, "nl"))
    assert nl and all(label.endswith("2026") or label.endswith("2027") for label in nl), nl
    assert {"mrt 2026", "mei 2026"} & set(nl) or {"okt 2026"} & set(nl), nl  # Dutch abbreviations
    assert not any(label.startswith(("Mar", "May", "Oct")) for label in nl), nl
    en = _labels(cost_figure(p, "en"))
    assert any(label.startswith(("Mar", "May", "Jul", "Sept", "Oct")) for label in en), en
    assert not any(label.startswith(("mrt", "mei", "okt")) for label in en), en


def test_short_chart_ticks_by_day_and_month():
    assert date_tick_format(date(2026, 1, 5), date(2026, 3, 1)) == "d MMM"
    assert date_tick_format(date(2026, 1, 5), date(2027, 3, 1)) == "MMM y"
    p = _progress(date(2026, 3, 6), pages=1200, dossiers=30)  # all done in the two months
    labels = _labels(burnup_figure(p, "nl"))
    assert any(label.split()[-1] in ("jan", "feb", "mrt") and label.split()[0].isdigit() for label in labels), labels
