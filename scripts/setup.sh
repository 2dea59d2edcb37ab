#!/usr/bin/env bash
# Set up everything digitalisering needs on a fresh Debian 12 machine (run as root), idempotently:
# Debian packages, a virtual environment in .venv, and the package itself (editable, with test tools).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: OCR engine and Dutch model, poppler (pdftotext/pdftoppm for checks and tests),
# Java with Apache PDFBox Preflight (independent PDF/A-1b validator; Java 17 also needs the
# activation and JAXB API jars), Debian's chromium (headless, for the report and review-page tests),
# PostgreSQL (the shared state database; the tests start a private server of their own),
# Node.js and npm (the portal's viewer library, OpenSeadragon, is installed from npm and served by the portal).
DEBIAN_PACKAGES=(
  tesseract-ocr tesseract-ocr-nld tesseract-ocr-osd
  libtesseract-dev libleptonica-dev pkg-config g++ python3-dev   # tesserocr, built against this tesseract
  poppler-utils
  jbig2dec   # JBIG2 images in scanners' PDFs (pikepdf calls it)
  default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java
  chromium fonts-dejavu-core
  postgresql
  python3-venv
  libvips42
  fusefat dosfstools   # tests: a case-insensitive FAT disk (tests/runner/test_case_insensitive_disk.py)
)
# Node.js and npm: Debian's packages only where no node and npm are installed yet (an image may come
# with Node.js from elsewhere, whose npm conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # slim Debian images lack this folder, and the Java packages' install scripts need it
  $SUDO mkdir -p /usr/share/man/man1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup: Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the project definition changed since the last setup.
stamp=.venv/.digitalisering-setup
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c 'import digitalisering' 2>/dev/null; then
  echo "setup: installing the package and its dependencies into .venv"
  log=.venv/setup-pip.log
  # tesserocr from source (its wheels bundle a tesseract of their own): the same library as the program
  if ! { .venv/bin/python -m pip install -q --upgrade pip && PIP_NO_BINARY=tesserocr .venv/bin/python -m pip install -q -e '.[test]'; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: pip install failed (log above, also in $log)" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
# npm_locked DIR WHAT LOG: `npm ci` in DIR exactly as its package-lock.json says, once per lock file
# (the stamp: DIR/STAMP_DIR/.digitalisering-setup holds the lock's hash); AFTER runs when it was installed.
npm_locked() {
  local dir=$1 what=$2 log=$3 stamp_dir=$4 after=${5:-}
  local stamp=$dir/$stamp_dir/.digitalisering-setup want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "setup: installing $what (npm ci)"
  if ! (cd "$dir" && npm ci --no-audit --no-fund --omit=dev) >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: npm ci of $what failed (log above, also in $log)" >&2
    exit 1
  fi
  if [ -n "$after" ]; then "$after"; fi
  mkdir -p "$dir/$stamp_dir" && echo "$want" > "$stamp"
}
# The portal's browser libraries (digitalisering/web/static/package.json).
npm_locked digitalisering/web/static "the portal's browser libraries" .venv/setup-npm.log node_modules
# tesseract's best models (digitalisering/ocr/models/package.json), unpacked into
# digitalisering/ocr/models/tessdata where the tesseract wrapper (digitalisering/_exec/tesseract.py)
# finds them; without them OCR uses Debian's fast models.
unpack_models() {
  local models=digitalisering/ocr/models
  rm -rf "$models/tessdata.new" && mkdir -p "$models/tessdata.new"
  for gz in "$models"/node_modules/@tesseract.js-data/*/4.0.0_best_int/*.traineddata.gz; do
    gunzip -c "$gz" > "$models/tessdata.new/$(basename "$gz" .gz)"
  done
  rm -rf "$models/tessdata" && mv "$models/tessdata.new" "$models/tessdata"
}
npm_locked digitalisering/ocr/models "tesseract's best OCR models" .venv/setup-npm-models.log tessdata unpack_models
echo "setup: ready ($(.venv/bin/digitalisering --version), $(tesseract --version 2>&1 | head -1))"
