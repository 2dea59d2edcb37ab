"""scripts/demo.sh finds the portal's address in the portal's first line, whatever the reader's
language: once the line was translated ("portaal: http://..."), the demo's English-only pattern
found nothing, waited, started a second portal and ended with "portaal niet gestart" (exit 6)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from digitalisering.i18n import ngettext

DEMO = Path(__file__).parents[1] / "scripts" / "demo.sh"
LINE = ("portal: http://{address}/  ({n} worker; Ctrl-C to stop)", "portal: http://{address}/  ({n} workers; Ctrl-C to stop)")


def demo_pattern() -> str:
    """The sed program demo.sh reads the portal's address with."""
    (found,) = re.findall(r"portal_url=\$\(sed -n -E '([^']+)'", DEMO.read_text())
    return found


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_demo_reads_the_portals_address_in_either_language(lang: str, workers: int):
    line = ngettext(*LINE, workers, lang, address="127.0.0.1:8080")
    assert line.split(":")[0] == ("portaal" if lang == "nl" else "portal")
    gunicorn = "[2026-12-07 21:41:50 +0000] [24994] [INFO] Listening at: http://127.0.0.1:8080 (24994)"
    found = subprocess.run(["sed", "-n", "-E", demo_pattern()], input=f"{gunicorn}\n{line}\n",
                           capture_output=True, text=True, check=True).stdout
    assert found == "http://127.0.0.1:8080/\n"
