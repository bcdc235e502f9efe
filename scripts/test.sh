#!/usr/bin/env bash
# Installs everything the tests need (Debian packages for the oracle tools,
# Go modules), then runs the whole test suite: go vet, a gofmt check, and
# go test (with the race detector on the concurrent packages).
#
# Usage: ./scripts/test.sh            (what CI runs via .ci/run)
#        TEST_FLAGS="-run Foo" ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# --- oracle tools: command -> Debian package ---------------------------------
declare -A pkgs=(
  [wimlib-imagex]=wimtools [7zz]=7zip [hivexsh]=libhivex-bin [hivexregedit]=libwin-hivex-perl
  [reged]=chntpw [cabextract]=cabextract [gcab]=gcab [xorriso]=xorriso
)
missing=()
for cmd in "${!pkgs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkgs[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing test tools: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== go modules"
go mod download

echo "== go vet"
go vet ./...

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go test"
# shellcheck disable=SC2086
go test -count=1 -timeout 25m ${TEST_FLAGS:-} ./...

# The race detector on the packages that run work concurrently.
race_pkgs=$(go list ./builder/... ./wim ./cmd/... 2>/dev/null | tr '\n' ' ')
if [ -n "$race_pkgs" ]; then
  echo "== go test -race (short)"
  # shellcheck disable=SC2086
  go test -count=1 -race -short -timeout 20m ${TEST_FLAGS:-} $race_pkgs
fi
echo "== all tests passed"
