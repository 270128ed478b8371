"""The backtest on several threads: the same outputs byte for byte as on one.

A config with three pairs on the same legs (one of them with three models),
symbol models on both legs and a rolling ADF, so pipelines of one symbol,
the models of one pair and the shared full-sample test all land on
different threads; every file of the output tree is compared."""
import os
import unittest

import cli_support as cs

CONFIG = """\
sampling: {mode: time, interval_ms: 1000}
backtest: {fee_bps: 4.0, slippage_bps: 1.0, notional: 10000}
pairs:
  - name: %(pair)s
    y: %(y)s
    x: %(x)s
    models:
      - {plugin: ols, params: {window: 600}}
      - {plugin: kalman, params: {delta: 1.0e-6}}
      - {plugin: huber, params: {window: 300}}
    zscore: {window: 300, entry: 2.0, exit: 0.0, stop: 4.0}
    adf: {window: 300, every: 60}
  - name: short
    y: %(y)s
    x: %(x)s
    model: {plugin: ols, params: {window: 120}}
    zscore: {window: 120, entry: 1.5, exit: 0.0}
  - name: reversed
    y: %(x)s
    x: %(y)s
    model: {plugin: ols, params: {window: 900}}
    zscore: {window: 300, entry: 2.0, exit: 0.0}
symbols:
  - {symbol: %(x)s, model: {plugin: microstructure}}
  - {symbol: %(y)s, model: {plugin: microstructure}}
"""


class BacktestOnSeveralThreads(unittest.TestCase):
    def test_every_output_file_is_the_same_on_one_two_and_five_threads_and_from_the_catalog(self):
        directory = cs.fresh_dir("threads")
        x_csv, y_csv = cs.simulate(os.path.join(directory, "data"))
        config = cs.write_file(os.path.join(directory, "threads.yaml"),
                               CONFIG % {"pair": cs.PAIR, "x": cs.X_SYMBOL, "y": cs.Y_SYMBOL})
        trees = {}
        for threads in (1, 2, 5):
            out = os.path.join(directory, "out-%d" % threads)
            done = cs.backtest(config, x_csv, y_csv, out, ["--threads", str(threads), "--no-catalog"])
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            trees[threads] = cs.tree_bytes(out)
            # The closing report is the same too but for the elapsed time.
            self.assertIn("pair    reversed [ols]:", done.stdout)
        self.assertEqual(len(trees[1]), 3 * 5 + 1 + 2 * 5 + 2)  # models, comparison, pairs, symbol series
        # The default (a worker per core beside the reading thread), reading
        # the catalog on the reading thread the second time.
        catalog = os.path.join(directory, "catalog")
        for run in ("writes", "reads"):
            out = os.path.join(directory, "out-catalog-" + run)
            done = cs.backtest(config, x_csv, y_csv, out, ["--catalog", catalog])
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            trees["catalog " + run] = cs.tree_bytes(out)
        self.assertIn("from the catalog", done.stdout)
        for threads in (2, 5, "catalog writes", "catalog reads"):
            self.assertEqual(sorted(trees[threads]), sorted(trees[1]))
            for name, content in trees[1].items():
                self.assertEqual(trees[threads][name], content, "%s differs on %s threads" % (name, threads))

    def test_no_series_leaves_out_every_series_csv_and_changes_nothing_else(self):
        directory = cs.fresh_dir("no-series")
        x_csv, y_csv = cs.simulate(os.path.join(directory, "data"))
        config = cs.write_file(os.path.join(directory, "threads.yaml"),
                               CONFIG % {"pair": cs.PAIR, "x": cs.X_SYMBOL, "y": cs.Y_SYMBOL})
        trees = {}
        for name, extra in (("all", []), ("no-series", ["--no-series"])):
            out = os.path.join(directory, "out-" + name)
            done = cs.backtest(config, x_csv, y_csv, out, extra + ["--no-catalog"])
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            trees[name] = cs.tree_bytes(out)
        series = sorted(name for name in trees["all"] if os.path.basename(name) == "series.csv")
        self.assertEqual(len(series), 3 + 2 + 2)  # the models of the first pair, two pairs, two symbol models
        self.assertEqual(sorted(trees["no-series"]), sorted(set(trees["all"]) - set(series)))
        for name, content in trees["no-series"].items():
            self.assertEqual(content, trees["all"][name], name + " differs without series.csv")


if __name__ == "__main__":
    unittest.main()
