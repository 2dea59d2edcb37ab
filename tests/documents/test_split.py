"""Where documents and dossiers begin: separator sheets in stacks, page cues in folders."""

from digitalisering.documents.model import PageView
from digitalisering.documents.overrides import Override, Overrides
from digitalisering.documents.split import plan_batch
from digitalisering.documents.vocabulary import normalise
from digitalisering.imaging.separators import Separator
from digitalisering.runner.dossier_chain import document_relpath, dossier_names

from test_classify import TEXTS

BOUWBESCHRIJVING = """BOUWBESCHRIJVING
behoorende bij de aanvrage om bouwvergunning voor het bouwen van een woonhuis
1. Grondwerk. Het terrein wordt ontgraven.
2. Metselwerk."""
VERGUNNING_2 = """- 2 -
9. met de uitvoering mag niet worden begonnen voordat de rooilijn is aangegeven;
De Burgemeester,"""
BEREKENING_2 = "blad 2\nBalk B7:\nq = 600 x 2,59 = 1.554 kg/m1\nDe constructeur,"
DRAWING = "PLATTEGROND BEGANE GROND 1:100\nKEUKEN\n4200"


def folder_pages(texts: list[str], large: set[int] = frozenset(), blank: set[int] = frozenset()) -> list[PageView]:
    return [PageView(seq=i, folder="BWT-1962-0001", done=True, text=normalise(t), words=len(t.split()),
                     large_format=i in large, is_blank=i in blank) for i, t in enumerate(texts)]


def starts(plan) -> list[int]:
    return [d.pages[0] for dossier in plan.dossiers for d in dossier.documents]


def test_folder_split_by_titles_page_numbers_and_format_changes():
    texts = [TEXTS["aanvraag"], BOUWBESCHRIJVING, "", TEXTS["brief"], TEXTS["brief"], TEXTS["vergunning"],
             VERGUNNING_2, DRAWING, DRAWING, TEXTS["berekening"], BEREKENING_2, TEXTS["gereedmelding"]]
    plan = plan_batch("folders", folder_pages(texts, large={7, 8}, blank={2}))
    docs = plan.dossiers[0].documents
    assert starts(plan) == [0, 3, 4, 5, 7, 9, 11]
    assert [d.type for d in docs] == ["aanvraag", "brief", "brief", "vergunning", "tekening", "berekening",
                                      "gereedmelding"]
    assert docs[0].pages == [0, 1, 2]  # the blank back side stays with its front page
    assert docs[4].boundary == "large format"
    assert [d.id for d in docs][:2] == ["BWT-1962-0001-01", "BWT-1962-0001-02"]


def test_stack_split_follows_separator_sheets_only():
    sep_d = lambda seq, ident: PageView(seq, None, True, separator=Separator("dossier", f"DOSSIER:{ident}", "Code128", ident))  # noqa: E731
    sep_t = lambda seq: PageView(seq, None, True, separator=Separator("document", "PATCHT", "Code128"))  # noqa: E731
    text = lambda seq, t: PageView(seq, None, True, text=normalise(t), words=20)  # noqa: E731
    pages = [text(0, "loose page"), sep_d(1, "BWT-1962-0001"), text(2, TEXTS["aanvraag"]), text(3, TEXTS["brief"]),
             sep_t(4), text(5, TEXTS["vergunning"]), sep_d(6, "BWT-1963-0002"), text(7, TEXTS["berekening"])]
    plan = plan_batch("stack", pages)
    assert [d.id for d in plan.dossiers] == ["BWT-1962-0001", "BWT-1963-0002"]
    # the letter right after the application is not split off: only separator sheets decide
    assert [d.pages for d in plan.dossiers[0].documents] == [[2, 3], [5]]
    assert plan.dossiers[0].documents[1].boundary == "separator sheet (document)"
    assert plan.unassigned == [0]
    assert "before the first dossier separator" in plan.problems[0]


def test_stack_problems_name_the_file_and_its_page_not_the_sequence_number():
    sep_d = lambda seq, ident: PageView(seq, None, True, separator=Separator("dossier", f"DOSSIER:{ident}", "Code128", ident),  # noqa: E731
                                        file="stapel.pdf", file_page=seq + 1)
    text = lambda seq, t: PageView(seq, None, True, text=normalise(t), words=20, file="stapel.pdf", file_page=seq + 1)  # noqa: E731
    pages = [text(0, "loose page"), sep_d(1, "BWT-1962-0001"), text(2, TEXTS["aanvraag"]),
             sep_d(3, "BWT-1963-0002"), text(4, TEXTS["brief"]), sep_d(5, "BWT-1962-0001"), text(6, TEXTS["brief"])]
    plan = plan_batch("stack", pages)
    again, loose = plan.problems
    assert "stapel.pdf p. 1" in loose and "(pages 0)" not in loose
    assert again.startswith("stapel.pdf p. 6: dossier BWT-1962-0001 starts a second time")


def test_dossier_id_from_a_barcode_cannot_escape_the_output_folder():
    pages = [PageView(0, None, True, separator=Separator("dossier", "DOSSIER:../../etc/x", "Code128", "../../etc/x")),
             PageView(1, None, True, text=normalise(TEXTS["brief"]), words=20)]
    plan = plan_batch("stack", pages)
    doc = plan.dossiers[0].documents[0]
    rel = document_relpath(doc, dossier_names(plan)[doc.dossier_id])
    assert ".." not in rel.split("/") and rel.count("/") == 1


def test_a_dossier_id_from_a_barcode_with_control_characters_goes_into_the_xmp(tmp_path):
    """A barcode ``DOSSIER:BWT\x01-7``: the id went into the PDF's XMP, which XML cannot hold
    (the run stopped with an internal error, exit 15). The id keeps the character as ``\\x01``."""
    from datetime import datetime, timezone

    from PIL import Image

    from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf

    pages = [PageView(0, None, True, separator=Separator("dossier", "DOSSIER:BWT\x01-7", "Code128", "BWT\x01-7")),
             PageView(1, None, True, text=normalise(TEXTS["brief"]), words=20)]
    plan = plan_batch("stack", pages)
    assert [d.id for d in plan.dossiers] == ["BWT\\x01-7"]
    doc = plan.dossiers[0].documents[0]
    Image.new("L", (200, 300), 255).save(tmp_path / "p.jpg", dpi=(150, 150))
    build_pdf([PdfPage(tmp_path / "p.jpg", None, 150)], tmp_path / "d.pdf",
              PdfInfo("d", datetime(2026, 1, 2, tzinfo=timezone.utc), dossier_id=doc.dossier_id, document_id=doc.id))


def test_overrides_split_merge_and_set_type():
    texts = [TEXTS["aanvraag"], BOUWBESCHRIJVING, TEXTS["brief"], TEXTS["brief"]]
    overrides = Overrides([Override(1, "split"), Override(3, "merge"), Override(1, "type", "overig")])
    plan = plan_batch("folders", folder_pages(texts), overrides=overrides)
    docs = plan.dossiers[0].documents
    assert [d.pages for d in docs] == [[0], [1], [2, 3]]
    assert docs[1].type == "overig" and docs[1].evidence == ["override"] and docs[1].boundary == "override: split"


def test_drawing_sets_are_split_by_sheet_numbers_and_paper_size():
    sheet = lambda n, of: f"PLATTEGROND 1:100\nBLAD\n{n} van {of}"  # noqa: E731
    pages = [PageView(i, "D", True, text=normalise(t), words=8, large_format=True, size_class=size)
             for i, (t, size) in enumerate([(sheet(1, 2), "A1"), (sheet(2, 2), "A1"), (sheet(1, 1), "A1"),
                                            ("GEVEL 1:50", "A1"), ("SITUATIE 1:1000", "A3")])]
    plan = plan_batch("folders", pages)
    assert [d.pages for d in plan.dossiers[0].documents] == [[0, 1], [2, 3], [4]]
    assert [d.boundary for d in plan.dossiers[0].documents][1:] == ["drawing sheet 1",
                                                                      "drawing of another size (A1 -> A3)"]
