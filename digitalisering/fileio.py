"""Atomic writes and safe output names: every output is written to a temporary name and renamed."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from digitalisering.errors import StateError


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is fsynced and renamed onto ``target``.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise StateError(f"cannot write in {target.parent}: {exc.strerror or exc}") from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise StateError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.part$")
"""The names ``atomic_path`` gives its temporary files (``mkstemp``: '.<name>.<8 random>.part')."""


def remove_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files of atomic writes that never finished (the writer was killed) in
    ``folder`` and below; return them. Only for a folder that no live process writes in (the caller
    holds its lock)."""
    removed = []
    if not Path(folder).is_dir():
        return removed
    for path in Path(folder).rglob(".*.part"):
        if _TEMPORARY.match(path.name) and path.is_file() and not path.is_symlink():
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StateError(f"cannot remove the unfinished file {path}: {exc.strerror or exc}") from exc
            removed.append(path)
    return removed


def empty_folder(folder: Path) -> None:
    """Remove everything in ``folder`` (a work folder this process holds), keeping the folder."""
    for child in Path(folder).iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, fallback: str = "item") -> str:
    """A file-name component made from untrusted text (barcode, folder name): no separators, no '..'.

    Letters with diacritics keep their base letter; anything else becomes '_'. Never empty,
    never starts with a dot, at most 100 characters.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("_", ascii_only).strip("._")
    cleaned = re.sub(r"_+", "_", cleaned)[:100]
    return cleaned or fallback


def ensure_inside(base: Path, candidate: Path) -> Path:
    """Return ``candidate`` resolved, or raise if it lies outside ``base`` (path traversal guard)."""
    base_r = Path(base).resolve()
    cand_r = Path(candidate).resolve()
    if cand_r != base_r and base_r not in cand_r.parents:
        raise StateError(f"refusing to write outside {base_r}: {candidate}")
    return cand_r
