#!/usr/bin/env bash
# The README's first command, offline: installs dependencies, builds, then
#  1. backtests 12 hours of a generated cointegrated pair (config/backtest.yaml),
#  2. runs the live service for DEMO_SECONDS (default 30) on the built-in
#     Binance-compatible feed simulator (config/demo.yaml: TLS websocket,
#     two shards, four models, LMDB recording, /metrics on 127.0.0.1:9464),
#  3. replays that recording through the same models.
# Everything lands in demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh release

seconds=${DEMO_SECONDS:-30}
data=demo-out/data
rm -rf demo-out
# Three days: daily Sharpe and Sortino need two or more.
./build/alphastream simulate --out "$data" --x SIMXUSDT --y SIMYUSDT --beta 1.5 --hours 72 --seed 7 \
  --x-vol 0.0002 --spread-sigma 0.06 --spread-theta 0.005
./build/alphastream backtest --config config/backtest.yaml \
  --data SIMXUSDT="$data" --data SIMYUSDT="$data" \
  --out demo-out/backtest

echo "live service on the feed simulator for ${seconds} s; metrics at http://127.0.0.1:9464/metrics"
./build/alphastream run --config config/demo.yaml --run-for "$seconds" &
service=$!
sleep $((seconds * 3 / 4))
# What Prometheus would scrape, three quarters through: the windows have filled.
curl -fsS http://127.0.0.1:9464/metrics | grep -E '^alphastream_(feed_messages_total|pair_beta|pair_zscore)' || true
wait "$service"

./build/alphastream replay --config config/demo.yaml --out demo-out/replay
echo "open demo-out/backtest/simx-simy/report.html (backtest) and demo-out/replay/simx-simy/report.html (replay)"
