"""Find the scan files of a delivery and decide its layout (one folder per dossier, or one stack)."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from digitalisering.errors import DeliveryError
from digitalisering.ingest.formats import SCAN_EXTENSIONS
from digitalisering.i18n import gettext
from digitalisering.naming import is_text, printable

LAYOUTS = ("folders", "stack")
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
"""Files the operating system leaves in folders: neither read nor listed."""


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
    skipped: dict[str, str] = field(default_factory=dict)
    """Entries that are not read at all, with the reason: symbolic links (never followed), hidden
    files and folders (name starting with a dot), FIFOs, sockets and devices, unreadable folders."""


def natural_key(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def _is_utf8(name: str) -> bool:
    """Whether a name read from the disk is text: bytes that are not UTF-8 come back as lone
    surrogates (``surrogateescape``), which no database, log or JSON file can hold (ingest of a
    Latin-1 ``pé.tif`` stopped with an internal error, exit 15)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _skip_reason(path: Path) -> str | None:
    """Why ``path`` is not read, or None for a regular file or folder (``lstat``: links not followed)."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return gettext("cannot read: {error}", error=exc.strerror or exc)
    if stat.S_ISLNK(mode):
        return gettext("symbolic link, not followed")
    if not _is_utf8(path.name):
        return gettext("the name is not valid UTF-8 (a copy from an old system?): rename it and deliver it again")
    if not is_text(path.name):
        # a dossier id or a file name in the XMP, ALTO and PREMIS files: XML cannot hold it (the
        # run and `events --premis` stopped with an internal error, exit 15)
        return gettext("the name holds a control character (shown as \\xNN): rename it and deliver it again")
    if path.name.startswith("."):
        return gettext("hidden (the name starts with a dot)")
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    kind = ("FIFO" if stat.S_ISFIFO(mode) else gettext("socket") if stat.S_ISSOCK(mode)
            else gettext("device") if stat.S_ISBLK(mode) or stat.S_ISCHR(mode) else gettext("special file"))
    return gettext("not a regular file ({kind})", kind=kind)


def _children(folder: Path, root: Path, skipped: dict[str, str]) -> list[Path]:
    """The folder's regular files and folders in natural order; everything else goes to ``skipped``."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: natural_key(p.name))
    except OSError as exc:
        if folder == root:
            raise DeliveryError("cannot read delivery {root}: {error}", root=root, error=exc.strerror or exc) from exc
        skipped[folder.relative_to(root).as_posix() + "/"] = gettext("cannot read folder: {error}", error=exc.strerror or exc)
        return []
    out = []
    for child in entries:
        if child.name.lower() in SYSTEM_FILES:
            continue
        reason = _skip_reason(child)
        if reason:
            skipped[printable(child.relative_to(root).as_posix())
                    + ("/" if child.is_dir() and not child.is_symlink() else "")] = reason
        else:
            out.append(child)
    return out


def _walk(folder: Path, root: Path, skipped: dict[str, str]) -> list[Path]:
    out: list[Path] = []
    for child in _children(folder, root, skipped):
        if child.is_dir():
            out.extend(_walk(child, root, skipped))
        else:
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
        raise DeliveryError("delivery not found: {root}", root=root)
    if not root.is_dir():
        raise DeliveryError("a delivery is a folder, not a file: {root}", root=root)
    if not is_text(str(root.resolve())):
        raise DeliveryError("the path of the delivery {root} is not valid UTF-8 or holds a control character; "
                            "rename the folder", root=printable(str(root)))
    if layout not in LAYOUTS + ("auto",):
        raise DeliveryError("unknown layout {layout!r} (use folders, stack or auto)", layout=layout)
    children = _children(root, root, {})
    top_scans = [c for c in children if c.is_file() and _is_scan(c)]
    top_dirs = [c for c in children if c.is_dir()]
    if layout == "auto":
        if top_dirs and top_scans:
            raise DeliveryError(
                "mixed layout in {root}: {n} scan files at the top and {n2} folders; choose --layout folders or --layout stack", root=root, n=len(top_scans), n2=len(top_dirs)
            )
        layout = "folders" if top_dirs else "stack"

    files: list[DeliveryFile] = []
    ignored: list[str] = []
    misplaced: list[str] = []
    skipped: dict[str, str] = {}
    for path in _walk(root, root, skipped):
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
    if not files and skipped:  # say what was not read: a delivery of one badly named folder
        rel, reason = next(iter(skipped.items()))
        raise DeliveryError("no scans (TIFF, JPEG, PNG, PDF) found in {root}; entries not read: {n}, "
                            "such as {entry}: {reason}", root=root, n=len(skipped), entry=rel, reason=reason)
    if not files:
        raise DeliveryError("no scans (TIFF, JPEG, PNG, PDF) found in {root}", root=root)
    return Delivery(root.resolve(), layout, files, ignored, misplaced, skipped)
