#!/usr/bin/env bash
# Builds wimbuild and runs its main job on the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin
go build -o bin/wimbuild ./cmd/wimbuild
./bin/wimbuild --version
echo "wimbuild built at bin/wimbuild; run ./bin/wimbuild --help"
