"""Progress figures checked against hand computations on a generated database."""

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pagegen
import pytest

from digitalisering.progress.compute import compute_progress, daily_counts, observe
from digitalisering.progress.report import html_page, terminal_table, write_csv
from digitalisering.progress.targets import parse_targets
from digitalisering.progress.workdays import add_working_days, working_days
from digitalisering.store import Store

TARGETS = {
    "project": {"name": "Test", "start": date(2026, 1, 5), "end": date(2026, 3, 27),
                "working_days": ["mon", "tue", "wed", "thu", "fri"], "holidays": [date(2026, 2, 16)]},
    "estimate": {"dossiers": 100, "pages": 1000, "large_format_sheets": 100},
    "budget": {"total_eur": 20000, "fixed_eur": 1000, "per_a4_page_eur": 10, "per_large_format_sheet_eur": 20,
               "per_dossier_preparation_eur": 5},
}


def _page(store, batch, folder, day, *, large=False, blank=False, status="done"):
    seq = store.next_seq(batch.id)
    f = store.add_file(batch.id, f"{folder}/{seq:04d}.tif", folder, 10, "0" * 64, "TIFF", 1, None, seq)
    page = store.pages(batch.id)[-1]
    assert page.file_id == f.id
    if status != "pending":
        store.finish_page(page.id, status, pagegen.stored_result(large=large, blank=blank), None,
                          at=f"{day}T12:00:00+00:00")


@pytest.fixture
def db(tmp_path: Path) -> Store:
    store = Store(tmp_path / "state.sqlite")
    batch = store.create_batch("b1", str(tmp_path / "d1"), "folders", "t")
    for i in range(5):
        _page(store, batch, "D1", "2026-01-06", large=i == 0)
    for i in range(5):
        _page(store, batch, "D2", "2026-01-08", blank=i == 4)
    for i in range(10):
        _page(store, batch, "D3", "2026-01-13" if i < 5 else "2026-01-14", large=i in (3, 7))
    _page(store, batch, "D4", "2026-01-15")
    _page(store, batch, "D4", "2026-01-15")
    _page(store, batch, "D4", "2026-01-15", status="rescan")
    _page(store, batch, "D4", "", status="pending")
    yield store
    store.close()


def test_working_day_arithmetic_with_holidays():
    t = parse_targets(TARGETS)
    assert working_days(t, date(2026, 2, 9), date(2026, 2, 20)) == 9  # two weeks minus 16 February
    assert working_days(t, t.start, t.end) == 59
    assert add_working_days(t, date(2026, 2, 13), 1) == date(2026, 2, 17)  # Friday -> Tuesday after the holiday
    assert add_working_days(t, date(2026, 1, 16), 324) == date(2027, 4, 16)


def test_figures_match_the_hand_computation(db: Store):
    t = parse_targets(TARGETS)
    p = compute_progress(t, observe(db), date(2026, 1, 16))
    assert p.done["pages"] == 22 and p.done["large_format"] == 3 and p.done["blank"] == 1
    assert p.done["dossiers"] == 3 and p.done["rejected"] == 1  # D4 is not complete
    assert p.elapsed_days == 10 and p.remaining_days == 49
    assert p.rate["pages"] == pytest.approx(2.2)
    assert p.required["pages"] == pytest.approx((1000 - 22) / 49)
    assert p.percent["pages"] == pytest.approx(2.2)
    assert p.pages_per_dossier == pytest.approx(22 / 3)
    assert p.reestimated == {"dossiers": 100, "pages": 733, "large_format": 100}
    assert p.forecast_end == date(2027, 4, 16)  # ceil(711 / 2.2) = 324 working days after 16 January
    assert p.cost_to_date == pytest.approx(1000 + 10 * 19 + 20 * 3 + 5 * 3)
    assert p.estimate_at_completion == pytest.approx(1000 + 10 * 633 + 20 * 100 + 5 * 100)
    # three dossiers (5, 5, 10 pages) and ten working days are a small basis: ranges, not points
    assert (p.basis_dossiers, p.basis_days, p.small_basis) == (3, 10, True)
    half = 2.919986 * 2.886751 / 3 ** 0.5  # Student's t (90 %, 2 df) x sd / sqrt(n)
    assert p.pages_per_dossier_range.low == pytest.approx(22 / 3 - 2 / 3 - half, abs=1e-3)
    assert (p.pages_range.low, p.pages_range.high) == (180, 1153)
    assert [kind for kind, _ in p.warnings] == ["may_be_late"]  # the point says late, the range is not sure
    weeks = dict(p.weekly())
    assert weeks["2026-W02"]["pages"] == 10 and weeks["2026-W02"]["dossiers"] == 2
    assert weeks["2026-W03"]["pages"] == 12 and weeks["2026-W03"]["rejected"] == 1
    assert dict(p.monthly())["2026-01"]["large_format"] == 3


def test_overrun_scenario_warns_about_cost_and_thick_dossiers(db: Store):
    data = {**TARGETS, "budget": {**TARGETS["budget"], "total_eur": 9000},
            "estimate": {"dossiers": 100, "pages": 500, "large_format_sheets": 100}}
    t = parse_targets(data)
    p = compute_progress(t, observe(db), date(2026, 1, 16))
    kinds = [kind for kind, _ in p.warnings]
    assert "may_exceed_budget" in kinds and "thicker_dossiers" in kinds  # 7.3 pages per dossier against 5.0
    table = terminal_table(p, "nl")
    assert "Mogelijk budgetoverschrijding" in table and "€ 14.600 (budget € 9.000)" in table
    assert "Prognose op basis van 3 afgeronde dossiers en 10 werkdagen" in table
    assert "verwachte kosten bij voltooiing: tussen € 3.550 en € 14.600" in table and "EUR" not in table


def test_csv_and_html_in_dutch_render_in_headless_chromium(db: Store, tmp_path: Path):
    import io

    t = parse_targets(TARGETS)
    p = compute_progress(t, daily_counts(db), date(2026, 1, 16))
    buf = io.StringIO()
    write_csv(p, buf)
    rows = buf.getvalue().splitlines()
    assert rows[0].startswith("week;dossiers;pages") and rows[1].startswith("2026-W02;2;10;1;1;0;10;")
    page = tmp_path / "voortgang.html"
    page.write_text(html_page(p, "nl"), encoding="utf-8")
    text = page.read_text()
    assert "Voortgang" in text and "prognose einddatum" in text and text.count("data:image/png;base64,") == 2
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is needed (scripts/setup.sh installs it)"
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1000,1400", page.as_uri()], capture_output=True, timeout=120, check=False)
    from PIL import Image

    with Image.open(shot) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    assert im.size == (1000, 1400) and colours and len(colours) > 50  # text and charts, not a blank page


def test_targets_file_errors_are_clear():
    from digitalisering.errors import ConfigError

    with pytest.raises(ConfigError, match=r"\[budget\] total_eur is missing"):
        parse_targets({**TARGETS, "budget": {}})
    with pytest.raises(ConfigError, match="end .* is not after start"):
        parse_targets({**TARGETS, "project": {**TARGETS["project"], "end": date(2025, 1, 1)}})
