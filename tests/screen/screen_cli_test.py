#!/usr/bin/python3
"""End-to-end tests of `alphastream screen`: the real binary on files that
`alphastream simulate` wrote, its report checked against statsmodels 0.13.5
coint on a grid rebuilt here with pandas.

Set by tests/screen/CMakeLists.txt: ALPHASTREAM_BIN, ALPHASTREAM_TEST_WORK_DIR.
"""
import csv
import json
import os
import shutil
import subprocess
import unittest
import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.stattools import coint

BIN = os.environ.get("ALPHASTREAM_BIN", "")
WORK = os.path.join(os.environ.get("ALPHASTREAM_TEST_WORK_DIR", "/tmp/alphastream-screen-tests"), "cli")
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
DAY = "2024-01-01"
HEADER = ("rank,y,x,n_obs,first_ts_ms,last_ts_ms,beta,alpha,adf_stat,p_value,used_lag,adf_nobs,crit_1pct,"
          "crit_5pct,crit_10pct,collinear,half_life_obs,spread_std,price_correlation,return_correlation,"
          "reverse_p_value,error")


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=240)


def path_of(symbol):
    return os.path.join(WORK, f"{symbol}-aggTrades-{DAY}.csv")


def grid_column(symbol, interval_ms=1000):
    """Last price per interval k = floor(t / I), the interval's end as index."""
    d = pd.read_csv(path_of(symbol), header=None, names=["id", "price", "qty", "first", "last", "t", "maker"])
    d = d.sort_values("id", kind="stable")
    k = np.maximum.accumulate(d["t"].to_numpy()) // interval_ms
    closes = pd.Series(d["price"].to_numpy(), index=k).groupby(level=0).last()
    return closes


def pair_rows(a, b):
    """Both legs forward filled from the later first interval to the later last."""
    ca, cb = grid_column(a), grid_column(b)
    start = max(ca.index[0], cb.index[0])
    end = max(ca.index[-1], cb.index[-1])
    index = np.arange(min(ca.index[0], cb.index[0]), end + 1)
    fa = ca.reindex(index).ffill().loc[start:end].to_numpy()
    fb = cb.reindex(index).ffill().loc[start:end].to_numpy()
    return fa, fb, (start + 1) * 1000


class ScreenCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BIN:
            raise unittest.SkipTest("ALPHASTREAM_BIN is not set")
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        # SIMX/SIMY are cointegrated by construction with a small spread;
        # SIMA is the x leg of an unrelated run.
        common = ["--hours", "2", "--x-vol", "0.0003", "--spread-sigma", "0.01", "--out", WORK]
        for extra in (["--seed", "1"], ["--seed", "2", "--x", "SIMAUSDT", "--y", "SIMBUSDT", "--x-price", "250"]):
            r = run("simulate", *common, *extra)
            assert r.returncode == 0, r.stderr
        cls.data = [f"--data={s}={path_of(s)}" for s in ("SIMAUSDT", "SIMXUSDT", "SIMYUSDT")]

    def screen(self, out, *extra):
        return run("screen", *self.data, "--out", os.path.join(WORK, out), "--no-progress", *extra)

    def test_csv_report_ranks_the_cointegrated_pair_first(self):
        r = self.screen("report.csv", "--threads", "2", "--top", "2")
        self.assertEqual(r.returncode, EXIT_OK, r.stderr)
        with open(os.path.join(WORK, "report.csv")) as f:
            self.assertEqual(f.readline().strip(), HEADER)
        with open(os.path.join(WORK, "report.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 3)
        self.assertEqual([r["rank"] for r in rows], ["1", "2", "3"])
        self.assertEqual({rows[0]["y"], rows[0]["x"]}, {"SIMXUSDT", "SIMYUSDT"})
        self.assertLess(float(rows[0]["p_value"]), 0.01)
        pvalues = [float(r["p_value"]) for r in rows]
        self.assertEqual(pvalues, sorted(pvalues))
        for row in rows[1:]:
            self.assertGreater(float(row["p_value"]), 0.05)
            self.assertEqual(row["error"], "")
        # stdout: the header line, the top 2 pairs and the summary.
        lines = r.stdout.strip().splitlines()
        self.assertEqual(len(lines), 4, r.stdout)
        self.assertTrue(lines[-1].startswith("done    3 symbols, 7200 rows, 3 pairs (1 with p < 0.05, 0 failed)"),
                        lines[-1])

    def test_json_report_matches_statsmodels_coint_on_the_rebuilt_grid(self):
        r = self.screen("report.json")
        self.assertEqual(r.returncode, EXIT_OK, r.stderr)
        with open(os.path.join(WORK, "report.json")) as f:
            doc = json.load(f)
        self.assertEqual(doc["interval_ms"], 1000)
        self.assertEqual(len(doc["pairs"]), 3)
        for pair in doc["pairs"]:
            with self.subTest(y=pair["y"], x=pair["x"]):
                y, x, first_ts = pair_rows(pair["y"], pair["x"])
                self.assertEqual(pair["n_obs"], len(y))
                self.assertEqual(pair["first_ts_ms"], first_ts)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    stat, p, crit = coint(y, x)
                    _, p_reverse, _ = coint(x, y)
                self.assertLessEqual(abs(pair["adf_stat"] - stat), 1e-8 * abs(stat))
                self.assertAlmostEqual(pair["p_value"], p, delta=1e-9)
                self.assertAlmostEqual(pair["reverse_p_value"], p_reverse, delta=1e-9)
                self.assertLessEqual(p, p_reverse)
                for got, want in zip([pair["crit_1pct"], pair["crit_5pct"], pair["crit_10pct"]], crit):
                    self.assertAlmostEqual(got, want, delta=1e-12)
                beta, alpha = np.polyfit(x, y, 1)
                self.assertAlmostEqual(pair["beta"], beta, delta=1e-8 * abs(beta))
                resid = y - alpha - beta * x
                self.assertAlmostEqual(pair["spread_std"], np.std(resid), delta=1e-8 * np.std(resid))
                self.assertAlmostEqual(pair["price_correlation"], np.corrcoef(x, y)[0, 1], delta=1e-10)
                ret = np.corrcoef(np.diff(np.log(x)), np.diff(np.log(y)))[0, 1]
                self.assertAlmostEqual(pair["return_correlation"], ret, delta=1e-10)

    def test_from_and_to_cut_the_grid_to_the_range(self):
        # The first hour of the two: 3,600 one-second rows.
        r = self.screen("hour.csv", "--from", "2024-01-01T00:00:00Z", "--to", "2024-01-01T01:00:00Z")
        self.assertEqual(r.returncode, EXIT_OK, r.stderr)
        self.assertIn("done    3 symbols, 3600 rows, 3 pairs", r.stdout)
        self.assertIn("outside --from/--to", r.stderr)

    def test_fewer_than_two_symbols_is_bad_input(self):
        r = run("screen", self.data[0], "--out", os.path.join(WORK, "one.csv"))
        self.assertEqual(r.returncode, EXIT_BAD_INPUT)
        self.assertIn("screen needs at least 2 symbols", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(WORK, "one.csv")))

    def test_a_missing_file_is_bad_input_naming_the_path(self):
        missing = os.path.join(WORK, "NOPE-aggTrades.csv")
        r = run("screen", *self.data, f"--data=NOPE={missing}", "--out", os.path.join(WORK, "missing.csv"))
        self.assertEqual(r.returncode, EXIT_BAD_INPUT)
        self.assertIn(missing, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(WORK, "missing.csv")))

    def test_unknown_report_extension_and_bad_data_items_are_bad_input(self):
        r = self.screen("report.txt")
        self.assertEqual(r.returncode, EXIT_BAD_INPUT)
        self.assertIn("must end in .csv or .json", r.stderr)
        r = run("screen", "--data", "SIMX", *self.data, "--out", os.path.join(WORK, "x.csv"))
        self.assertEqual(r.returncode, EXIT_BAD_INPUT)
        self.assertIn("--data SIMX: expected SYMBOL=PATH", r.stderr)
        # A file named twice is read once: the same report as without.
        r = run("screen", *self.data, self.data[0], "--out", os.path.join(WORK, "twice.csv"), "--no-progress")
        self.assertEqual(r.returncode, EXIT_OK, r.stderr)
        self.assertEqual(self.screen("once.csv").returncode, EXIT_OK)
        with open(os.path.join(WORK, "twice.csv")) as twice, open(os.path.join(WORK, "once.csv")) as once:
            self.assertEqual(twice.read(), once.read())


if __name__ == "__main__":
    unittest.main()
