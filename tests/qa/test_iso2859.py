"""The ISO 2859-1 tables (kept as data) against published values.

References (identical tables in ISO 2859-1, MIL-STD-105E, ANSI/ASQ Z1.4, BS 6001):
- Table 1 and Table 2-A as reproduced in the "ANSI/ASQC Z1.4/MIL-STD-105E/BS 6001/DIN 40080/ISO 2859"
  AQL sampling chart;
- NIBS "Table 1-A, General Level II, single normal" (developed from MIL-STD-105E Tables I and II-A), which
  gives the rejection number per lot size for AQL 0.65 ... 15 with the arrows of the master table.
"""

from __future__ import annotations

import pytest

from digitalisering.qa.iso2859 import SamplingError, code_letter, sampling_plan, table1, table2a

# lot range, code letter at level II, sample size, then per AQL .65 1.0 1.5 2.5 4.0 6.5 10 15:
# the rejection number, "v" (use the first plan below) or "^" (the first plan above)
NIBS_LEVEL_II = [
    ((2, 8), "A", 2, "v v v v v 1 ^ v"),
    ((9, 15), "B", 3, "v v v v 1 ^ v 2"),
    ((16, 25), "C", 5, "v v v 1 ^ v 2 3"),
    ((26, 50), "D", 8, "v v 1 ^ v 2 3 4"),
    ((51, 90), "E", 13, "v 1 ^ v 2 3 4 6"),
    ((91, 150), "F", 20, "1 ^ v 2 3 4 6 8"),
    ((151, 280), "G", 32, "^ v 2 3 4 6 8 11"),
    ((281, 500), "H", 50, "v 2 3 4 6 8 11 15"),
    ((501, 1200), "J", 80, "2 3 4 6 8 11 15 22"),
    ((1201, 3200), "K", 125, "3 4 6 8 11 15 22 ^"),
    ((3201, 10000), "L", 200, "4 6 8 11 15 22 ^ ^"),
    ((10001, 35000), "M", 315, "6 8 11 15 22 ^ ^ ^"),
    ((35001, 150000), "N", 500, "8 11 15 22 ^ ^ ^ ^"),
    ((150001, 500000), "P", 800, "11 15 22 ^ ^ ^ ^ ^"),
    ((500001, 10**7), "Q", 1250, "15 22 ^ ^ ^ ^ ^ ^"),
]
NIBS_AQLS = ["0.65", "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15"]

# Table 1, every level (S-1 S-2 S-3 S-4 I II III) per lot range
TABLE1 = {
    (2, 8): "AAAAAAB", (9, 15): "AAAAABC", (16, 25): "AABBBCD", (26, 50): "ABBCCDE",
    (51, 90): "BBCCCEF", (91, 150): "BBCDDFG", (151, 280): "BCDEEGH", (281, 500): "BCDEFHJ",
    (501, 1200): "CCEFGJK", (1201, 3200): "CDEGHKL", (3201, 10000): "CDFGJLM", (10001, 35000): "CDFHKMN",
    (35001, 150000): "DEGJLNP", (150001, 500000): "DEGJMPQ", (500001, 5_000_000): "DEHKNQR",
}

# Table 2-A: the plans of each row from left to right (arrows left out), as printed
ROW_PLANS = {
    "A": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "B": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "E": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "F": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "Q": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "R": "1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
}


@pytest.mark.parametrize("lots,letter,n,cells", NIBS_LEVEL_II)
def test_level_ii_rows_match_the_published_table(lots, letter, n, cells):
    aqls, rows = table2a()
    for lot in lots:
        assert code_letter(lot, "II") == letter
    row = next(r for r in rows if r[0] == letter)
    assert row[1] == n
    for aql, expected in zip(NIBS_AQLS, cells.split()):
        cell = row[2][aql]
        got = cell.split("/")[1] if "/" in cell else cell
        assert got == expected, (letter, aql, cell)


def test_table1_every_level():
    levels = ["S-1", "S-2", "S-3", "S-4", "I", "II", "III"]
    assert len(table1()) == len(TABLE1)
    for (low, high), letters in TABLE1.items():
        for level, letter in zip(levels, letters):
            assert code_letter(low, level) == letter
            assert code_letter(high, level) == letter


def test_table2a_rows_hold_the_printed_plans_in_order():
    aqls, rows = table2a()
    assert aqls[0] == "0.010" and aqls[-1] == "1000" and len(aqls) == 26
    by_letter = {r[0]: r for r in rows}
    assert [r[1] for r in rows] == [2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000]
    for letter, plans in ROW_PLANS.items():
        printed = [c for c in by_letter[letter][2].values() if "/" in c]
        assert printed == plans.split(), letter


@pytest.mark.parametrize("lot,aql,n,ac,re_", [
    (1000, "1.0", 80, 2, 3),      # J, the textbook example
    (1000, "2.5", 80, 5, 6),
    (5000, "0.65", 200, 3, 4),    # L
    (100, "1.0", 13, 0, 1),       # F at 1.0 points up to E: n = 13, Ac 0
    (200, "1.0", 50, 1, 2),       # G at 1.0 points down to H: n = 50, Ac 1
    (2000, 4.0, 125, 10, 11),     # K
    (40000, "0.10", 500, 1, 2),   # N
])
def test_resolved_plans(lot, aql, n, ac, re_):
    plan = sampling_plan(lot, aql, "II")
    assert (plan.sample_size, plan.acceptance, plan.rejection) == (n, ac, re_)
    assert not plan.full_inspection


def test_small_lot_is_inspected_in_full():
    plan = sampling_plan(5, "1.0", "II")  # A at 1.0 points down to E (13) > 5 pages
    assert plan.plan_letter == "E" and plan.sample_size == 5 and plan.full_inspection
    assert plan.acceptance == 0


def test_arrow_leaving_the_table_takes_the_nearest_plan():
    plan = sampling_plan(5, "10", "II")   # A at 10 points up, out of the table
    assert (plan.acceptance, plan.rejection) in ((0, 1), (1, 2))


def test_bad_values_are_clear_errors():
    with pytest.raises(SamplingError, match="AQL 1.2"):
        sampling_plan(100, "1.2")
    with pytest.raises(SamplingError, match="inspection level"):
        sampling_plan(100, "1.0", "IV")
    with pytest.raises(SamplingError, match="lot of 1"):
        sampling_plan(1, "1.0")
