"""Automated checks: what an archivist sees flagged, from page records and from the outputs."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitalisering.metadata.config import load_archive_config
from digitalisering.qa.checks import FAIL, PASS, WARN, page_findings, read_manifest, run_checks, split_findings
from digitalisering.qa.config import load_qa_config
from digitalisering.errors import ConfigError
from opfiles_gen import assert_one_line_error, csv_text

T = load_qa_config()["thresholds"]


def page(**over) -> dict:
    base = {"seq": 4, "status": "done", "error": None, "is_blank": False, "is_separator": False,
            "separator": None, "orientation": 0, "orientation_confidence": 0.95, "skew_deg": 2.0,
            "skew_confidence": 0.9, "deskew_deg": 2.0, "image": {"stated_dpi": [300, 300]},
            "technical": {"dpi": 300, "dpi_source": "stated", "size_class": "A4", "required_dpi": 300,
                          "colour_mode": "grey", "bits_per_sample": 8,
                          "checks": [{"name": "stated_resolution", "status": "pass", "message": ""},
                                     {"name": "resolution", "status": "pass", "message": ""},
                                     {"name": "colour_mode", "status": "pass", "message": ""}]},
            "ocr": {"status": "full", "mean_confidence": 88.0, "chars": 900}}
    base.update(over)
    return base


def by_check(findings) -> dict:
    return {f.check: f for f in findings}


def test_a_good_page_passes_everything():
    found = by_check(page_findings(page(), T))
    assert set(found) == {"processing", "stated_resolution", "resolution", "colour_mode", "skew", "orientation",
                          "ocr"}
    assert all(f.status == PASS and not f.review for f in found.values())
    assert found["resolution"].message() == "300 ppi, minstens 300 ppi vereist voor A4"
    assert found["resolution"].message("en") == "300 ppi, at least 300 ppi required for A4"


def test_failed_page_is_a_failure_and_always_reviewed():
    (f,) = page_findings(page(status="failed", error="truncated TIFF"), T)
    assert f.status == FAIL and f.review and "truncated TIFF" in f.message()


def test_residual_skew_thresholds():
    assert by_check(page_findings(page(skew_deg=2.0, deskew_deg=2.0), T))["skew"].status == PASS
    # corrected by too little: 0.4 deg left
    assert by_check(page_findings(page(skew_deg=2.0, deskew_deg=1.6), T))["skew"].status == WARN
    # not corrected at all
    f = by_check(page_findings(page(skew_deg=2.0, deskew_deg=0.0), T))["skew"]
    assert f.status == FAIL and f.review and "2,00° over" in f.message() and "2.00° left" in f.message("en")
    assert by_check(page_findings(page(skew_confidence=0.2), T))["skew"].status == WARN


def test_ocr_thresholds_and_drawings():
    assert by_check(page_findings(page(ocr={"status": "full", "mean_confidence": 40, "chars": 500}), T))[
        "ocr"].status == FAIL
    assert by_check(page_findings(page(ocr={"status": "full", "mean_confidence": 65, "chars": 500}), T))[
        "ocr"].status == WARN
    assert by_check(page_findings(page(ocr={"status": "timeout"}), T))["ocr"].status == FAIL
    drawing = page(ocr={"status": "reduced", "mean_confidence": 40, "chars": 80})
    drawing["technical"] = {**drawing["technical"], "size_class": "A1"}
    f = by_check(page_findings(drawing, T))["ocr"]
    assert f.status == WARN and "lagere resolutie" in f.message()


def test_blank_page_is_reviewed_and_separator_passes():
    f = by_check(page_findings(page(is_blank=True, ocr=None), T))["blank"]
    assert f.status == WARN and f.review
    assert not by_check(page_findings(page(is_blank=True, ocr=None), T, review_blank=False))["blank"].review
    sheet = {"kind": "dossier", "payload": "DOSSIER:X-1", "symbology": "Code128", "dossier_id": "X-1"}
    found = by_check(page_findings(page(is_separator=True, separator=sheet), T))
    assert found["separator"].status == PASS and "ocr" not in found
    assert "DOSSIER:X-1" in found["separator"].message("nl")  # it read a 'value' the stage never wrote


def test_manifest_semicolons_and_dutch_headers(tmp_path):
    (tmp_path / "manifest.csv").write_text("Dossiernummer;Aantal pagina's\nBWT-1;3\nBWT-2;12\n", encoding="utf-8")
    assert read_manifest(tmp_path, load_qa_config()["manifest"]) == {"BWT-1": 3, "BWT-2": 12}
    (tmp_path / "manifest.csv").write_text("naam,iets\nBWT-1,3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="page-count"):
        read_manifest(tmp_path, load_qa_config()["manifest"])
    assert read_manifest(tmp_path / "nowhere", load_qa_config()["manifest"]) is None


def test_config_rejects_an_aql_the_standard_does_not_have(tmp_path):
    bad = tmp_path / "qa.toml"
    bad.write_text('[sampling]\naql = "3.0"\n')
    with pytest.raises(ConfigError, match="AQL 3.0"):
        load_qa_config(bad)


@pytest.fixture
def run_copy(processed, tmp_path):
    """The processed run's output folder, copied so that a test may damage it."""
    out = tmp_path / "out"
    shutil.copytree(processed["out"], out)
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_outputs_are_checked_again(run_copy, processed):
    out, results = run_copy
    qa, archive = load_qa_config(), load_archive_config()
    report = run_checks(results, out, qa, archive, operator="t", delivery=processed["root"])
    pdfa = [f for f in report.findings if f.check == "pdfa"]
    assert pdfa and all(f.status == PASS for f in pdfa)
    assert all(f.status == PASS for f in report.findings if f.check == "mdto")
    alto = [f for f in report.findings if f.check == "alto"]
    assert alto and all(f.status == PASS for f in alto)
    failed_pages = {p["seq"] for p in results["pages"] if p["status"] == "failed"}
    assert failed_pages and failed_pages <= set(report.review_pages())
    # a PDF changed after it was written, another one gone
    docs = [d for d in results["documents"] if d.get("output")]
    with open(out / docs[0]["output"]["path"], "ab") as fh:
        fh.write(b"%tampered\n")
    (out / docs[1]["output"]["path"]).unlink()
    report = run_checks(results, out, qa, archive, operator="t")
    bad = {f.key: f for f in report.findings if f.check == "pdfa" and f.status == FAIL}
    assert "SHA-256" in bad[docs[0]["id"]].message() and "ontbreekt" in bad[docs[1]["id"]].message()
    assert set(docs[0]["pages"]) <= set(report.review_pages())


def test_a_changed_missing_or_invalid_alto_file_fails_and_sends_its_page_to_review(run_copy):
    out, results = run_copy
    altos = [a for d in results["documents"] if d.get("output") for a in d["output"]["alto"]]
    (out / altos[0]["path"]).unlink()
    path = out / altos[1]["path"]
    path.write_bytes(path.read_bytes().replace(b'PHYSICAL_IMG_NR="', b'PHYSICAL_IMG_NR="x'))
    altos[1]["sha256"] = __import__("hashlib").sha256(path.read_bytes()).hexdigest()  # as if recorded so
    with open(out / altos[2]["path"], "ab") as fh:
        fh.write(b"<!-- changed -->")
    report = run_checks(results, out, load_qa_config(), load_archive_config(), operator="t")
    bad = {f.pages[0]: f for f in report.findings if f.check == "alto" and f.status == FAIL}
    assert "ontbreekt" in bad[altos[0]["seq"]].message()
    assert "geen geldige ALTO" in bad[altos[1]["seq"]].message()
    assert "SHA-256" in bad[altos[2]["seq"]].message()
    assert {a["seq"] for a in altos[:3]} <= set(report.review_pages())


def test_page_counts_against_the_manifest(run_copy, processed, tmp_path):
    out, results = run_copy
    delivery = tmp_path / "delivery"
    delivery.mkdir()
    dossiers = {d["id"]: len(d["pages"]) for d in results["dossiers"]}
    first, second = sorted(dossiers)[:2]
    (delivery / "manifest.csv").write_text(
        f"dossier;pages\n{first};{dossiers[first]}\n{second};{dossiers[second] + 2}\nBWT-9999-0001;4\n")
    report = run_checks(results, out, load_qa_config(), load_archive_config(), operator="t", delivery=delivery)
    counts = {f.key: f for f in report.findings if f.check == "page_count"}
    assert counts[first].status == PASS
    assert counts[second].status == FAIL and f"manifest zegt {dossiers[second] + 2}" in counts[second].message()
    assert counts["BWT-9999-0001"].status == FAIL


def test_text_that_no_word_covers_is_a_finding_with_its_regions():
    """Issue 17: confident OCR is not complete OCR; a page with unread text warns or fails."""
    def with_share(share, size="A4"):
        ocr = {"lang": "nld", "mean_confidence": 88.0, "words": 50, "chars": 300, "status": "full",
               "width_px": 2480, "height_px": 3508,
               "completeness": {"text_area": 1000, "uncovered_area": int(1000 * share), "uncovered_share": share,
                                "regions": [[100, 200, 800, 60]] if share else []}}
        p = page(ocr=ocr)
        p["technical"] = {**(p.get("technical") or {}), "size_class": size}
        return by_check(page_findings(p, T))["completeness"]
    assert with_share(0.0).status == PASS
    warn = with_share(T["completeness_warn"] + 0.01)
    assert warn.status == WARN and warn.review and "niet gelezen" in warn.message("nl")
    assert with_share(T["completeness_fail"] + 0.01).status == FAIL
    assert with_share(0.5, size="A1").status == WARN  # drawings: at most a warning


@pytest.mark.parametrize("content, line, message", [
    (b"dossier;pages\nBWT-1;3\nBWT-2;twaalf\n", 3, r'pages is "twaalf"; expected the dossier\'s page count'),
    (b"dossier;pages\nBWT-1;3\nBWT-1;4\n", 3, r"dossier BWT-1 is listed again \(first on line 2\)"),
    (b"dossier;pages\nBWT-1;0\n", 2, r"pages is 0; expected the dossier's page count, a whole number from 1"),
    (b"dossier;pages\n;3\n", 2, r'dossier is ""; expected the dossier\'s identifier'),
    (b"dossier;pages\nBWT-\xe91;3\n", 2, r"not UTF-8 text \(byte 0xe9 at offset 18\)"),
])
def test_a_wrong_manifest_row_is_named_by_file_and_line(tmp_path, content, line, message):
    (tmp_path / "manifest.csv").write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_manifest(tmp_path, load_qa_config()["manifest"])
    said = str(caught.value)
    assert said.startswith(f"{tmp_path / 'manifest.csv'}:{line}: ") and re.search(message, said), said


def test_a_wrong_manifest_is_a_failed_page_count_check_that_says_where(tmp_path):
    (tmp_path / "manifest.csv").write_bytes(b"dossier,pages\nBWT-1,3\nBWT-2,-\n")
    results = {"pages": [], "documents": [], "dossiers": [], "bag": None}
    report = run_checks(results, tmp_path, load_qa_config(), load_archive_config(), operator="t", delivery=tmp_path)
    [finding] = [f for f in report.findings if f.check == "page_count"]
    assert finding.status == FAIL and f"{tmp_path / 'manifest.csv'}:3: pages is \"-\"" in finding.message("en")


@given(st.binary(max_size=200))
def test_any_manifest_bytes_give_counts_or_a_config_error(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("m")
    (folder / "manifest.csv").write_bytes(data)
    try:
        read_manifest(folder, load_qa_config()["manifest"])
    except ConfigError as exc:
        assert_one_line_error(exc, folder / "manifest.csv")


@given(st.dictionaries(st.from_regex(r"BWT-[0-9]{1,6}", fullmatch=True), st.integers(1, 10**6), max_size=6),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["dossier", "Dossiernummer"]),
       st.sampled_from(["pages", "Aantal pagina's", "scans"]))
def test_valid_manifests_read_back_as_written(tmp_path_factory, counts, delimiter, dossier_col, pages_col):
    folder = tmp_path_factory.mktemp("m")
    rows = [[dossier_col, pages_col]] + [[d, str(n)] for d, n in counts.items()]
    (folder / "manifest.csv").write_text(csv_text(rows, delimiter), encoding="utf-8")
    assert read_manifest(folder, load_qa_config()["manifest"]) == counts


def test_orientation_flagged_by_imaging_is_reviewed_besides_the_sample():
    from digitalisering.qa.checks import CheckReport

    flagged = by_check(page_findings(page(seq=9, orientation=180, orientation_confidence=0.31,
                                          orientation_uncertain=True), T))["orientation"]
    assert flagged.status == WARN and flagged.review and flagged.code == "orientation_uncertain"
    sure = by_check(page_findings(page(orientation_uncertain=False), T))["orientation"]
    assert sure.status == PASS and not sure.review
    report = CheckReport()
    report.extend(page_findings(page(seq=9, orientation_confidence=0.31, orientation_uncertain=True), T))
    report.extend(page_findings(page(seq=10), T))
    assert report.review_pages() == {9: ["orientation"]}
    # results.json written before the flag: the warning threshold decides
    old = by_check(page_findings(page(orientation_confidence=0.4), T))["orientation"]
    assert old.status == WARN and old.review


def test_unsure_boundaries_and_types_are_put_up_for_review():
    docs = [{"id": "D-01", "type": "brief", "type_confidence": 0.52, "pages": [3, 4], "needs_review": ["type"]},
            {"id": "D-02", "type": "vergunning", "type_confidence": 0.97, "pages": [5], "needs_review": []},
            {"id": "D-03", "type": "brief", "type_confidence": 0.9, "pages": [6]}]  # results.json 1.2: not recorded
    findings = list(split_findings(docs))
    assert [(f.key, f.status, f.review) for f in findings] == [("D-01", WARN, True), ("D-02", PASS, False)]
    assert findings[0].pages == (3, 4) and "type" in findings[0].message("en")
