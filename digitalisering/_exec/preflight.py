"""Apache PDFBox Preflight (PDF/A-1b validator) through Java: probe and run.

Debian packages: the PDFBox 2 jars and, on Java 11 and later, the javax.activation and JAXB API
jars that Preflight still needs (they left the JDK).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from digitalisering.errors import MissingDependencyError

INSTALL_HINT = "apt-get install default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java"
JAVA_DIR = Path(os.environ.get("DIGITALISERING_JAVA_DIR", "/usr/share/java"))
JARS = ("preflight.jar", "pdfbox2.jar", "fontbox2.jar", "xmpbox.jar", "commons-logging.jar",
        "javax.activation.jar", "jaxb-api.jar")
MAIN_CLASS = "org.apache.pdfbox.preflight.Validator_A1b"
VALID_MARK = "is a valid PDF/A-1b file"


@dataclass(frozen=True)
class PreflightResult:
    valid: bool
    errors: list[str]
    """Preflight's error lines ("2.4.3 : Invalid Color space/The operator ..."), empty when valid."""


def missing() -> list[str]:
    """What is missing to run Preflight (empty when it can run)."""
    absent = [] if shutil.which("java") else ["java"]
    return absent + [jar for jar in JARS if not (JAVA_DIR / jar).is_file()]


@functools.lru_cache(maxsize=1)
def available() -> bool:
    return not missing()


def require() -> None:
    absent = missing()
    if absent:
        raise MissingDependencyError(
            "PDFBox Preflight cannot run ({items} missing): {install_hint}", items=', '.join(absent), install_hint=INSTALL_HINT)


def validate_1b(path: Path, timeout: float = 300) -> PreflightResult:
    """Run Preflight on one file. Raises MissingDependencyError when Java or a jar is missing."""
    require()
    classpath = ":".join(str(JAVA_DIR / jar) for jar in JARS)
    try:
        proc = subprocess.run(["java", "-Djava.awt.headless=true", "-cp", classpath, MAIN_CLASS, str(path)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return PreflightResult(False, [f"Preflight took longer than {timeout:g} s"])
    out = (proc.stdout + proc.stderr).splitlines()
    if proc.returncode == 0 and any(VALID_MARK in line for line in out):
        return PreflightResult(True, [])
    errors = [line.strip() for line in out if line.strip() and "valid PDF/A-1b file" not in line
              and not line.startswith(("WARNING", "SLF4J"))]
    return PreflightResult(False, errors or [f"Preflight exit status {proc.returncode} without a verdict"])
