"""Our structural PDF/A checks, and their agreement with Apache PDFBox Preflight on PDF/A-1b files:
a good file passes both; each file broken on purpose fails both, for the reason we broke."""

from datetime import datetime, timezone
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

import pagegen
from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from digitalisering.pdfa.images import encode_page_image
from digitalisering.pdfa.validate import validate_pdf
from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf


@pytest.fixture(scope="module")
def good_1b(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("pdfa")
    im = pagegen.page_image(["Vergunning Breestraat 5"], dpi=150, mode="L")
    enc = encode_page_image(im, 150)
    (tmp / "p.jpg").write_bytes(enc.data)
    out = tmp / "good.pdf"
    build_pdf([PdfPage(tmp / "p.jpg", None, 150)], out,
              PdfInfo("Vergunning", datetime(2026, 1, 2, tzinfo=timezone.utc), dossier_id="D1"), flavour="1b")
    return out


def _broken(good: Path, tmp_path: Path, name: str, change) -> Path:
    with pikepdf.open(good) as pdf:
        change(pdf)
        out = tmp_path / f"{name}.pdf"
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, force_version="1.4")
    return out


def _no_output_intent(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/OutputIntents"]


def _undeclared_xmp(pdf: pikepdf.Pdf) -> None:
    packet = pdf.Root.Metadata.read_bytes().replace(
        b"</rdf:Description>", b'<foo:bar xmlns:foo="http://example.org/foo/">1</foo:bar></rdf:Description>', 1)
    pdf.Root.Metadata = pdf.make_stream(packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)


def _js_action() -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))


def _javascript(pdf: pikepdf.Pdf) -> None:
    link = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                                Rect=[0, 0, 10, 10], F=4, A=_js_action()))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([link]))


def _open_action_javascript(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = _js_action()


def _title_mismatch(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo[pikepdf.Name.Title] = "Something else"


BREAKAGES = {
    "output-intent": _no_output_intent,
    "xmp-extension": _undeclared_xmp,
    "no-javascript": _javascript,
    "docinfo-matches-xmp": _title_mismatch,
}


def test_good_file_passes_our_checks_and_preflight(good_1b: Path):
    report = validate_pdf(good_1b, use_preflight=True)
    assert report.passed, report.to_json()
    assert {c.name for c in report.checks} >= {"output-intent", "fonts-embedded", "pikepdf-pdfa", "pdfbox-preflight"}


@pytest.mark.parametrize("check", sorted(BREAKAGES))
def test_broken_file_fails_our_check_and_preflight(good_1b: Path, tmp_path: Path, check: str):
    bad = _broken(good_1b, tmp_path, check, BREAKAGES[check])
    report = validate_pdf(bad, "1b", use_preflight=True)
    by_name = {c.name: c for c in report.checks}
    assert not by_name[check].passed, report.to_json()
    assert not by_name["pdfbox-preflight"].passed, "Preflight disagrees with our check"


def test_javascript_run_on_opening_is_caught_although_preflight_misses_it(good_1b: Path, tmp_path: Path):
    bad = _broken(good_1b, tmp_path, "open-js", _open_action_javascript)
    report = validate_pdf(bad, "1b", use_preflight=False)
    assert [c.name for c in report.failures] == ["no-javascript"] or "no-javascript" in {
        c.name for c in report.failures}


def test_not_a_pdfa_file_is_named_as_such(tmp_path: Path):
    plain = tmp_path / "plain.pdf"
    pagegen.image_pdf([pagegen.page_image(["x"])], plain)
    report = validate_pdf(plain)
    assert not report.passed
    assert "not declared as PDF/A" in report.failures[0].detail


def test_validate_command_reports_each_file_and_exits_7_on_invalid(good_1b: Path, tmp_path: Path):
    bad = _broken(good_1b, tmp_path, "bad", _no_output_intent)
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "--no-preflight", str(good_1b)])
    assert ok.exit_code == 0 and "valid PDF/A-1b" in ok.output
    res = runner.invoke(main, ["validate", "--no-preflight", str(good_1b), str(bad)])
    assert res.exit_code == ExitCode.INVALID
    assert "INVALID" in res.output and "output-intent" in res.output and "Traceback" not in res.output
