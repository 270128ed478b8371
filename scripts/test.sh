#!/usr/bin/env bash
# The README's second command: installs dependencies, builds and runs every
# test. `scripts/test.sh asan` runs the same tests under ASan + UBSan.
# ctest's summary is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
bash scripts/install_deps.sh
bash scripts/build.sh "$preset"
exec ctest --preset "$preset" -j"$(nproc)" --timeout 600 --no-label-summary
