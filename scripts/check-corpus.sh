#!/usr/bin/env bash
# Acceptance check over real Keras files (shared/corpus/wild, outside this repository):
# every HDF5 and .keras file (full models, weights-only files, subclassed models) must give
# the total in MANIFEST.tsv's total_params_from_weights.
# Usage: scripts/check-corpus.sh [CORPUS_DIR]   (default: ../shared/corpus/wild)
set -uo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus/wild}"
binary=.build/release/kerasinspect
[ -x "$binary" ] || swift build -c release >/dev/null

pass=0; fail=0
# awk, not `read`: read would merge the empty columns of tab-separated rows.
while read -r file total; do
    got=$("$binary" "$corpus/$file" --format json 2>&1 | sed -n 's/^  "total_params": \([0-9]*\),$/\1/p')
    if [ "$got" = "$total" ]; then
        pass=$((pass + 1)); echo "ok    $file  $total"
    else
        fail=$((fail + 1)); echo "FAIL  $file  expected $total, got ${got:-error}"
    fi
done < <(awk -F'\t' 'NR > 1 && $8 != "json" { print $1 "\t" $10 }' "$corpus/MANIFEST.tsv")
# Architecture + weights pairs: the JSON's computed total must equal the weights file's.
while read -r weights architecture total; do
    got=$("$binary" "$corpus/$architecture" --weights "$corpus/$weights" --format json 2>&1 | sed -n 's/^  "total_params": \([0-9]*\),$/\1/p')
    if [ "$got" = "$total" ] && "$binary" verify "$corpus/$architecture" --weights "$corpus/$weights" >/dev/null; then
        pass=$((pass + 1)); echo "ok    $architecture + $weights  $total, verified"
    else
        fail=$((fail + 1)); echo "FAIL  $architecture + $weights  expected $total, got ${got:-error} (or verify failed)"
    fi
done < <(awk -F'\t' 'NR > 1 && $11 != "" { print $1 "\t" $11 "\t" $10 }' "$corpus/MANIFEST.tsv")
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
