#!/usr/bin/env bash
# The web application's message catalogue (Babel domain "web"): extract the English texts from the
# code and templates, update the Dutch catalogue, compile it. Translate new entries in
# digitalisering/locale/nl/LC_MESSAGES/web.po, then run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
pot=$(mktemp --suffix=.pot)
trap 'rm -f "$pot"' EXIT
"$PYBABEL" -q extract -F digitalisering/web/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
  --project digitalisering -o "$pot" .
if [ -f digitalisering/locale/nl/LC_MESSAGES/web.po ]; then
  "$PYBABEL" -q update -D web -i "$pot" -d digitalisering/locale -l nl --no-fuzzy-matching --ignore-obsolete
else
  "$PYBABEL" -q init -D web -i "$pot" -d digitalisering/locale -l nl
fi
"$PYBABEL" -q compile -D web -d digitalisering/locale --statistics
