#!/usr/bin/env bash
# Builds wimbuild and runs its main job on the bundled example: a WinPE boot
# image built from the generated sample base (no Microsoft media needed).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin
go build -o bin/wimbuild ./cmd/wimbuild
./bin/wimbuild build examples/quickstart
echo
./bin/wimbuild wim info examples/quickstart/out/boot.wim 2>/dev/null || true
echo "Done: examples/quickstart/out/boot.wim and artifacts.json. Run it again to see every step come from the cache."
