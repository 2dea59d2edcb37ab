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
# the archivist's QA report (checks, ISO 2859-1 sample); `qa review demo` opens the review page
.venv/bin/digitalisering qa report demo || status=$?
echo
echo "Package: $PWD/out/demo-package (BagIt; MDTO records beside each dossier, document and PDF)"
echo "QA:      $PWD/out/demo/qa-rapport/index.html (review: .venv/bin/digitalisering --workspace $DIGITALISERING_WORKSPACE qa review demo)"
echo "Results: $PWD/out/demo (one PDF/A per document, per dossier folder; results.json describes every page)"
echo "State:   $DIGITALISERING_WORKSPACE (see: .venv/bin/digitalisering --workspace $DIGITALISERING_WORKSPACE status demo)"
exit $status
