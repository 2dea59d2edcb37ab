from hypothesis import given, strategies as st

from digitalisering.csvtext import FORMULA_START, csv_text, spreadsheet_safe


def test_formulas_become_text_numbers_stay_numbers():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-2+3") == "'-2+3"
    assert spreadsheet_safe(-2) == -2 and spreadsheet_safe("pagina 3") == "pagina 3"
    assert csv_text(["a", "b"], [["=x", 1]]) == "a;b\n'=x;1\n"


@given(st.text())
def test_no_text_cell_starts_a_formula(value: str):
    cell = spreadsheet_safe(value)
    assert not cell.startswith(FORMULA_START) and cell.endswith(value)
