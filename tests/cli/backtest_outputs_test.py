"""`alphastream simulate` then `alphastream backtest`, through the real
binary: the four output files, their shape, and that a second run writes
the same bytes."""

import filecmp
import hashlib
import json
import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_support as cs  # noqa: E402


class SimulatedPairBacktest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("outputs")
        cls.x_csv, cls.y_csv = cs.simulate(os.path.join(cls.dir, "data"))
        # No plugins.dir: the CLI finds the ols plugin beside the binary.
        cls.config = cs.write_file(os.path.join(cls.dir, "backtest.yaml"),
                                   cs.config_text(ols_window=600, z_window=300))
        cls.out = os.path.join(cls.dir, "out")
        cls.done = cs.backtest(cls.config, cls.x_csv, cls.y_csv, cls.out)
        cls.pair_dir = os.path.join(cls.out, cs.PAIR)

    def read(self, name):
        with open(os.path.join(self.pair_dir, name)) as f:
            return f.read()

    def test_backtest_exits_0_and_writes_the_four_files(self):
        self.assertEqual(self.done.returncode, cs.EXIT_OK, cs.describe(self.done))
        # Nothing to warn about, and --no-progress silences the progress line.
        self.assertEqual(self.done.stderr, "")
        for name in ("series.csv", "trades.csv", "summary.json", "report.html"):
            path = os.path.join(self.pair_dir, name)
            self.assertTrue(os.path.isfile(path), path)
            self.assertGreater(os.path.getsize(path), 0, path)

    def test_stdout_names_each_input_file_and_the_pair(self):
        out = self.done.stdout
        self.assertIn("import  %s: " % self.x_csv, out)
        self.assertIn("import  %s: " % self.y_csv, out)
        self.assertIn("pair    %s [ols]: " % cs.PAIR, out)
        self.assertIn("-> %s" % self.pair_dir, out)

    def test_series_header_is_the_fixed_columns_then_the_ols_outputs(self):
        header = self.read("series.csv").split("\n", 1)[0]
        self.assertEqual(header, cs.SERIES_HEADER + "," + cs.OLS_OUTPUTS)
        self.assertEqual(header, "ts_ms,x,y,alpha,beta,spread,zscore,position,r_squared,residual_std")

    def test_series_fields_are_empty_until_the_model_and_the_zscore_are_warm(self):
        rows = self.read("series.csv").splitlines()[1:]
        # Row 599 (1-based) is the last with fewer than 600 observations in
        # the OLS window; row 600 has beta; row 600 + 299 has the first z.
        before_beta, first_beta = rows[598].split(","), rows[599].split(",")
        self.assertEqual(before_beta[3:7], ["", "", "", ""])
        self.assertEqual(before_beta[8:], ["", ""])
        self.assertEqual(before_beta[7], "0")
        self.assertTrue(all(first_beta[i] for i in (3, 4, 5, 8, 9)), first_beta)
        self.assertEqual(first_beta[6], "")
        self.assertEqual(rows[600 + 298 - 1].split(",")[6], "")
        self.assertNotEqual(rows[600 + 298].split(",")[6], "")

    def test_provenance_names_the_build_the_config_and_every_input_with_its_sha256(self):
        provenance = json.loads(self.read("summary.json"))["provenance"]
        version = cs.run(["--version"]).stdout.split()[1]
        self.assertEqual(provenance["engine_version"], version)
        self.assertRegex(provenance["git_commit"], r"^([0-9a-f]{12}(-dirty)?|unknown)$")
        with open(self.config, "rb") as f:
            self.assertEqual(provenance["config"], {"path": self.config, "sha256": hashlib.sha256(f.read()).hexdigest()})
        inputs = {i["symbol"]: i for i in provenance["inputs"]}
        for symbol, path in ((cs.X_SYMBOL, self.x_csv), (cs.Y_SYMBOL, self.y_csv)):
            with open(path, "rb") as f:
                data = f.read()
            self.assertEqual(inputs[symbol], {"symbol": symbol, "path": path, "bytes": len(data),
                                              "sha256": hashlib.sha256(data).hexdigest()})
        self.assertEqual(provenance["model_params"], {"window": 600.0})
        self.assertEqual(provenance["zscore"], {"window": 300, "entry": 2.0, "exit": 0.0, "stop": 4.0})
        self.assertEqual(provenance["costs"], {"fee_bps": 4.0, "slippage_bps": 1.0, "notional": 10000.0})
        report = self.read("report.html")
        self.assertIn("<h2>Provenance</h2>", report)
        self.assertIn(inputs[cs.X_SYMBOL]["sha256"], report)

    def test_summary_has_every_key(self):
        summary = json.loads(self.read("summary.json"))
        for key in cs.SUMMARY_KEYS:
            self.assertIn(key, summary)
            self.assertIsNotNone(summary[key], key)
        for key in cs.DAILY_RATIO_KEYS:
            self.assertIsNone(summary[key], key)
        self.assertEqual(summary["days"], 1)
        self.assertEqual(set(summary["adf_crit"]), {"1%", "5%", "10%"})
        self.assertLess(summary["adf_crit"]["1%"], summary["adf_crit"]["5%"])
        self.assertLess(summary["adf_crit"]["5%"], summary["adf_crit"]["10%"])
        self.assertIsInstance(summary["n_obs"], int)
        self.assertIsInstance(summary["adf_usedlag"], int)
        self.assertIsInstance(summary["n_trades"], int)
        self.assertEqual(summary["n_obs"], len(self.read("series.csv").splitlines()) - 1)
        self.assertEqual(summary["n_trades"], len(self.read("trades.csv").splitlines()) - 1)
        self.assertGreater(summary["n_trades"], 100)

    def test_static_beta_is_the_generators_beta_within_estimation_error(self):
        # The full-sample OLS slope differs from the generator's beta by
        # cov(x, spread) / var(x) of this sample: with the spread's sd of
        # 0.14 USD, its ~100 s decorrelation time (~70 independent values in
        # two hours) and x's sd of ~5 USD, about 0.14 / (5 * sqrt(70)) ~ 0.003;
        # seeds 1..12 gave errors with sd 0.007 and at most 0.017. 0.05 is
        # three times that worst case and still fails any hedge ratio that is
        # not the generator's (e.g. the 1/beta of a swapped regression).
        summary = json.loads(self.read("summary.json"))
        self.assertAlmostEqual(summary["static_beta"], cs.SIM_BETA, delta=0.05)
        # alpha = mean(y) - beta mean(x) moves by mean(x) ~ 100 times the
        # slope's error.
        self.assertAlmostEqual(summary["static_alpha"], cs.SIM_ALPHA, delta=0.05 * 100)
        self.assertLess(summary["adf_pvalue"], 0.01)

    def test_report_is_well_formed_html_with_svg_charts_and_every_trade(self):
        text = self.read("report.html")
        self.assertTrue(text.startswith("<!DOCTYPE html>"), text[:40])
        checker = cs.HtmlChecker()
        self.assertEqual(checker.check(text), [])
        for tag in ("html", "head", "title", "body", "svg", "table"):
            self.assertGreater(checker.counts.get(tag, 0), 0, tag)
        self.assertEqual(checker.counts["html"], 1)
        # Each chart is well-formed XML as a standalone SVG would be.
        fragments = cs.svg_fragments(text)
        self.assertEqual(len(fragments), checker.counts["svg"])
        for fragment in fragments:
            ET.fromstring(fragment)
        self.assertIn(cs.PAIR, text)
        # The trade table: a header row plus one row per trade.
        summary = json.loads(self.read("summary.json"))
        self.assertIn('<tr><td class="num">%d</td>' % summary["n_trades"], text)
        self.assertNotIn('<tr><td class="num">%d</td>' % (summary["n_trades"] + 1), text)


class BacktestIsDeterministic(unittest.TestCase):

    def test_two_runs_write_byte_identical_series_trades_and_summary(self):
        work = cs.fresh_dir("determinism")
        x_csv, y_csv = cs.simulate(os.path.join(work, "data"))
        config = cs.write_file(os.path.join(work, "backtest.yaml"), cs.config_text(ols_window=600, z_window=300))
        outs = []
        for run in ("first", "second"):
            out = os.path.join(work, run)
            done = cs.backtest(config, x_csv, y_csv, out)
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            outs.append(os.path.join(out, cs.PAIR))
        for name in ("series.csv", "trades.csv", "summary.json"):
            first, second = (os.path.join(d, name) for d in outs)
            self.assertTrue(filecmp.cmp(first, second, shallow=False), "%s differs between runs" % name)
        # Not vacuous: the runs traded.
        with open(os.path.join(outs[0], "trades.csv")) as f:
            self.assertGreater(len(f.readlines()), 100)

    def test_simulate_with_the_same_seed_writes_the_same_files(self):
        work = cs.fresh_dir("determinism_simulate")
        first = cs.simulate(os.path.join(work, "first"))
        second = cs.simulate(os.path.join(work, "second"))
        for a, b in zip(first, second):
            self.assertTrue(filecmp.cmp(a, b, shallow=False), "%s and %s differ" % (a, b))


if __name__ == "__main__":
    unittest.main()
