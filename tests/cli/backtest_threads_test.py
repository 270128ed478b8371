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
    def setUp(self):
        self.directory = cs.fresh_dir(self.id().rsplit(".", 1)[-1])
        self.x_csv, self.y_csv = cs.simulate(os.path.join(self.directory, "data"))
        self.config = cs.write_file(os.path.join(self.directory, "threads.yaml"),
                                    CONFIG % {"pair": cs.PAIR, "x": cs.X_SYMBOL, "y": cs.Y_SYMBOL})

    def output_tree(self, name, extra):
        """Every output file of a backtest with `extra` arguments, by path; and its stdout."""
        out = os.path.join(self.directory, "out-" + name)
        done = cs.backtest(self.config, self.x_csv, self.y_csv, out, extra)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        return cs.tree_bytes(out), done.stdout

    def test_every_output_file_is_the_same_on_one_two_and_five_threads_and_from_the_catalog(self):
        trees = {}
        for threads in (1, 2, 5):
            trees[threads], stdout = self.output_tree(str(threads), ["--threads", str(threads), "--no-catalog"])
            # The closing report is the same too but for the elapsed time.
            self.assertIn("pair    reversed [ols]:", stdout)
        self.assertEqual(len(trees[1]), 3 * 5 + 1 + 2 * 5 + 2)  # models, comparison, pairs, symbol series
        # The default (a worker per core beside the reading thread), reading
        # the catalog on the reading thread the second time.
        catalog = os.path.join(self.directory, "catalog")
        for run in ("writes", "reads"):
            trees["catalog " + run], stdout = self.output_tree("catalog-" + run, ["--catalog", catalog])
        self.assertIn("from the catalog", stdout)
        for threads in (2, 5, "catalog writes", "catalog reads"):
            self.assertEqual(sorted(trees[threads]), sorted(trees[1]))
            for name, content in trees[1].items():
                self.assertEqual(trees[threads][name], content, "%s differs on %s threads" % (name, threads))

    def test_no_series_leaves_out_every_series_csv_and_changes_nothing_else(self):
        everything, _ = self.output_tree("all", ["--no-catalog"])
        lean, _ = self.output_tree("no-series", ["--no-series", "--no-catalog"])
        series = sorted(name for name in everything if os.path.basename(name) == "series.csv")
        self.assertEqual(len(series), 3 + 2 + 2)  # the models of the first pair, two pairs, two symbol models
        self.assertEqual(sorted(lean), sorted(set(everything) - set(series)))
        for name, content in lean.items():
            self.assertEqual(content, everything[name], name + " differs without series.csv")

if __name__ == "__main__":
    unittest.main()
