"""Shared helpers of the CLI end-to-end tests: run the real `alphastream`
binary, generate a pair with `alphastream simulate`, write configs and read
the files a backtest leaves behind.

Set by tests/cli/CMakeLists.txt:
  ALPHASTREAM_BIN            the alphastream executable under test
  ALPHASTREAM_PLUGIN_DIR     the directory holding libalphastream_ols.so
  ALPHASTREAM_TEST_WORK_DIR  scratch space; each test class gets a fresh
                             sub-folder, left in place for a look after a failure
  ALPHASTREAM_VERSION        the project version `--version` should print
"""

import html.parser
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd

BIN = os.environ.get("ALPHASTREAM_BIN", "")
PLUGIN_DIR = os.environ.get("ALPHASTREAM_PLUGIN_DIR", "")
WORK_DIR = os.environ.get("ALPHASTREAM_TEST_WORK_DIR", "")

# Exit codes of engine/cli/commands.h.
EXIT_OK = 0
EXIT_FAILURE = 1    # the run started and failed (I/O, data)
EXIT_BAD_INPUT = 2  # config, arguments or plugin rejected before running

# The generated pair. x moves ~8% over two hours (sd of log x over 7200 s is
# 0.001 * sqrt(7200) = 0.085) while the spread is an OU process with
# stationary sd 0.02 / sqrt(2 * 0.01) = 0.14 USD and a half-life of
# ln 2 / 0.01 = 69 s: the legs are strongly cointegrated and the z-score
# crosses its thresholds ~180 times (exits, stops, and with this seed a
# position still open at the end). 1.25 and 0.75 trades/s leave many 1 s
# intervals without a trade of one leg (forward fill) and keep a tick-mode
# run to ~14,000 observations: the full-sample ADF (up to 12 (n/100)^1/4
# lags) costs O(n lags^2) and takes ~12 s at 72,000 observations.
SIM_BETA = 1.5
SIM_ALPHA = 20.0
SIM_ARGS = ["--hours", "2", "--seed", "11", "--beta", "1.5", "--alpha", "20", "--x-vol", "0.001",
            "--spread-sigma", "0.02", "--spread-theta", "0.01", "--x-rate", "1.25", "--y-rate", "0.75"]
X_SYMBOL = "SIMXUSDT"
Y_SYMBOL = "SIMYUSDT"
PAIR = "simx-simy"

AGG_TRADE_COLUMNS = ["agg_trade_id", "price", "quantity", "first_trade_id", "last_trade_id",
                     "transact_time", "is_buyer_maker"]
SERIES_HEADER = "ts_ms,x,y,alpha,beta,spread,zscore,position"
OLS_OUTPUTS = "r_squared,residual_std"
SUMMARY_KEYS = ["n_obs", "static_alpha", "static_beta", "adf_stat", "adf_pvalue", "adf_usedlag", "adf_crit",
                "half_life_obs", "n_trades", "pnl", "fees", "max_drawdown", "notional", "days", "total_return",
                "annualised_return", "longest_drawdown_ms", "expectancy", "avg_holding_ms", "long", "short", "daily"]
# Ratios of daily returns: null for a run of one day (the generated pair's two hours).
DAILY_RATIO_KEYS = ["sharpe", "sortino"]

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "ThreadSanitizer", "runtime error:")


def fresh_dir(name):
    """An empty folder WORK_DIR/name (or under /tmp without WORK_DIR)."""
    root = WORK_DIR or os.path.join("/tmp", "alphastream-cli-tests")
    path = os.path.join(root, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def run(args, cwd=None):
    """Runs alphastream with args; returns the CompletedProcess (text stdout,
    stderr, returncode). Fails the test if a sanitizer reported anything."""
    if not BIN:
        raise AssertionError("ALPHASTREAM_BIN is not set: run these tests through ctest")
    done = subprocess.run([BIN] + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=120)
    for marker in SANITIZER_MARKERS:
        if marker in done.stderr:
            raise AssertionError("sanitizer report from alphastream %s:\n%s" % (" ".join(map(str, args)),
                                                                                 done.stderr))
    return done


def describe(done):
    return "exit %d\n--- stdout\n%s--- stderr\n%s" % (done.returncode, done.stdout, done.stderr)


def simulate(out_dir, extra_args=()):
    """Writes the generated pair; returns (x_csv, y_csv)."""
    done = run(["simulate", "--out", out_dir, "--x", X_SYMBOL, "--y", Y_SYMBOL] + SIM_ARGS + list(extra_args))
    if done.returncode != EXIT_OK:
        raise AssertionError("simulate failed: " + describe(done))
    x_csv = os.path.join(out_dir, X_SYMBOL + "-aggTrades-2024-01-01.csv")
    y_csv = os.path.join(out_dir, Y_SYMBOL + "-aggTrades-2024-01-01.csv")
    for path in (x_csv, y_csv):
        if path not in done.stdout:
            raise AssertionError("simulate did not report writing %s: %s" % (path, describe(done)))
    return x_csv, y_csv


def simulate_days(out_dir, hours):
    """A slowly trading pair (0.2 trades/s a leg, a spread that reverts over
    hours) for `hours`, one file per UTC day in out_dir: the data of the
    tests that sample several days every minute."""
    done = run(["simulate", "--out", out_dir, "--x", X_SYMBOL, "--y", Y_SYMBOL, "--hours", str(hours),
                "--seed", "7", "--x-rate", "0.2", "--y-rate", "0.2", "--x-vol", "0.001",
                "--spread-sigma", "0.1", "--spread-theta", "0.0005"])
    if done.returncode != EXIT_OK:
        raise AssertionError("simulate failed: " + describe(done))


def config_text(ols_window=600, z_window=300, mode="time", interval_ms=1000, plugin="ols", params=None,
                fee_bps=4.0, slippage_bps=1.0, notional=10000.0, entry=2.0, exit=0.0, stop=4.0,
                plugins_dir=None):
    """A backtest config for the generated pair, as YAML text. params
    replaces the model params (a dict, written in order)."""
    if params is None:
        params = {"window": ols_window}
    lines = []
    if plugins_dir is not None:
        lines += ["plugins:", "  dir: %s" % plugins_dir]
    lines += ["sampling:", "  mode: %s" % mode]
    if mode == "time":
        lines.append("  interval_ms: %d" % interval_ms)
    lines += ["backtest:",
              "  fee_bps: %r" % fee_bps,
              "  slippage_bps: %r" % slippage_bps,
              "  notional: %r" % notional,
              "pairs:",
              "  - name: %s" % PAIR,
              "    y: %s" % Y_SYMBOL,
              "    x: %s" % X_SYMBOL]
    lines += ["    model:", "      plugin: %s" % plugin, "      params:"]
    lines += ["        %s: %s" % (key, value) for key, value in params.items()]
    lines += ["    zscore:",
              "      window: %d" % z_window,
              "      entry: %r" % entry,
              "      exit: %r" % exit]
    if stop is not None:
        lines.append("      stop: %r" % stop)
    return "\n".join(lines) + "\n"


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def line_of(text, needle):
    """1-based number of the first line of text containing needle."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError("%r not in config:\n%s" % (needle, text))


def backtest(config_path, x_csv, y_csv, out_dir, extra_args=()):
    return run(["backtest", "--config", config_path, "--data", "%s=%s" % (X_SYMBOL, x_csv),
                "--data", "%s=%s" % (Y_SYMBOL, y_csv), "--out", out_dir, "--no-progress"] + list(extra_args))


def read_agg_trades(path):
    """A Binance aggTrades CSV without header, prices parsed exactly."""
    return pd.read_csv(path, header=None, names=AGG_TRADE_COLUMNS, float_precision="round_trip")


def read_series(path):
    """series.csv; empty fields are NaN, numbers parsed exactly (round trip)."""
    return pd.read_csv(path, float_precision="round_trip")


def read_trades(path):
    return pd.read_csv(path, float_precision="round_trip")


def time_mode_observations(x_trades, y_trades, interval_ms):
    """The aligner's time-mode observations rebuilt from the two legs' trades:
    intervals [k*I, (k+1)*I) stamped with their end; each leg's price is its
    last trade with transact_time < end (forward filled over empty
    intervals); from the first interval at whose end both legs have a price
    up to the interval holding the last trade."""
    def last_price_per_interval(trades):
        end = (trades["transact_time"] // interval_ms + 1) * interval_ms
        return trades.assign(ts_ms=end).groupby("ts_ms")["price"].last()

    x_last = last_price_per_interval(x_trades)
    y_last = last_price_per_interval(y_trades)
    first = max(x_last.index.min(), y_last.index.min())
    last = max(x_last.index.max(), y_last.index.max())
    grid = pd.Index(np.arange(first, last + interval_ms, interval_ms, dtype=np.int64), name="ts_ms")
    return pd.DataFrame({
        "ts_ms": grid,
        "x": x_last.reindex(x_last.index.union(grid)).ffill().reindex(grid).to_numpy(),
        "y": y_last.reindex(y_last.index.union(grid)).ffill().reindex(grid).to_numpy(),
    })


def tick_mode_observations(x_trades, y_trades):
    """One observation per trade of either leg from the first trade at which
    both legs have a price, the other leg carried forward. The backtest merges
    the files by transact time, the pair's y file first on a tie, each file in
    its own order."""
    y = pd.DataFrame({"t": y_trades["transact_time"], "leg": 0, "price": y_trades["price"]})
    x = pd.DataFrame({"t": x_trades["transact_time"], "leg": 1, "price": x_trades["price"]})
    merged = pd.concat([y, x], ignore_index=True).sort_values(["t", "leg"], kind="stable")
    xs = merged["price"].where(merged["leg"] == 1).ffill()
    ys = merged["price"].where(merged["leg"] == 0).ffill()
    both = xs.notna() & ys.notna()
    return pd.DataFrame({"ts_ms": merged["t"][both].to_numpy(), "x": xs[both].to_numpy(),
                         "y": ys[both].to_numpy()})


def rolling_ols(x, y, window):
    """beta, alpha of y on x with intercept over each trailing window (NaN
    before it is full), two-pass centred sums per window."""
    n = len(x)
    beta = np.full(n, np.nan)
    alpha = np.full(n, np.nan)
    if n < window:
        return alpha, beta
    xw = np.lib.stride_tricks.sliding_window_view(x, window)
    yw = np.lib.stride_tricks.sliding_window_view(y, window)
    mx = xw.mean(axis=1)
    my = yw.mean(axis=1)
    dx = xw - mx[:, None]
    dy = yw - my[:, None]
    b = (dx * dy).sum(axis=1) / (dx * dx).sum(axis=1)
    beta[window - 1:] = b
    alpha[window - 1:] = my - b * mx
    return alpha, beta


def replay_signals_and_ledger(ts_ms, x, y, beta, z, entry, exit, stop, fee_bps, slippage_bps, notional):
    """The signal machine and the paper ledger written out again from their
    documented rules (engine/pipeline/signal_machine.h, paper_ledger.h).
    Returns (positions held after each observation's execution, closed
    trades as dicts, equity path with the last point after the end-of-data
    close)."""
    fee = fee_bps * 1e-4
    slip = slippage_bps * 1e-4

    def fill(mid, qty):
        return mid * (1 + slip) if qty > 0 else mid * (1 - slip) if qty < 0 else mid

    signal_position = 0
    blocked = 0
    pending, pending_beta, pending_reason = 0, 0.0, "exit"
    held = 0
    open_trade = None
    realised = 0.0
    trades, positions, equity = [], [], []

    def close(i, reason):
        nonlocal realised, open_trade, held
        t = open_trade
        t["exit_ts_ms"] = int(ts_ms[i])
        t["exit_y"] = fill(y[i], -t["qty_y"])
        t["exit_x"] = fill(x[i], -t["qty_x"])
        t["fees_usd"] += fee * (abs(t["qty_y"]) * t["exit_y"] + abs(t["qty_x"]) * t["exit_x"])
        gross = t["qty_y"] * (t["exit_y"] - t["entry_y"]) + t["qty_x"] * (t["exit_x"] - t["entry_x"])
        t["pnl_usd"] = gross - t["fees_usd"]
        t["exit_reason"] = reason
        realised += t["pnl_usd"]
        trades.append(t)
        open_trade, held = None, 0

    for i in range(len(ts_ms)):
        # Execute the target decided at the previous observation at this one's prices.
        if pending != held:
            if held != 0:
                close(i, pending_reason)
            if pending != 0 and np.isfinite(pending_beta):
                qty_y = pending * notional / y[i]
                qty_x = -pending_beta * qty_y
                t = {"entry_ts_ms": int(ts_ms[i]), "side": "long" if pending > 0 else "short",
                     "qty_y": qty_y, "qty_x": qty_x, "entry_y": fill(y[i], qty_y), "entry_x": fill(x[i], qty_x)}
                t["fees_usd"] = fee * (abs(qty_y) * t["entry_y"] + abs(qty_x) * t["entry_x"])
                open_trade, held = t, pending
        positions.append(held)
        if held == 0:
            equity.append(realised)
        else:
            t = open_trade
            mark = t["qty_y"] * (y[i] - t["entry_y"]) + t["qty_x"] * (x[i] - t["entry_x"])
            equity.append(realised - t["fees_usd"] + mark)

        # Decide on this observation's z.
        action = "none"
        zi = z[i]
        if not np.isnan(zi):
            if blocked != 0 and abs(zi) < entry:
                blocked = 0
            decided = False
            if signal_position != 0:
                if stop is not None and abs(zi) > stop:
                    blocked, signal_position, action, decided = signal_position, 0, "stop", True
                elif (zi <= exit) if signal_position < 0 else (zi >= -exit):
                    signal_position, action = 0, "exit"
                else:
                    decided = True
            if not decided:
                def may_enter(side):
                    return side != blocked and (stop is None or abs(zi) <= stop)
                if zi > entry and may_enter(-1):
                    signal_position, action = -1, "enter"
                elif zi < -entry and may_enter(+1):
                    signal_position, action = +1, "enter"
        pending, pending_beta = signal_position, beta[i]
        pending_reason = "stop" if action == "stop" else "exit"

    if held != 0:
        close(len(ts_ms) - 1, "end")
        equity[-1] = realised
    return positions, trades, equity


class HtmlChecker(html.parser.HTMLParser):
    """Checks that every non-void element of an HTML document is closed, in
    order, and counts elements; problems collects what is wrong."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.counts = {}
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in self.VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if not self.stack:
            self.problems.append("line %d: </%s> closes nothing" % (self.getpos()[0], tag))
        elif self.stack[-1][0] != tag:
            open_tag, (line, _) = self.stack[-1]
            self.problems.append("line %d: </%s> closes <%s> of line %d" % (self.getpos()[0], tag, open_tag, line))
        else:
            self.stack.pop()

    def check(self, text):
        self.feed(text)
        self.close()
        for tag, (line, _) in self.stack:
            self.problems.append("<%s> of line %d is never closed" % (tag, line))
        return self.problems


def svg_fragments(text):
    """The text of each top-level <svg ...>...</svg> element."""
    return re.findall(r"<svg\b.*?</svg>", text, flags=re.DOTALL)


def without_provenance(name, data):
    """An output's bytes less what says where the run came from (summary.json's
    "provenance", report.html's provenance section), for comparing runs of
    the same trades from different sources or configs."""
    if name.endswith("summary.json"):
        summary = json.loads(data)
        summary.pop("provenance", None)
        return json.dumps(summary, indent=2).encode()
    if name.endswith("report.html"):
        return re.sub(rb'<section class="card provenance">.*?</section>\n', b"", data, flags=re.DOTALL)
    return data


def tree_bytes(root):
    """{relative path: bytes} of every file under root."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = f.read()
    return files
