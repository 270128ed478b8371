#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, generates a
# cointegrated pair with the project's own generator (offline) and backtests
# it with config/backtest.yaml. The report lands in demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh release

data=demo-out/data
rm -rf demo-out
./build/alphastream simulate --out "$data" --x SIMXUSDT --y SIMYUSDT --beta 1.5 --hours 12 --seed 7 \
  --x-vol 0.0002 --spread-sigma 0.06 --spread-theta 0.005
./build/alphastream backtest --config config/backtest.yaml \
  --data SIMXUSDT="$data"/SIMXUSDT-aggTrades-2024-01-01.csv \
  --data SIMYUSDT="$data"/SIMYUSDT-aggTrades-2024-01-01.csv \
  --out demo-out/backtest
echo "open demo-out/backtest/simx-simy/report.html"
