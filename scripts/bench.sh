#!/usr/bin/env bash
# Benchmark: wimbuild vs wimlib-imagex, side by side, on the same corpus, in
# the same run. Prints wall time, CPU time, peak memory and output size for
# each operation and the ratios wimbuild/wimlib (lower is better).
#
# Usage: ./scripts/bench.sh [WORKDIR]
#   CORPUS_MB=500   corpus size to collect (MiB of file data)
#   ROUNDS=2        rounds per operation, wimlib and wimbuild alternating (the median is reported);
#                   solid capture and recompressing exports run once
#   THREADS=$(nproc)
#   OPS="capture-xpress capture-lzx capture-lzms capture-solid apply-lzx export-raw export-recompress"
#
# The corpus is copied from files every Linux machine has (/usr/lib/<triplet>,
# /usr/bin, /usr/share/locale, /usr/share/zoneinfo: ELF binaries plus many
# small files, like a WinPE image) into WORKDIR/corpus, once, so later runs
# use the same bytes. Output format is stable: one "RESULT" line per tool and
# operation, one "RATIO" line per operation.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${1:-$root/bench-work}
CORPUS_MB=${CORPUS_MB:-500}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-$(nproc)}
OPS=${OPS:-"capture-xpress capture-lzx capture-lzms capture-solid apply-lzx export-raw export-recompress"}

for t in wimlib-imagex /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t: apt-get install -y wimtools time" >&2; exit 1; }
done
mkdir -p "$work"
go build -o "$work/wimbuild" ./cmd/wimbuild
WB="$work/wimbuild"
WL=$(command -v wimlib-imagex)

# --- corpus -----------------------------------------------------------------
corpus="$work/corpus"
if [ ! -f "$work/corpus.done" ]; then
  echo "== collecting a ${CORPUS_MB} MiB corpus into $corpus"
  rm -rf "$corpus"; mkdir -p "$corpus"
  triplet=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
  limit=$((CORPUS_MB * 1024 * 1024))
  # Each source gets its share of the corpus (small text files 20 %,
  # executables 30 %, libraries 50 %), so a small CORPUS_MB is still the
  # same mix of binaries and many small files as the full one.
  pick() { # share% find-args...
    local share=$1; shift
    find "$@" -type f 2>/dev/null | sort | while IFS= read -r f; do printf '%s\t%s\n' "$(stat -c %s "$f")" "$f"; done |
      awk -F '\t' -v limit=$((limit / 100 * share)) 'BEGIN{t=0} { if (t + $1 > limit) next; t += $1; print $2 }'
  }
  { pick 20 /usr/share/locale /usr/share/zoneinfo
    pick 30 /usr/bin -size -20M
    pick 50 "/usr/lib/$triplet" -size -4M
  } > "$work/corpus.list"
  tar -cf - -T "$work/corpus.list" 2>/dev/null | tar -C "$corpus" -xf -
  touch "$work/corpus.done"
fi
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
echo "corpus: $files files, $bytes bytes; threads=$THREADS rounds=$ROUNDS; $(nproc) CPUs; $(date -u +%F)"
echo "wimlib: $($WL --version | head -1)"

scratch=/dev/shm/wimbuild-bench.$$
mkdir -p "$scratch"
trap 'rm -rf "$scratch"' EXIT

# measure NAME TOOL OUTFILE CMD... : runs CMD, records wall/user/sys/rss.
# Wall time comes from the nanosecond clock (time(1) rounds to 10 ms, too
# coarse for the sub-second exports), minus the launcher's own cost (the
# median of timing `true`); CPU and peak memory come from time(1).
launch_ns=0
measure() {
  local tf="$scratch/time.txt" t0 t1 user sys rss
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S %M" -o "$tf" "$@" >"$scratch/out.log" 2>&1 || { cat "$scratch/out.log" >&2; return 1; }
  t1=$(date +%s%N)
  read -r user sys rss <"$tf"
  echo "$(awk -v a="$t0" -v b="$t1" -v l="$launch_ns" 'BEGIN{w = (b - a - l) / 1e9; if (w < 0) w = 0; printf "%.3f", w}') $user $sys $rss"
}
launch_ns=$(for i in 1 2 3 4 5; do t0=$(date +%s%N); /usr/bin/time -o "$scratch/time.txt" true; t1=$(date +%s%N); echo $((t1 - t0)); done | sort -n | sed -n 3p)

# run_pair ROUNDS PREP_WL PREP_WB -> runs the commands in arrays WLCMD and
# WBCMD alternately, round by round (so a machine that speeds up or slows
# down during the run affects both tools alike), and prints the median
# round of each: two lines "wall user sys rss_kb", wimlib first.
run_pair() {
  local rounds=$1 prep_wl=$2 prep_wb=$3 a=() b=()
  for ((i = 0; i < rounds; i++)); do
    eval "$prep_wl"; a+=("$(measure "${WLCMD[@]}")")
    eval "$prep_wb"; b+=("$(measure "${WBCMD[@]}")")
  done
  printf '%s\n' "${a[@]}" | sort -n -k1 | sed -n "$(( (rounds + 1) / 2 ))p"
  printf '%s\n' "${b[@]}" | sort -n -k1 | sed -n "$(( (rounds + 1) / 2 ))p"
}

declare -A R
record() { # op tool "wall user sys rss" size
  local op=$1 tool=$2 m=$3 size=$4
  read -r wall user sys rss <<<"$m"
  R[$op.$tool.wall]=$wall; R[$op.$tool.cpu]=$(awk -v a="$user" -v b="$sys" 'BEGIN{printf "%.2f", a+b}'); R[$op.$tool.size]=$size
  printf 'RESULT %-18s %-9s wall_s=%-8s cpu_s=%-8s peak_rss_MiB=%-7s size_bytes=%s\n' \
    "$op" "$tool" "$wall" "${R[$op.$tool.cpu]}" "$((rss / 1024))" "$size"
}
ratio() { # op
  local op=$1 t s
  t=$(awk -v a="${R[$op.wimbuild.wall]}" -v b="${R[$op.wimlib.wall]}" 'BEGIN{printf "%.3f", (b > 0 ? a/b : 0)}')
  if [ "${R[$op.wimlib.size]}" != "-" ] && [ "${R[$op.wimlib.size]}" != "0" ]; then
    s=$(awk -v a="${R[$op.wimbuild.size]}" -v b="${R[$op.wimlib.size]}" 'BEGIN{printf "%.4f", a/b}')
  else s="-"; fi
  printf 'RATIO  %-18s time=%-6s size=%s\n' "$op" "$t" "$s"
}

capture() { # op compress-args...
  local op=$1; shift
  local rounds=$ROUNDS
  [ "$op" = capture-solid ] && rounds=1
  local m
  WLCMD=("$WL" capture "$corpus" "$scratch/wl.wim" corpus "$@" --threads="$THREADS")
  WBCMD=("$WB" wim capture "$corpus" "$scratch/wb.wim" corpus "$@" --threads="$THREADS")
  m=$(run_pair "$rounds" "rm -f $scratch/wl.wim" "rm -f $scratch/wb.wim")
  record "$op" wimlib "$(sed -n 1p <<<"$m")" "$(stat -c %s "$scratch/wl.wim")"
  cp "$scratch/wl.wim" "$work/$op.wimlib.wim"
  record "$op" wimbuild "$(sed -n 2p <<<"$m")" "$(stat -c %s "$scratch/wb.wim")"
  cp "$scratch/wb.wim" "$work/$op.wimbuild.wim"
  ratio "$op"
}

for op in $OPS; do
  case $op in
    capture-xpress) capture "$op" --compress=xpress ;;
    capture-lzx)    capture "$op" --compress=lzx ;;
    capture-lzms)   capture "$op" --compress=lzms ;;
    capture-solid)  capture "$op" --solid ;;
    apply-lzx)
      src="$work/capture-lzx.wimlib.wim"
      [ -f "$src" ] || "$WL" capture "$corpus" "$src" corpus --compress=lzx --threads="$THREADS" >/dev/null
      WLCMD=("$WL" apply "$src" 1 "$scratch/a"); WBCMD=("$WB" wim apply "$src" 1 "$scratch/a")
      m=$(run_pair "$ROUNDS" "rm -rf $scratch/a" "rm -rf $scratch/a")
      record "$op" wimlib "$(sed -n 1p <<<"$m")" -; record "$op" wimbuild "$(sed -n 2p <<<"$m")" -
      rm -rf "$scratch/a"; R[$op.wimlib.size]=-; ratio "$op" ;;
    export-raw|export-recompress)
      src="$work/capture-lzx.wimlib.wim"
      [ -f "$src" ] || "$WL" capture "$corpus" "$src" corpus --compress=lzx --threads="$THREADS" >/dev/null
      cp "$src" "$scratch/src.wim"
      extra=(); rounds=$ROUNDS
      if [ "$op" = export-recompress ]; then extra=(--compress=xpress); rounds=1; fi
      WLCMD=("$WL" export "$scratch/src.wim" 1 "$scratch/wl.wim" "${extra[@]}")
      WBCMD=("$WB" wim export "$scratch/src.wim" 1 "$scratch/wb.wim" "${extra[@]}")
      m=$(run_pair "$rounds" "rm -f $scratch/wl.wim" "rm -f $scratch/wb.wim")
      record "$op" wimlib "$(sed -n 1p <<<"$m")" "$(stat -c %s "$scratch/wl.wim")"
      record "$op" wimbuild "$(sed -n 2p <<<"$m")" "$(stat -c %s "$scratch/wb.wim")"
      ratio "$op" ;;
    *) echo "unknown op $op" >&2; exit 2 ;;
  esac
done
