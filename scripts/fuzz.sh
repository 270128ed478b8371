#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (the `fuzz` preset: clang-14 with
# ASan + UBSan) and runs each for SECONDS (default 300), growing a working
# corpus under build-fuzz/corpus/ from the seeds in fuzz/corpus/. A crash,
# leak or timeout is written to build-fuzz/findings/<target>/ and ends the
# run with 1: minimise it (fuzz_<target> -minimize_crash=1 FILE), add it to
# fuzz/regressions/<target>/ with the fix, and the ordinary test run replays
# it from then on.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(frame_parser csv_reader config_loader descriptor_checker rest_agg_trades catalog_entry bus_delivery funding_rates)

if ! command -v clang++-14 >/dev/null || [ ! -d /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz: clang-14 and libclang-rt-14-dev are needed; run as root to install them" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang-14 libclang-rt-14-dev
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}" -- -j"$(nproc)"

status=0
for target in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$target"
  findings="build-fuzz/findings/$target"
  mkdir -p "$corpus" "$findings"
  echo "fuzz: $target for $seconds s"
  # libFuzzer can hang reporting an out-of-memory input (seen with yaml-cpp's
  # endless LoadAll): the wall-clock limit ends it anyway.
  if ! timeout --kill-after=30 $((seconds + 120)) "build-fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -dict="fuzz/$target.dict" -artifact_prefix="$findings/" "$corpus" "fuzz/corpus/$target"; then
    echo "fuzz: $target found a problem: $(ls "$findings")" >&2
    status=1
  fi
done
exit "$status"
