#!/usr/bin/env bash
# Runs the whole test suite, installing missing system packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
