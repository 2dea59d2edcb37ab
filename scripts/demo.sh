#!/usr/bin/env bash
# Set up, then process the bundled demo delivery (batches/demo). Running it again resumes / does nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DIGITALISERING_WORKSPACE="$PWD/out/demo-workspace"
status=0
.venv/bin/digitalisering run batches/demo --out out/demo --operator "${USER:-demo}" || status=$?
echo
echo "Results: $PWD/out/demo (one PDF/A per document, per dossier folder; results.json describes every page)"
echo "State:   $DIGITALISERING_WORKSPACE (see: .venv/bin/digitalisering --workspace $DIGITALISERING_WORKSPACE status demo)"
exit $status
