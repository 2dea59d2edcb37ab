#!/usr/bin/env bash
# Set up, then process the bundled demo delivery (batches/demo). Running it again resumes / does nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DIGITALISERING_WORKSPACE="$PWD/out/demo-workspace"
status=0
# the BAG index the addresses are linked to: a cut of the (synthetic) Leiden extract, official layout
.venv/bin/digitalisering bag import batches/demo-bag/BAGNLDL-01102026-demo.zip --gemeente 0546
.venv/bin/digitalisering run batches/demo --out out/demo --operator "${USER:-demo}" \
  --gazetteer batches/demo-bag/straatnamen-varianten.csv || status=$?
# the delivery package for the e-depot (MDTO 1.0.1 + BagIt), and its check
rm -rf out/demo-package
.venv/bin/digitalisering package out/demo --to out/demo-package || status=$?
.venv/bin/digitalisering verify out/demo-package || status=$?
# the archivist's QA report (checks, ISO 2859-1 sample); the review pages are in the portal (/qa/demo/)
.venv/bin/digitalisering qa report demo || status=$?
# openbaarheid: the settings' default decision for every document (the portal shows the public what is open)
.venv/bin/digitalisering access defaults demo || status=$?
# the search index of what the portal shows (run keeps it up to date; this rebuilds it whole)
.venv/bin/digitalisering index || status=$?
# the portal (search, dossiers, viewer, QA review) in the background: log and pid file in out/
portal_log=out/portal.log
portal_pid=out/portal.pid
if [ -f "$portal_pid" ] && kill -0 "$(cat "$portal_pid")" 2>/dev/null \
   && grep -q digitalisering "/proc/$(cat "$portal_pid")/cmdline" 2>/dev/null; then
  kill "$(cat "$portal_pid")"  # the portal an earlier demo started
  for _ in $(seq 50); do kill -0 "$(cat "$portal_pid")" 2>/dev/null || break; sleep 0.2; done
fi
start_portal() {
  : > "$portal_log"
  setsid nohup .venv/bin/digitalisering portal --port "$1" --workers 2 \
    --gazetteer batches/demo-bag/straatnamen-varianten.csv >>"$portal_log" 2>&1 < /dev/null &
  echo $! > "$portal_pid"
  for _ in $(seq 100); do
    # the portal's first line, in the reader's language ("portaal: http://...", "portal: http://...")
    portal_url=$(sed -n -E 's/^[^ :]+: (https?:[^ ]*).*/\1/p' "$portal_log")
    if [ -n "$portal_url" ] && .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
         "$portal_url" 2>/dev/null; then return 0; fi
    kill -0 "$(cat "$portal_pid")" 2>/dev/null || return 1
    sleep 0.2
  done
  kill "$(cat "$portal_pid")" 2>/dev/null  # started but never answered: not left running
  return 1
}
# port 8080, or any free port when 8080 is taken
start_portal "${PORTAL_PORT:-8080}" || start_portal 0 || { cat "$portal_log" >&2; status=6; portal_url=""; }
echo
echo "Pakket:     $PWD/out/demo-package (BagIt; MDTO-records bij elk dossier, document en elke PDF)"
echo "QA:         $PWD/out/demo/qa-rapport/index.html (beoordelen in het portaal: maak een archivaris aan met"
echo "            .venv/bin/digitalisering --workspace $DIGITALISERING_WORKSPACE user add NAAM --role archivaris)"
echo "Resultaten: $PWD/out/demo (een PDF/A per document, per dossiermap; results.json beschrijft elke pagina)"
echo "Werkruimte: $DIGITALISERING_WORKSPACE (.venv/bin/digitalisering --workspace $DIGITALISERING_WORKSPACE status demo)"
echo "Portaal:    zoeken, dossiers, viewer en QA-beoordeling; log $PWD/$portal_log, stoppen: kill \$(cat $PWD/$portal_pid)"
echo "${portal_url:-portaal niet gestart (zie $PWD/$portal_log)}"
exit $status
