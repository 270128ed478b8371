"""`alphastream sweep`: every combination of the --grid values run over one
read of the data, each equal to a backtest of a config with those values;
ranked; walked forward over folds of days (checked against a re-computation
from the combinations' daily P&L); bad grids refused with exit 2."""

import json
import os
import sys
import unittest
import xml.etree.ElementTree as ET

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_support as cs  # noqa: E402

WINDOWS = ["300", "600"]
ENTRIES = ["1.5", "2"]


class SweepEqualsBacktests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("sweep")
        cls.x_csv, cls.y_csv = cs.simulate(os.path.join(cls.dir, "data"))
        cls.config = cs.write_file(os.path.join(cls.dir, "base.yaml"), cs.config_text(ols_window=600, z_window=300))
        cls.out = os.path.join(cls.dir, "out")
        cls.done = cs.run(["sweep", "--config", cls.config, "--data", "%s=%s" % (cs.X_SYMBOL, cls.x_csv),
                           "--data", "%s=%s" % (cs.Y_SYMBOL, cls.y_csv), "--out", cls.out, "--no-progress",
                           "--grid", "model.params.window=" + ",".join(WINDOWS),
                           "--grid", "zscore.entry=" + ",".join(ENTRIES), "--rank", "pnl"])
        if cls.done.returncode != cs.EXIT_OK:
            raise AssertionError(cs.describe(cls.done))
        with open(os.path.join(cls.out, "sweep.json")) as f:
            cls.sweep = json.load(f)

    def test_every_combination_equals_its_own_backtest(self):
        rows = {(r["values"]["model.params.window"], r["values"]["zscore.entry"]): r for r in self.sweep["rows"]}
        self.assertEqual(sorted(rows), sorted((w, e) for w in WINDOWS for e in ENTRIES))
        for (window, entry), row in rows.items():
            config = cs.write_file(os.path.join(self.dir, "w%s-e%s.yaml" % (window, entry)),
                                   cs.config_text(ols_window=int(window), z_window=300, entry=float(entry)))
            out = os.path.join(self.dir, "w%s-e%s" % (window, entry))
            done = cs.backtest(config, self.x_csv, self.y_csv, out)
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            with open(os.path.join(out, cs.PAIR, "summary.json")) as f:
                summary = json.load(f)
            for key in ("n_trades", "pnl", "total_return", "sharpe", "sortino", "calmar", "max_drawdown",
                        "win_rate", "profit_factor"):
                self.assertEqual(row[key], summary[key], "%s at window %s, entry %s" % (key, window, entry))
            self.assertEqual(row["observations"], summary["n_obs"])
            self.assertEqual([d["pnl"] for d in row["daily"]], [d["pnl"] for d in summary["daily"]])
        self.assertGreater(len({r["pnl"] for r in rows.values()}), 1, "the values change the outcome")

    def test_rows_are_ranked_by_the_figure_and_the_csv_agrees(self):
        pnl = [r["pnl"] for r in self.sweep["rows"]]
        self.assertEqual(pnl, sorted(pnl, reverse=True))
        self.assertEqual([r["rank"] for r in self.sweep["rows"]], [1, 2, 3, 4])
        with open(os.path.join(self.out, "sweep.csv")) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0].split(",")[:5], ["rank", "pair", "variant", "model.params.window", "zscore.entry"])
        self.assertEqual(lines[0].split(",")[7], "pnl")
        self.assertEqual([float(line.split(",")[7]) for line in lines[1:]], pnl)
        self.assertIn("rank 1   %s [model.params.window=" % cs.PAIR, self.done.stdout)
        self.assertIn("done    4 runs over", self.done.stdout)

    def test_report_is_one_well_formed_page_with_a_heatmap_cell_per_combination(self):
        with open(os.path.join(self.out, "sweep.html")) as f:
            html = f.read()
        root = ET.fromstring(html[html.index("<html"):])
        ns = {"h": "http://www.w3.org/1999/xhtml"}
        cells = [td for section in root.iter() if section.get("class") == "card heatmap"
                 for td in section.iter() if td.tag.endswith("td")]
        self.assertEqual(len(cells), 4, ns)
        self.assertNotIn("<script", html)

    def test_bad_grids_folds_and_ranks_are_refused_naming_them(self):
        base = ["sweep", "--config", self.config, "--data", "%s=%s" % (cs.X_SYMBOL, self.x_csv), "--data",
                "%s=%s" % (cs.Y_SYMBOL, self.y_csv), "--out", os.path.join(self.dir, "bad"), "--no-progress"]
        cases = [
            (["--grid", "sampling.interval_ms=1000,2000"], "a sweep varies a pair's model.params.<name>, zscore.<key> "
                                                          "or adf.<key>, not 'sampling.interval_ms'"),
            (["--grid", "zscore.entry"], "--grid zscore.entry: expected KEY=V1,V2,..."),
            (["--grid", "zscore.entry=2,,3"], "--grid zscore.entry=2,,3: an empty value"),
            (["--grid", "model.params.window=600,-5"], "sweep: the combination model.params.window=-5: "),
            (["--grid", "model.params.windw=600"], "has no parameter 'windw'"),
            (["--grid", "zscore.entry=2", "--folds", "1"], "--folds 1: expected 0 (none) or 2 or more"),
            (["--grid", "zscore.entry=2", "--rank", "luck"], "--rank luck: expected sharpe"),
            (["--grid", "zscore.entry=2", "--folds", "3"], "--folds 3 needs at least that many days"),
        ]
        for extra, message in cases:
            done = cs.run(base + extra)
            self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, "%s: %s" % (extra, cs.describe(done)))
            self.assertIn(message, done.stderr, extra)


class SweepWalksForward(unittest.TestCase):
    """72 hours sampled every minute, 3 folds of a day: each fold runs the
    combination with the best P&L over the day before."""

    def test_each_fold_runs_the_best_combination_of_the_fold_before(self):
        work = cs.fresh_dir("sweep_walk_forward")
        data = os.path.join(work, "data")
        cs.simulate_days(data, 72)
        config = cs.write_file(os.path.join(work, "base.yaml"), cs.config_text(
            ols_window=120, z_window=60, interval_ms=60000))
        out = os.path.join(work, "out")
        done = cs.run(["sweep", "--config", config, "--data", "%s=%s" % (cs.X_SYMBOL, data), "--data",
                       "%s=%s" % (cs.Y_SYMBOL, data), "--out", out, "--no-progress", "--grid",
                       "model.params.window=60,120,240", "--grid", "zscore.entry=1.5,2,2.5", "--rank", "pnl",
                       "--folds", "3"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        with open(os.path.join(out, "sweep.json")) as f:
            sweep = json.load(f)
        rows = sweep["rows"]
        self.assertEqual(len(rows), 9)
        days = [d["day_start_ms"] for d in rows[0]["daily"]]
        self.assertEqual(len(days), 3)
        # Re-computed: fold k is day k; the chosen combination has the best P&L
        # of day k - 1 (combination order breaks ties), judged on day k.
        daily = {r["variant"]: [d["pnl"] for d in r["daily"]] for r in rows}
        order = sorted(daily, key=lambda v: int(v.rsplit(".s", 1)[1]))
        steps = sweep["walk_forward"]
        self.assertEqual([s["fold"] for s in steps], [1, 2])
        for step in steps:
            k = step["fold"]
            best = max(order, key=lambda v: (daily[v][k - 1], -order.index(v)))
            self.assertEqual(step["chosen"], best)
            self.assertAlmostEqual(step["in_sample_metric"], daily[best][k - 1], delta=1e-9)
            self.assertAlmostEqual(step["out_pnl"], daily[best][k], delta=1e-9)
            self.assertAlmostEqual(step["best_out_pnl"], max(daily[v][k] for v in order), delta=1e-9)
            self.assertEqual(step["out_from_ms"], days[k])
            self.assertEqual(step["out_to_ms"], days[k] + 86_400_000)
        self.assertGreater(len({tuple(np.round(v, 6)) for v in daily.values()}), 1)
        self.assertIn("walk-forward: 2 folds, P&L", done.stdout)


if __name__ == "__main__":
    unittest.main()
