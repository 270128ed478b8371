#!/usr/bin/env bash
# Builds the `tsan` preset (ThreadSanitizer) and runs the tests of the
# threaded parts under it: reactor, service, feed, simulator, source,
# metrics and storage. Suppressions: tsan.supp beside this script, each
# entry with the reason it is a false positive. Not part of CI (2 cores and
# a time budget): run it before touching the threaded code.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake --preset tsan >/dev/null
cmake --build --preset tsan -- -j"$(nproc)"
export TSAN_OPTIONS="suppressions=$(pwd)/scripts/tsan.supp halt_on_error=1 second_deadlock_stack=1"
exec ctest --preset tsan -j"$(nproc)" --timeout 900 \
  -R 'ShardGroup|ShardBook|FeedIngest|HotPath|TradeBackfiller|TradeStreamProgress|TradeCatalog|RowLog|cli\.ManyFilesPerSymbol|cli\.BacktestOnSeveralThreads|cli\.SimulatedPairBacktest|cli\.SymbolModelsBacktest|cli\.SweepEqualsBacktests|BinanceStreamClient|BinanceSimulator|TradeRecorder|TradeJournal|MetricsServer|LatencyHistogram|PipelineBook|PairLeases|IdReorderBuffer|service\.'
