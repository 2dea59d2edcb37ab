"""SHA-256 fixity of files, streamed in constant memory."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20
ALGORITHM = "sha256"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
