"""`alphastream run` on its built-in simulator over TLS: the real websocket
client, shards, plugins, LMDB recording, /metrics, /healthz and /readyz, all
on loopback."""

import os
import signal
import unittest

import service_support as ss


def exported_rows(test, journal, out_dir):
    """Exports the journal; returns {symbol: rows}."""
    done = ss.run_cli(["export", "--journal", journal, "--out", out_dir, "--no-progress"])
    test.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
    rows = {}
    for symbol in (ss.X_SYMBOL, ss.Y_SYMBOL):
        header, rows[symbol] = ss.read_export(os.path.join(out_dir, symbol + "-aggTrades.csv"))
        test.assertEqual(header, "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,"
                                 "is_buyer_maker")
    return rows


class RecordingService(unittest.TestCase):
    """A service on the simulator feed, recording to a journal in the class's own folder."""

    def setUp(self):
        self.dir = ss.fresh_dir(type(self).__name__)
        self.port = ss.free_port()
        self.journal = os.path.join(self.dir, "journal")
        self.config = ss.write_file(os.path.join(self.dir, "service.yaml"),
                                    ss.service_config(self.port, storage_path=self.journal))
        self.service = ss.Service(self.config, self.dir, self.port)

    def tearDown(self):
        self.service.kill()


class SimulatorFeedOverTls(RecordingService):
    def test_metrics_show_both_legs_models_and_latency_then_sigterm_drains_everything_to_the_journal(self):
        def warmed_up(m):
            return (m.get("alphastream_feed_messages_total", symbol=ss.X_SYMBOL) or 0) > 0 and \
                (m.get("alphastream_feed_messages_total", symbol=ss.Y_SYMBOL) or 0) > 0 and \
                ss.finite(m.get("alphastream_pair_beta", pair=ss.PAIR, model="kalman")) and \
                (m.get("alphastream_pair_observations_total", pair=ss.PAIR, model="kalman") or 0) > 0 and \
                m.total("alphastream_tick_to_signal_seconds_count") > 0 and \
                ss.finite(m.get("alphastream_model_output", plugin="microstructure", symbol=ss.X_SYMBOL,
                                model="microstructure", output="vwap"))

        m = self.service.wait_for_metrics(warmed_up, 60, "both legs, a Kalman beta and a VWAP")
        self.assertEqual(m.value("alphastream_feed_connected"), 1)
        # Trades flow, so the feed is connected: live and ready, every check named.
        self.assertEqual(self.service.get("/healthz"), (200, "ok\n"))
        self.assertEqual(self.service.get("/readyz"), (200, "service: ok\nfeed: ok\nstorage: ok\n"))
        self.assertGreater(m.value("alphastream_pair_observations_total", pair=ss.PAIR, model="ols"), 0)
        for model in ("kalman", "ols"):
            self.assertEqual(m.value("alphastream_pair_leg_info", pair=ss.PAIR, model=model, leg="y",
                                     symbol=ss.Y_SYMBOL), 1)
            self.assertEqual(m.value("alphastream_pair_leg_info", pair=ss.PAIR, model=model, leg="x",
                                     symbol=ss.X_SYMBOL), 1)
        # The simulator prices x near 100 USD.
        vwap = m.value("alphastream_model_output", plugin="microstructure", symbol=ss.X_SYMBOL,
                       model="microstructure", output="vwap")
        self.assertGreater(vwap, 50)
        self.assertLess(vwap, 200)
        self.assertEqual(m.value("alphastream_build_info", version=os.environ["ALPHASTREAM_VERSION"]), 1)
        for reason in ("malformed_json", "missing_field", "bad_decimal"):
            self.assertEqual(m.value("alphastream_parse_errors_total", reason=reason), 0)
        self.assertEqual(m.total("alphastream_feed_gaps_total"), 0)
        recorded_before_stop = m.value("alphastream_storage_records_total")

        self.assertEqual(self.service.stop(timeout_s=10), ss.EXIT_OK, self.service.log())
        self.service.check_no_sanitizer_report()
        stopped = ss.STOPPED_LINE.search(self.service.log())
        self.assertIsNotNone(stopped, self.service.log())
        accepted, recorded = int(stopped.group(1)), int(stopped.group(2))
        self.assertEqual(recorded, accepted, "every accepted trade is recorded")

        rows = exported_rows(self, self.journal, os.path.join(self.dir, "export"))
        in_journal = sum(len(r) for r in rows.values())
        self.assertEqual(in_journal, recorded)
        self.assertLessEqual(recorded_before_stop, in_journal)
        self.assertGreater(in_journal, 0)


class KillDuringRecording(RecordingService):
    def test_sigkill_mid_run_leaves_a_journal_that_exports_contiguous_ids_per_symbol(self):
        self.service.wait_for_metrics(lambda m: (m.get("alphastream_storage_records_total") or 0) >= 200, 60,
                                      "200 trades recorded")
        self.service.signal(signal.SIGKILL)
        self.assertEqual(self.service.process.wait(timeout=10), -signal.SIGKILL)

        rows = exported_rows(self, self.journal, os.path.join(self.dir, "export"))
        for symbol, symbol_rows in rows.items():
            ids = [int(r[0]) for r in symbol_rows]
            self.assertGreater(len(ids), 0, symbol)
            # The simulator numbers each symbol's trades consecutively; a
            # journal cut by the kill still holds a gap-free run of them.
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))), symbol)
        # A replay reads the same journal.
        done = ss.run_cli(["replay", "--config", self.config, "--out", os.path.join(self.dir, "replay"),
                           "--no-progress"])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        self.assertIn("%d trades replayed" % sum(len(r) for r in rows.values()), done.stdout + done.stderr)

        # Restarted on that journal, the simulator (a venue that restarts
        # with the service) continues each symbol's ids: no gap is counted
        # and the journal's ids run on without a hole.
        self.service = ss.Service(self.config, self.dir, self.port)
        m = self.service.wait_for_metrics(lambda m: m.total("alphastream_feed_messages_total") >= 40, 60,
                                          "trades after the restart")
        self.assertEqual(m.total("alphastream_feed_gaps_total"), 0)
        self.assertEqual(m.total("alphastream_feed_missing_trades_total"), 0)
        self.assertEqual(self.service.stop(timeout_s=10), ss.EXIT_OK, self.service.log())
        rows = exported_rows(self, self.journal, os.path.join(self.dir, "export-after-restart"))
        for symbol, symbol_rows in rows.items():
            ids = [int(r[0]) for r in symbol_rows]
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))), symbol)


if __name__ == "__main__":
    unittest.main()
