#!/usr/bin/env bash
# One command: kerasinspect's forward pass against Python Keras on the same .h5 files and
# inputs (MobileNetV2, ResNet50, EfficientNetB0, an LSTM text model; batch 1 and 8), whole
# command times, output agreement, and raw OpenBLAS sgemm. Writes bench/results.md.
# Needs the fixtures venv (.venv-fixtures, see fixtures/README.md); about 5 minutes on 2 cores.
# Usage: bench/run.sh        (PYTHON=... to use another Python with keras 3)
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv-fixtures/bin/python}"
work=bench/.work
mkdir -p "$work"
# Its own scratch path, so a release build never fights over the debug build's lock.
swift build -c release --scratch-path .build-release --product kerasinspect 2>&1 | tail -1 >&2
swiftc -O -I Sources/COpenBLAS bench/sgemm.swift -lopenblas -o "$work/sgemm"
echo "sgemm" >&2
"$work/sgemm" > "$work/sgemm.md"
"$python" bench/models.py .build-release/release/kerasinspect "$work" "$work/sgemm.md" bench/results.md
