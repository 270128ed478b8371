"""A recording of the live service, replayed and exported: replays repeat
byte for byte, and the backtest of the exported trades writes what the
replay wrote (one pipeline, whatever the source of the trades)."""

import json
import os
import re
import unittest

import service_support as ss

# The files the backtest and the replay both write for each pair and symbol.
COMPARED = ("series.csv", "trades.csv", "summary.json")


class ReplayEqualsBacktest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = ss.fresh_dir("ReplayEqualsBacktest")
        cls.journal = os.path.join(cls.dir, "journal")
        # 200 ms intervals, short windows and a low entry threshold: six
        # seconds at 100 trades/s a leg give ~30 observations with betas,
        # z-scores and paper trades to compare.
        pair = ("{name: %s, y: %s, x: %s, models: [{plugin: ols, params: {window: 10}}, {plugin: kalman}], "
                "zscore: {window: 5, entry: 0.5, exit: 0.0}}" % (ss.PAIR, ss.Y_SYMBOL, ss.X_SYMBOL))
        cls.config = ss.write_file(os.path.join(cls.dir, "service.yaml"),
                                   ss.service_config(ss.free_port(), storage_path=cls.journal, pairs=[pair],
                                                     sampling="{mode: time, interval_ms: 200}"))
        done = ss.run_cli(["run", "--config", cls.config, "--run-for", "6"], cwd=cls.dir)
        if done.returncode != ss.EXIT_OK:
            raise AssertionError("recording failed: " + ss.describe(done))
        cls.full_export = os.path.join(cls.dir, "export-all")
        done = ss.run_cli(["export", "--journal", cls.journal, "--out", cls.full_export, "--no-progress"])
        if done.returncode != ss.EXIT_OK:
            raise AssertionError("export failed: " + ss.describe(done))
        cls.export_stdout = done.stdout

    def replay(self, name):
        out = os.path.join(self.dir, name)
        done = ss.run_cli(["replay", "--config", self.config, "--out", out, "--no-progress"])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        return out

    def csv_of(self, symbol):
        return os.path.join(self.full_export, symbol + "-aggTrades.csv")

    def test_two_replays_of_one_journal_write_byte_identical_trees(self):
        first = ss.tree_bytes(self.replay("replay-1"))
        second = ss.tree_bytes(self.replay("replay-2"))
        for name in ("series.csv", "trades.csv", "summary.json", "alerts.jsonl", "report.html",
                     os.path.join("symbols", ss.X_SYMBOL, "series.csv")):
            self.assertTrue(any(path == name or path.endswith(os.sep + name) for path in first),
                            "%s not written; files: %s" % (name, sorted(first)))
        self.assertEqual(sorted(first), sorted(second))
        for path in first:
            self.assertEqual(first[path], second[path], "%s differs between two replays" % path)

    def test_backtest_of_the_exported_trades_writes_what_the_replay_wrote(self):
        replayed = ss.tree_bytes(self.replay("replay-for-backtest"))
        out = os.path.join(self.dir, "backtest")
        done = ss.run_cli(["backtest", "--config", self.config, "--data", "%s=%s" % (ss.X_SYMBOL, self.csv_of(ss.X_SYMBOL)),
                           "--data", "%s=%s" % (ss.Y_SYMBOL, self.csv_of(ss.Y_SYMBOL)), "--out", out, "--no-progress"])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        backtested = ss.tree_bytes(out)
        compared = sorted(p for p in replayed if os.path.basename(p) in COMPARED)
        self.assertIn("series.csv", [os.path.basename(p) for p in compared])
        self.assertEqual(compared, sorted(p for p in backtested if os.path.basename(p) in COMPARED))
        kalman = os.path.join(ss.PAIR, "kalman")
        self.assertGreater(replayed[os.path.join(kalman, "series.csv")].count(b"\n"), 10,
                           "the recording gives observations")
        self.assertGreater(replayed[os.path.join(kalman, "trades.csv")].count(b"\n"), 1,
                           "the paper ledger traded")
        for path in compared:
            # The provenance differs by design: a journal, not files.
            self.assertEqual(ss.cli_support.without_provenance(path, replayed[path]),
                             ss.cli_support.without_provenance(path, backtested[path]),
                             "%s: backtest and replay differ" % path)
        replay_inputs = json.loads(replayed[os.path.join(kalman, "summary.json")])["provenance"]["inputs"]
        backtest_inputs = json.loads(backtested[os.path.join(kalman, "summary.json")])["provenance"]["inputs"]
        self.assertEqual(replay_inputs, [])
        self.assertEqual(sorted(i["symbol"] for i in backtest_inputs), sorted([ss.X_SYMBOL, ss.Y_SYMBOL]))

    def test_export_writes_a_header_and_shortest_round_trip_prices(self):
        for symbol in (ss.X_SYMBOL, ss.Y_SYMBOL):
            header, rows = ss.read_export(self.csv_of(symbol))
            self.assertEqual(header, "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,"
                                     "is_buyer_maker")
            self.assertIn("wrote   %s: %d trades" % (self.csv_of(symbol), len(rows)), self.export_stdout)
            for row in rows[:200]:
                self.assertEqual(len(row), 7, row)
                for text in (row[1], row[2]):
                    shortest = repr(float(text))
                    self.assertEqual(shortest[:-2] if shortest.endswith(".0") else shortest, text)
                self.assertIn(row[6], ("true", "false"))
        total = sum(len(ss.read_export(self.csv_of(s))[1]) for s in (ss.X_SYMBOL, ss.Y_SYMBOL))
        self.assertIn("done    %d trades of 2 symbols exported from %s" % (total, self.journal), self.export_stdout)

    def test_export_of_one_symbol_and_a_time_range_keeps_exactly_those_trades(self):
        _, all_rows = ss.read_export(self.csv_of(ss.X_SYMBOL))
        times = sorted(int(r[5]) for r in all_rows)
        start, end = times[len(times) // 4], times[3 * len(times) // 4]  # [start, end)
        expected = [r for r in all_rows if start <= int(r[5]) < end]
        out = os.path.join(self.dir, "export-range")
        done = ss.run_cli(["export", "--journal", self.journal, "--out", out, "--symbol", ss.X_SYMBOL,
                           "--from", str(start), "--to", str(end), "--no-progress"])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        self.assertEqual(os.listdir(out), [ss.X_SYMBOL + "-aggTrades.csv"])
        self.assertEqual(ss.read_export(os.path.join(out, ss.X_SYMBOL + "-aggTrades.csv"))[1], expected)
        self.assertGreater(len(expected), 0)

    def test_export_of_a_symbol_never_recorded_is_bad_input_naming_the_journal(self):
        done = ss.run_cli(["export", "--journal", self.journal, "--out", os.path.join(self.dir, "export-none"),
                           "--symbol", "BTCUSDT"])
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("--symbol BTCUSDT: not recorded in %s (it holds: %s, %s)" % (self.journal, ss.X_SYMBOL,
                                                                                    ss.Y_SYMBOL), done.stderr)

    def test_a_replay_range_the_journal_does_not_cover_is_bad_input_saying_what_it_covers(self):
        out = os.path.join(self.dir, "replay-outside")
        done = ss.run_cli(["replay", "--config", self.config, "--out", out, "--no-progress",
                           "--from", "2020-01-01T00:00:00Z", "--to", "2020-01-02T00:00:00Z"])
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertRegex(done.stderr, r"%s: nothing recorded in the --from/--to range; the journal covers "
                                      r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \.\. \d{4}-.*Z \(\d+ trades;"
                         % re.escape(self.journal))
        self.assertFalse(os.path.exists(out))

    def test_export_of_a_missing_journal_or_bad_time_is_bad_input(self):
        missing = os.path.join(self.dir, "no-journal-here")
        done = ss.run_cli(["export", "--journal", missing, "--out", os.path.join(self.dir, "export-missing")])
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn(missing, done.stderr)
        done = ss.run_cli(["export", "--journal", self.journal, "--out", os.path.join(self.dir, "export-bad-time"),
                           "--from", "yesterday"])
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("--from yesterday: expected Unix milliseconds or a UTC time", done.stderr)


if __name__ == "__main__":
    unittest.main()
