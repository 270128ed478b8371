#!/usr/bin/python3
"""Real-data scale, measured in one run and reported as ratios.

Generates days of a cointegrated pair with `alphastream simulate` (14 trades/s
a leg: about 2.4 M trades and 136 MB of CSV a day, the size of a busy
USD-M pair), then measures on the same files, each figure the median of
--repeat interleaved runs:

  ingest     the importer's MB/s against a bare read(2)+memchr scan of the
             same bytes, and the catalog's trades/s (perf/ingest_throughput)
  backtest   a day, OLS window 100, z-score window 100, 1 s intervals:
             `alphastream backtest` parsing the CSV (--no-catalog), and from
             the catalog, beside the same computation in pandas (the
             prototype's method: read_csv, resample().last().ffill(), rolling
             cov/var) and in vectorised numpy (cumulative sums); wall time and
             peak RSS of each process
  scaling    the same backtest over 1 day and over --days days: time per day
             and peak RSS, parsed and from the catalog
  pairs      8 OLS pairs (windows 100..800) on the same legs against 1, from
             the catalog: the pipelines spread over every core

The references do less than the engine (no full-sample ADF, no report, no
order-of-ids checks), so the ratios understate the engine's lead.

  perf/data_scale.py [--build build] [--work /tmp/alphastream-data-scale]
                     [--days 4] [--repeat 3] [--rate 14] [--out FILE.md]

Not a test: it takes a few minutes and its figures depend on the machine.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import time

PY = "/usr/bin/python3"
RATE = 14  # trades/s per leg, by default
CONFIG = """\
sampling: {mode: time, interval_ms: 1000}
backtest: {fee_bps: 4.0, slippage_bps: 1.0, notional: 10000}
pairs:
  - name: simx-simy
    y: SIMYUSDT
    x: SIMXUSDT
    model: {plugin: ols, params: {window: 100}}
    zscore: {window: 100, entry: 2.0, exit: 0.0}
"""

# The same computation in pandas and numpy, run as their own processes so
# their peak RSS is theirs. argv: x files (comma-separated), y files.
PANDAS = textwrap.dedent("""\
    import sys, numpy as np, pandas as pd
    W, FEE = 100, 5e-4
    def leg(files):
        frames = [pd.read_csv(f, header=None, usecols=[1, 5], names=["price", "time"]) for f in files.split(",")]
        t = pd.concat(frames)
        t.index = pd.to_datetime(t["time"], unit="ms")
        return t["price"].resample("1s", label="right", closed="left").last()
    x, y = leg(sys.argv[1]), leg(sys.argv[2])
    df = pd.concat({"x": x, "y": y}, axis=1).ffill(limit=60).dropna()
    beta = df.y.rolling(W).cov(df.x) / df.x.rolling(W).var()
    alpha = df.y.rolling(W).mean() - beta * df.x.rolling(W).mean()
    spread = df.y - (beta * df.x + alpha)
    z = (spread - spread.rolling(W).mean()) / spread.rolling(W).std()
    signal = pd.Series(np.where(z > 2, -1.0, np.where(z < -2, 1.0, np.nan)), index=z.index)
    crossed = np.sign(z).diff().fillna(0) != 0
    signal[crossed & signal.isna()] = 0.0
    position = signal.ffill().fillna(0).shift(1).fillna(0)
    pnl = position * (df.y.diff() - beta.shift(1) * df.x.diff()) - FEE * position.diff().abs() * df.y
    print(len(df), float(pnl.sum()))
""")

NUMPY = textwrap.dedent("""\
    import sys, numpy as np, pandas as pd
    W, FEE = 100, 5e-4
    def leg(files):
        t = np.concatenate([pd.read_csv(f, header=None, usecols=[1, 5], names=["p", "t"]).to_numpy()
                            for f in files.split(",")])
        return t[:, 1].astype(np.int64), t[:, 0]
    def rolling_sum(a):
        c = np.concatenate([[0.0], np.cumsum(a)])
        out = np.full(a.shape, np.nan)
        out[W - 1:] = c[W:] - c[:-W]
        return out
    (xt, xp), (yt, yp) = leg(sys.argv[1]), leg(sys.argv[2])
    start = max(xt[0], yt[0]) // 1000 * 1000 + 1000
    grid = np.arange(start, min(xt[-1], yt[-1]) + 1000, 1000)
    xi, yi = np.searchsorted(xt, grid, "left") - 1, np.searchsorted(yt, grid, "left") - 1
    fresh = (grid - xt[xi] <= 60000) & (grid - yt[yi] <= 60000)
    x, y = xp[xi][fresh], yp[yi][fresh]
    sx, sy, sxx, sxy = rolling_sum(x), rolling_sum(y), rolling_sum(x * x), rolling_sum(x * y)
    beta = (sxy - sx * sy / W) / (sxx - sx * sx / W)
    alpha = (sy - beta * sx) / W
    spread = y - (beta * x + alpha)
    s, ss = rolling_sum(np.nan_to_num(spread)), rolling_sum(np.nan_to_num(spread) ** 2)
    z = (spread - s / W) / np.sqrt((ss - s * s / W) / (W - 1))
    signal = np.where(z > 2, -1.0, np.where(z < -2, 1.0, np.nan))
    crossed = np.concatenate([[False], np.diff(np.sign(z)) != 0])
    signal[crossed & np.isnan(signal)] = 0.0
    idx = np.where(~np.isnan(signal), np.arange(len(signal)), 0)
    np.maximum.accumulate(idx, out=idx)
    position = np.nan_to_num(signal[idx])
    position = np.concatenate([[0.0], position[:-1]])
    pnl = position[1:] * (np.diff(y) - beta[:-1] * np.diff(x)) - FEE * np.abs(np.diff(position)) * y[1:]
    print(len(x), float(np.nansum(pnl)))
""")


def run_measured(argv, cwd=None):
    """(wall seconds, peak RSS in MB, stdout) of one process, via /usr/bin/time."""
    start = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-f", "__rss_kb %M"] + argv, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - start
    if done.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(argv), done.stdout, done.stderr))
    rss = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("__rss_kb")][-1]
    return wall, rss / 1024.0, done.stdout


def median_runs(runs):
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--work", default="/tmp/alphastream-data-scale")
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate", type=float, default=RATE,
                        help="trades/s per leg (lower it for a month: --days 31 --rate 2 is ~0.6 GB of CSV)")
    parser.add_argument("--out", help="also write the Markdown table here")
    args = parser.parse_args()
    bin_ = os.path.abspath(os.path.join(args.build, "alphastream"))
    ingest = os.path.abspath(os.path.join(args.build, "perf", "ingest_throughput"))
    for tool in (bin_, ingest):
        if not os.access(tool, os.X_OK):
            sys.exit("%s is not built: cmake --build %s --target alphastream ingest_throughput" % (tool, args.build))
    shutil.rmtree(args.work, ignore_errors=True)
    data = os.path.join(args.work, "data")
    os.makedirs(data)
    print("generating %d day(s) of SIMXUSDT and SIMYUSDT in %s" % (args.days, data), file=sys.stderr)
    subprocess.run([bin_, "simulate", "--out", data, "--hours", str(24 * args.days), "--start", "2024-03-01",
                    "--x-rate", str(args.rate), "--y-rate", str(args.rate)], check=True, capture_output=True)
    config = os.path.join(args.work, "pair.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    config8 = os.path.join(args.work, "pairs8.yaml")
    with open(config8, "w") as f:
        f.write(CONFIG.split("pairs:")[0] + "pairs:\n")
        for i in range(1, 9):
            f.write("  - {name: p%d, y: SIMYUSDT, x: SIMXUSDT, model: {plugin: ols, params: {window: %d}}, "
                    "zscore: {window: 100, entry: 2.0, exit: 0.0}}\n" % (i, 100 * i))
    for name, text in (("pandas_ref.py", PANDAS), ("numpy_ref.py", NUMPY)):
        with open(os.path.join(args.work, name), "w") as f:
            f.write(text)

    def files(symbol, days):
        names = sorted(n for n in os.listdir(data) if n.startswith(symbol))[:days]
        return [os.path.join(data, n) for n in names]

    day_bytes = sum(os.path.getsize(p) for p in files("SIMXUSDT", 1) + files("SIMYUSDT", 1))

    # Ingest: the importer against the bare scan, and the catalog.
    print("ingest ...", file=sys.stderr)
    out = subprocess.run([ingest, "--catalog", os.path.join(args.work, "ingest-catalog"), "--repeat",
                          str(max(3, args.repeat))] + ["SIMXUSDT=" + p for p in files("SIMXUSDT", 1)] +
                         ["SIMYUSDT=" + p for p in files("SIMYUSDT", 1)], check=True, capture_output=True, text=True)
    ing = json.loads(out.stdout)

    def backtest(days, catalog, config_path=config):
        argv = [bin_, "backtest", "--config", config_path, "--out", os.path.join(args.work, "out"), "--no-progress"]
        argv += ["--catalog", os.path.join(args.work, "catalog")] if catalog else ["--no-catalog"]
        for symbol in ("SIMXUSDT", "SIMYUSDT"):
            for path in files(symbol, days):
                argv += ["--data", "%s=%s" % (symbol, path)]
        return run_measured(argv)

    def reference(script, days):
        return run_measured([PY, os.path.join(args.work, script), ",".join(files("SIMXUSDT", days)),
                             ",".join(files("SIMYUSDT", days))])

    backtest(args.days, True)  # writes the catalog of every day
    print("day backtests ...", file=sys.stderr)
    runs = {"parsed": [], "catalog": [], "pandas": [], "numpy": []}
    for _ in range(args.repeat):
        runs["parsed"].append(backtest(1, False))
        runs["catalog"].append(backtest(1, True))
        runs["pandas"].append(reference("pandas_ref.py", 1))
        runs["numpy"].append(reference("numpy_ref.py", 1))
    day = {k: median_runs(v) for k, v in runs.items()}
    print("%d-day backtests ..." % args.days, file=sys.stderr)
    many = {"parsed": [], "catalog": []}
    for _ in range(args.repeat):
        many["parsed"].append(backtest(args.days, False))
        many["catalog"].append(backtest(args.days, True))
    span = {k: median_runs(v) for k, v in many.items()}
    print("8 pairs ...", file=sys.stderr)
    eight = median_runs([backtest(1, True, config8) for _ in range(args.repeat)])

    lines = [
        "Measured by `perf/data_scale.py --days %d --repeat %d` on %d cores, %s; a day = %.2f M trades, %.0f MB of CSV "
        "(two symbols)." % (args.days, args.repeat, os.cpu_count(), time.strftime("%Y-%m-%d"), ing["trades"] / 1e6,
                            day_bytes / 1e6),
        "",
        "| figure | this engine | reference | ratio |",
        "|---|---|---|---|",
        "| CSV ingest (parse, re-sort, dedupe), one thread | %.0f MB/s | bare read+memchr scan %.0f MB/s | %.2fx the scan |"
        % (ing["parse_mb_per_s"], ing["scan_mb_per_s"], ing["parse_mb_per_s"] / ing["scan_mb_per_s"]),
        "| catalog read | %.1f M trades/s | CSV ingest %.1f M trades/s | %.1fx |"
        % (ing["catalog_trades_per_s"] / 1e6, ing["parse_trades_per_s"] / 1e6,
           ing["catalog_trades_per_s"] / ing["parse_trades_per_s"]),
    ]
    for label, key in (("day backtest, CSV", "parsed"), ("day backtest, catalog", "catalog")):
        for ref in ("pandas", "numpy"):
            lines.append("| %s vs %s | %.2f s, %.0f MB | %.2f s, %.0f MB | %.1fx faster, %.1fx less memory |"
                         % (label, ref, day[key][0], day[key][1], day[ref][0], day[ref][1], day[ref][0] / day[key][0],
                            day[ref][1] / day[key][1]))
    for label, key in (("CSV", "parsed"), ("catalog", "catalog")):
        lines.append("| %d days vs 1 day, %s | %.2f s (%.2f s a day), %.0f MB | %.2f s, %.0f MB | %.2fx the time per "
                     "day, %.2fx the memory |"
                     % (args.days, label, span[key][0], span[key][0] / args.days, span[key][1], day[key][0],
                        day[key][1], span[key][0] / args.days / day[key][0], span[key][1] / day[key][1]))
    lines.append("| 8 OLS pairs vs 1 pair, catalog, %d cores | %.2f s, %.0f MB | %.2f s, %.0f MB | %.2fx the time of "
                 "one pair |" % (os.cpu_count(), eight[0], eight[1], day["catalog"][0], day["catalog"][1],
                                 eight[0] / day["catalog"][0]))
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
