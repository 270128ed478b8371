"""`alphastream backtest` refusing bad input: each error's exit code and a
message that says what is wrong and where (file:line for config and data),
and the inputs it accepts besides a plain CSV (--skip-bad-rows, a .zip)."""

import os
import sys
import unittest
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_support as cs  # noqa: E402


class BacktestErrors(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("errors")
        cls.x_csv, cls.y_csv = cs.simulate(os.path.join(cls.dir, "data"))

    def config(self, name, text):
        return cs.write_file(os.path.join(self.dir, name), text)

    def out(self, name):
        return os.path.join(self.dir, "out-" + name)

    def assert_rejected(self, done):
        # 1 or 2, not 0 and not a signal (a crash gives a negative code); the
        # exact code is pinned by the expected failure below.
        self.assertIn(done.returncode, (cs.EXIT_FAILURE, cs.EXIT_BAD_INPUT), cs.describe(done))

    def assert_no_pair_output(self, out):
        self.assertFalse(os.path.exists(os.path.join(out, cs.PAIR, "summary.json")),
                         "a rejected run wrote a summary")

    def test_unknown_config_key_is_rejected_with_file_line_and_a_suggestion(self):
        text = cs.config_text().replace("  slippage_bps:", "  slipage_bps:")
        path = self.config("unknown_key.yaml", text)
        line = cs.line_of(text, "slipage_bps")
        done = cs.backtest(path, self.x_csv, self.y_csv, self.out("unknown_key"))
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("%s:%d: unknown key 'slipage_bps' in backtest (did you mean 'slippage_bps'?)" % (path, line),
                      done.stderr)
        self.assert_no_pair_output(self.out("unknown_key"))

    def test_unknown_plugin_parameter_names_the_plugin_the_key_and_the_config_line(self):
        text = cs.config_text(params={"window": 600, "windw": 5})
        path = self.config("unknown_param.yaml", text)
        line = cs.line_of(text, "windw:")
        done = cs.backtest(path, self.x_csv, self.y_csv, self.out("unknown_param"))
        self.assert_rejected(done)
        self.assertIn("%s:%d: pairs[0].model.params.windw: plugin 'ols' has no parameter 'windw' "
                      "(did you mean 'window'?); known: window" % (path, line), done.stderr)
        self.assert_no_pair_output(self.out("unknown_param"))

    def test_plugin_out_of_bounds_names_the_bounds(self):
        text = cs.config_text(params={"window": 2})
        path = self.config("small_window.yaml", text)
        line = cs.line_of(text, "window: 2")
        done = cs.backtest(path, self.x_csv, self.y_csv, self.out("small_window"))
        self.assert_rejected(done)
        self.assertIn("%s:%d: pairs[0].model.params.window: plugin 'ols' parameter 'window' must be in [3, 1000000], "
                      "got \"2\"" % (path, line), done.stderr)

    def test_missing_plugin_names_the_library_file_it_looked_for(self):
        text = cs.config_text(plugin="nope", plugins_dir=cs.PLUGIN_DIR)
        path = self.config("missing_plugin.yaml", text)
        line = cs.line_of(text, "plugin: nope")
        done = cs.backtest(path, self.x_csv, self.y_csv, self.out("missing_plugin"))
        self.assert_rejected(done)
        looked_for = os.path.join(cs.PLUGIN_DIR, "libalphastream_nope.so")
        self.assertIn("%s:%d: pairs[0].model.plugin: %s: plugin library not found" % (path, line, looked_for),
                      done.stderr)
        self.assert_no_pair_output(self.out("missing_plugin"))

    def test_missing_data_for_a_configured_symbol_names_the_symbol(self):
        path = self.config("ok.yaml", cs.config_text())
        done = cs.run(["backtest", "--config", path, "--data", "%s=%s" % (cs.X_SYMBOL, self.x_csv),
                       "--out", self.out("missing_data"), "--no-progress"])
        self.assert_rejected(done)
        self.assertIn("no --data %s=PATH given, but a configured pair uses %s" % (cs.Y_SYMBOL, cs.Y_SYMBOL),
                      done.stderr)
        self.assert_no_pair_output(self.out("missing_data"))

    def test_unknown_pair_name_names_the_pair_and_the_config(self):
        path = self.config("ok.yaml", cs.config_text())
        done = cs.backtest(path, self.x_csv, self.y_csv, self.out("unknown_pair"), ["--pair", "btc-eth"])
        self.assert_rejected(done)
        self.assertIn("--pair btc-eth: no such pair in %s; its pairs: %s" % (path, cs.PAIR), done.stderr)
        self.assert_no_pair_output(self.out("unknown_pair"))
        # A near miss is named.
        done = cs.backtest(path, self.x_csv, self.y_csv, self.out("unknown_pair"), ["--pair", cs.PAIR + "x"])
        self.assertIn("(did you mean '%s'?)" % cs.PAIR, done.stderr)

    def test_known_pair_name_runs_that_pair(self):
        path = self.config("ok.yaml", cs.config_text())
        out = self.out("known_pair")
        done = cs.backtest(path, self.x_csv, self.y_csv, out, ["--pair", cs.PAIR])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertTrue(os.path.isfile(os.path.join(out, cs.PAIR, "summary.json")))

    def test_missing_required_option_is_reported(self):
        path = self.config("ok.yaml", cs.config_text())
        done = cs.run(["backtest", "--config", path, "--out", self.out("no_data_option")])
        self.assertGreater(done.returncode, 0, cs.describe(done))
        self.assertIn("--data is required", done.stdout + done.stderr)

    # The exit codes of engine/cli/commands.h: 2 for "config, arguments or
    # plugin rejected before running". Today only config errors get 2: every
    # error from run_backtest() becomes 1 (backtest_command.cpp), and CLI11's
    # own argument errors exit with CLI11's codes (106 for a missing option).
    def test_arguments_and_plugins_rejected_before_running_exit_with_code_2(self):
        ok = self.config("ok.yaml", cs.config_text())
        runs = {
            "unknown plugin parameter": cs.backtest(self.config("p.yaml", cs.config_text(params={"windw": 5})),
                                                    self.x_csv, self.y_csv, self.out("code_param")),
            "missing plugin": cs.backtest(self.config("m.yaml", cs.config_text(plugin="nope")),
                                          self.x_csv, self.y_csv, self.out("code_plugin")),
            "missing --data": cs.run(["backtest", "--config", ok, "--data", "%s=%s" % (cs.X_SYMBOL, self.x_csv),
                                      "--out", self.out("code_data")]),
            "unknown --pair": cs.backtest(ok, self.x_csv, self.y_csv, self.out("code_pair"), ["--pair", "nope"]),
            "missing option": cs.run(["backtest", "--config", ok, "--out", self.out("code_option")]),
        }
        codes = {what: done.returncode for what, done in runs.items()}
        self.assertEqual(codes, {what: cs.EXIT_BAD_INPUT for what in runs})


class MalformedDataRows(unittest.TestCase):
    BAD_LINE = 1000

    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("bad_rows")
        cls.x_csv, y_csv = cs.simulate(os.path.join(cls.dir, "data"))
        with open(y_csv) as f:
            lines = f.readlines()
        fields = lines[cls.BAD_LINE - 1].split(",")
        fields[1] = "12x.5"  # the price
        lines[cls.BAD_LINE - 1] = ",".join(fields)
        cls.bad_csv = cs.write_file(os.path.join(cls.dir, "bad.csv"), "".join(lines))
        cls.good_without_row = lines[:cls.BAD_LINE - 1] + lines[cls.BAD_LINE:]
        cls.config = cs.write_file(os.path.join(cls.dir, "backtest.yaml"), cs.config_text())

    def test_a_malformed_row_stops_the_run_naming_path_line_and_column(self):
        done = cs.backtest(self.config, self.x_csv, self.bad_csv, os.path.join(self.dir, "out-stop"))
        self.assertEqual(done.returncode, cs.EXIT_FAILURE, cs.describe(done))
        self.assertIn("%s:%d: column 'price': expected a decimal number, got \"12x.5\"" %
                      (self.bad_csv, self.BAD_LINE), done.stderr)

    def test_skip_bad_rows_runs_and_counts_the_skipped_row(self):
        out = os.path.join(self.dir, "out-skip")
        done = cs.backtest(self.config, self.x_csv, self.bad_csv, out, ["--skip-bad-rows"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        import_line = [line for line in done.stdout.splitlines() if line.startswith("import  " + self.bad_csv)]
        self.assertEqual(len(import_line), 1, done.stdout)
        rows = len(self.good_without_row) + 1
        self.assertIn(": %d rows, %d accepted, " % (rows, rows - 1), import_line[0])
        self.assertIn(", 1 bad rows skipped", import_line[0])
        # Each skipped row is named, so it can be found and fixed.
        self.assertIn("skipped %s:%d: column 'price'" % (self.bad_csv, self.BAD_LINE), done.stderr)
        # The run is the one without that row.
        series = cs.read_series(os.path.join(out, cs.PAIR, "series.csv"))
        without = cs.write_file(os.path.join(self.dir, "without.csv"), "".join(self.good_without_row))
        expected = cs.time_mode_observations(cs.read_agg_trades(self.x_csv), cs.read_agg_trades(without), 1000)
        np.testing.assert_array_equal(series["ts_ms"].to_numpy(), expected["ts_ms"].to_numpy())
        np.testing.assert_array_equal(series["y"].to_numpy(), expected["y"].to_numpy())


class ZipInput(unittest.TestCase):

    def test_a_zip_holding_the_csv_gives_the_same_series_as_the_csv(self):
        work = cs.fresh_dir("zip_input")
        x_csv, y_csv = cs.simulate(os.path.join(work, "data"))
        x_zip = os.path.join(work, "x.zip")
        with zipfile.ZipFile(x_zip, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(x_csv, arcname=os.path.basename(x_csv))
        self.assertLess(os.path.getsize(x_zip), os.path.getsize(x_csv) / 2)  # really compressed
        config = cs.write_file(os.path.join(work, "backtest.yaml"), cs.config_text())
        outputs = []
        for name, x_input in (("csv", x_csv), ("zip", x_zip)):
            out = os.path.join(work, "out-" + name)
            done = cs.backtest(config, x_input, y_csv, out)
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            self.assertIn("import  %s: " % x_input, done.stdout)
            with open(os.path.join(out, cs.PAIR, "series.csv"), "rb") as f:
                outputs.append(f.read())
        self.assertGreater(len(outputs[0]), 100000)
        self.assertEqual(outputs[0], outputs[1])


if __name__ == "__main__":
    unittest.main()
