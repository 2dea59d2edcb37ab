"""Find the scan files of a delivery and decide its layout (one folder per dossier, or one stack)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from digitalisering.errors import DeliveryError
from digitalisering.ingest.formats import SCAN_EXTENSIONS

LAYOUTS = ("folders", "stack")
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


@dataclass(frozen=True)
class DeliveryFile:
    relpath: str
    """Path relative to the delivery root, '/'-separated."""
    folder: str | None
    """The dossier folder (folders layout) or None (stack)."""


@dataclass
class Delivery:
    root: Path
    layout: str
    files: list[DeliveryFile]
    ignored: list[str] = field(default_factory=list)
    """Files that are not scans (manifests, checksums lists): recorded, not processed."""
    misplaced: list[str] = field(default_factory=list)
    """Scans outside a dossier folder in the folders layout."""


def natural_key(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def _is_hidden(path: Path) -> bool:
    return path.name.startswith(".") or path.name.lower() in _IGNORED_NAMES


def _walk(folder: Path) -> list[Path]:
    out: list[Path] = []
    for child in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
        if _is_hidden(child) or child.is_symlink():
            continue
        if child.is_dir():
            out.extend(_walk(child))
        elif child.is_file():
            out.append(child)
    return out


def _is_scan(path: Path) -> bool:
    return path.suffix.lower() in SCAN_EXTENSIONS


def discover(root: Path, layout: str = "auto") -> Delivery:
    """List the scan files of the delivery at ``root`` in scanning order.

    ``layout``: 'folders' (``root/<dossier-id>/<pages>``), 'stack' (all pages in one sequence,
    sub-folders read in natural order), or 'auto' (folders when the top level has only folders).
    """
    root = Path(root)
    if not root.exists():
        raise DeliveryError(f"delivery not found: {root}")
    if not root.is_dir():
        raise DeliveryError(f"a delivery is a folder, not a file: {root}")
    if layout not in LAYOUTS + ("auto",):
        raise DeliveryError(f"unknown layout {layout!r} (use folders, stack or auto)")
    try:
        children = [c for c in root.iterdir() if not _is_hidden(c) and not c.is_symlink()]
    except OSError as exc:
        raise DeliveryError(f"cannot read delivery {root}: {exc.strerror or exc}") from exc
    top_scans = [c for c in children if c.is_file() and _is_scan(c)]
    top_dirs = [c for c in children if c.is_dir()]
    if layout == "auto":
        if top_dirs and top_scans:
            raise DeliveryError(
                f"mixed layout in {root}: {len(top_scans)} scan files at the top and {len(top_dirs)} "
                "folders; choose --layout folders or --layout stack"
            )
        layout = "folders" if top_dirs else "stack"

    files: list[DeliveryFile] = []
    ignored: list[str] = []
    misplaced: list[str] = []
    for path in _walk(root):
        rel = path.relative_to(root).as_posix()
        if not _is_scan(path):
            ignored.append(rel)
            continue
        if layout == "folders":
            parts = rel.split("/")
            if len(parts) == 1:
                misplaced.append(rel)
                continue
            files.append(DeliveryFile(rel, parts[0]))
        else:
            files.append(DeliveryFile(rel, None))
    if not files:
        raise DeliveryError(f"no scans (TIFF, JPEG, PNG, PDF) found in {root}")
    return Delivery(root.resolve(), layout, files, ignored, misplaced)
