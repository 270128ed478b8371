"""SIGHUP reloads the pairs and symbol models from the config file while the
feed keeps running; a config that does not load is rejected and the
running pairs carry on."""

import os
import signal
import unittest

import service_support as ss

FIRST = "{name: %s, y: %s, x: %s, models: [{plugin: kalman}], zscore: {window: 30, entry: 2.0, exit: 0.0}}" % (
    ss.PAIR, ss.Y_SYMBOL, ss.X_SYMBOL)
FIRST_NEW_ZSCORE = FIRST.replace("window: 30, entry: 2.0", "window: 20, entry: 2.5")
# The same legs the other way round: the simulator feeds only the legs it
# started with.
SECOND_NAME = "simy-simx"
SECOND = "{name: %s, y: %s, x: %s, models: [{plugin: kalman}], zscore: {window: 30, entry: 2.0, exit: 0.0}}" % (
    SECOND_NAME, ss.X_SYMBOL, ss.Y_SYMBOL)


class SighupReload(unittest.TestCase):
    def setUp(self):
        self.dir = ss.fresh_dir("SighupReload")
        self.port = ss.free_port()
        self.path = os.path.join(self.dir, "service.yaml")
        self.write([FIRST])
        self.service = ss.Service(self.path, self.dir, self.port)
        self.log_offset = 0

    def tearDown(self):
        self.service.kill()

    def write(self, pairs, extra=""):
        text = ss.service_config(self.port, pairs=pairs, symbols=[]) + extra
        ss.write_file(self.path, text)
        return text

    def reload(self, outcome):
        """SIGHUP, then waits for the log line that starts with outcome."""
        self.service.signal(signal.SIGHUP)
        self.log_offset = self.service.wait_for_log(outcome, 20, self.log_offset)

    def observations(self, m, pair):
        return m.get("alphastream_pair_observations_total", pair=pair, model="kalman")

    def beta(self, m, pair):
        return m.get("alphastream_pair_beta", pair=pair, model="kalman")

    def test_added_pair_appears_changed_pair_restarts_and_a_bad_file_is_rejected_with_its_line(self):
        self.service.wait_for_metrics(lambda m: ss.finite(self.beta(m, ss.PAIR)), 60, "the first pair's beta")

        self.write([FIRST, SECOND])
        self.reload("reload applied: 1 pair(s) and 0 symbol model set(s) started, 0 and 0 stopped")
        m = self.service.wait_for_metrics(lambda m: ss.finite(self.beta(m, SECOND_NAME)), 30,
                                          "the added pair's beta")
        self.assertGreater(self.observations(m, SECOND_NAME), 0)
        self.assertTrue(ss.finite(self.beta(m, ss.PAIR)))

        # A new z-score restarts the first pair; the second is left running.
        before = self.service.scrape()
        self.write([FIRST_NEW_ZSCORE, SECOND])
        self.reload("reload applied: 1 pair(s) and 0 symbol model set(s) started, 1 and 0 stopped")
        m = self.service.wait_for_metrics(
            lambda m: ss.finite(self.beta(m, ss.PAIR)) and self.observations(m, ss.PAIR) > 0, 30,
            "the restarted first pair serving again")
        self.assertGreaterEqual(self.observations(m, SECOND_NAME), self.observations(before, SECOND_NAME))
        self.assertEqual(len(m.series("alphastream_pair_beta")), 2)

        # An unknown key: the reload is rejected naming the file and line.
        text = self.write([FIRST_NEW_ZSCORE, SECOND], extra="zscore_typo: 1\n")
        self.reload("reload rejected, the running config stays:")
        where = "service.yaml:%d:" % ss.line_of(text, "zscore_typo")
        self.service.wait_for_log(where, 5, self.log_offset)
        self.assertIn("zscore_typo", self.service.log()[self.log_offset:])
        # Both pairs keep updating.
        rejected_at = self.service.scrape()
        self.service.wait_for_metrics(
            lambda m: all(self.observations(m, p) > self.observations(rejected_at, p) for p in (ss.PAIR, SECOND_NAME)),
            30, "both pairs updating after the rejected reload")

        self.assertEqual(self.service.stop(timeout_s=10), ss.EXIT_OK, self.service.log())
        self.service.check_no_sanitizer_report()


if __name__ == "__main__":
    unittest.main()
