#!/usr/bin/env bash
# Interoperability on the benchmark corpus: for LZX, LZMS and solid LZMS,
#   - wimlib-imagex capture -> wimbuild wim apply          -> same tree as the corpus
#   - wimbuild wim capture  -> wimlib-imagex verify
#                           -> wimlib-imagex apply          -> same tree as the corpus
#                           -> 7zz x                        -> same file contents
# Prints one PASS/FAIL line per check and exits non-zero on any failure.
# The CI tests make the same checks on a small generated tree; this runs them
# on real files (binaries and many small files) at benchmark scale.
#
# Usage: ./scripts/interop-corpus.sh [WORKDIR]
#   WORKDIR/corpus is the corpus scripts/bench.sh collects (run it first, or
#   CORPUS_MB=100 OPS=capture-xpress ./scripts/bench.sh WORKDIR to collect one).
#   CODECS="lzx lzms solid" THREADS=$(nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$PWD/bench-work}
corpus="$work/corpus"
CODECS=${CODECS:-lzx lzms solid}
THREADS=${THREADS:-$(nproc)}
for tool in wimlib-imagex 7zz; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wimtools 7zip" >&2; exit 1; }
done
[ -d "$corpus" ] || { echo "no corpus in $corpus: run scripts/bench.sh $work first" >&2; exit 1; }
go build -o "$work/wimbuild" ./cmd/wimbuild
WB="$work/wimbuild"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/wimbuild-interop.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
echo "corpus: $(find "$corpus" -type f | wc -l) files, $(du -sb "$corpus" | cut -f1) bytes; threads=$THREADS"

fail=0
check() { # name cmd...
  local name=$1; shift
  if "$@" >"$scratch/log" 2>&1; then
    echo "PASS $name"
  else
    echo "FAIL $name"; tail -20 "$scratch/log" | sed 's/^/     /'; fail=1
  fi
}
# same_files A B: every regular file of A has the same bytes in B (7-Zip
# extracts hard links and special files its own way).
same_files() {
  local n
  n=$( (cd "$1" && find . -type f -print0) | while IFS= read -r -d '' f; do
    cmp -s "$1/$f" "$2/$f" || { echo "differs or missing: $f" >&2; exit 1; }
    echo
  done | wc -l) || return 1
  [ "$n" -gt 0 ] || { echo "no files compared" >&2; return 1; }
  echo "$n files identical"
}

for codec in $CODECS; do
  case $codec in
    lzx) flags=(--compress=lzx) ;;
    lzms) flags=(--compress=lzms) ;;
    solid) flags=(--solid) ;;
    *) echo "unknown codec $codec" >&2; exit 2 ;;
  esac
  wl="$scratch/wimlib.wim"; wb="$scratch/wimbuild.wim"
  rm -rf "$wl" "$wb" "$scratch/a"
  check "$codec: wimlib-imagex capture" wimlib-imagex capture "$corpus" "$wl" corpus "${flags[@]}" --threads="$THREADS"
  check "$codec: wimbuild wim apply of wimlib's WIM = corpus" \
    bash -c "'$WB' wim apply '$wl' 1 '$scratch/a' && diff -r --no-dereference '$corpus' '$scratch/a'"
  rm -rf "$scratch/a" "$wl"
  check "$codec: wimbuild wim capture" "$WB" wim capture "$corpus" "$wb" corpus "${flags[@]}" --threads="$THREADS"
  check "$codec: wimlib-imagex verify of wimbuild's WIM" wimlib-imagex verify "$wb"
  check "$codec: wimlib-imagex apply of wimbuild's WIM = corpus" \
    bash -c "wimlib-imagex apply '$wb' 1 '$scratch/a' && diff -r --no-dereference '$corpus' '$scratch/a'"
  rm -rf "$scratch/a"
  mkdir -p "$scratch/a"
  if 7zz x -snld -y "$wb" -o"$scratch/a" >"$scratch/log" 2>&1; then
    # 7-Zip puts a multi-image or named image under its own folder; find the root.
    root="$scratch/a"; [ -d "$scratch/a/1" ] && root="$scratch/a/1"
    check "$codec: 7zz x of wimbuild's WIM = corpus files" same_files "$corpus" "$root"
  else
    echo "FAIL $codec: 7zz x of wimbuild's WIM"; tail -20 "$scratch/log" | sed 's/^/     /'; fail=1
  fi
  rm -rf "$scratch/a" "$wb"
done
[ "$fail" = 0 ] && echo "all interop checks passed" || { echo "some interop checks failed"; exit 1; }
