"""Progress as a terminal table, a CSV per week, and a self-contained HTML page in the reader's
language (Dutch by default: 60.000 pagina's, € 150.052, 7 december 2026) with two charts a project
lead reads at a glance, drawn with matplotlib:

- burn-up: the plan, what was done, the forecast as a band (the 90 % interval of the rate and the
  page total), today and the end date, each labelled;
- cost: the budget, the cost so far, the estimate at completion as a band; the axis starts at 0 and
  is written in euros (no ``1e6`` offset).

Every forecast says what it rests on (finished dossiers, working days); on a small basis only the
interval is given, not a point (``compute.SMALL_DOSSIERS``, ``compute.SMALL_DAYS``).
"""

from __future__ import annotations

import base64
import html
import io
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")  # no display: render to files
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.dates import AutoDateLocator, num2date  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from digitalisering.csvtext import csv_text  # noqa: E402
from digitalisering.i18n import _, locale, localised, long_date, money, ngettext, number  # noqa: E402
from digitalisering.progress.compute import (  # noqa: E402
    CONFIDENCE, KINDS, MIN_DOSSIERS, SMALL_DAYS, SMALL_DOSSIERS, Progress, cost,
)
from digitalisering.progress.workdays import is_working_day  # noqa: E402


def labels(lang: str) -> dict[str, str]:
    """The page's and the table's words in ``lang`` (looked up once, outside the f-strings)."""
    return {
        'Cost (cumulative)': _('Cost (cumulative)', lang),
        'Pages counted for the operator of the run that processed them.': _('Pages counted for the operator of the run that processed them.', lang),
        'Pages scanned (cumulative)': _('Pages scanned (cumulative)', lang),
        'Per batch': _('Per batch', lang),
        'Per month': _('Per month', lang),
        'Per operator': _('Per operator', lang),
        'Per week': _('Per week', lang),
        'WARNING': _('WARNING', lang),
        'Warnings': _('Warnings', lang),
        'Weeks without production are listed too (greyed).': _('Weeks without production are listed too (greyed).', lang),
        'as of': _('as of', lang),
        'batch': _('batch', lang),
        'batches': _('batches', lang),
        'budget': _('budget', lang),
        'cost to date': _('cost to date', lang),
        'end date': _('end date', lang),
        'estimate at completion': _('estimate at completion', lang),
        'failed': _('failed', lang),
        'forecast end date': _('forecast end date', lang),
        'month': _('month', lang),
        'none': _('none', lang),
        'operator': _('operator', lang),
        'pages per dossier (observed)': _('pages per dossier (observed)', lang),
        'pending': _('pending', lang),
        'week': _('week', lang),
        'working days elapsed / remaining': _('working days elapsed / remaining', lang),
    }


def kind_label(kind: str, lang: str) -> str:
    return {"dossiers": _("dossiers", lang), "pages": _("pages", lang), "large_format": _("large formats", lang),
            "blank": _("blank pages", lang), "rejected": _("rejected / rescan", lang)}[kind]


def warning_text(warning: tuple[str, dict], lang: str = "nl") -> str:
    kind, f = warning
    if kind == "late":
        return _("Late: even at the fastest likely rate the work ends on {forecast}, {days} working days after the "
                 "end date {end}.", lang, forecast=long_date(f["forecast"], lang), days=number(f["days"], lang=lang),
                 end=long_date(f["end"], lang))
    if kind == "may_be_late":
        return _("Possibly late: at the slowest likely rate the work ends {latest}, after the end date {end}.", lang,
                 latest=(long_date(f["latest"], lang) if f["latest"] else _("not in sight", lang)),
                 end=long_date(f["end"], lang))
    if kind == "over_budget":
        return _("Over budget: even the lowest likely estimate at completion, {eac}, is {over} over the budget of "
                 "{budget}.", lang, eac=money(f["eac"], lang), over=money(f["over"], lang),
                 budget=money(f["budget"], lang))
    if kind == "may_exceed_budget":
        return _("Possibly over budget: the estimate at completion may reach {eac} (budget {budget}).", lang,
                 eac=money(f["eac"], lang), budget=money(f["budget"], lang))
    if kind == "thicker_dossiers":
        return _("Thicker dossiers: {observed} pages per dossier observed against {estimated} estimated.", lang,
                 observed=number(f["observed"], 1, lang), estimated=number(f["estimated"], 1, lang))
    return _("No end in sight: {rate} pages per working day, {needed} needed.", lang,
             rate=number(f["rate"], 1, lang), needed=number(f["needed"], 1, lang))


def basis_text(p: Progress, lang: str = "nl") -> str:
    """What the forecasts rest on, in words."""
    text = _("Forecast based on {dossiers} finished dossiers and {days} working days", lang,
             dossiers=number(p.basis_dossiers, lang=lang), days=number(p.basis_days, lang=lang))
    if not p.extrapolated:
        return text + "; " + _("too few dossiers to re-estimate the totals (at least {n}): the plan's totals are "
                               "used.", lang, n=MIN_DOSSIERS)
    if p.small_basis:
        return text + "; " + _("a small basis (fewer than {dossiers} dossiers or {days} working days): ranges "
                               "({pct} likely), no single figure.", lang, dossiers=SMALL_DOSSIERS, days=SMALL_DAYS,
                               pct=f"{localised(CONFIDENCE, lang):.0%}")
    return text + "; " + _("ranges are {pct} likely.", lang, pct=f"{localised(CONFIDENCE, lang):.0%}")


def _range(p: Progress, point: str, low: str | None, high: str | None, lang: str) -> str:
    """'between A and B' on a small basis, 'X (A – B)' otherwise; the point alone without a range."""
    if low is None or high is None:
        return point
    if p.small_basis:
        return _("between {low} and {high}", lang, low=low, high=high)
    return f"{point} ({low} – {high})"


def L_not_in_sight(lang: str) -> str:
    return _("not in sight", lang)


def forecast_end_text(p: Progress, lang: str) -> str:
    if p.forecast_end is None and not p.forecast_range:
        return _("none: no pages done yet", lang) if not p.done["pages"] else _("not in sight", lang)
    if p.forecast_range and p.forecast_range[0] is None:
        return L_not_in_sight(lang)
    if p.forecast_range:
        earliest, latest = p.forecast_range
        return _range(p, long_date(p.forecast_end, lang) if p.forecast_end else L_not_in_sight(lang),
                      long_date(earliest, lang),
                      long_date(latest, lang) if latest else _("not in sight", lang), lang)
    return long_date(p.forecast_end, lang)


def eac_text(p: Progress, lang: str) -> str:
    if not p.extrapolated:
        return ngettext("{plan} by the plan (no forecast yet: {n} finished dossier)",
                        "{plan} by the plan (no forecast yet: {n} finished dossiers)", p.basis_dossiers, lang,
                        plan=money(p.estimate_at_completion, lang))
    r = p.eac_range
    return _range(p, money(p.estimate_at_completion, lang), money(r.low, lang) if r else None,
                  money(r.high, lang) if r else None, lang)


def pages_total_text(p: Progress, lang: str) -> str:
    r = p.pages_range
    return _range(p, number(p.reestimated["pages"], lang=lang), number(r.low, lang=lang) if r else None,
                  number(r.high, lang=lang) if r else None, lang)


def summary_rows(p: Progress, lang: str = "nl") -> list[tuple[str, ...]]:
    t = p.targets
    estimate = {"dossiers": t.dossiers, "pages": t.pages, "large_format": t.large_format_sheets}
    rows = []
    for k in ("dossiers", "pages", "large_format"):
        re_total = pages_total_text(p, lang) if k == "pages" else number(p.reestimated[k], lang=lang)
        rows.append((kind_label(k, lang), number(p.done[k], lang=lang), number(estimate[k], lang=lang),
                     number(p.percent[k], 1, lang), number(p.rate[k], 1, lang), number(p.required[k], 1, lang),
                     re_total))
    return rows


STATION_COLUMNS = ("station", "pages", "dossiers", "pages_per_hour", "failed", "rescan")
"""Columns of the per-station CSV (the same in every language: scripts read them)."""


def station_table(p: Progress, lang: str = "nl") -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of the table per scanning station: pages done, dossiers finished, pages per
    hour of scanning (from the files' modification times; '–' under a quarter of an hour), pages
    failed and pages rejected for rescan."""
    obs = p.observations
    head = (_("scanning station", lang), kind_label("pages", lang), kind_label("dossiers", lang),
            _("pages per hour", lang), _("failed", lang), _("rescan", lang))
    rows = []
    for name, c in sorted((obs.by_station if obs else {}).items()):
        rate = obs.pages_per_hour(name)
        rows.append((name or _("unknown", lang), number(c["pages"], lang=lang), number(c["dossiers"], lang=lang),
                     number(rate, 0, lang) if rate is not None else "–", number(c["failed"], lang=lang),
                     number(c["rescan"], lang=lang)))
    return head, rows


def station_json(p: Progress) -> dict:
    obs = p.observations
    out = {}
    for name, c in sorted((obs.by_station if obs else {}).items()):
        rate = obs.pages_per_hour(name)
        out[name or "unknown"] = {"pages": c["pages"], "dossiers": c["dossiers"],
                                  "pages_per_hour": round(rate, 1) if rate is not None else None,
                                  "scan_hours": round(c["seconds"] / 3600, 2), "failed": c["failed"],
                                  "rescan": c["rescan"]}
    return out


def write_station_csv(p: Progress, stream: io.TextIOBase) -> None:
    """One row per scanning station (column names the same in every language)."""
    stations = station_json(p)
    stream.write(csv_text(list(STATION_COLUMNS), [
        [name, c["pages"], c["dossiers"], c["pages_per_hour"] if c["pages_per_hour"] is not None else "",
         c["failed"], c["rescan"]] for name, c in stations.items()]))


def _text_table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]


def _head(lang: str) -> tuple[str, ...]:
    return ("", _("done", lang), _("target", lang), _("% of target", lang), _("rate per working day", lang),
            _("needed per working day", lang), _("re-estimated total", lang))


def terminal_table(p: Progress, lang: str = "nl") -> str:
    L = labels(lang)
    head = _head(lang)
    rows = [head, *summary_rows(p, lang)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    t = p.targets
    lines += [
        "",
        f"{L['as of']}: {long_date(p.as_of, lang)}   {L['working days elapsed / remaining']}: "
        f"{number(p.elapsed_days, lang=lang)} / {number(p.remaining_days, lang=lang)}",
        f"{kind_label('blank', lang)}: {number(p.done['blank'], lang=lang)}   {kind_label('rejected', lang)}: "
        f"{number(p.done['rejected'], lang=lang)}   {L['pages per dossier (observed)']}: "
        f"{number(p.pages_per_dossier, 1, lang) if p.pages_per_dossier else '–'}",
        basis_text(p, lang),
        f"{L['forecast end date']}: {forecast_end_text(p, lang)}   {L['end date']}: "
        f"{long_date(t.end, lang)}",
        f"{L['cost to date']}: {money(p.cost_to_date, lang)}   {L['estimate at completion']}: "
        f"{eac_text(p, lang)}   {L['budget']}: {money(t.budget_eur, lang)}",
    ]
    for w in p.warnings:
        lines.append(f"{L['WARNING']}: {warning_text(w, lang)}")
    head, rows = station_table(p, lang)
    if rows:
        lines += ["", _("Per scanning station", lang), *_text_table([head, *rows])]
    return "\n".join(lines)


def progress_json(p: Progress) -> dict:
    """The figures of ``progress --json``: what the table and the page show, as numbers."""
    t = p.targets
    obs = p.observations

    def rng(r):
        return {"low": r.low, "high": r.high} if r else None

    return {
        "project": t.name, "as_of": p.as_of.isoformat(), "start": t.start.isoformat(), "end": t.end.isoformat(),
        "working_days": {"total": p.total_days, "elapsed": p.elapsed_days, "remaining": p.remaining_days},
        "done": {k: p.done[k] for k in KINDS},
        "estimate": {"dossiers": t.dossiers, "pages": t.pages, "large_format": t.large_format_sheets},
        "percent": p.percent, "rate_per_working_day": p.rate, "required_per_working_day": p.required,
        "basis": {"dossiers": p.basis_dossiers, "working_days": p.basis_days, "small": p.small_basis,
                  "extrapolated": p.extrapolated, "confidence": CONFIDENCE},
        "pages_per_dossier": p.pages_per_dossier, "pages_per_dossier_range": rng(p.pages_per_dossier_range),
        "rate_range": rng(p.rate_range), "large_format_share": p.large_share,
        "reestimated": p.reestimated, "pages_range": rng(p.pages_range),
        "forecast_end": p.forecast_end.isoformat() if p.forecast_end else None,
        "forecast_range": ([d.isoformat() if d else None for d in p.forecast_range] if p.forecast_range else None),
        "cost_to_date_eur": round(p.cost_to_date, 2),
        "estimate_at_completion_eur": round(p.estimate_at_completion, 2), "eac_range_eur": rng(p.eac_range),
        "budget_eur": t.budget_eur,
        "warnings": [{"kind": kind, **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in f.items()}}
                     for kind, f in p.warnings],
        "weeks": [{"week": key, **{k: c[k] for k in KINDS}} for key, c in p.weekly()],
        "batches": {name: dict(c) for name, c in (obs.by_batch if obs else {}).items()},
        "operators": {name: dict(c) for name, c in (obs.by_operator if obs else {}).items()},
        "stations": station_json(p),
    }


def write_csv(p: Progress, stream: io.TextIOBase, period: str = "week", lang: str = "nl") -> None:
    """One row per week (or month), weeks without production included: the counts done in it and
    cumulative pages and cost. Column names stay the same in every language (scripts read them)."""
    rows = p.weekly() if period == "week" else p.monthly()
    total = {"pages": 0, "large_format": 0, "dossiers": 0}
    lines = []
    for key, c in rows:
        for k in total:
            total[k] += c[k]
        lines.append([key, *(c[k] for k in KINDS), total["pages"],
                      round(cost(p.targets, total["pages"], total["large_format"], total["dossiers"]), 2)])
    stream.write(csv_text([period, *KINDS, "pages_cumulative", "cost_cumulative_eur"], lines))


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


CHART_YEARS_AFTER_END = 3


def _chart_end(p: Progress) -> date:
    t = p.targets
    far = t.end + timedelta(days=365 * CHART_YEARS_AFTER_END)
    latest = p.forecast_range[1] if p.forecast_range and p.forecast_range[1] else p.forecast_end
    return min(max(t.end, latest or t.end, p.as_of), far)


def _series(p: Progress):
    t = p.targets
    last = _chart_end(p)
    days = [t.start + timedelta(days=i) for i in range((last - t.start).days + 1)]
    planned, elapsed = [], 0
    for d in days:
        elapsed += d <= t.end and is_working_day(t, d)
        planned.append(t.pages * elapsed / max(1, p.total_days))
    actual_days = [d for d in days if d <= p.as_of]
    actual, costs = [], []
    run = {"pages": 0, "large_format": 0, "dossiers": 0}
    for d in actual_days:
        c = p.daily.get(d)
        if c:
            for k in run:
                run[k] += c[k]
        actual.append(run["pages"])
        costs.append(cost(t, run["pages"], run["large_format"], run["dossiers"]))
    return days, planned, actual_days, actual, costs


def _dates_axis(ax, p: Progress, lang: str) -> None:
    """Today and the end date as vertical lines, labelled above the plot (never under the legend)."""
    t = p.targets
    where = ax.get_xaxis_transform()  # x in dates, y in axes fractions
    ax.axvline(p.as_of, color="#444444", linewidth=1)
    ax.text(p.as_of, 1.01, _("today", lang), transform=where, fontsize=8, color="#444444", ha="right", va="bottom")
    ax.axvline(t.end, color="#b00020", linewidth=1.2)
    ax.text(t.end, 1.01, _("end date {date}", lang, date=long_date(t.end, lang)), transform=where, fontsize=8,
            color="#b00020", ha="left", va="bottom")


DAY_TICKS_UNDER_DAYS = 120
"""A chart spanning fewer days names its ticks by day and month (7 mrt), a longer one by month and
year (mrt 2026)."""


def date_tick_format(first: date, last: date) -> str:
    """The CLDR pattern of the date ticks of a chart from ``first`` to ``last``."""
    return "d MMM" if (last - first).days < DAY_TICKS_UNDER_DAYS else "MMM y"


def date_ticks(ax, first: date, last: date, lang: str) -> None:
    """The x axis's dates in the reader's language (Dutch: jan 2026, mrt 2026; English: Jan 2026),
    through Babel's CLDR month names rather than the C locale's."""
    from babel.dates import format_date

    pattern = date_tick_format(first, last)
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=10))
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: format_date(num2date(v).date(), pattern, locale=locale(lang))))


def _finish_chart(fig, ax, title: str):
    ax.set_title(title, pad=16)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate()
    return fig


def burnup_chart(p: Progress, lang: str = "nl") -> str:
    """The burn-up chart as a base64 PNG."""
    return _png(burnup_figure(p, lang))


def cost_chart(p: Progress, lang: str = "nl") -> str:
    """The cost chart as a base64 PNG."""
    return _png(cost_figure(p, lang))


def burnup_figure(p: Progress, lang: str = "nl"):
    t = p.targets
    days, planned, actual_days, actual, _costs = _series(p)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v, 0, lang)))
    ax.plot(days, planned, color="#888888", linestyle="--",
            label=ngettext("plan ({n} page by the end date)", "plan ({n} pages by the end date)", t.pages, lang))
    if actual_days:
        ax.plot(actual_days, actual, color="#1f5fa8", linewidth=2.2,
                label=ngettext("done ({n} page)", "done ({n} pages)", actual[-1], lang))
    end = _chart_end(p)
    if actual and p.rate_range and p.rate_range.high > 0:
        low_total = p.pages_range.low if p.pages_range else p.reestimated["pages"]
        high_total = p.pages_range.high if p.pages_range else p.reestimated["pages"]
        span = [p.as_of + timedelta(days=i) for i in range((end - p.as_of).days + 1)]
        wd, fast, slow = 0, [], []
        for d in span:
            wd += d > p.as_of and is_working_day(t, d)
            fast.append(min(high_total, actual[-1] + p.rate_range.high * wd))
            slow.append(min(low_total, actual[-1] + p.rate_range.low * wd))
        ax.fill_between(span, slow, fast, color="#d9822b", alpha=0.25,
                        label=_("forecast, {pct} likely", lang, pct=f"{localised(CONFIDENCE, lang):.0%}"))
        if not p.small_basis and p.forecast_end and p.forecast_end <= end:
            ax.plot([p.as_of, p.forecast_end], [actual[-1], p.reestimated["pages"]], color="#d9822b", linestyle=":",
                    linewidth=2, label=ngettext("forecast ({n} page)", "forecast ({n} pages)", p.reestimated["pages"], lang))
    ax.set_xlim(t.start, end + timedelta(days=7))
    ax.set_ylim(bottom=0)
    date_ticks(ax, t.start, end, lang)
    _dates_axis(ax, p, lang)
    ax.set_ylabel(_("pages", lang))
    return _finish_chart(fig, ax, _("Pages scanned (cumulative)", lang))


def cost_figure(p: Progress, lang: str = "nl"):
    t = p.targets
    _days, _planned, actual_days, _actual, costs = _series(p)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: money(v, lang)))
    end = _chart_end(p)
    ax.axhline(t.budget_eur, color="#b00020", linewidth=1.2, linestyle="--",
               label=_("budget {amount}", lang, amount=money(t.budget_eur, lang)))
    if actual_days:
        ax.plot(actual_days, costs, color="#1f5fa8", linewidth=2.2,
                label=_("cost to date {amount}", lang, amount=money(costs[-1], lang)))
    if actual_days and p.extrapolated:
        if p.eac_range:
            ax.fill_between([p.as_of, end], [costs[-1], p.eac_range.low], [costs[-1], p.eac_range.high],
                            color="#d9822b", alpha=0.25,
                            label=_("estimate at completion {low} – {high}", lang, low=money(p.eac_range.low, lang),
                                    high=money(p.eac_range.high, lang)))
        if not p.small_basis or not p.eac_range:
            ax.plot([p.as_of, end], [costs[-1], p.estimate_at_completion], color="#d9822b", linestyle=":",
                    linewidth=2, label=_("estimate at completion {amount}", lang,
                                         amount=money(p.estimate_at_completion, lang)))
    ax.set_xlim(t.start, end + timedelta(days=7))
    top = max([t.budget_eur, *(costs or [0]), *((p.eac_range.high,) if p.eac_range else ())]) * 1.1
    ax.set_ylim(0, top)
    date_ticks(ax, t.start, end, lang)
    _dates_axis(ax, p, lang)
    return _finish_chart(fig, ax, _("Cost (cumulative)", lang))


def html_page(p: Progress, lang: str = "nl") -> str:
    L = labels(lang)
    t = p.targets
    e = html.escape
    head = _head(lang)
    table = "<tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>" + "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in summary_rows(p, lang))

    def period_table(rows, label):
        h = "<tr>" + f"<th>{e(label)}</th>" + "".join(f"<th>{e(kind_label(k, lang))}</th>" for k in KINDS) + "</tr>"
        body = "".join(f"<tr class='{'idle' if not any(c[k] for k in KINDS) else ''}'><td>{e(key)}</td>"
                       + "".join(f"<td>{number(c[k], lang=lang)}</td>" for k in KINDS) + "</tr>" for key, c in rows)
        return f"<table>{h}{body}</table>"

    obs = p.observations
    batch_rows = "".join(
        f"<tr><td>{e(name)}</td><td>{number(c['dossiers'], lang=lang)}</td><td>{number(c['pages'], lang=lang)}</td>"
        f"<td>{number(c['large_format'], lang=lang)}</td><td>{number(c['failed'], lang=lang)}</td>"
        f"<td>{number(c['pending'], lang=lang)}</td><td>{number(c['rejected'], lang=lang)}</td></tr>"
        for name, c in (obs.by_batch.items() if obs else []))
    operator_rows = "".join(
        f"<tr><td>{e(name)}</td><td>{number(c['pages'], lang=lang)}</td><td>{number(c['large_format'], lang=lang)}</td>"
        f"<td>{e(', '.join(sorted(obs.operator_batches.get(name, ()))))}</td></tr>"
        for name, c in (sorted(obs.by_operator.items()) if obs else []))
    s_head, s_rows = station_table(p, lang)
    station_html = ("<table id='stations'><tr>" + "".join(f"<th>{e(h)}</th>" for h in s_head) + "</tr>"
                    + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in s_rows)
                    + "</table>")
    station_note = _("Pages per hour: from the first to the last file a station wrote on a day (the files' "
                     "modification times); pages of a failed file count as failed.", lang)
    warnings = "".join(f"<li class='{w[0]}'>{e(warning_text(w, lang))}</li>" for w in p.warnings) or \
        f"<li>{e(L['none'])}</li>"
    status = "warning" if p.warnings else "ok"
    title = _("Progress", lang)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(title)}: {e(t.name)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; max-width: 1050px; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
tr.idle td {{ color: #999; }}
.warnings {{ background: #fff3e0; border-left: 4px solid #d9822b; padding: 0.5em 1em; }}
.ok {{ background: #e8f5e9; border-left-color: #2e7d32; }}
.basis {{ background: #eef3fa; border-left: 4px solid #1f5fa8; padding: 0.5em 1em; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }}
img {{ max-width: 100%; }}
</style></head>
<body>
<h1>{e(title)}: {e(t.name)}</h1>
<p>{e(L['as of'])} {e(long_date(p.as_of, lang))}</p>
<div class="warnings {'' if p.warnings else 'ok'}" id="status" data-status="{status}"><strong>{e(L['Warnings'])}</strong>
<ul>{warnings}</ul></div>
<p class="basis" id="basis">{e(basis_text(p, lang))}</p>
<table id="summary">{table}</table>
<dl>
<dt>{e(L['working days elapsed / remaining'])}</dt><dd>{number(p.elapsed_days, lang=lang)} / {number(p.remaining_days, lang=lang)}</dd>
<dt>{e(L['pages per dossier (observed)'])}</dt><dd>{number(p.pages_per_dossier, 1, lang) if p.pages_per_dossier else "–"}</dd>
<dt>{e(kind_label('blank', lang))}</dt><dd>{number(p.done['blank'], lang=lang)}</dd>
<dt>{e(kind_label('rejected', lang))}</dt><dd>{number(p.done['rejected'], lang=lang)}</dd>
<dt>{e(L['forecast end date'])}</dt><dd id="forecast-end">{e(forecast_end_text(p, lang))} ({e(L['end date'])} {e(long_date(t.end, lang))})</dd>
<dt>{e(L['cost to date'])}</dt><dd>{e(money(p.cost_to_date, lang))}</dd>
<dt>{e(L['estimate at completion'])}</dt><dd id="eac">{e(eac_text(p, lang))} ({e(L['budget'])} {e(money(t.budget_eur, lang))})</dd>
</dl>
<h2>{e(L['Pages scanned (cumulative)'])}</h2>
<img alt="{e(L['Pages scanned (cumulative)'])}" src="data:image/png;base64,{burnup_chart(p, lang)}">
<h2>{e(L['Cost (cumulative)'])}</h2>
<img alt="{e(L['Cost (cumulative)'])}" src="data:image/png;base64,{cost_chart(p, lang)}">
<h2>{e(L['Per batch'])}</h2>
<table id="batches"><tr><th>{e(L['batch'])}</th><th>{e(kind_label('dossiers', lang))}</th><th>{e(kind_label('pages', lang))}</th><th>{e(kind_label('large_format', lang))}</th><th>{e(L['failed'])}</th><th>{e(L['pending'])}</th><th>{e(kind_label('rejected', lang))}</th></tr>{batch_rows}</table>
<h2>{e(L['Per operator'])}</h2>
<p>{e(L['Pages counted for the operator of the run that processed them.'])}</p>
<table id="operators"><tr><th>{e(L['operator'])}</th><th>{e(kind_label('pages', lang))}</th><th>{e(kind_label('large_format', lang))}</th><th>{e(L['batches'])}</th></tr>{operator_rows}</table>
<h2>{e(_('Per scanning station', lang))}</h2>
<p>{e(station_note)}</p>
{station_html}
<h2>{e(L['Per week'])}</h2>
<p>{e(L['Weeks without production are listed too (greyed).'])}</p>
{period_table(p.weekly(), L['week'])}
<h2>{e(L['Per month'])}</h2>
{period_table(p.monthly(), L['month'])}
</body></html>
"""
