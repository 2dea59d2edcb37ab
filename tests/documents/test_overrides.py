import pytest

from digitalisering.documents.overrides import parse_overrides
from digitalisering.errors import ConfigError

TYPES = ["aanvraag", "brief", "overig"]


def test_csv_with_semicolons_or_commas_and_json_give_the_same_corrections():
    semi = parse_overrides("page;action;value\n14;split;\n17;merge;\n14;type;Brief\n", TYPES)
    comma = parse_overrides("page,action,value\n14,split,\n17,merge,\n14,type,brief\n", TYPES)
    js = parse_overrides('[{"page": 14, "action": "split"}, {"page": 17, "action": "merge"},'
                         ' {"page": 14, "action": "type", "value": "brief"}]', TYPES)
    assert semi.items == comma.items == js.items
    assert semi.boundary_at(14) is True and semi.boundary_at(17) is False and semi.boundary_at(1) is None
    assert semi.type_for([13, 14]) == "brief"


@pytest.mark.parametrize("text, message", [
    ("page;action\nx;split\n", "^overrides.csv:2: page is \"x\"; expected a page number"),
    ("page;action\n3;join\n", "^overrides.csv:2: action is \"join\"; expected one of split, merge, type"),
    ("page;action;value\n3;type;plan\n", "^overrides.csv:2: type is \"plan\"; expected one of aanvraag, brief"),
    ("seq;what\n3;split\n", "^overrides.csv:1: column 'seq' is not known; expected the header page;action;value"),
    ("[{", "^overrides.csv:1: not valid JSON"),
])
def test_a_wrong_line_is_named(text: str, message: str):
    with pytest.raises(ConfigError, match=message):
        parse_overrides(text, TYPES, source="overrides.csv")


# --- through the command line, and for any file ----------------------------------------------

import re  # noqa: E402
from pathlib import Path  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from digitalisering.cli import main  # noqa: E402
from digitalisering.documents.overrides import load_overrides  # noqa: E402
from digitalisering.exitcodes import ExitCode  # noqa: E402
from opfiles_gen import read_or_refuse  # noqa: E402


def run_with(tmp_path: Path, name: str, content: bytes) -> tuple[int, str]:
    """``run`` with an overrides file; the file is read before the (empty) delivery is looked at."""
    path = tmp_path / name
    path.write_bytes(content)
    (tmp_path / "levering").mkdir(exist_ok=True)
    res = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "run", str(tmp_path / "levering"),
                                    "--out", str(tmp_path / "out"), "--overrides", str(path)])
    return res.exit_code, res.stderr


@pytest.mark.parametrize("name, content, line, message", [
    ("correcties.csv", "page;action;value\n14;type;brief\n17;type;vergunning\n".encode("cp1252") +
     b"18;type;aanvraag \x96 bouw\n", 4, r"not UTF-8 text \(byte 0x96 at offset 68\); expected the file saved as UTF-8"),
    ("correcties.json", b'{"overrides": 5}', 1, r"overrides is 5; expected a list of corrections"),
    ("correcties.json", b'[{"page": 3, "action": "split"},\n {"page": "3"}]', 2, r'page is "3"; expected a page'),
    ("correcties.json", b'[{"page": true, "action": "split"}]', 1, r"page is true; expected a page number"),
    ("correcties.json", b'{"corrections": []}', 1, r'a JSON object without a single key "overrides"'),
    ("correcties.csv", b"page;action;value\n-1;split;\n", 2, r'page is "-1"; expected a page number'),
    ("correcties.csv", b"page;action;value\n3;split;;\n", 2, r"4 fields; expected at most 3"),
    ("correcties.csv", b'page;action;value\n3;"split\n', 2, r"not valid CSV"),
])
def test_a_wrong_overrides_file_is_one_line_with_the_file_and_its_line(tmp_path, name, content, line, message):
    code, err = run_with(tmp_path, name, content)
    assert code == ExitCode.USAGE, err
    [said] = err.strip().splitlines()
    assert said.startswith(f"error: {tmp_path / name}:{line}: ") and re.search(message, said), said


def _parse(tmp_path: Path, data: bytes, name: str = "o.csv"):
    return read_or_refuse(lambda path: load_overrides(path, TYPES), tmp_path, name, data)
