"""Feed faults injected through tests/feed/fake_binance_server.py and seen
through the service's /metrics: id gaps, malformed frames, a dropped
connection, replayed ids after the reconnect, and a stalled stream.

The fake server's `stream` keeps BTCUSDT flowing (so the connection is not
stale) while the test hand-sends ETHUSDT frames whose ids it chooses: the
ETHUSDT counters are exact. BTCUSDT is no leg of the configured pair (its
frames count as unknown symbols): the stream stamps its trades in 2023, and
a pair priced then would forward fill every interval up to today's clock."""

import os
import time
import unittest

import service_support as ss

PAIR = "eth-sol"
STREAMED = "BTCUSDT"
HAND_SENT = "ETHUSDT"
QUIET_LEG = "SOLUSDT"  # never trades


class FeedFaultsThroughFakeServer(unittest.TestCase):
    def setUp(self):
        self.dir = ss.fresh_dir("FeedFaultsThroughFakeServer")
        self.server = None
        self.service = None
        self.server = ss.FakeBinanceServer()
        self.port = ss.free_port()
        feed = ('{source: binance, url: "ws://127.0.0.1:%d/market/stream", reconnect: {initial_ms: 20, max_ms: 100}, '
                'stale_after_s: 1}' % self.server.port)
        pair = ("{name: %s, y: %s, x: %s, models: [{plugin: ols, params: {window: 30}}], "
                "zscore: {window: 10, entry: 2.0, exit: 0.0}}" % (PAIR, HAND_SENT, QUIET_LEG))
        self.config = ss.write_file(os.path.join(self.dir, "service.yaml"),
                                    ss.service_config(self.port, feed=feed, pairs=[pair], symbols=[]))
        self.service = ss.Service(self.config, self.dir, self.port)

    def tearDown(self):
        for process in (self.service, self.server):
            if process is not None:
                process.kill()

    def send_trades(self, *ids):
        now_ms = int(time.time() * 1000)
        for agg_id in ids:
            self.server.command("send " + ss.agg_trade_frame(HAND_SENT, agg_id, time_ms=now_ms))

    def wait_for(self, condition, what, timeout_s=20):
        return self.service.wait_for_metrics(condition, timeout_s, what)

    def counter(self, m, name):
        return m.get(name, symbol=HAND_SENT)

    def reconnects(self, m, *reasons):
        return sum(m.value("alphastream_feed_reconnects_total", reason=r) for r in reasons)

    def test_gaps_malformed_frames_drops_duplicates_and_stalls_are_counted_exactly(self):
        self.server.expect("open 1 /market/stream?streams=")
        self.server.command("stream 20")
        self.wait_for(lambda m: m.value("alphastream_feed_unknown_symbol_messages_total") > 0 and
                      m.value("alphastream_feed_connected") == 1, "the stream flowing")

        # Ids 1..5, then 9 and 10: one gap of three ids (6, 7, 8).
        self.send_trades(1, 2, 3, 4, 5, 9, 10)
        m = self.wait_for(lambda m: self.counter(m, "alphastream_feed_messages_total") == 7, "7 hand-sent trades")
        self.assertEqual(self.counter(m, "alphastream_feed_gaps_total"), 1)
        self.assertEqual(self.counter(m, "alphastream_feed_missing_trades_total"), 3)
        self.assertEqual(self.counter(m, "alphastream_feed_duplicates_total"), 0)
        self.assertIn("%s: aggregate trade id gap, 3 missing (6..8)" % HAND_SENT, self.service.log())

        # Two frames that are not JSON.
        self.server.command('send {"stream":"ethusdt@aggTrade","data":{"e":"aggTrade",')
        self.server.command("send {not json}")
        m = self.wait_for(lambda m: m.value("alphastream_parse_errors_total", reason="malformed_json") == 2,
                          "2 malformed frames")
        self.assertEqual(self.counter(m, "alphastream_feed_messages_total"), 7)
        dropped_before = self.reconnects(m, "closed", "error")

        # A TCP reset: the client reconnects on its own.
        self.server.command("drop")
        self.wait_for(lambda m: self.reconnects(m, "closed", "error") > dropped_before and
                      m.value("alphastream_feed_connected") == 1, "a reconnect after the drop")

        # The venue sends 8, 9, 10 again after the reconnect, then 11: three
        # duplicates dropped, one new trade, no new gap.
        self.send_trades(8, 9, 10, 11)
        m = self.wait_for(lambda m: self.counter(m, "alphastream_feed_duplicates_total") == 3 and
                          self.counter(m, "alphastream_feed_messages_total") == 8, "3 duplicates and trade 11")
        self.assertEqual(self.counter(m, "alphastream_feed_gaps_total"), 1)
        self.assertEqual(self.counter(m, "alphastream_feed_missing_trades_total"), 3)
        self.assertEqual(m.value("alphastream_parse_errors_total", reason="malformed_json"), 2)
        stale_before = m.value("alphastream_feed_reconnects_total", reason="stale")

        # Stall: nothing for over stale_after_s (1 s).
        self.server.command("pause")
        self.wait_for(lambda m: m.value("alphastream_feed_reconnects_total", reason="stale") > stale_before,
                      "a stale reconnect after the stall")
        self.assertIn("lost (stale)", self.service.log())

        self.assertEqual(self.service.stop(timeout_s=10), ss.EXIT_OK, self.service.log())
        self.service.check_no_sanitizer_report()
        self.assertRegex(self.service.log(), ss.STOPPED_LINE)


if __name__ == "__main__":
    unittest.main()
