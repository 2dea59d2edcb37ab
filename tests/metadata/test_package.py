"""The delivery package: MDTO + BagIt, validated on creation; verify finds every change."""

import json
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
    altos = sorted(p.name for p in processed["out"].rglob("*.alto.xml"))
    slip = (package / "data" / "pakbon.json").read_text()
    assert '"files": ' + str(len(pdfs) + len(altos)) in slip
    assert (package / "manifest-sha256.txt").exists()
    assert verify_package(package).ok


def test_every_alto_file_is_in_the_package_with_its_own_bestand_record_related_to_its_document(package: Path,
                                                                                               processed):
    from lxml import etree

    from digitalisering.metadata.mdto import NS

    results = json.loads((processed["out"] / "results.json").read_text())
    ns = {"m": NS}
    for doc in results["documents"]:
        if not doc["output"]:
            continue
        folder = package / "data" / results["batch"]["name"] / Path(doc["output"]["path"]).parent.name
        doc_record = etree.parse(str(folder / f"{folder.name}-{doc['index']:02d}.MDTO.xml"))
        representations = doc_record.xpath("//m:heeftRepresentatie/m:verwijzingNaam/text()", namespaces=ns)
        assert doc["output"]["alto"]
        for alto in doc["output"]["alto"]:
            name = Path(alto["path"]).name
            assert (folder / name).read_bytes() == (processed["out"] / alto["path"]).read_bytes()
            record = etree.parse(str(folder / f"{name}.bestand.MDTO.xml"))
            assert record.findtext(".//m:bestandsformaat/m:begripCode", namespaces=ns) == "fmt/101"
            assert record.findtext(".//m:checksum/m:checksumWaarde", namespaces=ns) == alto["sha256"]
            assert record.findtext(".//m:isRepresentatieVan/m:verwijzingIdentificatie/m:identificatieKenmerk",
                                   namespaces=ns) == doc["id"]
            assert name in representations


def test_verify_finds_a_broken_or_undescribed_alto_file(package: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    altos = sorted((copy / "data").rglob("*.alto.xml"))
    altos[0].write_bytes(altos[0].read_bytes().replace(b"<Layout>", b"<Lay>").replace(b"</Layout>", b"</Lay>"))
    altos[1].with_name(altos[1].name + ".bestand.MDTO.xml").unlink()
    problems = verify_package(copy).problems
    assert any(p.startswith("invalid ALTO") and altos[0].name in p for p in problems)
    assert any(p.startswith("changed") and altos[0].name in p for p in problems)
    assert any(p == f"extra: {altos[1].relative_to(copy)} has no bestand record" for p in problems)


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
    record = next(p for p in (target / "data").rglob("*.MDTO.xml")
                  if not p.name.endswith(".bestand.MDTO.xml")).read_text()  # an informatieobject
    assert "gemeente Katwijk" in record and "gm0537" in record


def test_a_package_is_made_on_a_disk_without_unix_permissions(processed, tmp_path: Path, monkeypatch, capfd):
    """A FAT or exFAT disk (a USB disk) answers chmod with EPERM (the kernel's vfat/exfat) or ENOSYS
    (FUSE). bagit's make_bag gives its payload folder the bag folder's mode, and the package stopped
    there: exit 6, and bagit's logger printed the traceback first. Now the mode is left to the disk,
    as for every other file we write, and the bag is made and verifies."""
    import errno
    import os

    real_chmod = os.chmod

    def no_modes(path, *args, **kwargs):
        if str(tmp_path) in os.path.abspath(os.fspath(path)) or not os.path.isabs(os.fspath(path)):
            raise PermissionError(errno.EPERM, "Operation not permitted", os.fspath(path))
        return real_chmod(path, *args, **kwargs)
    monkeypatch.setattr(os, "chmod", no_modes)
    target = tmp_path / "usb" / "sip"
    report = build_package(processed["out"], target, load_archive_config(), operator="archivaris")
    monkeypatch.undo()
    assert report.documents and (target / "bagit.txt").is_file()
    assert verify_package(target).ok
    assert "Traceback" not in capfd.readouterr().err



def test_a_full_package_disk_is_named_as_the_one_that_is_full(processed, tmp_path: Path, monkeypatch):
    """A package disk that fills up: shutil names the file it copied from, so the one line read
    "No space left on device: OUT/<dossier>/...pdf", sending the operator to the wrong disk. Now it
    names the file in the package that could not be written, and the package's work folder goes."""
    import errno

    from digitalisering.errors import StateError
    from digitalisering.metadata import package as package_module

    def full(src, dst, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(src))
    monkeypatch.setattr(package_module.shutil, "copyfile", full)
    target = tmp_path / "usb" / "sip"
    with pytest.raises(StateError) as caught:
        build_package(processed["out"], target, load_archive_config(), operator="archivaris")
    assert "into the package" in str(caught.value) and str(target.parent) in str(caught.value)
    assert list((tmp_path / "usb").iterdir()) == []
