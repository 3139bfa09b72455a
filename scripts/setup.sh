#!/usr/bin/env bash
# One command on a fresh Debian machine: install what is missing, build kerasinspect
# (release), and run it on a bundled fixture.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

scripts/install-deps.sh
swift build -c release
echo
echo "\$ .build/release/kerasinspect fixtures/models/bn_dense_1120/bn_dense_1120.keras3.h5"
.build/release/kerasinspect fixtures/models/bn_dense_1120/bn_dense_1120.keras3.h5
