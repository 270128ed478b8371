"""Gap backfill end to end: `alphastream run` on tests/feed/fake_binance_server.py,
which serves the websocket and Binance's REST aggTrades on one port. Trades
the test `store`s are never sent live, so the service sees a gap and fetches
them over REST; the journal is then read back with `alphastream export`.

As in feed_faults_test, BTCUSDT streams (unknown to the config) to keep the
connection fresh while ETHUSDT frames are hand-sent with chosen ids."""

import os
import signal
import time
import unittest

import service_support as ss

PAIR = "eth-sol"
HAND_SENT = "ETHUSDT"
QUIET_LEG = "SOLUSDT"


class BackfillThroughFakeServer(unittest.TestCase):
    def setUp(self):
        self.dir = ss.fresh_dir("BackfillThroughFakeServer")
        self.server = None
        self.service = None
        self.server = ss.FakeBinanceServer()
        self.port = ss.free_port()
        self.journal = os.path.join(self.dir, "journal")
        feed = ('{source: binance, url: "ws://127.0.0.1:%d/market/stream", reconnect: {initial_ms: 20, max_ms: 100}, '
                'stale_after_s: 1, backfill: {url: "http://127.0.0.1:%d/fapi/v1/aggTrades"}}'
                % (self.server.port, self.server.port))
        pair = ("{name: %s, y: %s, x: %s, models: [{plugin: ols, params: {window: 30}}], "
                "zscore: {window: 10, entry: 2.0, exit: 0.0}}" % (PAIR, HAND_SENT, QUIET_LEG))
        self.config = ss.write_file(os.path.join(self.dir, "service.yaml"),
                                    ss.service_config(self.port, feed=feed, pairs=[pair], symbols=[],
                                                      storage_path=self.journal))
        self.service = ss.Service(self.config, self.dir, self.port)
        self.server.expect("open 1 /market/stream?streams=")
        self.server.command("stream 20")
        self.now_ms = int(time.time() * 1000)

    def tearDown(self):
        for process in (self.service, self.server):
            if process is not None:
                process.kill()

    def frames(self, verb, ids):
        for agg_id in ids:
            self.server.command("%s %s" % (verb, ss.agg_trade_frame(HAND_SENT, agg_id, time_ms=self.now_ms)))

    def wait_for(self, condition, what, timeout_s=30):
        return self.service.wait_for_metrics(condition, timeout_s, what)

    def counter(self, m, name):
        return m.get(name, symbol=HAND_SENT) or 0

    def exported_ids(self):
        self.service.process.send_signal(signal.SIGTERM)
        self.assertEqual(self.service.process.wait(timeout=60), ss.EXIT_OK, self.service.log())
        out = os.path.join(self.dir, "export")
        done = ss.run_cli(["export", "--journal", self.journal, "--out", out, "--symbol", HAND_SENT, "--no-progress"])
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        _, rows = ss.read_export(os.path.join(out, HAND_SENT + "-aggTrades.csv"))
        return [int(row[0]) for row in rows]

    def test_a_gap_is_fetched_over_rest_while_live_trades_wait_and_the_journal_has_every_id_once(self):
        self.frames("send", range(1, 6))
        self.wait_for(lambda m: self.counter(m, "alphastream_feed_messages_total") == 5, "ids 1..5")
        self.frames("store", range(6, 11))  # never sent live
        self.server.command("rest-delay 1500")
        self.frames("send", [11])           # the gap 6..10 shows
        self.frames("send", [12, 13, 11])   # live during the backfill; 11 again (a repeat)
        m = self.wait_for(lambda m: m.value("alphastream_backfill_held_trades") == 3, "three live trades held")
        self.assertEqual(self.counter(m, "alphastream_feed_messages_total"), 5)  # nothing past the gap yet
        self.server.expect("rest 200 /fapi/v1/aggTrades?symbol=ETHUSDT&fromId=6&limit=5")
        # The held gauge is cleared just after the released trades are counted:
        # a scrape between the two sees both.
        m = self.wait_for(lambda m: self.counter(m, "alphastream_feed_messages_total") == 13 and
                          m.value("alphastream_backfill_held_trades") == 0, "ids 6..13, none held")
        self.assertEqual(self.counter(m, "alphastream_feed_backfilled_trades_total"), 5)
        self.assertEqual(self.counter(m, "alphastream_feed_backfills_total"), 1)
        self.assertEqual(self.counter(m, "alphastream_feed_backfills_incomplete_total"), 0)
        self.assertEqual(self.counter(m, "alphastream_feed_gaps_total"), 0)
        self.assertEqual(self.counter(m, "alphastream_feed_missing_trades_total"), 0)
        self.assertEqual(self.counter(m, "alphastream_feed_duplicates_total"), 1)
        self.assertEqual(m.value("alphastream_backfill_held_trades"), 0)
        self.assertEqual(m.value("alphastream_backfill_requests_total"), 1)
        self.assertEqual(self.exported_ids(), list(range(1, 14)))
        log = self.service.log()
        self.assertIn("ETHUSDT: aggregate trade id gap, 5 missing (6..10); backfilling from http://127.0.0.1:%d"
                      % self.server.port, log)
        self.assertIn("ETHUSDT: backfilled 5 of 5 missing trades", log)

    def test_a_rate_limit_is_waited_out_and_a_venue_that_keeps_failing_leaves_the_gap_counted(self):
        self.frames("send", range(1, 4))
        self.wait_for(lambda m: self.counter(m, "alphastream_feed_messages_total") == 3, "ids 1..3")
        self.frames("store", range(4, 7))
        self.server.command("rest-fail 1 429")
        self.frames("send", [7])
        self.server.expect("rest 429 /fapi/v1/aggTrades?symbol=ETHUSDT&fromId=4")
        self.server.expect("rest 200 /fapi/v1/aggTrades?symbol=ETHUSDT&fromId=4")  # after Retry-After: 1
        m = self.wait_for(lambda m: self.counter(m, "alphastream_feed_backfilled_trades_total") == 3, "4..6 fetched")
        self.assertEqual(m.value("alphastream_backfill_rate_limited_total"), 1)

        self.frames("store", [8, 9])
        self.server.command("rest-fail 3 500")
        self.frames("send", [10])
        m = self.wait_for(lambda m: self.counter(m, "alphastream_feed_backfills_incomplete_total") == 1,
                          "the failed backfill")
        self.assertEqual(self.counter(m, "alphastream_feed_gaps_total"), 1)
        self.assertEqual(self.counter(m, "alphastream_feed_missing_trades_total"), 2)
        self.assertEqual(m.value("alphastream_backfill_errors_total"), 3)
        self.assertEqual(self.exported_ids(), [1, 2, 3, 4, 5, 6, 7, 10])
        self.assertIn("HTTP 500", self.service.log())


if __name__ == "__main__":
    unittest.main()
