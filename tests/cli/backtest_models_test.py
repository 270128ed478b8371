"""Several hedge models on one pair (`models:`), through the real binary."""
import json
import os
import unittest

import numpy as np

import cli_support as cs


class SeveralModelsOnOnePair(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("models")
        cls.x_csv, cls.y_csv = cs.simulate(os.path.join(cls.dir, "data"))
        single = cs.config_text()
        cls.single_out = os.path.join(cls.dir, "out-single")
        cls.single = cs.backtest(cs.write_file(os.path.join(cls.dir, "single.yaml"), single),
                                 cls.x_csv, cls.y_csv, cls.single_out)
        models = single.replace(
            "    model:\n      plugin: ols\n      params:\n        window: 600\n",
            "    models:\n"
            "      - {plugin: ols, params: {window: 600}}\n"
            "      - {plugin: kalman, params: {delta: 1.0e-6}}\n"
            "      - {plugin: ols, name: ols-short, params: {window: 120}}\n")
        assert models != single, "the model block was not replaced"
        cls.multi_out = os.path.join(cls.dir, "out-multi")
        cls.multi = cs.backtest(cs.write_file(os.path.join(cls.dir, "multi.yaml"), models),
                                cls.x_csv, cls.y_csv, cls.multi_out)

    def test_each_model_gets_its_folder_and_the_pair_a_comparison_report(self):
        self.assertEqual(self.multi.returncode, cs.EXIT_OK, cs.describe(self.multi))
        pair_dir = os.path.join(self.multi_out, cs.PAIR)
        self.assertEqual(sorted(os.listdir(pair_dir)), ["kalman", "ols", "ols-short", "report.html"])
        for label in ("ols", "kalman", "ols-short"):
            for name in ("series.csv", "trades.csv", "summary.json", "alerts.jsonl", "report.html"):
                self.assertTrue(os.path.isfile(os.path.join(pair_dir, label, name)), (label, name))
            with open(os.path.join(pair_dir, label, "summary.json")) as f:
                self.assertEqual(json.load(f)["model"], label)
        with open(os.path.join(pair_dir, "report.html")) as f:
            report = f.read()
        for label in ("ols", "kalman", "ols-short"):
            self.assertIn("<td>%s</td>" % label, report)

    def test_a_model_runs_as_if_it_were_alone(self):
        # The ols pipeline among three models writes the same series as ols alone.
        with open(os.path.join(self.single_out, cs.PAIR, "series.csv")) as f:
            alone = f.read()
        with open(os.path.join(self.multi_out, cs.PAIR, "ols", "series.csv")) as f:
            among = f.read()
        self.assertEqual(alone, among)

    def test_the_kalman_spread_is_its_forecast_error(self):
        series = cs.read_series(os.path.join(self.multi_out, cs.PAIR, "kalman", "series.csv"))
        self.assertIn("forecast_std", series.columns)
        # No look-ahead: the spread traded at t is y_t minus the prediction of
        # the state after t-1, i.e. the previous row's beta and alpha.
        y = series["y"].to_numpy()[1:]
        x = series["x"].to_numpy()[1:]
        predicted = series["beta"].to_numpy()[:-1] * x + series["alpha"].to_numpy()[:-1]
        np.testing.assert_allclose(series["spread"].to_numpy()[1:], y - predicted, rtol=0, atol=1e-6)
        # Without warmup the plugin's forecast_error output is that spread.
        np.testing.assert_array_equal(series["forecast_error"].to_numpy(), series["spread"].to_numpy())

    def test_two_models_with_one_label_are_rejected(self):
        text = cs.config_text().replace(
            "    model:\n      plugin: ols\n      params:\n        window: 600\n",
            "    models:\n      - {plugin: ols}\n      - {plugin: ols}\n")
        done = cs.backtest(cs.write_file(os.path.join(self.dir, "twice.yaml"), text), self.x_csv, self.y_csv,
                           os.path.join(self.dir, "out-twice"))
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("pairs[0].models[1]: a second model named \"ols\"", done.stderr)


    def test_runs_share_the_full_sample_test_only_when_they_observed_the_same_prices(self):
        # The three models observe one (x, y) series and report one test; a
        # pair of the same legs the other way round observes (y, x) and gets
        # its own, each the least-squares fit of its own series.csv.
        cfg = cs.config_text() + (
            "  - name: swapped\n"
            "    y: %s\n"
            "    x: %s\n"
            "    model: {plugin: ols, params: {window: 600}}\n"
            "    zscore: {window: 300, entry: 2.0, exit: 0.0}\n" % (cs.X_SYMBOL, cs.Y_SYMBOL))
        out = os.path.join(self.dir, "out-swapped")
        done = cs.backtest(cs.write_file(os.path.join(self.dir, "swapped.yaml"), cfg), self.x_csv, self.y_csv, out)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        betas = {}
        for pair in (cs.PAIR, "swapped"):
            with open(os.path.join(out, pair, "summary.json")) as f:
                summary = json.load(f)
            series = cs.read_series(os.path.join(out, pair, "series.csv"))
            design = np.column_stack([np.ones(len(series)), series["x"].to_numpy()])
            (alpha, beta), *_ = np.linalg.lstsq(design, series["y"].to_numpy(), rcond=None)
            self.assertAlmostEqual(summary["static_beta"], beta, delta=1e-9 * abs(beta), msg=pair)
            betas[pair] = beta
        self.assertNotAlmostEqual(betas[cs.PAIR], betas["swapped"], delta=0.1)
        figures = set()
        for label in ("ols", "kalman", "ols-short"):
            with open(os.path.join(self.multi_out, cs.PAIR, label, "summary.json")) as f:
                summary = json.load(f)
            figures.add((summary["static_beta"], summary["adf_stat"], summary["adf_pvalue"]))
        self.assertEqual(len(figures), 1, figures)


if __name__ == "__main__":
    unittest.main(verbosity=2)
