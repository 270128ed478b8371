#!/usr/bin/python3
"""The engine's performance, measured in one run and reported as ratios
against references run in the same run on the same data.

Builds the Release tree (unless --no-build), generates days of a cointegrated
pair with `alphastream simulate` (14 trades/s a leg: ~2.4 M trades and 136 MB
of CSV a day, the size of a busy USD-M pair) and measures, each figure the
median of --repeat interleaved runs:

  ingest     the importer's MB/s against a bare read(2)+memchr scan of the
             same bytes; the catalog's trades/s (build/perf/ingest_throughput)
  backtest   a day, OLS window 100, z window 100, 1 s intervals, parsing the
             CSV and from the catalog, beside the same computation in pandas
             (the prototype's method: read_csv, resample().last().ffill(),
             rolling cov/var) and in vectorised numpy (cumulative sums): wall
             time and peak RSS of each process
  days       the backtest over 1, 2, 4 and 8 days: time and peak RSS
  pairs      1, 8 and 64 OLS pairs on the same legs, every core in use, with
             and without series.csv (--no-series); 1 and 8 from the CSV too
  sweep      50 parameter combinations in one `sweep` against 50 backtests
  models     ols + kalman + huber + a rolling ADF (window 100, every
             observation) on the day, beside statsmodels' RLM (Huber) on one
             hour of the same windows, scaled to the day
  adf        the full-sample ADF of a day of seconds (build/perf/bench_adf)
             beside statsmodels' adfuller and numpy's QR search of the same
             lags
  parse      the aggTrade frame parser against a bare simdjson on-demand walk
             of the same frames (build/perf/bench_parse)
  latency    tick-to-signal on one pinned shard, paced at 10 % of its rate
             (build/perf/service_throughput)

then writes a Markdown table (--out) and an SVG plot of cost against days and
against pairs (--svg). The references do less than the engine (no report, no
id checks, pandas and numpy no ADF), so the ratios understate the engine.

  perf/report.py [--build build] [--no-build] [--work /tmp/alphastream-perf]
                 [--days 8] [--repeat 3] [--rate 14] [--quick]
                 [--out perf/REPORT.md] [--svg perf/report.svg]

--quick leaves out the statsmodels references (minutes and gigabytes on
their own). Not a test: a few minutes, and its figures are the machine's.
"""

import argparse
import json
import os
import re
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


# A rolling Huber regression (statsmodels RLM, the reference the huber plugin
# is tested against) over the first `hours` of the day's 1 s grid, window
# 100 at every observation. argv: x file, y file, hours. Prints seconds.
RLM = textwrap.dedent("""\
    import sys, time, warnings, numpy as np, pandas as pd, statsmodels.api as sm
    warnings.simplefilter("ignore")
    def leg(f):
        t = pd.read_csv(f, header=None, usecols=[1, 5], names=["p", "t"])
        t.index = pd.to_datetime(t["t"], unit="ms")
        return t["p"].resample("1s", label="right", closed="left").last()
    df = pd.concat({"x": leg(sys.argv[1]), "y": leg(sys.argv[2])}, axis=1).ffill().dropna()
    n = int(float(sys.argv[3]) * 3600)
    x, y = df.x.to_numpy()[:n + 100], df.y.to_numpy()[:n + 100]
    start = time.perf_counter()
    for i in range(100, len(x)):
        sm.RLM(y[i - 100:i], sm.add_constant(x[i - 100:i]), M=sm.robust.norms.HuberT()).fit()
    print(time.perf_counter() - start)
""")

# The full-sample ADF of a series like bench_adf's (AR(1), phi 0.99, its
# length): statsmodels' adfuller with autolag AIC, and the same lag search in
# numpy (one QR of the widest design). argv: n, which.
ADF = textwrap.dedent("""\
    import sys, time, numpy as np
    n, which = int(sys.argv[1]), sys.argv[2]
    rng = np.random.default_rng(17)
    e = rng.standard_normal(n)
    s = np.empty(n); v = 0.0
    for i in range(n):
        v = 0.99 * v + e[i]; s[i] = v
    start = time.perf_counter()
    if which == "statsmodels":
        from statsmodels.tsa.stattools import adfuller
        stat = adfuller(s, regression="c", autolag="AIC")[0]
    else:
        maxlag = int(np.ceil(12 * (n / 100) ** 0.25))
        d = np.diff(s)
        rows = len(d) - maxlag
        cols = [np.ones(rows), s[maxlag:-1]] + [d[maxlag - k:len(d) - k] for k in range(1, maxlag + 1)]
        X, yv = np.column_stack(cols), d[maxlag:]
        # One QR of the widest design: the nested fits' residual sums of
        # squares follow from Q'y, as statsmodels' search compares them.
        q, r = np.linalg.qr(X)
        ssr = yv @ yv - np.cumsum((q.T @ yv) ** 2)
        aic = [rows * np.log(ssr[1 + lag] / rows) + 2 * (2 + lag) for lag in range(maxlag + 1)]
        stat = int(np.argmin(aic))
    print(time.perf_counter() - start)
""")


def run_measured(argv, cwd=None):
    """(wall seconds, peak RSS in MB, stdout) of one process, via /usr/bin/time.
    The last run's outputs are written back to disk first: the kernel's
    writeback of a backtest's 15 MB would otherwise run on a core during the
    next measurement."""
    os.sync()
    start = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-f", "__rss_kb %M"] + argv, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - start
    if done.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(argv), done.stdout, done.stderr))
    rss = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("__rss_kb")][-1]
    return wall, rss / 1024.0, done.stdout


def median_runs(runs):
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def svg_plot(path, panels):
    """Cost against input size and against pairs: one small log-scale-free
    line chart per panel, (title, x label, [(x, seconds)], reference line)."""
    width, height, pad = 360, 240, 46
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">'
           % (width * len(panels), height)]
    for p, (title, xlabel, points, linear) in enumerate(panels):
        ox = p * width
        xs, ys = [x for x, _ in points], [y for _, y in points] + [y for _, y in linear]
        xmax, ymax = max(xs), max(ys) * 1.1
        def px(x):
            return ox + pad + (width - 2 * pad) * x / xmax
        def py(y):
            return height - pad - (height - 2 * pad) * y / ymax
        out.append('<text x="%d" y="16" font-weight="bold">%s</text>' % (ox + pad, title))
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/>' % (px(0), py(0), px(xmax), py(0)))
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/>' % (px(0), py(0), px(0), py(ymax)))
        for x in xs:
            out.append('<text x="%.1f" y="%.1f" text-anchor="middle">%g</text>' % (px(x), py(0) + 14, x))
        for frac in (0.5, 1.0):
            out.append('<text x="%.1f" y="%.1f" text-anchor="end">%.2f s</text>' % (px(0) - 4, py(ymax * frac / 1.1), ymax * frac / 1.1))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (px(xmax / 2), height - 8, xlabel))
        for line, colour, dash in ((linear, "#bbb", ' stroke-dasharray="4 3"'), (points, "#4e79a7", "")):
            out.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>'
                       % (colour, dash, " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in line)))
        for x, y in points:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="#4e79a7"><title>%g: %.3f s</title></circle>'
                       % (px(x), py(y), x, y))
        out.append('<text x="%.1f" y="30" fill="#999">dashed: proportional to the first point</text>' % (ox + pad))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--no-build", action="store_true", help="use the build tree as it is")
    parser.add_argument("--work", default="/tmp/alphastream-perf")
    parser.add_argument("--days", type=int, default=8, help="the longest run of the days sweep (1, 2, 4, ...)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate", type=float, default=RATE, help="trades/s per leg")
    parser.add_argument("--quick", action="store_true", help="leave out the statsmodels references")
    parser.add_argument("--out", help="write the Markdown table here too")
    parser.add_argument("--svg", help="write the cost plot here")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.abspath(args.build)
    if not args.no_build:
        print("building %s (Release) ..." % build, file=sys.stderr)
        subprocess.run(["cmake", "-S", root, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"], check=True,
                       capture_output=True)
        subprocess.run(["cmake", "--build", build, "--target", "alphastream", "ingest_throughput", "bench_parse",
                        "bench_adf", "service_throughput", "alphastream_ols", "alphastream_kalman", "alphastream_huber",
                        "alphastream_microstructure"], check=True, capture_output=True)
    bin_ = os.path.join(build, "alphastream")
    tool = lambda name: os.path.join(build, "perf", name)
    shutil.rmtree(args.work, ignore_errors=True)
    data = os.path.join(args.work, "data")
    os.makedirs(data)
    print("generating %d day(s) of SIMXUSDT and SIMYUSDT in %s ..." % (args.days, data), file=sys.stderr)
    subprocess.run([bin_, "simulate", "--out", data, "--hours", str(24 * args.days), "--start", "2024-03-01",
                    "--x-rate", str(args.rate), "--y-rate", str(args.rate)], check=True, capture_output=True)

    def write(name, text):
        path = os.path.join(args.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def pairs_config(count, extra=""):
        head = CONFIG.split("pairs:")[0] + "pairs:\n"
        if count == 1:
            return write("pairs1%s.yaml" % extra, CONFIG)
        lines = ["  - {name: p%d, y: SIMYUSDT, x: SIMXUSDT, model: {plugin: ols, params: {window: %d}}, "
                 "zscore: {window: 100, entry: 2.0, exit: 0.0}}" % (i, 100 + 10 * i) for i in range(count)]
        return write("pairs%d.yaml" % count, head + "\n".join(lines) + "\n")

    config = pairs_config(1)
    models_config = write("models.yaml", CONFIG.split("pairs:")[0] + textwrap.dedent("""\
        pairs:
          - name: simx-simy
            y: SIMYUSDT
            x: SIMXUSDT
            models: [{plugin: ols, params: {window: 100}}, {plugin: kalman}, {plugin: huber, params: {window: 100}}]
            zscore: {window: 100, entry: 2.0, exit: 0.0}
            adf: {window: 100, every: 1}
        """))
    for name, text in (("pandas_ref.py", PANDAS), ("numpy_ref.py", NUMPY), ("rlm_ref.py", RLM), ("adf_ref.py", ADF)):
        write(name, text)

    def files(symbol, days):
        names = sorted(n for n in os.listdir(data) if n.startswith(symbol))[:days]
        return [os.path.join(data, n) for n in names]

    day_bytes = sum(os.path.getsize(p) for p in files("SIMXUSDT", 1) + files("SIMYUSDT", 1))

    def backtest(days, catalog, config_path=config, extra=()):
        # Into an empty folder, as a run's first write: replacing the last
        # run's files is the file system's work (ext4 freeing ~15 MB a pair).
        out = os.path.join(args.work, "out")
        shutil.rmtree(out, ignore_errors=True)
        argv = [bin_, "backtest", "--config", config_path, "--out", out, "--no-progress"] + list(extra)
        argv += ["--catalog", os.path.join(args.work, "catalog")] if catalog else ["--no-catalog"]
        for symbol in ("SIMXUSDT", "SIMYUSDT"):
            for path in files(symbol, days):
                argv += ["--data", "%s=%s" % (symbol, path)]
        return run_measured(argv)

    def reference(script, days):
        return run_measured([PY, os.path.join(args.work, script), ",".join(files("SIMXUSDT", days)),
                             ",".join(files("SIMYUSDT", days))])

    print("ingest ...", file=sys.stderr)
    out = subprocess.run([tool("ingest_throughput"), "--catalog", os.path.join(args.work, "ingest-catalog"),
                          "--repeat", str(max(3, args.repeat))] + ["SIMXUSDT=" + p for p in files("SIMXUSDT", 1)] +
                         ["SIMYUSDT=" + p for p in files("SIMYUSDT", 1)], check=True, capture_output=True, text=True)
    ing = json.loads(out.stdout)

    backtest(args.days, True)  # writes the catalog of every day
    print("day backtests ...", file=sys.stderr)
    runs = {"parsed": [], "catalog": [], "pandas": [], "numpy": []}
    for _ in range(args.repeat):
        runs["parsed"].append(backtest(1, False))
        runs["catalog"].append(backtest(1, True))
        runs["pandas"].append(reference("pandas_ref.py", 1))
        runs["numpy"].append(reference("numpy_ref.py", 1))
    day = {k: median_runs(v) for k, v in runs.items()}

    print("days and pairs ...", file=sys.stderr)
    day_counts = [d for d in (1, 2, 4, 8, 16, 31) if d <= args.days]
    by_days = {d: median_runs([backtest(d, True) for _ in range(args.repeat)]) for d in day_counts}
    by_pairs = {n: median_runs([backtest(1, True, pairs_config(n)) for _ in range(args.repeat)]) for n in (1, 8, 64)}
    # From the CSV files, as the issue that asked for this figure measured it:
    # each run parses the day once, whatever its pairs.
    csv_pairs = {n: median_runs([backtest(1, False, pairs_config(n)) for _ in range(args.repeat)]) for n in (1, 8)}
    # The same without series.csv (--no-series): what a pair costs when its
    # largest output is left out.
    lean_pairs = {n: median_runs([backtest(1, True, pairs_config(n), ["--no-series"]) for _ in range(args.repeat)])
                  for n in (1, 8, 64)}

    print("sweep ...", file=sys.stderr)
    grid = {"model.params.window": ["60", "100", "200", "300", "600"],
            "zscore.entry": ["1.5", "1.75", "2", "2.25", "2.5"], "zscore.window": ["100", "300"]}
    data_args = []
    for symbol in ("SIMXUSDT", "SIMYUSDT"):
        data_args += ["--data", "%s=%s" % (symbol, files(symbol, 1)[0])]
    sweep_argv = [bin_, "sweep", "--config", config, "--out", os.path.join(args.work, "sweep"), "--no-progress",
                  "--catalog", os.path.join(args.work, "catalog")] + data_args
    for key, values in grid.items():
        sweep_argv += ["--grid", "%s=%s" % (key, ",".join(values))]
    sweep = median_runs([run_measured(sweep_argv) for _ in range(args.repeat)])
    # The same 50 combinations as 50 backtests, one after another, once.
    separate_s = 0.0
    for window in grid["model.params.window"]:
        for entry in grid["zscore.entry"]:
            for z_window in grid["zscore.window"]:
                one = write("sweep-one.yaml", CONFIG.replace("window: 100}}", "window: %s}}" % window).replace(
                    "zscore: {window: 100, entry: 2.0", "zscore: {window: %s, entry: %s" % (z_window, entry)))
                separate_s += backtest(1, True, one)[0]
    combinations = 1
    for values in grid.values():
        combinations *= len(values)

    print("models, ADF, parse, latency ...", file=sys.stderr)
    models = median_runs([backtest(1, True, models_config) for _ in range(args.repeat)])
    adf_json = subprocess.run([tool("bench_adf"), "--benchmark_filter=BM_AdfFullSample/n:86400/blocked:1",
                               "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
    adf_engine = json.loads(adf_json)["benchmarks"][0]
    adf_engine_s = adf_engine["real_time"] / 1000.0
    numpy_adf_s = statistics.median(float(run_measured([PY, os.path.join(args.work, "adf_ref.py"), "86400",
                                                        "numpy"])[2]) for _ in range(args.repeat))
    rlm_hour_s = sm_adf = sm_adf_rss = None
    if not args.quick:
        rlm_hour_s = float(run_measured([PY, os.path.join(args.work, "rlm_ref.py"), files("SIMXUSDT", 1)[0],
                                         files("SIMYUSDT", 1)[0], "1"])[2])
        wall, sm_adf_rss, out = run_measured([PY, os.path.join(args.work, "adf_ref.py"), "86400", "statsmodels"])
        sm_adf = float(out)
    parse_json = subprocess.run([tool("bench_parse"), "--benchmark_filter=BM_(OnDemandWalkCombined|AggTradeParserCombined)",
                                 "--benchmark_min_time=0.5", "--benchmark_format=json"], check=True, capture_output=True,
                                text=True).stdout
    parse = {b["name"]: b["cpu_time"] for b in json.loads(parse_json)["benchmarks"]}
    # The tail of one paced run swings with the VM's neighbours: the median
    # of --repeat runs' percentiles.
    percentiles = []
    for _ in range(args.repeat):
        latency = subprocess.run([tool("service_throughput"), "--trades", "400000", "--shards", "1", "--repeat", "1",
                                  "--latency-trades", "100000", "--load", "0.1"], check=True, capture_output=True,
                                 text=True).stdout
        found = re.search(r"p50 ([\d.]+) us\s+p99 ([\d.]+) us\s+p99\.9 ([\d.]+) us.*\(exact", latency)
        if found:
            percentiles.append([float(v) for v in found.groups()])
    exact = [statistics.median(p[i] for p in percentiles) for i in range(3)] if percentiles else None

    cores = os.cpu_count()
    lines = [
        "Measured by `python3 perf/report.py --days %d --repeat %d%s` on %d cores, %s; a day = %.2f M trades, %.0f MB of "
        "CSV (two symbols at %g trades/s a leg); medians of %d runs." % (
            args.days, args.repeat, " --quick" if args.quick else "", cores, time.strftime("%Y-%m-%d"),
            ing["trades"] / 1e6, day_bytes / 1e6, args.rate, args.repeat),
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
    for d in day_counts[1:]:
        lines.append("| %d days vs 1 day, catalog | %.2f s, %.0f MB | %.2f s, %.0f MB | %.2fx the time per day, %.2fx the "
                     "memory |" % (d, by_days[d][0], by_days[d][1], by_days[1][0], by_days[1][1],
                                   by_days[d][0] / d / by_days[1][0], by_days[d][1] / by_days[1][1]))
    for n in (8, 64):
        lines.append("| %d OLS pairs vs 1, catalog, %d cores | %.2f s, %.0f MB | %.2f s, %.0f MB | %.2fx the time of one "
                     "pair |" % (n, cores, by_pairs[n][0], by_pairs[n][1], by_pairs[1][0], by_pairs[1][1],
                                 by_pairs[n][0] / by_pairs[1][0]))
    lines.append("| 8 OLS pairs vs 1, CSV, %d cores | %.2f s, %.0f MB | %.2f s, %.0f MB | %.2fx the time of one pair |"
                 % (cores, csv_pairs[8][0], csv_pairs[8][1], csv_pairs[1][0], csv_pairs[1][1],
                    csv_pairs[8][0] / csv_pairs[1][0]))
    for n in (8, 64):
        lines.append("| %d OLS pairs vs 1, catalog, %d cores, both --no-series | %.2f s, %.0f MB | %.2f s, %.0f MB | "
                     "%.2fx the time of one pair |" % (n, cores, lean_pairs[n][0], lean_pairs[n][1], lean_pairs[1][0],
                                                        lean_pairs[1][1], lean_pairs[n][0] / lean_pairs[1][0]))
    lines.append("| sweep of %d combinations (window x entry x z window), a day, catalog | %.2f s, %.0f MB | the same %d "
                 "as backtests, one after another: %.2f s | %.1fx faster |"
                 % (combinations, sweep[0], sweep[1], combinations, separate_s, separate_s / sweep[0]))
    models_ref = ("statsmodels RLM alone, 1 h of windows x 24: %.0f s" % (rlm_hour_s * 24) if rlm_hour_s else
                  "(--quick: no statsmodels)")
    lines.append("| ols + kalman + huber + rolling ADF (100, every observation), a day | %.2f s, %.0f MB | %s | %s |"
                 % (models[0], models[1], models_ref,
                    "%.0fx" % (rlm_hour_s * 24 / models[0]) if rlm_hour_s else "n/a"))
    sm = ("statsmodels adfuller %.1f s, %.0f MB; " % (sm_adf, sm_adf_rss) if sm_adf else "")
    lines.append("| full-sample ADF, 86 400 observations | %.3f s, %.1f MB above the series | %snumpy QR %.2f s | "
                 "%s%.1fx numpy |" % (adf_engine_s, adf_engine.get("peak_rss_MB", -1), sm, numpy_adf_s,
                                      "%.0fx statsmodels, " % (sm_adf / adf_engine_s) if sm_adf else "",
                                      numpy_adf_s / adf_engine_s))
    walk, full = parse["BM_OnDemandWalkCombined"], parse["BM_AggTradeParserCombined"]
    lines.append("| frame parse, combined stream | %.0f ns | bare simdjson on-demand walk %.0f ns | %.2fx the walk's "
                 "speed |" % (full, walk, walk / full))
    if exact:
        lines.append("| tick-to-signal, 1 pinned shard, 10 %% load, median of %d runs | p50 %.1f us, p99 %.1f us, "
                     "p99.9 %.1f us | | |" % (len(percentiles), *exact))
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)
    if args.svg:
        first_day, first_pair = by_days[1][0], by_pairs[1][0]
        svg_plot(args.svg, [
            ("Backtest time against days", "days", [(d, by_days[d][0]) for d in day_counts],
             [(d, first_day * d) for d in day_counts]),
            ("Backtest time against pairs (%d cores)" % cores, "pairs", [(n, by_pairs[n][0]) for n in (1, 8, 64)],
             [(n, first_pair * n) for n in (1, 8, 64)]),
        ])


if __name__ == "__main__":
    main()
