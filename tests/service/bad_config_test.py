"""`alphastream run` refuses to start on a bad feed section or a metrics
address it cannot bind, saying where, with the documented exit codes."""

import os
import socket
import unittest

import service_support as ss


class BadServiceConfig(unittest.TestCase):
    def setUp(self):
        self.dir = ss.fresh_dir("BadServiceConfig")

    def run_service(self, text):
        path = ss.write_file(os.path.join(self.dir, "service.yaml"), text)
        # --run-for: should the service start after all, it still ends.
        return ss.run_cli(["run", "--config", path, "--run-for", "5"], cwd=self.dir)

    def test_unknown_feed_source_is_bad_input_naming_file_and_line(self):
        text = ss.service_config(ss.free_port(), feed="{source: websocket}")
        done = self.run_service(text)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn('service.yaml:%d: feed.source: expected one of binance, simulator, replay, csv, nats, got "websocket"'
                      % ss.line_of(text, "feed:"), done.stderr)

    def test_reconnect_max_below_initial_is_bad_input_naming_file_and_line(self):
        text = ss.service_config(ss.free_port(), feed="{source: binance, reconnect: {initial_ms: 500, max_ms: 100}}")
        done = self.run_service(text)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("service.yaml:%d: feed.reconnect.max_ms" % ss.line_of(text, "feed:"), done.stderr)

    def test_metrics_port_in_use_fails_naming_the_address(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            done = self.run_service(ss.service_config(port))
        self.assertNotEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        self.assertIn("127.0.0.1:%d" % port, done.stderr)
        self.assertNotIn("stopped in", done.stderr)


if __name__ == "__main__":
    unittest.main()
