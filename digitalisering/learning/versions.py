"""The municipality's models in the workspace, versioned: ``<workspace>/model/v0001/``, ... and a
``current`` file naming the one ``run`` uses. Each version folder holds the document model
(``document-model.joblib`` + ``document-model.json``, its summary: what it was trained on, its
leave-one-out accuracy) and, when archivists corrected addresses, ``address-model.json``.

An older workspace has the document model directly in ``<workspace>/model/``: it still loads
(version ``unversioned``).
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from digitalisering.errors import StateError
from digitalisering.fileio import chmod_if_supported, current_umask, scratch_folder, write_text_atomic

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


def save_version(workspace_root: Path, write: Callable[[ModelVersion], None]) -> ModelVersion:
    """A new version (the next number) made whole: ``write`` fills a scratch folder
    (``fileio.scratch_folder``: ``.new-version.*``, given as the version's folder) that is then renamed
    to ``vNNNN``. A ``learn`` killed while saving left a ``vNNNN`` folder without its model or with
    half of it; now it leaves only the scratch folder, removed by the next ``learn``. Two
    ``learn``s saving at once take turns (the scratch folders' lock) and each gets its own number;
    a number taken meanwhile (a file system without locks) is skipped and the model written again."""
    root = model_root(workspace_root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError("cannot write the model in {parent}: {error}", parent=root, error=exc.strerror or exc) from exc
    with scratch_folder(root, SCRATCH_PREFIX) as tmp:
        existing = versions(workspace_root)
        number = int(existing[-1][1:]) + 1 if existing else 1
        while True:
            name = f"v{number:04d}"
            folder = root / name
            if folder.exists():
                number += 1
                continue
            write(ModelVersion(name, tmp))
            try:
                chmod_if_supported(tmp, 0o777 & ~current_umask())  # (mkdtemp makes it 0700)
                os.rename(tmp, folder)  # a folder holding files is never replaced: taken meanwhile
            except OSError as exc:
                if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    number += 1
                    continue
                raise StateError("cannot write the model in {parent}: {error}", parent=root,
                                 error=exc.strerror or exc) from exc
            return ModelVersion(name, folder)


SCRATCH_PREFIX = ".new-version."
"""Versions being written (``save_version``); one a killed ``learn`` left is removed by the next."""


def make_current(workspace_root: Path, version: ModelVersion) -> None:
    write_text_atomic(model_root(workspace_root) / CURRENT_FILE, version.name + "\n")
