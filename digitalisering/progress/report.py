"""Progress as a terminal table, a CSV per week, and a self-contained HTML page (Dutch by default)
with a burn-up chart (planned, actual, forecast) and a cost chart, drawn with matplotlib."""

from __future__ import annotations

import base64
import html
import io
from datetime import timedelta

import matplotlib

matplotlib.use("Agg")  # no display: render to files
import matplotlib.pyplot as plt  # noqa: E402

from digitalisering.csvtext import csv_text
from digitalisering.progress.compute import KINDS, Progress, cost  # noqa: E402
from digitalisering.progress.workdays import is_working_day  # noqa: E402

LABELS = {
    "nl": {"dossiers": "dossiers", "pages": "pagina's", "large_format": "grote formaten", "blank": "blanco pagina's",
           "rejected": "afgekeurd / herscan", "title": "Voortgang", "done": "gereed", "target": "doel",
           "percent": "% van doel", "rate": "tempo per werkdag", "required": "nodig per werkdag",
           "reestimate": "herschat totaal", "as_of": "stand per", "forecast_end": "prognose einddatum",
           "end": "einddatum", "cost": "kosten tot nu", "eac": "verwachte kosten bij voltooiing",
           "budget": "budget", "week": "week", "month": "maand", "planned": "gepland", "actual": "gerealiseerd",
           "forecast": "prognose", "burnup": "Pagina's gescand (cumulatief)", "costs": "Kosten (cumulatief, EUR)",
           "workdays": "werkdagen verstreken / resterend", "per_dossier": "pagina's per dossier (waargenomen)",
           "warnings": "Waarschuwingen", "per_week": "Per week", "per_month": "Per maand", "none": "geen"},
    "en": {"dossiers": "dossiers", "pages": "pages", "large_format": "large formats", "blank": "blank pages",
           "rejected": "rejected / rescan", "title": "Progress", "done": "done", "target": "target",
           "percent": "% of target", "rate": "rate per working day", "required": "needed per working day",
           "reestimate": "re-estimated total", "as_of": "as of", "forecast_end": "forecast end date",
           "end": "end date", "cost": "cost to date", "eac": "estimate at completion", "budget": "budget",
           "week": "week", "month": "month", "planned": "planned", "actual": "actual", "forecast": "forecast",
           "burnup": "Pages scanned (cumulative)", "costs": "Cost (cumulative, EUR)",
           "workdays": "working days elapsed / remaining", "per_dossier": "pages per dossier (observed)",
           "warnings": "Warnings", "per_week": "Per week", "per_month": "Per month", "none": "none"},
}


WARNINGS = {
    "nl": {"late": "Te laat: bij het huidige tempo is het werk klaar op {forecast}, {days} werkdagen na de "
                   "einddatum {end}.",
           "over_budget": "Budgetoverschrijding: de verwachte kosten bij voltooiing zijn EUR {eac:,.0f}, "
                          "EUR {over:,.0f} boven het budget van EUR {budget:,.0f}.",
           "thicker_dossiers": "Dikkere dossiers: {observed:.1f} pagina's per dossier waargenomen tegen "
                               "{estimated:.1f} geschat.",
           "no_forecast": "Geen einddatum in zicht: {rate:,.1f} pagina's per werkdag, nodig {needed:,.1f}."},
    "en": {"late": "Late: at the current rate the work ends on {forecast}, {days} working days after the target "
                   "end {end}.",
           "over_budget": "Over budget: the estimate at completion is EUR {eac:,.0f}, EUR {over:,.0f} over the "
                          "budget of EUR {budget:,.0f}.",
           "thicker_dossiers": "Thicker dossiers: {observed:.1f} pages per dossier observed against "
                               "{estimated:.1f} estimated.",
           "no_forecast": "No end in sight: {rate:,.1f} pages per working day, {needed:,.1f} needed."},
}


def warning_text(warning: tuple[str, dict], lang: str = "nl") -> str:
    kind, figures = warning
    return WARNINGS[lang][kind].format(**figures)


def summary_rows(p: Progress, lang: str = "nl") -> list[tuple[str, str, str, str, str, str, str]]:
    L = LABELS[lang]
    t = p.targets
    estimate = {"dossiers": t.dossiers, "pages": t.pages, "large_format": t.large_format_sheets}
    rows = []
    for k in ("dossiers", "pages", "large_format"):
        rows.append((L[k], f"{p.done[k]:,}", f"{estimate[k]:,}", f"{p.percent[k]:.1f}", f"{p.rate[k]:,.1f}",
                     f"{p.required[k]:,.1f}", f"{p.reestimated[k]:,}"))
    return rows


def terminal_table(p: Progress, lang: str = "nl") -> str:
    L = LABELS[lang]
    head = ("", L["done"], L["target"], L["percent"], L["rate"], L["required"], L["reestimate"])
    rows = [head, *summary_rows(p, lang)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    t = p.targets
    lines += [
        "",
        f"{L['as_of']}: {p.as_of.isoformat()}   {L['workdays']}: {p.elapsed_days} / {p.remaining_days}",
        f"{L['blank']}: {p.done['blank']:,}   {L['rejected']}: {p.done['rejected']:,}   "
        f"{L['per_dossier']}: {p.pages_per_dossier:.1f}" if p.pages_per_dossier else
        f"{L['blank']}: {p.done['blank']:,}   {L['rejected']}: {p.done['rejected']:,}",
        f"{L['forecast_end']}: {p.forecast_end.isoformat() if p.forecast_end else '-'}   {L['end']}: {t.end.isoformat()}",
        f"{L['cost']}: EUR {p.cost_to_date:,.0f}   {L['eac']}: EUR {p.estimate_at_completion:,.0f}   "
        f"{L['budget']}: EUR {t.budget_eur:,.0f}",
    ]
    for w in p.warnings:
        lines.append(f"{'WAARSCHUWING' if lang == 'nl' else 'WARNING'}: {warning_text(w, lang)}")
    return "\n".join(lines)


def progress_json(p: Progress) -> dict:
    """The figures of ``progress --json``: what the table and the page show, as numbers."""
    t = p.targets
    return {
        "project": t.name, "as_of": p.as_of.isoformat(), "start": t.start.isoformat(), "end": t.end.isoformat(),
        "working_days": {"total": p.total_days, "elapsed": p.elapsed_days, "remaining": p.remaining_days},
        "done": {k: p.done[k] for k in KINDS},
        "estimate": {"dossiers": t.dossiers, "pages": t.pages, "large_format": t.large_format_sheets},
        "percent": p.percent, "rate_per_working_day": p.rate, "required_per_working_day": p.required,
        "pages_per_dossier": p.pages_per_dossier, "large_format_share": p.large_share,
        "reestimated": p.reestimated,
        "forecast_end": p.forecast_end.isoformat() if p.forecast_end else None,
        "cost_to_date_eur": round(p.cost_to_date, 2),
        "estimate_at_completion_eur": round(p.estimate_at_completion, 2), "budget_eur": t.budget_eur,
        "warnings": [{"kind": kind, **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in f.items()}}
                     for kind, f in p.warnings],
        "weeks": [{"week": key, **{k: c[k] for k in KINDS}} for key, c in p.weekly()],
    }


def write_csv(p: Progress, stream: io.TextIOBase, period: str = "week", lang: str = "nl") -> None:
    """One row per week (or month), weeks without production included: the counts done in it and
    cumulative pages and cost."""
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


def _chart_end(p: Progress):
    t = p.targets
    far = t.end + timedelta(days=365 * CHART_YEARS_AFTER_END)
    return min(max(t.end, p.forecast_end or t.end, p.as_of), far)


def _series(p: Progress):
    t = p.targets
    last = _chart_end(p)
    days = [t.start + timedelta(days=i) for i in range((last - t.start).days + 1)]
    planned, elapsed = [], 0
    for d in days:
        elapsed += d <= t.end and is_working_day(t, d)
        planned.append(t.pages * elapsed / max(1, p.total_days))
    actual_days = [d for d in days if d <= p.as_of]
    cum, actual = 0, []
    cum_cost, costs = 0.0, []
    run = {"pages": 0, "large_format": 0, "dossiers": 0}
    for d in actual_days:
        c = p.daily.get(d)
        if c:
            for k in run:
                run[k] += c[k]
        cum = run["pages"]
        actual.append(cum)
        cum_cost = cost(t, run["pages"], run["large_format"], run["dossiers"])
        costs.append(cum_cost)
    return days, planned, actual_days, actual, costs


def _finish_chart(fig, ax, title: str) -> str:
    ax.set_title(title)
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _png(fig)


def burnup_chart(p: Progress, lang: str = "nl") -> str:
    L = LABELS[lang]
    t = p.targets
    days, planned, actual_days, actual, _ = _series(p)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(days, planned, color="#888888", linestyle="--", label=f"{L['planned']} ({t.pages:,})")
    if actual_days:
        ax.plot(actual_days, actual, color="#1f5fa8", linewidth=2, label=L["actual"])
    if p.forecast_end and actual and p.forecast_end <= _chart_end(p):
        ax.plot([p.as_of, p.forecast_end], [actual[-1], p.reestimated["pages"]], color="#d9822b", linestyle=":",
                linewidth=2, label=f"{L['forecast']} ({p.reestimated['pages']:,})")
    ax.axvline(t.end, color="#b00020", linewidth=1)
    return _finish_chart(fig, ax, L["burnup"])


def cost_chart(p: Progress, lang: str = "nl") -> str:
    L = LABELS[lang]
    t = p.targets
    _, _, actual_days, _, costs = _series(p)
    fig, ax = plt.subplots(figsize=(8, 4))
    if actual_days:
        ax.plot(actual_days, costs, color="#1f5fa8", linewidth=2, label=L["cost"])
    end = _chart_end(p)
    ax.axhline(t.budget_eur, color="#b00020", linewidth=1, label=f"{L['budget']} ({t.budget_eur:,.0f})")
    if actual_days:
        ax.plot([p.as_of, end], [costs[-1], p.estimate_at_completion], color="#d9822b", linestyle=":", linewidth=2,
                label=f"{L['eac']} ({p.estimate_at_completion:,.0f})")
    ax.set_xlim(t.start, end + timedelta(days=7))
    return _finish_chart(fig, ax, L["costs"])


def html_page(p: Progress, lang: str = "nl") -> str:
    L = LABELS[lang]
    t = p.targets
    e = html.escape
    head = ("", L["done"], L["target"], L["percent"], L["rate"], L["required"], L["reestimate"])
    table = "<tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>" + "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in summary_rows(p, lang))

    def period_table(rows, label):
        h = "<tr>" + f"<th>{e(label)}</th>" + "".join(f"<th>{e(L[k])}</th>" for k in KINDS) + "</tr>"
        body = "".join("<tr>" + f"<td>{e(key)}</td>" + "".join(f"<td>{c[k]:,}</td>" for k in KINDS) + "</tr>"
                       for key, c in rows)
        return f"<table>{h}{body}</table>"

    warnings = "".join(f"<li class='{w[0]}'>{e(warning_text(w, lang))}</li>" for w in p.warnings) or \
        f"<li>{e(L['none'])}</li>"
    status = "waarschuwing" if p.warnings else "ok"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(L['title'])}: {e(t.name)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; max-width: 1000px; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.warnings {{ background: #fff3e0; border-left: 4px solid #d9822b; padding: 0.5em 1em; }}
.ok {{ background: #e8f5e9; border-left-color: #2e7d32; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }}
img {{ max-width: 100%; }}
</style></head>
<body>
<h1>{e(L['title'])}: {e(t.name)}</h1>
<p>{e(L['as_of'])} {p.as_of.isoformat()}</p>
<div class="warnings {'' if p.warnings else 'ok'}" id="status" data-status="{status}"><strong>{e(L['warnings'])}</strong>
<ul>{warnings}</ul></div>
<table id="summary">{table}</table>
<dl>
<dt>{e(L['workdays'])}</dt><dd>{p.elapsed_days} / {p.remaining_days}</dd>
<dt>{e(L['per_dossier'])}</dt><dd>{f"{p.pages_per_dossier:.1f}" if p.pages_per_dossier else "-"}</dd>
<dt>{e(L['blank'])}</dt><dd>{p.done['blank']:,}</dd>
<dt>{e(L['rejected'])}</dt><dd>{p.done['rejected']:,}</dd>
<dt>{e(L['forecast_end'])}</dt><dd>{p.forecast_end.isoformat() if p.forecast_end else "-"} ({e(L['end'])} {t.end.isoformat()})</dd>
<dt>{e(L['cost'])}</dt><dd>EUR {p.cost_to_date:,.0f}</dd>
<dt>{e(L['eac'])}</dt><dd>EUR {p.estimate_at_completion:,.0f} ({e(L['budget'])} EUR {t.budget_eur:,.0f})</dd>
</dl>
<h2>{e(L['burnup'])}</h2>
<img alt="{e(L['burnup'])}" src="data:image/png;base64,{burnup_chart(p, lang)}">
<h2>{e(L['costs'])}</h2>
<img alt="{e(L['costs'])}" src="data:image/png;base64,{cost_chart(p, lang)}">
<h2>{e(L['per_week'])}</h2>
{period_table(p.weekly(), L['week'])}
<h2>{e(L['per_month'])}</h2>
{period_table(p.monthly(), L['month'])}
</body></html>
"""

