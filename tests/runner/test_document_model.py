"""run uses the document model saved in the workspace, and the vocabulary alone without one."""

from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import default_vocabulary, normalise
from digitalisering.learning.model import LabelledDocument, LabelledDossier, save, train
from digitalisering.runner.dossier_chain import MODEL_DIR, document_model
from digitalisering.workspace import Workspace


def _page(seq: int, text: str) -> PageView:
    return PageView(seq=seq, folder="D", done=True, text=normalise(text), words=20)


def test_the_workspace_model_is_used_when_saved(tmp_path):
    workspace = Workspace.open(tmp_path / "ws")
    cold = document_model(workspace)  # cold start: the shipped base model (trained on the generated corpus)
    assert cold is not None and cold.summary.get("base") is True
    dossiers = [LabelledDossier([LabelledDocument([_page(3 * i, "Edelachtbare Heeren,\nverzoek"),
                                                   _page(3 * i + 1, "Met verschuldigde hoogachting")], "brief"),
                                 LabelledDocument([_page(3 * i + 2, "KAART 12\ngebruiksklaar")], "gereedmelding")],
                                source="test") for i in range(3)]
    save(train(dossiers, default_vocabulary()), workspace.root / MODEL_DIR)
    model = document_model(workspace)
    assert model is not None and model.summary["sources"] == ["test"] and model.starts is not None
