"""`alphastream run` fed from files instead of a websocket: `feed.source: csv`
(a generated pair) and `feed.source: replay` (the journal that run wrote, in
a time window). A file source is read as fast as the shards and the recorder
take it; at its end the service closes the interval still open on every
pipeline (as the backtest does at the end of its data), drains, logs its
summary and exits 0, or, with --stay-up, keeps /metrics up until SIGTERM. Its counters, journal and
model gauges are checked against the files, `alphastream export`,
`alphastream backtest` and `alphastream replay` of the same trades."""

import math
import os
import time
import unittest

import service_support as ss

START_MS = 1704067200000  # 2024-01-01T00:00:00Z, the generated files' first day
# The replay window, [from, to): half an hour in, for an hour.
WINDOW = ("2024-01-01T00:30:00Z", "2024-01-01T01:30:00Z")
WINDOW_MS = (START_MS + 30 * 60 * 1000, START_MS + 90 * 60 * 1000)
# One shard, so alphastream_shard_events_total counts every trade once (file
# sources send no clock ticks), and a queue far smaller than the files, so
# the shard's and the recorder's queues fill and the reader has to wait.
ENGINE = "{cores: 1, queue_capacity: 256}"
PAIR_OUTPUTS = {"ols": ("r_squared", "residual_std"), "kalman": ("forecast_std",)}


def csv_rows(path):
    """A Binance aggTrades file without header -> [(agg id, price, quantity,
    first id, last id, transact time, buyer is maker)], numbers parsed."""
    with open(path) as f:
        return [parse_row(line.rstrip("\n").split(",")) for line in f if line.strip()]


def parse_row(fields):
    if len(fields) != 7 or fields[6] not in ("true", "false"):
        raise AssertionError("not an aggTrades row: %r" % fields)
    return (int(fields[0]), float(fields[1]), float(fields[2]), int(fields[3]), int(fields[4]), int(fields[5]),
            fields[6] == "true")


def same_number(a, b):
    """Equal up to the 16 significant digits /metrics prints, or both NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300)


def read_series(path):
    """A series.csv -> (header, [rows as lists of floats, NaN where empty])."""
    with open(path) as f:
        lines = f.read().splitlines()
    return lines[0].split(","), [[float(v) if v else math.nan for v in line.split(",")] for line in lines[1:]]


class RunFileSources(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = ss.fresh_dir("RunFileSources")
        # Two hours of the pair: ~9,000 trades of x and ~5,400 of y.
        cls.x_csv, cls.y_csv = ss.cli_support.simulate(os.path.join(cls.dir, "data"))
        cls.rows = {ss.X_SYMBOL: csv_rows(cls.x_csv), ss.Y_SYMBOL: csv_rows(cls.y_csv)}
        cls.total = sum(len(r) for r in cls.rows.values())
        cls.csv_feed = "{source: csv, csv: {%s: %s, %s: %s}}" % (ss.X_SYMBOL, cls.x_csv, ss.Y_SYMBOL, cls.y_csv)
        cls.journal = os.path.join(cls.dir, "journal")
        cls.config, port = cls.write_config("csv.yaml", cls.csv_feed, cls.journal)

        # The run every test below looks at: the CSV files, recorded to the
        # journal, /metrics scraped after the end, then SIGTERM.
        cls.csv_run = ss.Service(cls.config, cls.dir, port, ["--stay-up"])
        try:
            cls.csv_metrics = cls.drained_metrics(cls.csv_run, cls.total)
            cls.csv_exit = cls.csv_run.stop(timeout_s=20)
        finally:
            cls.csv_run.kill()

    @classmethod
    def write_config(cls, name, feed, journal=None):
        """A service config for the pair on feed; returns (path, metrics port)."""
        port = ss.free_port()
        text = ss.service_config(port, feed=feed, storage_path=journal, engine=ENGINE)
        return ss.write_file(os.path.join(cls.dir, name), text), port

    @staticmethod
    def drained_metrics(service, trades):
        """Waits for the end of the source, for the one shard to have handled
        all trades and for the recorder (whose batches trail by up to its
        flush interval) to have committed them; returns a scrape taken after
        that."""
        service.wait_for_log("; staying up until a signal", 60)
        ended = "end of the feed source (%d trades); staying up until a signal" % trades
        if ended not in service.log():
            raise AssertionError("expected %r in the log:\n%s" % (ended, service.log()))
        service.wait_for_metrics(lambda m: m.value("alphastream_shard_events_total", shard="0") >= trades and
                                 m.value("alphastream_storage_records_total") >= trades, 60,
                                 "the shard to handle and the recorder to commit %d trades" % trades)
        return service.scrape()

    def run_to_end(self, config):
        """`alphastream run` without --stay-up; it has to end by itself."""
        started = time.monotonic()
        done = ss.run_cli(["run", "--config", config], cwd=self.dir)
        self.assertLess(time.monotonic() - started, 30, "the run should end at the end of its data")
        return done

    def stopped_counts(self, log):
        stopped = ss.STOPPED_LINE.search(log)
        self.assertIsNotNone(stopped, log)
        return int(stopped.group(1)), int(stopped.group(2))

    def export(self, journal, name):
        """Exports journal; returns {symbol: parsed rows} of what it holds."""
        out = os.path.join(self.dir, name)
        done = ss.run_cli(["export", "--journal", journal, "--out", out, "--no-progress"])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        exported = {}
        for file_name in sorted(os.listdir(out)):
            _, rows = ss.read_export(os.path.join(out, file_name))
            exported[file_name.split("-")[0]] = [parse_row(row) for row in rows]
        return exported

    def window_rows(self, symbol):
        return [r for r in self.rows[symbol] if WINDOW_MS[0] <= r[5] < WINDOW_MS[1]]

    def assert_gauges_equal_the_last_row_of_the_series(self, metrics, out_dir):
        """At the end of a file source the service closes the open interval
        as a backtest or replay does at the end of its data: the models'
        state is the series' last row, and they counted every row."""
        for model, outputs in PAIR_OUTPUTS.items():
            header, rows = read_series(os.path.join(out_dir, ss.PAIR, model, "series.csv"))
            self.assertGreater(len(rows), 1000)
            labels = {"pair": ss.PAIR, "model": model}
            self.assertEqual(metrics.value("alphastream_pair_observations_total", **labels), len(rows), model)
            row = dict(zip(header, rows[-1]))
            self.assertEqual(round(metrics.value("alphastream_pair_last_observation_timestamp_seconds", **labels)
                                   * 1000), row["ts_ms"], model)
            for column in ("alpha", "beta", "spread", "zscore", "position"):
                live = metrics.value("alphastream_pair_" + column, **labels)
                self.assertTrue(same_number(live, row[column]), "%s %s: /metrics %r, series %r"
                                % (model, column, live, row[column]))
            for output in outputs:
                live = metrics.value("alphastream_model_output", plugin=model, output=output, **labels)
                self.assertTrue(same_number(live, row[output]), "%s %s: /metrics %r, series %r"
                                % (model, output, live, row[output]))
            self.assertTrue(ss.finite(row["zscore"]), "the models are warm at the end of the data")
        header, rows = read_series(os.path.join(out_dir, "symbols", ss.X_SYMBOL, "series.csv"))
        labels = {"plugin": "microstructure", "symbol": ss.X_SYMBOL, "model": "microstructure"}
        self.assertEqual(metrics.value("alphastream_symbol_rows_total", symbol=ss.X_SYMBOL, model="microstructure"),
                         len(rows))
        for output, value in zip(header[1:], rows[-1][1:]):
            live = metrics.value("alphastream_model_output", output=output, **labels)
            self.assertTrue(same_number(live, value),
                            "microstructure %s: /metrics %r, series %r" % (output, live, value))

    # --- feed.source: csv

    def test_csv_run_counts_every_row_once_per_symbol_in_metrics(self):
        m = self.csv_metrics
        for symbol, rows in self.rows.items():
            self.assertEqual(m.value("alphastream_feed_messages_total", symbol=symbol), len(rows), symbol)
            self.assertEqual(m.value("alphastream_feed_duplicates_total", symbol=symbol), 0, symbol)
            self.assertEqual(m.value("alphastream_feed_gaps_total", symbol=symbol), 0, symbol)
            self.assertTrue(same_number(m.value("alphastream_feed_last_price", symbol=symbol), rows[-1][1]), symbol)
            self.assertAlmostEqual(m.value("alphastream_feed_last_message_timestamp_seconds", symbol=symbol),
                                   rows[-1][5] / 1000, delta=1e-6, msg=symbol)
        self.assertEqual(m.value("alphastream_shard_events_total", shard="0"), self.total)
        self.assertEqual(m.value("alphastream_queue_dropped_total", shard="0"), 0)
        self.assertEqual(m.value("alphastream_queue_depth", shard="0"), 0)
        self.assertEqual(m.value("alphastream_storage_dropped_total"), 0, "the reader waits for the recorder")
        self.assertEqual(m.value("alphastream_storage_errors_total"), 0)
        self.assertEqual(m.value("alphastream_storage_recording"), 1)
        # Files are not websocket frames; the source is no longer read.
        self.assertEqual(m.value("alphastream_feed_frames_total"), 0)
        self.assertEqual(m.value("alphastream_feed_connected"), 0)
        self.assertEqual(m.total("alphastream_parse_errors_total"), 0)

    def test_journal_command_reports_what_the_run_recorded(self):
        done = ss.run_cli(["journal", "--journal", self.journal])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        self.assertIn("journal %s: %d trades, " % (self.journal, self.total), done.stdout)
        for symbol, rows in self.rows.items():
            ids = [row[0] for row in rows]
            line = next(l for l in done.stdout.splitlines() if l.startswith("symbol  %s:" % symbol))
            self.assertIn("%d trades" % len(rows), line)
            self.assertIn("ids %d .. %d, 0 gaps (0 missing ids), 0 duplicates, 0 implausible ids" % (ids[0], ids[-1]),
                          line)
            self.assertIn("resume point stored %d, plausible %d" % (ids[-1], ids[-1]), line)
        self.assertNotIn("note", done.stdout)
        done = ss.run_cli(["journal", "--journal", os.path.join(self.dir, "no-such-journal")])
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))

    def test_csv_run_records_every_row_exactly_once_in_its_journal(self):
        self.assertEqual(self.csv_metrics.value("alphastream_storage_records_total"), self.total)
        self.assertEqual(self.export(self.journal, "export-csv-run"), self.rows)

    def test_sigterm_after_the_end_of_the_csv_data_drains_and_exits_zero(self):
        self.assertEqual(self.csv_exit, ss.EXIT_OK, self.csv_run.log())
        self.csv_run.check_no_sanitizer_report()
        log = self.csv_run.log()
        self.assertIn("stopping: SIGTERM", log)
        self.assertEqual(self.stopped_counts(log), (self.total, self.total))
        self.assertIn("0 storage errors, 0 storage drops", log)
        for path, rows in ((self.x_csv, self.rows[ss.X_SYMBOL]), (self.y_csv, self.rows[ss.Y_SYMBOL])):
            self.assertIn("%s: %d rows, %d accepted" % (path, len(rows), len(rows)), log)

    def test_csv_run_model_gauges_equal_the_backtest_of_the_files_through_its_last_interval(self):
        for model in PAIR_OUTPUTS:
            labels = {"pair": ss.PAIR, "model": model}
            self.assertEqual(self.csv_metrics.value("alphastream_pair_zscore_entry", **labels), 2.0)
            self.assertEqual(self.csv_metrics.value("alphastream_pair_leg_info", leg="x", symbol=ss.X_SYMBOL,
                                                    **labels), 1)
        out = os.path.join(self.dir, "backtest")
        done = ss.cli_support.backtest(self.config, self.x_csv, self.y_csv, out)
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        self.assert_gauges_equal_the_last_row_of_the_series(self.csv_metrics, out)

    def test_without_stay_up_the_csv_run_ends_by_itself_and_a_second_run_records_nothing_again(self):
        journal = os.path.join(self.dir, "journal-twice")
        config, _ = self.write_config("csv-twice.yaml", self.csv_feed, journal)
        first = self.run_to_end(config)
        self.assertEqual(first.returncode, ss.EXIT_OK, ss.describe(first))
        self.assertIn("stopping: end of the feed source (%d trades)" % self.total, first.stderr)
        self.assertEqual(self.stopped_counts(first.stderr), (self.total, self.total))
        # The same files again: each symbol's ids continue from the journal,
        # so every row is a duplicate, neither traded nor recorded again.
        second = self.run_to_end(config)
        self.assertEqual(second.returncode, ss.EXIT_OK, ss.describe(second))
        self.assertIn("stopping: end of the feed source (%d trades)" % self.total, second.stderr)
        self.assertEqual(self.stopped_counts(second.stderr), (0, 0))
        self.assertEqual(self.export(journal, "export-twice"), self.rows)

    # --- warm starts

    def test_a_restart_warms_from_its_journal_and_ends_where_an_uninterrupted_run_ends(self):
        """Issue 11: the files in two halves, the second half run after a
        restart on the journal the first half left. The restart replays the
        journal through the pipelines first (storage.warmup_s, 6 h by
        default, covers it all) and continues the ids after it, so its models
        end exactly as the uninterrupted run's (setUpClass) did; a cold
        restart does not."""
        split_ms = START_MS + 55 * 60 * 1000
        halves = ({}, {})
        for symbol, path in ((ss.X_SYMBOL, self.x_csv), (ss.Y_SYMBOL, self.y_csv)):
            with open(path) as f:
                lines = [line for line in f if line.strip()]
            for index, keep in enumerate((lambda t: t < split_ms, lambda t: t >= split_ms)):
                half = os.path.join(self.dir, "%s-half%d.csv" % (symbol, index + 1))
                with open(half, "w") as out:
                    out.writelines(line for line in lines if keep(int(line.split(",")[5])))
                halves[index][symbol] = half
        feeds = ["{source: csv, csv: {%s: %s, %s: %s}}" % (ss.X_SYMBOL, h[ss.X_SYMBOL], ss.Y_SYMBOL, h[ss.Y_SYMBOL])
                 for h in halves]
        second_trades = 0
        for half in halves[1].values():
            with open(half) as f:
                second_trades += sum(1 for line in f if line.strip())
        self.assertTrue(0 < second_trades < self.total)

        journal = os.path.join(self.dir, "journal-restarted")
        first, _ = self.write_config("first-half.yaml", feeds[0], journal)
        done = self.run_to_end(first)
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        cold_journal = os.path.join(self.dir, "journal-cold")
        import shutil
        shutil.copytree(journal, cold_journal)
        # The first half's clean stop saved the models that have the state
        # extension (every shipped plugin), with the journal they belong to.
        self.assertEqual(sorted(os.listdir(os.path.join(journal, "model-state"))),
                         ["pair-%s-kalman.state" % ss.PAIR, "pair-%s-ols.state" % ss.PAIR,
                          "symbol-%s-microstructure.state" % ss.X_SYMBOL])
        short_journal, stateless_journal = (os.path.join(self.dir, n) for n in ("journal-short", "journal-stateless"))
        shutil.copytree(journal, short_journal)
        shutil.copytree(journal, stateless_journal)
        shutil.rmtree(os.path.join(stateless_journal, "model-state"))

        def second_half(name, journal_path, warmup=None):
            config, port = self.write_config(name, feeds[1], journal_path)
            if warmup is not None:
                with open(config) as f:
                    text = f.read().replace("map_size_mb: 64}}", "map_size_mb: 64}, warmup_s: %d}" % warmup)
                ss.write_file(config, text)
            service = ss.Service(config, self.dir, port, ["--stay-up"])
            try:
                metrics = self.drained_metrics(service, second_trades)
                self.assertEqual(service.stop(timeout_s=20), ss.EXIT_OK, service.log())
                service.check_no_sanitizer_report()
                return metrics, service.log()
            finally:
                service.kill()

        warm, log = second_half("second-half.yaml", journal)
        self.assertRegex(log, r"warm start: %d trades of the journal replayed" % (self.total - second_trades))
        whole = self.csv_metrics
        for model, outputs in PAIR_OUTPUTS.items():
            labels = {"pair": ss.PAIR, "model": model}
            for name in ("observations_total", "beta", "alpha", "spread", "zscore", "position", "equity_usd"):
                after, uninterrupted = (m.value("alphastream_pair_" + name, **labels) for m in (warm, whole))
                self.assertTrue(same_number(after, uninterrupted), "%s %s: restarted %r, uninterrupted %r"
                                % (model, name, after, uninterrupted))
            for output in outputs:
                after, uninterrupted = (m.value("alphastream_model_output", plugin=model, output=output, **labels)
                                        for m in (warm, whole))
                self.assertTrue(same_number(after, uninterrupted), "%s %s: restarted %r, uninterrupted %r"
                                % (model, output, after, uninterrupted))
        # The warm-up does not count the first half's signals again.
        self.assertLessEqual(warm.total("alphastream_signals_total"), whole.total("alphastream_signals_total"))
        # Nothing was traded twice: the restart's shard saw only the second half.
        self.assertEqual(warm.value("alphastream_shard_events_total", shard="0"), second_trades)

        cold, log = second_half("second-half-cold.yaml", cold_journal, warmup=0)
        self.assertNotIn("warm start:", log)
        labels = {"pair": ss.PAIR, "model": "ols"}
        self.assertLess(cold.value("alphastream_pair_observations_total", **labels),
                        whole.value("alphastream_pair_observations_total", **labels))

        # A warm-up of 10 minutes refills the windows (ols 60, z-score 30
        # observations) but not the Kalman filter's memory of the whole first
        # half: its saved state does. Without it the filter ends elsewhere.
        kalman = {"pair": ss.PAIR, "model": "kalman"}
        restored, log = second_half("second-half-short.yaml", short_journal, warmup=600)
        self.assertIn("warm start: 3 model state(s) restored", log)
        stateless, log = second_half("second-half-stateless.yaml", stateless_journal, warmup=600)
        self.assertNotIn("model state(s) restored", log)
        for name in ("beta", "alpha", "spread", "zscore"):
            after, uninterrupted, replayed_only = (m.value("alphastream_pair_" + name, **kalman)
                                                   for m in (restored, whole, stateless))
            self.assertTrue(same_number(after, uninterrupted), "kalman %s: restored %r, uninterrupted %r"
                            % (name, after, uninterrupted))
            if name in ("beta", "alpha"):
                self.assertFalse(same_number(replayed_only, uninterrupted),
                                 "kalman %s: the 10-minute replay alone already ends at %r" % (name, replayed_only))
        for output in PAIR_OUTPUTS["kalman"]:
            after, uninterrupted = (m.value("alphastream_model_output", plugin="kalman", output=output, **kalman)
                                    for m in (restored, whole))
            self.assertTrue(same_number(after, uninterrupted), "kalman %s: restored %r, uninterrupted %r"
                            % (output, after, uninterrupted))

    # --- feed.source: replay

    def test_replay_of_a_window_feeds_and_records_exactly_its_trades_and_models_them_as_alphastream_replay(self):
        replayed_journal = os.path.join(self.dir, "journal-replayed")
        feed = '{source: replay, replay: {path: %s, from: "%s", to: "%s"}}' % ((self.journal,) + WINDOW)
        config, port = self.write_config("replay-window.yaml", feed, replayed_journal)
        expected = {symbol: self.window_rows(symbol) for symbol in self.rows}
        in_window = sum(len(r) for r in expected.values())
        self.assertTrue(0 < in_window < self.total / 2)

        service = ss.Service(config, self.dir, port, ["--stay-up"])
        try:
            m = self.drained_metrics(service, in_window)
            self.assertEqual(service.stop(timeout_s=20), ss.EXIT_OK, service.log())
            service.check_no_sanitizer_report()
            log = service.log()
        finally:
            service.kill()
        for symbol, rows in expected.items():
            self.assertEqual(m.value("alphastream_feed_messages_total", symbol=symbol), len(rows), symbol)
            self.assertEqual(m.value("alphastream_feed_gaps_total", symbol=symbol), 0, symbol)
        self.assertEqual(m.value("alphastream_storage_records_total"), in_window)
        self.assertIn("%s: %d trades replayed" % (self.journal, in_window), log)
        self.assertEqual(self.stopped_counts(log), (in_window, in_window))
        # run records what it replays into its own journal, as from any feed.
        self.assertEqual(self.export(replayed_journal, "export-replayed"), expected)

        out = os.path.join(self.dir, "replay-window")
        done = ss.run_cli(["replay", "--config", config, "--journal", self.journal, "--from", WINDOW[0],
                           "--to", WINDOW[1], "--out", out, "--no-progress"])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        self.assert_gauges_equal_the_last_row_of_the_series(m, out)

    def test_replay_of_the_whole_journal_without_storage_ends_by_itself_having_fed_every_trade(self):
        config, _ = self.write_config("replay-all.yaml", "{source: replay, replay: {path: %s}}" % self.journal)
        done = self.run_to_end(config)
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        self.assertIn("%s: %d trades replayed" % (self.journal, self.total), done.stderr)
        self.assertEqual(self.stopped_counts(done.stderr), (self.total, 0))

    # --- bad sources: refused at start, naming the config, the key and the file

    def run_refused(self, name, feed):
        config, _ = self.write_config(name, feed, os.path.join(self.dir, "journal-" + name))
        started = time.monotonic()
        done = ss.run_cli(["run", "--config", config, "--stay-up"], cwd=self.dir)
        self.assertLess(time.monotonic() - started, 15, "a bad source fails at once, even with --stay-up")
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertNotIn("end of the feed source", done.stderr)
        return config, done.stderr

    def test_a_missing_csv_file_is_bad_input_naming_the_key_and_the_file(self):
        missing = os.path.join(self.dir, "data", "no-such-file.csv")
        config, stderr = self.run_refused("csv-missing.yaml", "{source: csv, csv: {%s: %s, %s: %s}}"
                                          % (ss.X_SYMBOL, self.x_csv, ss.Y_SYMBOL, missing))
        self.assertIn("%s: feed.csv: %s: cannot open: No such file or directory" % (config, missing), stderr)

    def test_a_csv_feed_without_a_file_for_a_pair_leg_is_bad_input_naming_the_symbol(self):
        config, stderr = self.run_refused("csv-one-leg.yaml", "{source: csv, csv: {%s: %s}}" % (ss.X_SYMBOL,
                                                                                             self.x_csv))
        self.assertIn("%s: feed.csv: no file for %s, which a configured pair or symbol model uses"
                      % (config, ss.Y_SYMBOL), stderr)

    def test_a_replay_path_that_does_not_exist_is_bad_input_naming_the_key_and_the_path(self):
        missing = os.path.join(self.dir, "no-journal-here")
        config, stderr = self.run_refused("replay-missing.yaml", "{source: replay, replay: {path: %s}}" % missing)
        self.assertIn("%s: feed.replay.path: trade journal %s: no such directory" % (config, missing), stderr)
        self.assertFalse(os.path.exists(missing), "a replay only reads")


if __name__ == "__main__":
    unittest.main()
