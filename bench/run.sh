#!/usr/bin/env bash
# kerasinspect's forward pass against Python Keras' predict, on the same files and inputs, in
# one run; plus raw sgemm. Needs the fixtures venv (.venv-fixtures, see fixtures/README.md).
# Usage: bench/run.sh            writes bench/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv-fixtures/bin/python}"
mkdir -p bench/.work
swift build -c release --product kerasinspect 2>&1 | tail -1
swiftc -O -I Sources/COpenBLAS bench/sgemm.swift -lopenblas -o bench/.work/sgemm
bench/.work/sgemm > bench/.work/sgemm.txt
"$python" bench/models.py .build/release/kerasinspect bench/.work bench/.work/sgemm.txt > bench/results.md
cat bench/results.md
