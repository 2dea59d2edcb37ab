"""Where the state lives: the workspace folder holds the SQLite database and per-page work files.

Chosen by ``--workspace``, else the environment variable ``DIGITALISERING_WORKSPACE``, else
``$XDG_DATA_HOME/digitalisering`` (``~/.local/share/digitalisering``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from digitalisering.errors import StateError

ENV_VAR = "DIGITALISERING_WORKSPACE"


def default_workspace() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "digitalisering"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def open(cls, root: Path | None = None) -> "Workspace":
        path = Path(root) if root is not None else default_workspace()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError("cannot create workspace {path}: {error}", path=path, error=exc.strerror or exc) from exc
        if not os.access(path, os.W_OK):
            raise StateError("workspace {path} is not writable", path=path)
        return cls(path.resolve())

    @property
    def database(self) -> Path:
        return self.root / "state.sqlite"

    def batch_dir(self, batch_name: str) -> Path:
        return self.root / "batches" / batch_name

    def page_dir(self, batch_name: str, page_id: int) -> Path:
        return self.batch_dir(batch_name) / "pages" / f"{page_id:08d}"

    def lock_file(self, batch_name: str) -> Path:
        return self.batch_dir(batch_name) / "run.lock"
