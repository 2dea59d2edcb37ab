"""The delivery package: MDTO + BagIt, validated on creation; verify finds every change."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from digitalisering.metadata.config import load_archive_config
from digitalisering.metadata.mdto import validation_errors
from digitalisering.metadata.package import build_package, verify_package


@pytest.fixture(scope="module")
def package(processed, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("sip") / "levering-2026-01-sip"
    build_package(processed["out"], target, load_archive_config(), operator="archivaris")
    return target


def test_package_holds_every_pdf_with_valid_records_and_a_packing_slip(package: Path, processed):
    pdfs = sorted(p.name for p in processed["out"].rglob("*.pdf"))
    assert sorted(p.name for p in (package / "data").rglob("*.pdf")) == pdfs
    records = list((package / "data").rglob("*.MDTO.xml"))
    assert records and all(validation_errors(r.read_bytes()) == [] for r in records)
    for pdf in (package / "data").rglob("*.pdf"):
        assert pdf.with_name(pdf.name + ".bestand.MDTO.xml").exists()
    dossier_records = [r for r in records if r.name == f"{r.parent.name}.MDTO.xml"]
    assert len(dossier_records) == 3
    assert "gm0546" in dossier_records[0].read_text()
    slip = (package / "data" / "pakbon.json").read_text()
    assert '"files": ' + str(len(pdfs)) in slip
    assert (package / "manifest-sha256.txt").exists()
    assert verify_package(package).ok


def test_verify_names_a_changed_missing_and_extra_file(package: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    pdfs = sorted((copy / "data").rglob("*.pdf"))
    data = bytearray(pdfs[0].read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte
    pdfs[0].write_bytes(bytes(data))
    pdfs[1].unlink()
    (copy / "data" / "stray.txt").write_text("x")
    report = verify_package(copy)
    text = "\n".join(report.problems)
    assert f"changed: data/{pdfs[0].relative_to(copy / 'data')}" in text
    assert f"missing: data/{pdfs[1].relative_to(copy / 'data')}" in text
    assert "extra: data/stray.txt" in text
    result = CliRunner().invoke(main, ["verify", str(copy)])
    assert result.exit_code == ExitCode.FIXITY and pdfs[0].name in result.output and "Traceback" not in result.output


def test_verify_finds_an_invalid_record_and_the_command_refuses_an_existing_target(package: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    record = next((copy / "data").rglob("*.bestand.MDTO.xml"))
    record.write_text(record.read_text().replace("<omvang>", "<grootte>").replace("</omvang>", "</grootte>"))
    report = verify_package(copy)
    assert any(p.startswith("invalid MDTO") and record.name in p for p in report.problems)
    result = CliRunner().invoke(main, ["package", str(tmp_path), "--to", str(copy)])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_archive_values_come_from_the_configuration(processed, tmp_path: Path):
    conf = tmp_path / "archive.toml"
    conf.write_text('[archiefvormer]\nnaam = "gemeente Katwijk"\ntooi = '
                    '"https://identifier.overheid.nl/tooi/id/gemeente/gm0537"\n')
    target = tmp_path / "sip"
    result = CliRunner().invoke(main, ["package", str(processed["out"]), "--to", str(target), "--config", str(conf)])
    assert result.exit_code == 0, result.output
    record = next((target / "data").rglob("*.MDTO.xml")).read_text()
    assert "gemeente Katwijk" in record and "gm0537" in record
