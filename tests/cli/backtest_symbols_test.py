"""Symbol models in `alphastream backtest`: a `symbols:` section with the
shipped microstructure plugin on a pair leg and on a symbol no pair uses.
Their series.csv files are checked against VWAP, volume, taker imbalance and
trade intensity recomputed with numpy from the input CSVs, and the pair's
report against the panels it should show."""

import filecmp
import os
import re
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_support as cs  # noqa: E402

Z_SYMBOL = "SIMZUSDT"  # traded by no pair: read only for its symbol models
MICROSTRUCTURE_OUTPUTS = ["vwap", "volume", "notional_usd", "taker_buy_volume", "taker_sell_volume",
                          "order_flow_imbalance", "trade_intensity_per_s", "mean_trade_size", "realized_vol",
                          "kyle_lambda", "poc_price", "value_area_low", "value_area_high",
                          "capacity_evictions_total"]
X_WINDOW_S = 30
Z_WINDOWS_S = {"slow": 120, "fast": 5}

SYMBOLS_SECTION = """symbols:
  - symbol: %s
    model: {plugin: microstructure, params: {window_s: %d, bucket: 0.5}}
  - symbol: %s
    models:
      - {plugin: microstructure, name: slow, params: {window_s: %d}}
      - {plugin: microstructure, name: fast, params: {window_s: %d}}
""" % (cs.X_SYMBOL, X_WINDOW_S, Z_SYMBOL.lower(), Z_WINDOWS_S["slow"], Z_WINDOWS_S["fast"])
# Appended to the pair written last by config_text.
ADF_LINE = "    adf: {window: 300, every: 10, max_pvalue: 0.05}\n"


def window_flow(trades, ts_ms, window_s):
    """Per row end ts: the microstructure window ending at the last trade
    with transact_time < ts (now), holding the trades with now - t < W.
    Returns volume, vwap, taker imbalance and trades / window_s."""
    t = trades["transact_time"].to_numpy()
    assert np.all(np.diff(t) >= 0), "the generator writes trades in time order"
    price = trades["price"].to_numpy()
    qty = trades["quantity"].to_numpy()
    taker_bought = ~trades["is_buyer_maker"].to_numpy(dtype=bool)
    hi = np.searchsorted(t, ts_ms, side="left")  # trades [0, hi) are before the row's end
    now = t[hi - 1]
    lo = np.searchsorted(t, now - window_s * 1000, side="right")  # first with t > now - W

    def window_sum(values):
        cumulative = np.concatenate([[0.0], np.cumsum(values)])
        return cumulative[hi] - cumulative[lo]

    volume = window_sum(qty)
    buy = window_sum(np.where(taker_bought, qty, 0.0))
    return {"volume": volume, "vwap": window_sum(price * qty) / volume,
            "order_flow_imbalance": (2 * buy - volume) / volume, "trade_intensity_per_s": (hi - lo) / window_s}


class SymbolModelsBacktest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("symbols")
        cls.x_csv, cls.y_csv = cs.simulate(os.path.join(cls.dir, "data"))
        z_dir = os.path.join(cls.dir, "data_z")
        done = cs.run(["simulate", "--out", z_dir, "--x", Z_SYMBOL, "--y", "SIMWUSDT", "--hours", "1", "--seed", "5",
                       "--x-rate", "3"])
        if done.returncode != cs.EXIT_OK:
            raise AssertionError("simulate failed: " + cs.describe(done))
        cls.z_csv = os.path.join(z_dir, Z_SYMBOL + "-aggTrades-2024-01-01.csv")
        cls.pair_config = cs.config_text(ols_window=600, z_window=300) + ADF_LINE
        cls.config = cs.write_file(os.path.join(cls.dir, "backtest.yaml"), cls.pair_config + SYMBOLS_SECTION)
        cls.out = os.path.join(cls.dir, "out")
        cls.done = cs.backtest(cls.config, cls.x_csv, cls.y_csv, cls.out, ["--data", "%s=%s" % (Z_SYMBOL, cls.z_csv)])
        cls.symbols_dir = os.path.join(cls.out, "symbols")

    def series(self, *parts):
        return cs.read_series(os.path.join(self.symbols_dir, *parts, "series.csv"))

    def test_backtest_exits_0_and_names_each_symbol_models_folder(self):
        self.assertEqual(self.done.returncode, cs.EXIT_OK, cs.describe(self.done))
        self.assertEqual(self.done.stderr, "")
        self.assertIn("symbol  %s [microstructure]: " % cs.X_SYMBOL, self.done.stdout)
        self.assertIn("-> %s" % os.path.join(self.symbols_dir, cs.X_SYMBOL), self.done.stdout)
        for label in Z_WINDOWS_S:
            self.assertIn("symbol  %s [%s]: " % (Z_SYMBOL, label), self.done.stdout)
            self.assertIn("-> %s" % os.path.join(self.symbols_dir, Z_SYMBOL, label), self.done.stdout)
        self.assertIn("import  %s: " % self.z_csv, self.done.stdout)
        self.assertEqual(sorted(os.listdir(self.symbols_dir)), [cs.X_SYMBOL, Z_SYMBOL])
        self.assertEqual(os.listdir(os.path.join(self.symbols_dir, cs.X_SYMBOL)), ["series.csv"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.symbols_dir, Z_SYMBOL))), ["fast", "slow"])

    def test_series_header_is_ts_ms_then_every_output_in_descriptor_order(self):
        with open(os.path.join(self.symbols_dir, cs.X_SYMBOL, "series.csv")) as f:
            self.assertEqual(f.readline().rstrip("\n"), ",".join(["ts_ms"] + MICROSTRUCTURE_OUTPUTS))

    def test_rows_are_the_ends_of_the_intervals_that_saw_a_trade(self):
        trades = cs.read_agg_trades(self.x_csv)
        ends = np.unique((trades["transact_time"].to_numpy() // 1000 + 1) * 1000)
        np.testing.assert_array_equal(self.series(cs.X_SYMBOL)["ts_ms"].to_numpy(), ends)
        # 1.25 trades/s leave many seconds empty: not every interval has a row.
        self.assertLess(len(ends), (ends[-1] - ends[0]) // 1000)

    def check_flow(self, series, trades, window_s):
        # The plugin keeps running sums (added on arrival, subtracted on
        # eviction, recomputed exactly from its ring now and then); cumulative
        # sums here lose ~1e-13 of the window's values. 1e-9 is far above
        # both and far below any off-by-one-trade error (one trade of ~40 in
        # the window moves VWAP by ~1e-4 relative).
        expected = window_flow(trades, series["ts_ms"].to_numpy(), window_s)
        for name in ("volume", "vwap"):
            np.testing.assert_allclose(series[name].to_numpy(), expected[name], rtol=1e-9, err_msg=name)
        np.testing.assert_allclose(series["order_flow_imbalance"].to_numpy(), expected["order_flow_imbalance"],
                                   rtol=0, atol=1e-9, err_msg="order_flow_imbalance")
        np.testing.assert_allclose(series["trade_intensity_per_s"].to_numpy(), expected["trade_intensity_per_s"],
                                   rtol=1e-12, err_msg="trade_intensity_per_s")
        # Not vacuous: the imbalance swings both ways and the window holds many trades.
        self.assertLess(series["order_flow_imbalance"].min(), -0.3)
        self.assertGreater(series["order_flow_imbalance"].max(), 0.3)

    def test_pair_legs_vwap_volume_and_imbalance_match_numpy(self):
        self.check_flow(self.series(cs.X_SYMBOL), cs.read_agg_trades(self.x_csv), X_WINDOW_S)

    def test_a_symbol_no_pair_uses_is_read_and_each_of_its_models_keeps_its_window(self):
        trades = cs.read_agg_trades(self.z_csv)
        for label, window_s in Z_WINDOWS_S.items():
            with self.subTest(model=label):
                self.check_flow(self.series(Z_SYMBOL, label), trades, window_s)

    def test_pair_report_has_the_legs_microstructure_panel_and_the_adf_chart(self):
        with open(os.path.join(self.out, cs.PAIR, "report.html")) as f:
            text = f.read()
        self.assertEqual(cs.HtmlChecker().check(text), [])
        self.assertIn('data-symbol="%s"' % cs.X_SYMBOL, text)
        self.assertNotIn('data-symbol="%s"' % cs.Y_SYMBOL, text)  # y has no symbol model
        self.assertNotIn('data-symbol="%s"' % Z_SYMBOL, text)     # not a leg
        for chart in ("vwap", "imbalance", "intensity", "kyle-lambda"):
            figure = re.search(r'<figure class="chart" data-chart="micro-%s-%s">.*?</figure>' % (cs.X_SYMBOL, chart),
                               text, flags=re.DOTALL)
            self.assertIsNotNone(figure, chart)
            self.assertIn("<polyline", figure.group(0), chart)
        adf = re.search(r'<figure class="chart" data-chart="adf">.*?</figure>', text, flags=re.DOTALL)
        self.assertIsNotNone(adf)
        self.assertIn('<line class="threshold" data-value="0.050000"', adf.group(0))

    def test_symbol_models_leave_the_pairs_outputs_as_they_were(self):
        config = cs.write_file(os.path.join(self.dir, "pair_only.yaml"), self.pair_config)
        out = os.path.join(self.dir, "pair_only")
        done = cs.backtest(config, self.x_csv, self.y_csv, out)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        for name in ("series.csv", "trades.csv", "summary.json", "alerts.jsonl"):
            # Two configs: their provenance differs, nothing else may.
            with open(os.path.join(out, cs.PAIR, name), "rb") as a, open(os.path.join(self.out, cs.PAIR, name), "rb") as b:
                self.assertEqual(cs.without_provenance(name, a.read()), cs.without_provenance(name, b.read()), name)
        self.assertFalse(os.path.exists(os.path.join(out, "symbols")))

    def test_a_symbol_model_without_data_names_the_symbol(self):
        out = os.path.join(self.dir, "missing_z")
        done = cs.backtest(self.config, self.x_csv, self.y_csv, out)
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("no --data %s=PATH given, but a configured symbol model uses %s" % (Z_SYMBOL, Z_SYMBOL),
                      done.stderr)
        self.assertFalse(os.path.exists(out))

    def test_pair_option_runs_only_the_symbol_models_of_its_legs(self):
        out = os.path.join(self.dir, "only_pair")
        done = cs.backtest(self.config, self.x_csv, self.y_csv, out, ["--pair", cs.PAIR])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertEqual(os.listdir(os.path.join(out, "symbols")), [cs.X_SYMBOL])

    def test_a_pair_model_under_symbols_is_rejected_naming_its_line(self):
        text = self.pair_config + "symbols:\n  - symbol: %s\n    model: {plugin: ols}\n" % cs.X_SYMBOL
        config = cs.write_file(os.path.join(self.dir, "ols_symbol.yaml"), text)
        done = cs.backtest(config, self.x_csv, self.y_csv, os.path.join(self.dir, "ols_symbol"))
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        line = len(text.splitlines())
        self.assertIn("%s:%d: symbols[0].model.plugin: plugin 'ols' is a pair model; a symbol needs a symbol model"
                      % (config, line), done.stderr)


if __name__ == "__main__":
    unittest.main()
