"""Months of data.binance.vision files per symbol: `--data SYMBOL=PATH`
repeated, PATH a file, a directory or a glob; daily and monthly files, zipped
or not, with or without the header, in any order on the command line; one
day missing; --from/--to. Each run must equal the backtest of the same
trades given as one plain CSV per symbol (the reference), byte for byte."""

import csv
import glob
import os
import unittest
import zipfile

import cli_support as cs

DAYS = 31  # a month, as the issue asks: 62 daily zips less the missing day
# Slow legs: a day is ~4,300 trades a leg, so the month runs in a second or two.
SIM_ARGS = ["--hours", str(24 * DAYS), "--seed", "3", "--beta", "1.5", "--alpha", "20", "--x-vol", "0.0002",
            "--spread-sigma", "0.02", "--spread-theta", "0.001", "--x-rate", "0.05", "--y-rate", "0.05",
            "--header"]
MISSING_DAY = "2024-01-05"
MISSING_DAY_START_MS = 1704412800000
HEADERLESS_DAY = "2024-01-03"


def day_files(directory, symbol):
    return sorted(glob.glob(os.path.join(directory, "%s-aggTrades-2024-01-*.csv" % symbol)))


def rows_of(path):
    with open(path) as f:
        return [row for row in csv.reader(f) if row and row[0] != "agg_trade_id"]


def write_csv(path, rows, header=True):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        if header:
            writer.writerow(cs.AGG_TRADE_COLUMNS)
        writer.writerows(rows)


def zip_one(csv_path, zip_path):
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(csv_path, os.path.basename(csv_path))


class ManyFilesPerSymbol(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("ManyFilesPerSymbol")
        cls.generated = os.path.join(cls.dir, "generated")
        done = cs.run(["simulate", "--out", cls.generated, "--x", cs.X_SYMBOL, "--y", cs.Y_SYMBOL] + SIM_ARGS)
        if done.returncode != cs.EXIT_OK:
            raise AssertionError(cs.describe(done))
        cls.config = os.path.join(cls.dir, "backtest.yaml")
        # 10 s intervals: 267,840 observations over the month.
        cs.write_file(cls.config, cs.config_text(ols_window=300, z_window=120, interval_ms=10000))
        # The downloads: daily zips, one day missing for both symbols, one
        # file without its header.
        cls.daily = os.path.join(cls.dir, "daily")
        os.makedirs(cls.daily)
        cls.kept_rows = {}
        for symbol in (cs.X_SYMBOL, cs.Y_SYMBOL):
            files = day_files(cls.generated, symbol)
            assert len(files) == DAYS, files
            kept = []
            for path in files:
                if MISSING_DAY in path:
                    continue
                rows = rows_of(path)
                kept += rows
                plain = os.path.join(cls.dir, os.path.basename(path))
                write_csv(plain, rows, header=HEADERLESS_DAY not in path)
                zip_one(plain, os.path.join(cls.daily, os.path.basename(path)[:-4] + ".zip"))
                os.remove(plain)
            cls.kept_rows[symbol] = kept
        # The reference: the same trades as one plain CSV per symbol.
        cls.reference_files = {}
        for symbol, rows in cls.kept_rows.items():
            path = os.path.join(cls.dir, "%s-all.csv" % symbol)
            write_csv(path, rows)
            cls.reference_files[symbol] = path
        cls.reference = cls.backtest("reference", ["%s=%s" % (s, p) for s, p in cls.reference_files.items()])

    @classmethod
    def backtest(cls, name, data, extra=()):
        out = os.path.join(cls.dir, name)
        args = ["backtest", "--config", cls.config, "--out", out, "--no-progress"]
        for item in data:
            args += ["--data", item]
        done = cs.run(args + list(extra))
        if done.returncode != cs.EXIT_OK:
            raise AssertionError(cs.describe(done))
        return out, done

    def outputs(self, out):
        pair_dir = os.path.join(out, cs.PAIR)
        result = {}
        for name in ("series.csv", "trades.csv", "alerts.jsonl"):
            with open(os.path.join(pair_dir, name), "rb") as f:
                result[name] = f.read()
        return result

    def assert_same_as_reference(self, out):
        reference = self.outputs(self.reference[0])
        actual = self.outputs(out)
        for name in reference:
            self.assertEqual(actual[name], reference[name], "%s differs from the one-file-per-symbol run" % name)

    def test_a_directory_of_daily_zips_equals_one_file_per_symbol(self):
        out, done = self.backtest("directory", ["%s=%s" % (s, self.daily) for s in (cs.X_SYMBOL, cs.Y_SYMBOL)])
        self.assert_same_as_reference(out)
        # The import summary says what was read and the hole the missing day left.
        for symbol in (cs.X_SYMBOL, cs.Y_SYMBOL):
            self.assertIn("%s: %d of %d files read" % (symbol, DAYS - 1, DAYS - 1), done.stdout)
        self.assertIn("1 gaps between files", done.stdout)
        # The missing day is a break, not a flat day: no observation has a
        # leg older than sampling.max_stale_ms (60 s).
        import json
        with open(os.path.join(out, cs.PAIR, "summary.json")) as f:
            summary = json.load(f)
        self.assertGreaterEqual(summary["stale_drops"], 8640)  # a day of 10 s intervals at least
        self.assertGreater(summary["longest_break_ms"], 86_000_000)  # the day, less the minute filled on each side
        self.assertIn("break   %s [ols]:" % cs.PAIR, done.stdout)
        times = [int(line.split(",")[0]) for line in open(os.path.join(out, cs.PAIR, "series.csv")).read().split("\n")[1:] if line]
        # At most the first minute of the day is filled from the day before.
        self.assertFalse(any(MISSING_DAY_START_MS + 70_000 <= t < MISSING_DAY_START_MS + 86_400_000 for t in times),
                         "an observation inside the missing day")

    def test_a_second_run_reads_the_catalog_and_gives_the_same_outputs(self):
        catalog = os.path.join(self.dir, "catalog")
        data = ["%s=%s" % (s, self.daily) for s in (cs.X_SYMBOL, cs.Y_SYMBOL)]
        out, first = self.backtest("catalog-first", data, ["--catalog", catalog])
        self.assertNotIn("from the catalog", first.stdout)
        entries = [name for name in os.listdir(catalog) if name.endswith(".trades")]
        self.assertEqual(len(entries), 2 * (DAYS - 1))
        # Each input's SHA-256 is kept beside its entry for the next run's provenance.
        self.assertEqual(len([name for name in os.listdir(catalog) if name.endswith(".trades.sha256")]), 2 * (DAYS - 1))
        out, second = self.backtest("catalog-second", data, ["--catalog", catalog])
        self.assert_same_as_reference(out)
        imports = [line for line in second.stdout.splitlines() if line.startswith("import ") and ".zip:" in line]
        self.assertEqual(len(imports), 2 * (DAYS - 1), second.stdout)
        self.assertTrue(all(line.endswith(", from the catalog") for line in imports), second.stdout)
        # The headerless day says so from the catalog too.
        self.assertTrue(any(HEADERLESS_DAY in line and "no header" in line for line in imports), second.stdout)
        out, third = self.backtest("catalog-off", data, ["--catalog", catalog, "--no-catalog"])
        self.assert_same_as_reference(out)
        self.assertNotIn("from the catalog", third.stdout)

    def test_globs_and_files_in_any_order_equal_one_file_per_symbol(self):
        x_files = sorted(glob.glob(os.path.join(self.daily, cs.X_SYMBOL + "-*.zip")), reverse=True)
        data = ["%s=%s" % (cs.X_SYMBOL, path) for path in x_files]
        data.append("%s=%s" % (cs.Y_SYMBOL, os.path.join(self.daily, cs.Y_SYMBOL + "-aggTrades-2024-01-*.zip")))
        out, _ = self.backtest("globs", data)
        self.assert_same_as_reference(out)

    def test_a_month_and_its_days_overlap_and_the_overlap_is_dropped(self):
        monthly = os.path.join(self.dir, "monthly")
        os.makedirs(monthly)
        for symbol, rows in self.kept_rows.items():
            write_csv(os.path.join(monthly, "%s-aggTrades-2024-01.csv" % symbol), rows)
        # The month, plus days that repeat some of its trades.
        data = ["%s=%s" % (s, monthly) for s in (cs.X_SYMBOL, cs.Y_SYMBOL)]
        data += ["%s=%s" % (s, os.path.join(self.daily, "%s-aggTrades-2024-01-0[23].zip" % s))
                 for s in (cs.X_SYMBOL, cs.Y_SYMBOL)]
        out, done = self.backtest("overlap", data)
        self.assert_same_as_reference(out)
        self.assertRegex(done.stdout, r"%s: 3 of 3 files read, \d+ trades, [1-9]\d* dropped as overlaps" % cs.X_SYMBOL)

    def test_from_and_to_cut_the_range_as_a_cut_file_would(self):
        start_ms, end_ms = 1704240000000, 1704585600000  # 2024-01-03T00:00Z .. 2024-01-07T00:00Z
        cut = {}
        for symbol, rows in self.kept_rows.items():
            path = os.path.join(self.dir, "%s-cut.csv" % symbol)
            write_csv(path, [r for r in rows if start_ms <= int(r[5]) < end_ms])
            cut[symbol] = path
        reference, _ = self.backtest("cut-reference", ["%s=%s" % (s, p) for s, p in cut.items()])
        out, done = self.backtest("cut", ["%s=%s" % (s, self.daily) for s in (cs.X_SYMBOL, cs.Y_SYMBOL)],
                                  ["--from", "2024-01-03T00:00:00Z", "--to", str(end_ms)])
        self.assertEqual(self.outputs(out), self.outputs(reference))
        # Only the days that can hold the range are opened: 01-03, 01-04, 01-06.
        self.assertIn("%s: 3 of %d files read" % (cs.X_SYMBOL, DAYS - 1), done.stdout)

    def test_spot_layout_files_in_microseconds_equal_the_same_trades_in_the_futures_layout(self):
        spot = os.path.join(self.dir, "spot")
        done = cs.run(["simulate", "--out", spot, "--x", cs.X_SYMBOL, "--y", cs.Y_SYMBOL, "--layout", "spot"]
                      + SIM_ARGS)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        first = day_files(spot, cs.X_SYMBOL)[0]
        with open(first) as f:
            header, row = f.readline().strip(), f.readline().strip().split(",")
        self.assertTrue(header.endswith(",is_best_match"), header)
        self.assertEqual(len(row), 8)
        self.assertEqual(len(row[5]), 16, "a transact_time in microseconds: %s" % row[5])
        self.assertEqual(row[7], "true")
        futures_out, _ = self.backtest("futures-layout", ["%s=%s" % (s, self.generated) for s in (cs.X_SYMBOL, cs.Y_SYMBOL)])
        spot_out, done = self.backtest("spot-layout", ["%s=%s" % (s, spot) for s in (cs.X_SYMBOL, cs.Y_SYMBOL)])
        self.assertIn("spot layout", done.stdout + done.stderr)
        futures, spot_outputs = self.outputs(futures_out), self.outputs(spot_out)
        for name in futures:
            self.assertEqual(spot_outputs[name], futures[name], "%s differs between the layouts" % name)

    def test_without_a_terminal_progress_ends_with_one_summary_line(self):
        """stderr is a pipe here: no line rewritten in place, and the run ends
        with the trades read and the time taken."""
        out = os.path.join(self.dir, "progress")
        done = cs.run(["backtest", "--config", self.config, "--out", out, "--data",
                       "%s=%s" % (cs.X_SYMBOL, self.daily), "--data", "%s=%s" % (cs.Y_SYMBOL, self.daily)])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        trades = sum(len(rows) for rows in self.kept_rows.values())
        self.assertRegex(done.stderr, r"backtest: %d trades in [0-9.]+ s \([0-9.]+M trades/s\)\n" % trades)
        self.assertNotIn("\r", done.stderr)

    def test_a_file_named_for_another_symbol_is_refused_unless_allowed(self):
        x_file = sorted(glob.glob(os.path.join(self.daily, cs.X_SYMBOL + "-*.zip")))[0]
        swapped = ["%s=%s" % (cs.Y_SYMBOL, x_file), "%s=%s" % (cs.X_SYMBOL, self.daily)]
        args = ["backtest", "--config", self.config, "--out", os.path.join(self.dir, "swapped"), "--no-progress"]
        for item in swapped:
            args += ["--data", item]
        done = cs.run(args)
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("%s: the file name is for %s, but --data gives it as %s" % (x_file, cs.X_SYMBOL, cs.Y_SYMBOL),
                      done.stderr)
        done = cs.run(args + ["--allow-symbol-mismatch"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))

    def test_an_empty_file_a_zero_byte_zip_or_a_header_alone_is_an_error_naming_it(self):
        """Issue 13, finding 10: these exited 0 with "0 observations"."""
        empty_dir = os.path.join(self.dir, "empties")
        os.makedirs(empty_dir, exist_ok=True)
        header_only = os.path.join(empty_dir, "%s-aggTrades-2024-01-11.csv" % cs.X_SYMBOL)
        write_csv(header_only, [])
        zero_zip = os.path.join(empty_dir, "%s-aggTrades-2024-01-12.zip" % cs.X_SYMBOL)
        with zipfile.ZipFile(zero_zip, "w") as z:
            z.writestr("%s-aggTrades-2024-01-12.csv" % cs.X_SYMBOL, "")
        empty = os.path.join(empty_dir, "%s-aggTrades-2024-01-13.csv" % cs.X_SYMBOL)
        open(empty, "w").close()
        for path in (header_only, zero_zip, empty):
            args = ["backtest", "--config", self.config, "--out", os.path.join(self.dir, "empty-out"), "--no-progress",
                    "--data", "%s=%s" % (cs.X_SYMBOL, path), "--data", "%s=%s" % (cs.Y_SYMBOL, self.daily)]
            done = cs.run(args)
            self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
            self.assertIn("%s: holds no trade" % path, done.stderr)

    def test_a_data_symbol_no_pair_uses_and_an_empty_match_are_refused(self):
        base = ["backtest", "--config", self.config, "--out", os.path.join(self.dir, "refused"), "--no-progress",
                "--data", "%s=%s" % (cs.X_SYMBOL, self.daily), "--data", "%s=%s" % (cs.Y_SYMBOL, self.daily)]
        done = cs.run(base + ["--data", "SOLUSDT=%s" % self.daily])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("--data SOLUSDT=%s: no pair or symbol model of %s uses SOLUSDT" % (self.daily, self.config),
                      done.stderr)
        pattern = os.path.join(self.daily, "%s-aggTrades-2023-*.zip" % cs.X_SYMBOL)
        done = cs.run(base[:-4] + ["--data", "%s=%s" % (cs.X_SYMBOL, pattern),
                                   "--data", "%s=%s" % (cs.Y_SYMBOL, self.daily)])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("--data %s: %s: no file matches" % (cs.X_SYMBOL, pattern), done.stderr)
        empty = os.path.join(self.dir, "empty-dir")
        os.makedirs(empty, exist_ok=True)
        done = cs.run(base[:-4] + ["--data", "%s=%s" % (cs.X_SYMBOL, empty),
                                   "--data", "%s=%s" % (cs.Y_SYMBOL, self.daily)])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("no %s-aggTrades-<date>.csv or .zip file in the directory" % cs.X_SYMBOL, done.stderr)


if __name__ == "__main__":
    unittest.main()
