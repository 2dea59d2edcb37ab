"""The municipality's models in the workspace, versioned: ``<workspace>/model/v0001/``, ... and a
``current`` file naming the one ``run`` uses. Each version folder holds the document model
(``document-model.joblib`` + ``document-model.json``, its summary: what it was trained on, its
leave-one-out accuracy) and, when archivists corrected addresses, ``address-model.json``.

An older workspace has the document model directly in ``<workspace>/model/``: it still loads
(version ``unversioned``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from digitalisering.errors import StateError
from digitalisering.fileio import write_text_atomic

MODEL_DIR = "model"
CURRENT_FILE = "current"
DOCUMENT_MODEL_FILE = "document-model.joblib"
ADDRESS_MODEL_FILE = "address-model.json"
UNVERSIONED = "unversioned"
_VERSION = re.compile(r"v(\d{4,})")


@dataclass(frozen=True)
class ModelVersion:
    name: str
    """``v0003``, or ``unversioned`` (an older workspace's single model)."""
    folder: Path

    @property
    def has_document_model(self) -> bool:
        return (self.folder / DOCUMENT_MODEL_FILE).exists()

    @property
    def address_model_path(self) -> Path | None:
        path = self.folder / ADDRESS_MODEL_FILE
        return path if path.exists() else None


def model_root(workspace_root: Path) -> Path:
    return Path(workspace_root) / MODEL_DIR


def versions(workspace_root: Path) -> list[str]:
    root = model_root(workspace_root)
    if not root.is_dir():
        return []
    return sorted((p.name for p in root.iterdir() if p.is_dir() and _VERSION.fullmatch(p.name)),
                  key=lambda n: int(n[1:]))


def current(workspace_root: Path) -> ModelVersion | None:
    """The version ``run`` uses, or None (no model learned: the vocabulary and the package's
    address model decide)."""
    root = model_root(workspace_root)
    pointer = root / CURRENT_FILE
    if pointer.exists():
        name = pointer.read_text(encoding="utf-8").strip()
        if _VERSION.fullmatch(name) and (root / name).is_dir():
            return ModelVersion(name, root / name)
    if (root / DOCUMENT_MODEL_FILE).exists():
        return ModelVersion(UNVERSIONED, root)
    return None


def new_version(workspace_root: Path) -> ModelVersion:
    """A new, empty version folder (the next number). Two ``learn``s saving at once each get their
    own: the folder is claimed by making it, and a number another one took is skipped."""
    existing = versions(workspace_root)
    number = int(existing[-1][1:]) + 1 if existing else 1
    model_root(workspace_root).mkdir(parents=True, exist_ok=True)
    while True:
        name = f"v{number:04d}"
        folder = model_root(workspace_root) / name
        try:
            folder.mkdir()
        except FileExistsError:
            number += 1
            continue
        except OSError as exc:
            raise StateError("cannot write the model in {parent}: {error}", parent=folder.parent, error=exc.strerror or exc) from exc
        return ModelVersion(name, folder)


def make_current(workspace_root: Path, version: ModelVersion) -> None:
    write_text_atomic(model_root(workspace_root) / CURRENT_FILE, version.name + "\n")
