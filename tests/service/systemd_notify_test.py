"""`alphastream run` under systemd's Type=notify protocol, without systemd:
the test binds the notification socket itself (NOTIFY_SOCKET, an AF_UNIX
datagram socket, and WATCHDOG_USEC, as systemd sets them) and reads what the
service sends through libsystemd's sd_notify: READY=1 once it is up, a
WATCHDOG=1 every half interval, RELOADING=1 then READY=1 around a SIGHUP,
STOPPING=1 on SIGTERM; and no WATCHDOG=1 while a shard holds trades it has
stopped taking (a plugin that does not return), so systemd would restart it."""

import os
import signal
import socket
import subprocess
import time
import unittest

import service_support as ss

WATCHDOG_USEC = 400_000  # pings every 0.2 s


class NotifiesSystemd(unittest.TestCase):

    def setUp(self):
        self.dir = ss.fresh_dir(type(self).__name__)
        self.socket_path = os.path.join(self.dir, "notify.sock")
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.socket_path)
        self.socket.settimeout(0.1)
        self.messages = []  # (monotonic time, {key: value})
        self.process = None

    def tearDown(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.socket.close()

    def start(self, pairs, sampling="{mode: time, interval_ms: 1000}"):
        port = ss.free_port()
        config = ss.write_file(os.path.join(self.dir, "service.yaml"), ss.service_config(
            port, pairs=pairs, symbols=[], sampling=sampling,
            feed="{source: simulator, simulator: {trades_per_second: 100}}"))
        env = dict(os.environ, NOTIFY_SOCKET=self.socket_path, WATCHDOG_USEC=str(WATCHDOG_USEC))
        self.log = open(os.path.join(self.dir, "service.log"), "w")
        self.addCleanup(self.log.close)
        self.process = subprocess.Popen([ss.BIN, "run", "--config", config], cwd=self.dir, env=env,
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def read_for(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data = self.socket.recv(4096).decode()
            except socket.timeout:
                continue
            fields = dict(line.split("=", 1) for line in data.splitlines() if "=" in line)
            self.messages.append((time.monotonic(), fields))

    def wait_for(self, key, timeout_s=20, start=None):
        """The first message that sets key, from message `start` on (default:
        from now on)."""
        start = len(self.messages) if start is None else start
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            self.read_for(0.1)
            for _, fields in self.messages[start:]:
                if key in fields:
                    return fields
        with open(os.path.join(self.dir, "service.log")) as f:
            raise AssertionError("no %s from the service within %d s; got %r\n%s"
                                 % (key, timeout_s, self.messages[start:], f.read()))

    def test_ready_watchdog_reload_and_stop_are_told(self):
        self.start(["{name: %s, y: %s, x: %s, model: {plugin: ols, params: {window: 30}}, "
                    "zscore: {window: 10, entry: 2.0, exit: 0.0}}" % (ss.PAIR, ss.Y_SYMBOL, ss.X_SYMBOL)])
        ready = self.wait_for("READY")
        self.assertEqual(ready["READY"], "1")
        self.assertIn("2 shard(s), 1 pair(s), feed: simulator", ready["STATUS"])
        before = len(self.messages)
        self.read_for(2.0)
        pings = [fields for _, fields in self.messages[before:] if fields.get("WATCHDOG") == "1"]
        # Every 0.2 s for 2 s: about 10; a loaded machine may lose a few.
        self.assertGreaterEqual(len(pings), 5, self.messages[before:])

        self.process.send_signal(signal.SIGHUP)
        reloading = self.wait_for("RELOADING")
        self.assertIn("reloading", reloading["STATUS"])
        after = next(i for i, (_, fields) in enumerate(self.messages) if "RELOADING" in fields)
        self.assertEqual(self.wait_for("READY", start=after + 1)["READY"], "1")

        self.process.send_signal(signal.SIGTERM)
        stopping = self.wait_for("STOPPING")
        self.assertEqual(stopping["STATUS"], "stopping: SIGTERM")
        self.assertEqual(self.process.wait(timeout=20), ss.EXIT_OK)

    def test_a_stuck_shard_stops_the_watchdog_pings(self):
        slow = os.environ["ALPHASTREAM_SLOW_PLUGIN"]
        # Tick mode: every trade an observation, each taking 3 s.
        self.start(["{name: %s, y: %s, x: %s, model: {plugin: %s, params: {sleep_ms: 3000}}}"
                    % (ss.PAIR, ss.Y_SYMBOL, ss.X_SYMBOL, slow)], sampling="{mode: tick}")
        self.wait_for("READY")
        self.read_for(2.5)
        pings = [t for t, fields in self.messages if fields.get("WATCHDOG") == "1"]
        # Once both legs have a price the shard sleeps 3 s an observation with
        # trades queued behind: no ping for at least a second of the window.
        gaps = [b - a for a, b in zip(pings, pings[1:])] + [time.monotonic() - (pings[-1] if pings else 0)]
        self.assertGreater(max(gaps), 1.0, pings)
        with open(os.path.join(self.dir, "service.log")) as f:
            self.assertIn("watchdog: a shard has queued trades and took none", f.read())


if __name__ == "__main__":
    unittest.main()
