"""Access proposals computed during ``run``: a generated delivery (a letter with planted personal
data about a building whose verblijfsobject has celfunctie and whose pand is on the exclusion list)
goes through OCR, the split and the BAG link; results.json carries every proposal."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.bag.index import INDEX_FILE, import_extract
from digitalisering.cli import main
from digitalisering.resultsfile import SCHEMA_VERSION, read_results
from digitalisering.workspace import Workspace

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "bag"))
import pagegen  # noqa: E402
from bagzip import demo_with  # noqa: E402

NUM = "0546200000385399"  # Morsweg 138, Leiden, in the demo extract
LETTER = ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aan de heer K.P. van Dorp",
          "Onderwerp: verbouwing van het pand Morsweg 138 te Leiden", "BSN: 123456782",
          "Sofinummer: 123456789", "IBAN: NL50 FVLB 4383 5090 45", "Telefoon: 071-5077725",
          "E-mail: kp.vandorp@home.nl", "Geboren: 22-09-1918", "Hoogachtend,", "De Burgemeester,",
          "W. van den Heuvel"]
PLANTED = {("person_name", "K.P. van Dorp"), ("bsn", "123456782"), ("iban", "NL50FVLB4383509045"),
           ("phone", "0715077725"), ("email", "kp.vandorp@home.nl"), ("birth_date", "1918-09-22")}


def _cell_extract(tmp_path: Path) -> tuple[Path, dict]:
    """The demo extract with Morsweg 138's verblijfsobject turned into a cell (celfunctie)."""
    seen = {}

    def change(members):
        for name, data in members.items():
            xml = data.decode()
            at = xml.find(f">{NUM}<")
            if at < 0 or "Verblijfsobject" not in xml:
                continue
            start = xml.rfind("<Objecten:Verblijfsobject", 0, at)
            end = xml.index("</Objecten:Verblijfsobject>", at)
            obj = xml[start:end]
            seen["vbo"] = re.search(r"<Objecten:identificatie[^>]*>(\d{16})<", obj).group(1)
            seen["pand"] = re.search(r"PandRef[^>]*>(\d{16})<", obj).group(1)
            obj = re.sub(r"<Objecten:gebruiksdoel>[^<]*</Objecten:gebruiksdoel>",
                         "<Objecten:gebruiksdoel>celfunctie</Objecten:gebruiksdoel>", obj, count=1)
            members[name] = (xml[:start] + obj + xml[end:]).encode()
        return members

    return demo_with(tmp_path / "cell.zip", "VBO", change), seen


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """The generated delivery run once with a BAG index (celfunctie) and an exclusion list."""
    tmp_path = tmp_path_factory.mktemp("access-run")
    ws = Workspace.open(tmp_path / "ws")
    extract, ids = _cell_extract(tmp_path)
    import_extract(extract, ws.root / INDEX_FILE, "0546")
    delivery = tmp_path / "levering"
    pagegen.save(pagegen.page_image(LETTER, dpi=300, font_pt=12), delivery / "BWT-1962-0001" / "0001.tif", dpi=300,
                 compression="tiff_lzw")
    exclusions = tmp_path / "uitsluitingen.csv"
    exclusions.write_text(f"bag_id;reden;einddatum\n{ids['pand']};Huis van bewaring;2090-01-01\n", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["--workspace", str(ws.root), "run", str(delivery), "--out", str(out),
                                    "--no-progress", "-j", "1", "--exclusions", str(exclusions)])
    assert res.exit_code == 0, res.output
    return {"ws": ws, "out": out, "ids": ids, "exclusions": exclusions}


def _cli(ran, *args):
    return CliRunner().invoke(main, ["--workspace", str(ran["ws"].root), *args])


def _cli_nl(ran, *args):
    """In Dutch, as people read it by default (the states are the Archiefwet's words)."""
    return _cli(ran, "--taal", "nl", *args)


@pytest.mark.slow
def test_run_writes_every_planted_item_and_the_vulnerable_object_into_results(ran):
    out, ids = ran["out"], ran["ids"]
    data = read_results(out)
    assert data["schema_version"] == SCHEMA_VERSION and data["access"]["exclusions"] == str(ran["exclusions"].resolve())
    [doc] = data["documents"]
    proposals = doc["access_proposals"]
    got = {(p["kind"], p["value"]) for p in proposals["personal_data"]}
    assert PLANTED <= got  # recall 1.0
    assert ("bsn", "123456789") not in got  # fails the elfproef
    assert not any(p["value"] == "W. van den Heuvel" for p in proposals["personal_data"])
    assert {(o["kind"], o["bag_id"]) for o in proposals["objects"]} == {
        ("gebruiksdoel", ids["vbo"]), ("exclusion_list", ids["pand"])}
    assert all(p["boxes"] and p["evidence"] for p in proposals["personal_data"])


@pytest.mark.slow
def test_results_of_the_previous_version_still_read(ran, tmp_path):
    data = read_results(ran["out"])
    del data["access"]
    for d in data["documents"]:
        del d["access_proposals"]
    data["schema_version"] = "1.3"
    (tmp_path / "results.json").write_text(json.dumps(data), encoding="utf-8")
    assert read_results(tmp_path)["schema_version"] == "1.3"


@pytest.mark.slow
def test_access_commands_list_decide_and_keep_the_history(ran):
    [doc] = read_results(ran["out"])["documents"]
    res = _cli(ran, "access", "list", "BWT-1962-0001")
    assert res.exit_code == 2 and "no batch" in res.stderr  # batches are named after their delivery
    batch = "levering"
    res = _cli_nl(ran, "access", "list", batch, "--all")
    assert res.exit_code == 0, res.output
    assert f"{doc['id']}: beperkt openbaar (beveiliging) tot en met 1 januari 2090 [standaard:" in res.output
    assert "kwetsbaar object" in res.output and "'K.P. van Dorp'" in res.output
    res = _cli_nl(ran, "access", "decide", batch, doc["id"], "--state", "redacted", "--proposals",
                  "--reason", "persoonsgegevens zwart", "--who", "archivaris.a")
    assert res.exit_code == 0, res.output
    assert "openbaar, geanonimiseerd" in res.output and "(door archivaris.a)" in res.output
    res = _cli(ran, "access", "decide", batch, doc["id"], "--state", "restricted", "--ground", "geheim",
               "--until", "2090", "--reason", "x")
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "ground 'geheim'" in res.stderr
    res = _cli(ran, "access", "decide", batch, "NIET-01", "--state", "open", "--reason", "x")
    assert res.exit_code == 6 and "no document NIET-01" in res.stderr
    res = _cli_nl(ran, "access", "list", batch)
    assert f"{doc['id']}: openbaar, geanonimiseerd [besluit: persoonsgegevens zwart]" in res.output
    assert "0 standaardbesluiten" in _cli_nl(ran, "access", "defaults", batch).output  # decided: no default stored
    assert "0 default decisions stored" in _cli(ran, "access", "defaults", batch).output  # English on request


def test_a_bad_exclusion_list_stops_run_before_ingest(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    delivery = tmp_path / "levering"
    pagegen.save(pagegen.page_image(["x"], dpi=100), delivery / "D1" / "0001.tif", dpi=100)
    bad = tmp_path / "lijst.csv"
    bad.write_text("bag_id;reden\n0546100000000001;\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--workspace", str(ws.root), "run", str(delivery), "--out", str(tmp_path / "o"),
                                    "--no-progress", "--exclusions", str(bad)])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {bad}:2: reden is \"\"; expected the reason, in words (at most 500 characters)"]
    assert not (ws.root / "batches").exists() or not any((ws.root / "batches").iterdir())


@pytest.mark.slow
def test_publish_gives_the_public_a_redacted_copy_that_does_not_leak(ran, tmp_path):
    from digitalisering.access.redact import pdf_text
    from digitalisering.text.alto import strings

    batch = "levering"
    [doc] = read_results(ran["out"])["documents"]
    res = _cli(ran, "access", "decide", batch, doc["id"], "--state", "redacted", "--proposals",
               "--reason", "persoonsgegevens zwart", "--who", "archivaris.a")
    assert res.exit_code == 0, res.output
    public = tmp_path / "openbaar"
    res = _cli_nl(ran, "access", "publish", batch, "--to", str(public))
    assert res.exit_code == 0, res.output
    assert "1 geanonimiseerd (lekcontrole geslaagd)" in res.output
    listing = json.loads((public / "openbaar.json").read_text())
    [entry] = listing["documents"]
    pdf = public / entry["files"][0]
    text = pdf_text(pdf)
    assert "Morsweg" in text  # what is not personal stays
    for secret in ("123456782", "kp.vandorp@home.nl", "5077725", "Dorp"):
        assert secret not in text
        assert all(secret not in s for f in entry["files"][1:] for s in strings((public / f).read_bytes()))
    original = pdf_text(ran["out"] / doc["output"]["path"])
    assert "123456782" in original  # the archival original keeps everything
    res = _cli(ran, "access", "decide", batch, doc["id"], "--state", "restricted", "--ground", "beveiliging",
               "--until", "2090", "--reason", "celfunctie bevestigd")
    assert res.exit_code == 0, res.output
    closed = tmp_path / "dicht"
    assert "1 beperkt openbaar" in _cli_nl(ran, "access", "publish", batch, "--to", str(closed)).output
    assert not list(closed.rglob("*.pdf")) and not list(closed.rglob("*.xml"))


@pytest.mark.slow
def test_package_carries_beperking_gebruik_and_a_public_package_leaves_restricted_out(ran, tmp_path):
    from lxml import etree

    from digitalisering.metadata.mdto import NS, validation_errors
    from digitalisering.metadata.package import verify_package

    batch = "levering"
    [doc] = read_results(ran["out"])["documents"]
    assert _cli(ran, "access", "decide", batch, doc["id"], "--state", "restricted", "--ground", "beveiliging",
                "--until", "2090", "--reason", "celfunctie bevestigd").exit_code == 0
    full = tmp_path / "pakket"
    res = _cli(ran, "package", str(ran["out"]), "--to", str(full))
    assert res.exit_code == 0, res.output
    [record] = [p for p in full.rglob("*-01.MDTO.xml")]
    data = record.read_bytes()
    assert validation_errors(data) == []
    root = etree.fromstring(data)
    ns = {"m": NS}
    assert root.findtext(".//m:beperkingGebruik/m:beperkingGebruikType/m:begripCode", namespaces=ns) == "beveiliging"
    assert root.findtext(".//m:beperkingGebruik/m:beperkingGebruikTermijn/m:termijnEinddatum",
                         namespaces=ns) == "2090-12-31"
    assert "celfunctie bevestigd" in root.findtext(".//m:beperkingGebruikNadereBeschrijving", namespaces=ns)
    assert verify_package(full).ok
    public = tmp_path / "openbaar-pakket"
    res = _cli(ran, "package", str(ran["out"]), "--to", str(public), "--public")
    assert res.exit_code == 0, res.output
    assert "0 documents" in res.output and not list(public.rglob("*.pdf"))
    # redacted: the public package holds the redacted copy, described as such
    assert _cli(ran, "access", "decide", batch, doc["id"], "--state", "redacted", "--proposals",
                "--reason", "persoonsgegevens zwart").exit_code == 0
    public2 = tmp_path / "openbaar-pakket-2"
    res = _cli(ran, "package", str(ran["out"]), "--to", str(public2), "--public")
    assert res.exit_code == 0, res.output
    [pdf] = list(public2.rglob("*.pdf"))
    from digitalisering.access.redact import pdf_text
    assert "123456782" not in pdf_text(pdf) and "Morsweg" in pdf_text(pdf)
    [record] = [p for p in public2.rglob("*-01.MDTO.xml")]
    root = etree.fromstring(record.read_bytes())
    assert root.findtext(".//m:beperkingGebruik/m:beperkingGebruikType/m:begripLabel",
                         namespaces=ns) == "openbaar, geanonimiseerde kopie"
    assert verify_package(public2).ok
