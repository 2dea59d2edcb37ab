#!/usr/bin/env bash
# The command line's message catalogues (Babel domains "messages" and "click"): extract the English
# texts from the code, the commands' help and click itself, update the catalogues, compile click's.
# Translate new entries in digitalisering/locale/nl/LC_MESSAGES/{messages,click}.po, then run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
PYTHONPATH=$PWD "$PYTHON" scripts/i18n_messages.py
