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
