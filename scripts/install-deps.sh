#!/usr/bin/env bash
# Installs the Debian packages kerasinspect builds against, when any is missing.
# libhdf5-dev: HDF5 reading (required); libopenblas-dev: BLAS for inference;
# zlib1g-dev: inflating zip members; pkg-config: lets SwiftPM find them.
set -euo pipefail

packages=(libhdf5-dev libopenblas-dev zlib1g-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    run_as_root=()
    if [ "$(id -u)" -ne 0 ]; then run_as_root=(sudo); fi
    "${run_as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${run_as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "note: swift is at /opt/swift/usr/bin; add it to PATH" >&2
    else
        echo "error: the Swift 6 toolchain is not installed (see swift.org/install)" >&2
        exit 1
    fi
fi
