"""`alphastream backtest` checked against an independent re-computation in
Python of everything it writes, from the same two aggTrade files: the
aligned observations (pandas), the rolling OLS (numpy), the spread and its
z-score (pandas rolling), the signal rules and the paper ledger (a plain
Python replay of their documented rules) and the Engle-Granger statistics
(statsmodels)."""

import json
import os
import sys
import unittest

import numpy as np
import pandas as pd
from statsmodels.tsa.stattools import adfuller

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_support as cs  # noqa: E402

OLS_WINDOW = 600
Z_WINDOW = 300
INTERVAL_MS = 1000
ENTRY, EXIT, STOP = 2.0, 0.0, 4.0
FEE_BPS, SLIPPAGE_BPS, NOTIONAL = 4.0, 1.0, 10000.0
MS_PER_YEAR = 365.0 * 24 * 3600 * 1000


def assert_close(test, actual, expected, rtol, atol, what):
    """Element-wise |actual - expected| <= atol + rtol * |expected|, with NaN
    in exactly the same places."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    test.assertEqual(actual.shape, expected.shape, what + ": lengths differ")
    nan_a, nan_e = np.isnan(actual), np.isnan(expected)
    if not np.array_equal(nan_a, nan_e):
        i = int(np.argmax(nan_a != nan_e))
        test.fail("%s: NaN at different rows, first at row %d: engine %r, expected %r"
                  % (what, i, actual[i], expected[i]))
    bound = atol + rtol * np.abs(expected)
    bad = ~nan_e & (np.abs(actual - expected) > bound)
    if bad.any():
        i = int(np.argmax(bad))
        test.fail("%s: %d rows differ, first at row %d: engine %r, expected %r (tolerance %g)"
                  % (what, int(bad.sum()), i, actual[i], expected[i], bound[i]))


def expected_performance(ts_ms, equity, trades):
    """The summary's performance figures from their definitions
    (engine/pipeline/performance.h): daily P&L from pandas' UTC-day resample of
    the equity path, days without points flat; returns on NOTIONAL."""
    # A point belongs to the day of its stamp's last millisecond.
    path = pd.Series(equity, index=pd.to_datetime(np.asarray(ts_ms) - 1, unit="ms"))
    close = path.resample("1D").last().ffill()
    pnl = close.diff()
    pnl.iloc[0] = close.iloc[0]
    r = (pnl / NOTIONAL).to_numpy()
    days = len(r)
    total = equity[-1] / NOTIONAL
    annualised = total * 365 / days
    peak = np.maximum.accumulate(np.maximum(equity, 0.0))
    drawdown = float(np.max(peak - equity))
    # Longest time below the running peak (the start's 0 included), to the
    # point that regains it or to the end.
    longest, top, top_ts, under = 0, 0.0, int(ts_ms[0]), False
    for t, e in zip(ts_ms, equity):
        if e < top or under:
            longest = max(longest, int(t) - top_ts)
        under = e < top
        if not under:
            top, top_ts = e, int(t)
    trades = pd.DataFrame(trades)
    long = trades.side == "long"
    wins, losses = trades.pnl_usd[trades.pnl_usd > 0], trades.pnl_usd[trades.pnl_usd < 0]
    out = {
        "days": days, "total_return": total, "annualised_return": annualised, "max_drawdown": drawdown,
        "longest_drawdown_ms": longest,
        "calmar": annualised / (drawdown / NOTIONAL) if drawdown > 0 else None,
        "sharpe": r.mean() / r.std(ddof=1) * np.sqrt(365) if days >= 2 else None,
        "sortino": (r.mean() / np.sqrt(np.mean(np.minimum(r, 0) ** 2)) * np.sqrt(365)
                    if days >= 2 and (r < 0).any() else None),
        "profit_factor": wins.sum() / -losses.sum(), "expectancy": trades.pnl_usd.mean(),
        "avg_win": wins.mean(), "avg_loss": losses.mean(), "best_trade": trades.pnl_usd.max(),
        "worst_trade": trades.pnl_usd.min(),
        "avg_holding_ms": float((trades.exit_ts_ms - trades.entry_ts_ms).mean()),
        "long": {"trades": int(long.sum()), "pnl": trades.pnl_usd[long].sum()},
        "short": {"trades": int((~long).sum()), "pnl": trades.pnl_usd[~long].sum()},
    }
    daily = [{"day_start_ms": int(day.value // 1_000_000), "pnl": p, "equity": e}
             for day, p, e in zip(close.index, pnl.to_numpy(), close.to_numpy())]
    return out, daily


def assert_performance(test, summary, ts_ms, equity, trades):
    """Equity and P&L in USD to 1e-6; ratios to 1e-6 relative (they are
    quotients of those sums)."""
    expected, daily = expected_performance(ts_ms, equity, trades)
    for key, value in expected.items():
        if isinstance(value, dict):
            test.assertEqual(summary[key]["trades"], value["trades"], key)
            test.assertAlmostEqual(summary[key]["pnl"], value["pnl"], delta=1e-6, msg=key)
        elif value is None:
            test.assertIsNone(summary[key], key)
        elif key in ("days", "longest_drawdown_ms"):
            test.assertEqual(summary[key], value, key)
        else:
            test.assertAlmostEqual(summary[key], value, delta=1e-6 * max(1.0, abs(value)), msg=key)
    test.assertEqual([d["day_start_ms"] for d in summary["daily"]], [d["day_start_ms"] for d in daily])
    for got, want in zip(summary["daily"], daily):
        test.assertAlmostEqual(got["pnl"], want["pnl"], delta=1e-6)
        test.assertAlmostEqual(got["equity"], want["equity"], delta=1e-6)
    return expected


class TimeModeBacktestMatchesIndependentRecomputation(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("recompute_time")
        cls.x_csv, cls.y_csv = cs.simulate(os.path.join(cls.dir, "data"))
        # plugins.dir given explicitly here (the other tests use the default).
        cls.config = cs.write_file(os.path.join(cls.dir, "backtest.yaml"), cs.config_text(
            ols_window=OLS_WINDOW, z_window=Z_WINDOW, interval_ms=INTERVAL_MS, entry=ENTRY, exit=EXIT,
            stop=STOP, fee_bps=FEE_BPS, slippage_bps=SLIPPAGE_BPS, notional=NOTIONAL,
            plugins_dir=cs.PLUGIN_DIR or None))
        out = os.path.join(cls.dir, "out")
        done = cs.backtest(cls.config, cls.x_csv, cls.y_csv, out)
        if done.returncode != cs.EXIT_OK:
            raise AssertionError("backtest failed: " + cs.describe(done))
        pair_dir = os.path.join(out, cs.PAIR)
        cls.series = cs.read_series(os.path.join(pair_dir, "series.csv"))
        cls.trades = cs.read_trades(os.path.join(pair_dir, "trades.csv"))
        with open(os.path.join(pair_dir, "summary.json")) as f:
            cls.summary = json.load(f)

        cls.x_trades = cs.read_agg_trades(cls.x_csv)
        cls.y_trades = cs.read_agg_trades(cls.y_csv)
        cls.x = cls.series["x"].to_numpy()
        cls.y = cls.series["y"].to_numpy()
        cls.alpha, cls.beta = cs.rolling_ols(cls.x, cls.y, OLS_WINDOW)
        cls.spread = cls.y - (cls.beta * cls.x + cls.alpha)
        spread = pd.Series(cls.spread)
        # pandas skips NaN inside a window; min_periods=Z_WINDOW leaves NaN
        # until Z_WINDOW finite spreads were seen, as the engine does.
        rolling = spread.rolling(Z_WINDOW, min_periods=Z_WINDOW)
        cls.z = ((spread - rolling.mean()) / rolling.std(ddof=1)).to_numpy()
        cls.positions, cls.replayed_trades, cls.equity = cs.replay_signals_and_ledger(
            cls.series["ts_ms"].to_numpy(), cls.x, cls.y, cls.beta, cls.z, ENTRY, EXIT, STOP, FEE_BPS,
            SLIPPAGE_BPS, NOTIONAL)

    def test_observations_are_interval_ends_with_each_legs_last_price_before_the_end(self):
        expected = cs.time_mode_observations(self.x_trades, self.y_trades, INTERVAL_MS)
        # Two hours of 1 s intervals from 2024-01-01T00:00:00Z, less the first
        # few before both legs had traded.
        start_ms = 1704067200000
        self.assertEqual(expected["ts_ms"].iloc[-1], start_ms + 7200 * 1000)
        self.assertGreater(len(expected), 7190)
        self.assertEqual(self.summary["n_obs"], len(expected))
        self.assertEqual(len(self.series), len(expected))
        # Many intervals hold no trade of a leg, so forward fill is exercised.
        x_intervals = set(self.x_trades["transact_time"] // INTERVAL_MS)
        self.assertGreater(len(expected) - len(x_intervals), 1000)
        np.testing.assert_array_equal(self.series["ts_ms"].to_numpy(), expected["ts_ms"].to_numpy())
        np.testing.assert_array_equal(self.x, expected["x"].to_numpy())
        np.testing.assert_array_equal(self.y, expected["y"].to_numpy())
        self.assertEqual(self.summary["first_ts_ms"], int(expected["ts_ms"].iloc[0]))
        self.assertEqual(self.summary["last_ts_ms"], int(expected["ts_ms"].iloc[-1]))

    def test_rolling_ols_beta_and_alpha_match_numpy_over_the_same_window(self):
        # Both sides compute centred sums of prices near 100 and 170 whose
        # deviations are a few USD; agreement is ~1e-13 relative in practice,
        # 1e-9 leaves room for summation order. alpha = mean(y) - beta mean(x)
        # is a difference of price-sized numbers, so its error scales with the
        # price level (y), not with alpha itself, which can pass near 0.
        self.assertEqual(int(np.isnan(self.beta).sum()), OLS_WINDOW - 1)
        assert_close(self, self.series["beta"], self.beta, 1e-9, 0.0, "beta")
        assert_close(self, self.series["alpha"], self.alpha, 1e-9, 1e-9 * np.abs(self.y), "alpha")

    def test_ols_extra_outputs_match_numpy(self):
        n = len(self.x)
        r_squared = np.full(n, np.nan)
        residual_std = np.full(n, np.nan)
        for end in range(OLS_WINDOW, n + 1, 97):  # a sample of windows keeps this fast
            xw, yw = self.x[end - OLS_WINDOW:end], self.y[end - OLS_WINDOW:end]
            dx, dy = xw - xw.mean(), yw - yw.mean()
            b = (dx * dy).sum() / (dx * dx).sum()
            ssr = ((dy - b * dx) ** 2).sum()
            r_squared[end - 1] = 1 - ssr / (dy * dy).sum()
            residual_std[end - 1] = np.sqrt(ssr / (OLS_WINDOW - 2))
        rows = ~np.isnan(r_squared)
        # The plugin computes ssr as syy - beta sxy (its descriptor says so),
        # which loses digits as r_squared nears 1: compare to 1e-7.
        assert_close(self, self.series["r_squared"].to_numpy()[rows], r_squared[rows], 1e-7, 0.0, "r_squared")
        assert_close(self, self.series["residual_std"].to_numpy()[rows], residual_std[rows], 1e-7, 0.0,
                     "residual_std")

    def test_spread_and_zscore_match_a_pandas_rolling_sample_std(self):
        # Spread: y - (beta x + alpha) with the tolerances above gives at
        # most ~1.5e-9 * (x - mean x) ~ 1e-8 USD, 1e-7 of the spread's sd.
        assert_close(self, self.series["spread"], self.spread, 0.0, 1e-8, "spread")
        # z: empty until OLS_WINDOW - 1 + Z_WINDOW rows have passed; a 1e-8
        # USD spread error over a rolling sd above 0.03 USD moves z < 1e-6.
        self.assertEqual(int(np.isnan(self.z).sum()), OLS_WINDOW - 1 + Z_WINDOW - 1)
        assert_close(self, self.series["zscore"], self.z, 0.0, 1e-6, "zscore")

    def test_positions_follow_the_signal_rules_executed_at_the_next_observation(self):
        # A z within the tolerance of a threshold could flip a decision; the
        # generated data has none, so positions must agree exactly.
        z = self.z[~np.isnan(self.z)]
        closest = min(np.min(np.abs(np.abs(z) - ENTRY)), np.min(np.abs(np.abs(z) - STOP)),
                      np.min(np.abs(z - EXIT)))
        self.assertGreater(closest, 1e-6, "a z-score lies on a threshold: pick another seed")
        engine = self.series["position"].to_numpy()
        expected = np.array(self.positions)
        differ = np.flatnonzero(engine != expected)
        self.assertEqual(len(differ), 0, "positions differ first at row %s" % (differ[:1],))
        # Each position starts one row after the z that asked for it.
        first_entry = int(np.flatnonzero(expected != 0)[0])
        self.assertGreater(abs(self.z[first_entry - 1]), ENTRY)
        self.assertLessEqual(abs(self.z[first_entry - 2]), ENTRY)

    def test_trades_match_the_replayed_ledger_to_a_micro_dollar(self):
        engine, expected = self.trades, pd.DataFrame(self.replayed_trades)
        self.assertEqual(len(engine), len(expected))
        # The data exercises every way out: threshold exits, stops and the
        # close at the end of data.
        self.assertEqual(set(engine["exit_reason"]), {"exit", "stop", "end"})
        for column in ("entry_ts_ms", "exit_ts_ms", "side", "exit_reason"):
            self.assertEqual(engine[column].tolist(), expected[column].tolist(), column)
        # Execution prices are mid * (1 +/- slippage) of the same mids.
        for column in ("qty_y", "entry_y", "entry_x", "exit_y", "exit_x"):
            assert_close(self, engine[column], expected[column], 1e-12, 0.0, column)
        assert_close(self, engine["qty_x"], expected["qty_x"], 1e-9, 0.0, "qty_x")  # -beta * qty_y
        for column in ("fees_usd", "pnl_usd"):
            assert_close(self, engine[column], expected[column], 0.0, 1e-6, column)

    def test_summary_totals_match_the_trades_and_the_replayed_equity_path(self):
        s = self.summary
        expected = pd.DataFrame(self.replayed_trades)
        self.assertEqual(s["n_trades"], len(expected))
        self.assertAlmostEqual(s["pnl"], expected["pnl_usd"].sum(), delta=1e-6)
        self.assertAlmostEqual(s["fees"], expected["fees_usd"].sum(), delta=1e-6)
        self.assertAlmostEqual(s["win_rate"], float((expected["pnl_usd"] > 0).mean()), delta=1e-12)
        equity = np.array(self.equity)
        self.assertAlmostEqual(equity[-1], expected["pnl_usd"].sum(), delta=1e-6)
        drawdown = np.max(np.maximum.accumulate(np.maximum(equity, 0.0)) - equity)
        self.assertAlmostEqual(s["max_drawdown"], drawdown, delta=1e-6)
        held = np.array(self.positions)
        held[-1] = 0  # the end-of-data close
        self.assertAlmostEqual(s["exposure"], float((held != 0).mean()), delta=1e-12)
        assert_performance(self, s, self.series["ts_ms"].to_numpy(), equity, self.replayed_trades)

    def test_static_regression_and_adf_match_statsmodels(self):
        s = self.summary
        design = np.column_stack([np.ones_like(self.x), self.x])
        (alpha, beta), *_ = np.linalg.lstsq(design, self.y, rcond=None)
        self.assertAlmostEqual(s["static_beta"], beta, delta=1e-9 * abs(beta))
        self.assertAlmostEqual(s["static_alpha"], alpha, delta=1e-9 * np.mean(self.y))
        residual = self.y - (alpha + beta * self.x)
        stat, pvalue, usedlag, nobs, crit, _ = adfuller(residual, regression="c", autolag="AIC")
        self.assertAlmostEqual(s["adf_stat"], stat, delta=1e-8)
        # The p-value here is ~1e-8, so an absolute 1e-8 would accept
        # anything: compare relatively.
        self.assertAlmostEqual(s["adf_pvalue"], pvalue, delta=1e-8 * pvalue)
        self.assertLess(pvalue, 0.01)  # the generated pair is cointegrated
        self.assertEqual(s["adf_usedlag"], usedlag)
        self.assertEqual(s["adf_nobs"], nobs)
        for level in ("1%", "5%", "10%"):
            self.assertAlmostEqual(s["adf_crit"][level], crit[level], delta=1e-8, msg=level)

    def test_half_life_is_the_ar1_fit_of_the_static_residual(self):
        design = np.column_stack([np.ones_like(self.x), self.x])
        (alpha, beta), *_ = np.linalg.lstsq(design, self.y, rcond=None)
        residual = self.y - (alpha + beta * self.x)
        lagged = np.column_stack([np.ones(len(residual) - 1), residual[:-1]])
        (_, slope), *_ = np.linalg.lstsq(lagged, np.diff(residual), rcond=None)
        half_life = -np.log(2) / np.log1p(slope)
        self.assertAlmostEqual(self.summary["half_life_obs"], half_life, delta=1e-8 * half_life)


class TickModeBacktestHasOneObservationPerTrade(unittest.TestCase):

    def test_one_observation_per_trade_once_both_legs_have_a_price(self):
        work = cs.fresh_dir("recompute_tick")
        x_csv, y_csv = cs.simulate(os.path.join(work, "data"))
        config = cs.write_file(os.path.join(work, "backtest.yaml"),
                               cs.config_text(ols_window=OLS_WINDOW, z_window=Z_WINDOW, mode="tick"))
        out = os.path.join(work, "out")
        done = cs.backtest(config, x_csv, y_csv, out)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        series = cs.read_series(os.path.join(out, cs.PAIR, "series.csv"))

        x_trades, y_trades = cs.read_agg_trades(x_csv), cs.read_agg_trades(y_csv)
        both_priced_from = max(x_trades["transact_time"].iloc[0], y_trades["transact_time"].iloc[0])
        # No trade shares the time of the trade that completes the pair, so
        # counting by time equals counting by position in the merge.
        at_start = int((x_trades["transact_time"] == both_priced_from).sum() +
                       (y_trades["transact_time"] == both_priced_from).sum())
        self.assertEqual(at_start, 1)
        n_after = int((x_trades["transact_time"] >= both_priced_from).sum() +
                      (y_trades["transact_time"] >= both_priced_from).sum())
        self.assertEqual(len(series), n_after)
        with open(os.path.join(out, cs.PAIR, "summary.json")) as f:
            self.assertEqual(json.load(f)["n_obs"], n_after)

        expected = cs.tick_mode_observations(x_trades, y_trades)
        np.testing.assert_array_equal(series["ts_ms"].to_numpy(), expected["ts_ms"].to_numpy())
        np.testing.assert_array_equal(series["x"].to_numpy(), expected["x"].to_numpy())
        np.testing.assert_array_equal(series["y"].to_numpy(), expected["y"].to_numpy())


class MultiDayPerformanceMatchesPandas(unittest.TestCase):
    """54 hours sampled every minute: three UTC days, so the daily Sharpe,
    Sortino and the daily table have something to say."""

    def test_daily_figures_match_pandas_over_three_days(self):
        work = cs.fresh_dir("recompute_days")
        data = os.path.join(work, "data")
        cs.simulate_days(data, 54)
        window, z_window, interval_ms = 120, 60, 60000
        config = cs.write_file(os.path.join(work, "backtest.yaml"), cs.config_text(
            ols_window=window, z_window=z_window, interval_ms=interval_ms, entry=ENTRY, exit=EXIT, stop=STOP,
            fee_bps=FEE_BPS, slippage_bps=SLIPPAGE_BPS, notional=NOTIONAL))
        out = os.path.join(work, "out")
        done = cs.backtest(config, data, data, out)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        series = cs.read_series(os.path.join(out, cs.PAIR, "series.csv"))
        with open(os.path.join(out, cs.PAIR, "summary.json")) as f:
            summary = json.load(f)
        x, y = series["x"].to_numpy(), series["y"].to_numpy()
        alpha, beta = cs.rolling_ols(x, y, window)
        spread = pd.Series(y - (beta * x + alpha))
        rolling = spread.rolling(z_window, min_periods=z_window)
        z = ((spread - rolling.mean()) / rolling.std(ddof=1)).to_numpy()
        ts_ms = series["ts_ms"].to_numpy()
        positions, trades, equity = cs.replay_signals_and_ledger(ts_ms, x, y, beta, z, ENTRY, EXIT, STOP, FEE_BPS,
                                                                 SLIPPAGE_BPS, NOTIONAL)
        self.assertEqual(series["position"].astype(int).tolist()[:-1], positions[:-1])
        self.assertGreater(len(trades), 10)
        expected = assert_performance(self, summary, ts_ms, np.array(equity), trades)
        self.assertEqual(expected["days"], 3)
        self.assertIsNotNone(summary["sharpe"])
        self.assertIsNotNone(summary["sortino"])
        self.assertTrue(any(day["pnl"] < 0 for day in summary["daily"]))  # so the Sortino has a downside
        with open(os.path.join(out, cs.PAIR, "report.html")) as f:
            report = f.read()
        self.assertIn("<h2>Daily P&amp;L</h2>", report)
        self.assertIn("2024-01-03", report)
        self.check_funding(work, config, data, series, trades)

    def check_funding(self, work, config, data, series, trades):
        """The same run with fundingRate files for both legs: hourly
        settlements (as Binance sets for some symbols; its layout, with
        header), each paid on the position held when it falls at the prices of
        the first observation at or after it."""
        settlements = [1704067200000 + 3600 * 1000 * k for k in range(56)]
        rates = {cs.Y_SYMBOL: [0.0001 * (1 + k % 3) for k in range(56)],
                 cs.X_SYMBOL: [-0.00005 * (k % 4) for k in range(56)]}
        args = []
        for symbol in (cs.X_SYMBOL, cs.Y_SYMBOL):
            path = os.path.join(work, "%s-fundingRate-2024-01.csv" % symbol)
            with open(path, "w") as f:
                f.write("calc_time,funding_interval_hours,last_funding_rate\n")
                for t, r in zip(settlements, rates[symbol]):
                    f.write("%d,1,%.8f\n" % (t, r))
            args += ["--funding", "%s=%s" % (symbol, path)]
        out = os.path.join(work, "out-funding")
        done = cs.backtest(config, data, data, out, args)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        engine = cs.read_trades(os.path.join(out, cs.PAIR, "trades.csv"))
        with open(os.path.join(out, cs.PAIR, "summary.json")) as f:
            summary = json.load(f)
        ts = series["ts_ms"].to_numpy()
        expected = []
        for trade in trades:
            funding = 0.0
            for k, settled in enumerate(settlements):
                i = int(np.searchsorted(ts, settled))  # the first observation at or after it
                if i == len(ts) or not trade["entry_ts_ms"] < ts[i] <= trade["exit_ts_ms"]:
                    continue
                funding -= (trade["qty_y"] * series["y"].iloc[i] * rates[cs.Y_SYMBOL][k] +
                            trade["qty_x"] * series["x"].iloc[i] * rates[cs.X_SYMBOL][k])
            expected.append(funding)
        self.assertEqual(len(engine), len(trades))
        assert_close(self, engine["funding_usd"], expected, 0.0, 1e-9, "funding_usd")
        self.assertGreater(sum(1 for f in expected if f != 0), 3, "positions held across settlements")
        assert_close(self, engine["pnl_usd"], [t["pnl_usd"] + f for t, f in zip(trades, expected)], 0.0, 1e-6,
                     "pnl_usd less funding")
        self.assertAlmostEqual(summary["funding"], sum(expected), delta=1e-6)


if __name__ == "__main__":
    unittest.main()
