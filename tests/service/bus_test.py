"""The NATS JetStream trade bus with a real `nats-server -js` on loopback:
two ingest processes publish the same files (each `feed.source: csv`,
`bus.publish: true`), the stream stores every trade once (Nats-Msg-Id =
symbol and aggregate id), and a worker (`feed.source: nats`) reads the
stream from its start and models the pair exactly as the backtest of the
files does. A bus that is down at start is a clear error."""

import math
import os
import socket
import subprocess
import time
import unittest

import service_support as ss

ENGINE = "{cores: 1, queue_capacity: 4096}"
PAIRS = ["{name: %s, y: %s, x: %s, models: [{plugin: ols, params: {window: 60}}, {plugin: kalman}], "
         "zscore: {window: 30, entry: 2.0, exit: 0.0}}" % (ss.PAIR, ss.Y_SYMBOL, ss.X_SYMBOL)]


def same_number(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300)


class OnNats(unittest.TestCase):
    """A work folder named after the class, a NATS server (start_nats) and
    the services a test starts, all stopped whatever happens."""

    def start_nats(self):
        return ss.NatsServer(self.dir)

    def setUp(self):
        self.dir = ss.fresh_dir(type(self).__name__)
        self.nats = self.start_nats()
        self.services = []

    def tearDown(self):
        for service in self.services:
            service.kill()
        self.nats.stop()


class TradeBusOnNats(OnNats):

    def config(self, name, feed, publish, extra=""):
        port = ss.free_port()
        text = ss.service_config(port, feed=feed, pairs=PAIRS, symbols=[], engine=ENGINE)
        text += "bus: {servers: [%s], stream: TRADES_TEST, publish: %s%s}\n" % (
            self.nats.url(), "true" if publish else "false", extra)
        return ss.write_file(os.path.join(self.dir, name), text), port

    def start(self, config, port):
        service = ss.Service(config, self.dir, port, ["--stay-up"])
        self.services.append(service)
        return service

    def test_two_ingests_store_each_trade_once_and_a_worker_models_it_as_the_backtest(self):
        x_csv, y_csv = ss.cli_support.simulate(os.path.join(self.dir, "data"))
        total = 0
        for path in (x_csv, y_csv):
            with open(path) as f:
                total += sum(1 for line in f if line.strip())
        csv_feed = "{source: csv, csv: {%s: %s, %s: %s}}" % (ss.X_SYMBOL, x_csv, ss.Y_SYMBOL, y_csv)

        acked = lambda m: m.value("alphastream_bus_acked_total", role="publish") >= total
        for index in range(2):
            config, port = self.config("ingest-%d.yaml" % index, csv_feed, publish=True)
            ingest = self.start(config, port)
            ingest.wait_for_log("; staying up until a signal", 60)
            m = ingest.wait_for_metrics(acked, 30, "every publish acknowledged")
            self.assertEqual(m.value("alphastream_bus_published_total", role="publish"), total)
            self.assertEqual(m.value("alphastream_bus_failed_total", role="publish"), 0)
            # The second ingest sent the same trades: JetStream kept none of them again.
            self.assertEqual(m.value("alphastream_bus_duplicates_total", role="publish"), total if index else 0)
            self.assertEqual(ingest.stop(timeout_s=20), ss.EXIT_OK, ingest.log())
            ingest.check_no_sanitizer_report()

        config, port = self.config("worker.yaml", "{source: nats}", publish=False)
        worker = self.start(config, port)
        m = worker.wait_for_metrics(
            lambda m: m.value("alphastream_shard_events_total", shard="0") >= total, 60, "the worker to read the stream")
        time.sleep(0.5)  # nothing more may come
        m = worker.scrape()
        self.assertEqual(m.value("alphastream_bus_received_total", role="consume"), total, "stored once each")
        self.assertEqual(m.total("alphastream_feed_duplicates_total"), 0)
        self.assertEqual(m.total("alphastream_feed_gaps_total"), 0)
        self.assertEqual(m.value("alphastream_bus_connected", role="consume"), 1)
        # Exported once a delivery carried the count: present, and nothing left.
        self.assertEqual(m.value("alphastream_bus_consumer_pending", role="consume"), 0, "read to the end")

        # The backtest of the files, up to its last row but one: the
        # backtest closes the open interval at the end of its data, the
        # worker waits for the stream's next trade.
        out = os.path.join(self.dir, "backtest")
        done = ss.cli_support.backtest(config, x_csv, y_csv, out)
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        for model in ("ols", "kalman"):
            with open(os.path.join(out, ss.PAIR, model, "series.csv")) as f:
                lines = f.read().splitlines()
            header = lines[0].split(",")
            rows = [[float(v) if v else math.nan for v in line.split(",")] for line in lines[1:]]
            labels = {"pair": ss.PAIR, "model": model}
            self.assertEqual(m.value("alphastream_pair_observations_total", **labels), len(rows) - 1, model)
            row = dict(zip(header, rows[-2]))
            for column in ("alpha", "beta", "spread", "zscore"):
                live = m.value("alphastream_pair_" + column, **labels)
                self.assertTrue(same_number(live, row[column]), "%s %s: worker %r, backtest %r"
                                % (model, column, live, row[column]))
        self.assertEqual(worker.stop(timeout_s=20), ss.EXIT_OK, worker.log())
        worker.check_no_sanitizer_report()

    def publish_raw(self, subject, payloads):
        """Publishes payloads with the core NATS protocol, as any client could:
        the stream stores whatever reaches its subjects."""
        with socket.create_connection(("127.0.0.1", self.nats.port), timeout=5) as s:
            s.recv(4096)  # INFO
            s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n')
            for payload in payloads:
                s.sendall(b"PUB %s %d\r\n%s\r\n" % (subject.encode(), len(payload), payload))
            s.sendall(b"PING\r\n")
            answer = b""
            while b"PONG" not in answer:
                answer += s.recv(4096)

    def test_messages_that_are_no_trade_record_are_counted_and_skipped(self):
        config, port = self.config("worker-garbage.yaml", "{source: nats}", publish=False)
        worker = self.start(config, port)
        worker.wait_for_metrics(lambda m: m.value("alphastream_bus_connected", role="consume") == 1, 30,
                                "the worker on the bus")
        garbage = [b"", b"abc", b"\xff" * 64, b"\x00" * 200]
        self.publish_raw("alphastream.trades.um.%s" % ss.X_SYMBOL, garbage)
        m = worker.wait_for_metrics(lambda m: m.value("alphastream_bus_undecodable_total", role="consume") == 4, 30,
                                    "four undecodable messages counted")
        self.assertEqual(m.value("alphastream_bus_received_total", role="consume"), 0)
        self.assertEqual(m.value("alphastream_shard_events_total", shard="0"), 0)
        # Core NATS publishes reach the stream all the same: the lag is known.
        self.assertEqual(m.value("alphastream_bus_consumer_pending", role="consume"), 0)
        self.assertEqual(worker.get("/healthz"), (200, "ok\n"))
        # Stopping while subscribed waits for the client's callback to return.
        self.assertEqual(worker.stop(timeout_s=20), ss.EXIT_OK, worker.log())
        worker.check_no_sanitizer_report()

    def test_a_stream_configured_otherwise_is_refused_not_changed(self):
        config, _ = self.config("first.yaml", "{source: nats}", publish=False)
        worker = self.start(config, ss.free_port())
        worker.wait_for_log("feed: nats: stream TRADES_TEST", 30)  # it created the stream
        worker.stop(timeout_s=20)
        config, _ = self.config("other.yaml", "{source: nats}", publish=False, extra=", duplicate_window_s: 60")
        done = ss.run_cli(["run", "--config", config], cwd=self.dir)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("bus: stream TRADES_TEST exists but its duplicate window is 120 s, the config's 60 s",
                      done.stderr)

    def test_a_bus_that_is_down_at_start_is_a_clear_error(self):
        self.nats.stop()
        config, _ = self.config("down.yaml", "{source: nats}", publish=False)
        started = time.monotonic()
        done = ss.run_cli(["run", "--config", config], cwd=self.dir)
        # A bus that may come up later: exit 1, which systemd's Restart= retries.
        self.assertEqual(done.returncode, ss.EXIT_FAILURE, ss.describe(done))
        self.assertIn("bus: cannot connect to %s" % self.nats.url(), done.stderr)
        self.assertLess(time.monotonic() - started, 15)
        self.nats = ss.NatsServer(self.dir)  # for tearDown


class RedundantIngests(OnNats):
    """Two ingests on one venue feed (the fake Binance server sends every
    frame to both connections) publish the same trades, and the stream
    stores each once. One is killed with SIGKILL halfway, publishes of its
    own still unacknowledged: the other carries on, and a worker receives
    every id once, with no gap."""

    TOTAL = 2000

    def test_killing_one_of_two_ingests_loses_no_trade(self):
        server = ss.FakeBinanceServer()
        self.addCleanup(server.kill)
        feed = ('{source: binance, url: "ws://127.0.0.1:%d/market/stream", reconnect: {initial_ms: 20, max_ms: 100}}'
                % server.port)
        pairs = ["{name: btc-eth, y: ETHUSDT, x: BTCUSDT, models: [{plugin: ols, params: {window: 30}}], "
                 "zscore: {window: 10, entry: 2.0, exit: 0.0}}"]
        bus = "bus: {servers: [%s], stream: TRADES_TEST%s}\n"
        ingests = []
        for index in range(2):
            port = ss.free_port()
            text = ss.service_config(port, feed=feed, pairs=pairs, symbols=[], engine=ENGINE)
            config = ss.write_file(os.path.join(self.dir, "ingest-%d.yaml" % index),
                                   text + bus % (self.nats.url(), ", publish: true"))
            ingests.append(ss.Service(config, self.dir, port))
            self.services.append(ingests[-1])
            server.expect("open %d /market/stream?streams=" % (index + 1), timeout_s=30)
        port = ss.free_port()
        text = ss.service_config(port, feed="{source: nats}", pairs=pairs, symbols=[], engine=ENGINE)
        worker = ss.Service(ss.write_file(os.path.join(self.dir, "worker.yaml"), text + bus % (self.nats.url(), "")),
                            self.dir, port)
        self.services.append(worker)
        worker.wait_for_log("feed: nats: stream TRADES_TEST", 30)

        now_ms = int(time.time() * 1000)
        send = lambda agg_id: server.command("send " + ss.agg_trade_frame("BTCUSDT", agg_id, time_ms=now_ms + agg_id))
        half = self.TOTAL // 2
        for agg_id in range(1, half + 1):
            send(agg_id)
        published = lambda m: m.value("alphastream_bus_published_total", role="publish") >= half
        ingests[0].wait_for_metrics(published, 30, "the first ingest to publish half")
        ingests[0].kill()  # SIGKILL, whatever it had in flight
        for agg_id in range(half + 1, self.TOTAL + 1):
            send(agg_id)

        survivor = ingests[1].wait_for_metrics(
            lambda m: m.value("alphastream_bus_acked_total", role="publish") >= self.TOTAL, 60, "every publish acked")
        self.assertEqual(survivor.value("alphastream_bus_failed_total", role="publish"), 0)
        received = lambda m: m.value("alphastream_bus_received_total", role="consume")
        worker.wait_for_metrics(lambda m: received(m) >= self.TOTAL, 60, "the worker to receive every trade")
        time.sleep(0.5)  # nothing more may come
        m = worker.scrape()
        self.assertEqual(received(m), self.TOTAL, "each trade stored once")
        self.assertEqual(m.total("alphastream_feed_gaps_total"), 0)
        self.assertEqual(m.total("alphastream_feed_duplicates_total"), 0)
        self.assertEqual(m.total("alphastream_shard_events_total"), self.TOTAL, "every id reached the pipelines")


class BusAccessControl(OnNats):
    """A bus that asks who connects: user and password, then TLS with the
    servers' own CA; the wrong answer is a clear error before anything runs
    (exit 2)."""

    def start_nats(self):
        return ss.NatsServer(self.dir, ["--user", "alpha", "--pass", "s3cret"])

    def worker_config(self, name, servers, access):
        port = ss.free_port()
        text = ss.service_config(port, feed="{source: nats}", pairs=PAIRS, symbols=[], engine=ENGINE)
        text += "bus: {servers: [%s], stream: TRADES_TEST%s}\n" % (servers, access)
        return ss.write_file(os.path.join(self.dir, name), text), port

    def test_the_right_user_connects_and_a_wrong_password_or_none_is_refused(self):
        config, port = self.worker_config("right.yaml", self.nats.url(), ", user: alpha, password: s3cret")
        worker = ss.Service(config, self.dir, port)
        self.services.append(worker)
        worker.wait_for_log("feed: nats: stream TRADES_TEST", 30)
        self.assertEqual(worker.stop(timeout_s=20), ss.EXIT_OK, worker.log())
        for name, access in (("wrong.yaml", ", user: alpha, password: guess"), ("none.yaml", "")):
            config, _ = self.worker_config(name, self.nats.url(), access)
            done = ss.run_cli(["run", "--config", config], cwd=self.dir)
            self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
            self.assertIn("bus: cannot connect to %s" % self.nats.url(), done.stderr)
            self.assertIn("Authorization Violation", done.stderr)

    def test_tls_with_the_servers_ca_connects_and_without_it_is_refused(self):
        self.nats.stop()
        cert, key = os.path.join(self.dir, "server.pem"), os.path.join(self.dir, "server.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        self.nats = ss.NatsServer(self.dir, ["--tls", "--tlscert", cert, "--tlskey", key])
        url = "tls://127.0.0.1:%d" % self.nats.port
        config, port = self.worker_config("tls.yaml", url, ", tls: {ca_file: %s}" % cert)
        worker = ss.Service(config, self.dir, port)
        self.services.append(worker)
        worker.wait_for_log("feed: nats: stream TRADES_TEST", 30)
        self.assertEqual(worker.stop(timeout_s=20), ss.EXIT_OK, worker.log())
        config, _ = self.worker_config("untrusted.yaml", url, "")
        done = ss.run_cli(["run", "--config", config], cwd=self.dir)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("bus: cannot connect to %s" % url, done.stderr)


class WorkersSharingPairs(OnNats):
    """Two workers (`bus.share_pairs`) divide 8 pairs through leases in a
    JetStream key-value bucket; each warms the pairs it gains from its own
    journal of the stream. SIGKILL one: once its leases expire the other
    holds all 8, and every pair's model equals the backtest of the trades."""

    TTL_S = 3
    COUNT = 8

    def pairs(self):
        return ["{name: p%d, y: %s, x: %s, model: {plugin: ols, params: {window: %d}}, "
                "zscore: {window: 30, entry: 2.0, exit: 0.0}}" % (i, ss.Y_SYMBOL, ss.X_SYMBOL, 30 + 10 * i)
                for i in range(self.COUNT)]

    def config(self, name, feed, bus, storage=None):
        port = ss.free_port()
        text = ss.service_config(port, feed=feed, pairs=self.pairs(), symbols=[], engine=ENGINE,
                                 storage_path=storage)
        # The whole journal warms a pair gained later.
        text = text.replace("map_size_mb: 64}}", "map_size_mb: 64}, warmup_s: 86400}")
        text += "bus: {servers: [%s], stream: TRADES_TEST%s}\n" % (self.nats.url(), bus)
        return ss.write_file(os.path.join(self.dir, name), text), port

    def worker(self, worker_id):
        config, port = self.config("%s.yaml" % worker_id, "{source: nats}",
                                   ", share_pairs: true, lease_ttl_s: %d, worker_id: %s" % (self.TTL_S, worker_id),
                                   storage=os.path.join(self.dir, "journal-" + worker_id))
        service = ss.Service(config, self.dir, port, ["--stay-up"])
        self.services.append(service)
        return service, config

    @staticmethod
    def owned(m):
        return {labels["pair"] for labels, _ in m.series("alphastream_pair_observations_total")}

    @staticmethod
    def backtest_rows(backtest_dir, pair):
        with open(os.path.join(backtest_dir, pair, "series.csv")) as f:
            return f.read().splitlines()

    def caught_up(self, service, pairs, backtest_dir):
        """A scrape once each pair has every observation the backtest has but
        its last: a gained pair's warm-up and the trades queued behind it
        take a while on a slow (sanitizer) build."""
        want = {pair: len(self.backtest_rows(backtest_dir, pair)) - 2 for pair in pairs}
        return service.wait_for_metrics(lambda m: all(
            m.get("alphastream_pair_observations_total", pair=pair, model="ols") == n for pair, n in want.items()),
            60, "every pair's observations")

    def expect_backtest(self, m, pairs, backtest_dir, who):
        """Each pair's gauges equal the backtest's last row but one (the
        backtest closes its last interval at the end of the data)."""
        for pair in sorted(pairs):
            lines = self.backtest_rows(backtest_dir, pair)
            header = lines[0].split(",")
            row = dict(zip(header, [float(v) if v else math.nan for v in lines[-2].split(",")]))
            labels = {"pair": pair, "model": "ols"}
            self.assertEqual(m.value("alphastream_pair_observations_total", **labels), len(lines) - 2, (who, pair))
            for column in ("beta", "spread", "zscore"):
                live = m.value("alphastream_pair_" + column, **labels)
                self.assertTrue(same_number(live, row[column]), "%s %s %s: worker %r, backtest %r"
                                % (who, pair, column, live, row[column]))

    def test_two_workers_share_the_pairs_and_one_takes_all_when_the_other_is_killed(self):
        x_csv, y_csv = ss.cli_support.simulate(os.path.join(self.dir, "data"))
        total = 0
        for path in (x_csv, y_csv):
            with open(path) as f:
                total += sum(1 for line in f if line.strip())
        csv_feed = "{source: csv, csv: {%s: %s, %s: %s}}" % (ss.X_SYMBOL, x_csv, ss.Y_SYMBOL, y_csv)
        config, port = self.config("ingest.yaml", csv_feed, ", publish: true")
        ingest = ss.Service(config, self.dir, port, ["--stay-up"])
        self.services.append(ingest)
        ingest.wait_for_metrics(lambda m: m.value("alphastream_bus_acked_total", role="publish") >= total, 60,
                                "every publish acknowledged")
        self.assertEqual(ingest.stop(timeout_s=20), ss.EXIT_OK, ingest.log())

        a, a_config = self.worker("w-a")
        a.wait_for_log("pairs shared through ALPHASTREAM_LEASES as worker w-a", 30)
        b, _ = self.worker("w-b")

        def settled(m, other):
            # None, or series missing, while a worker is still starting.
            return (m is not None and m.get("alphastream_bus_received_total", role="consume") == total and
                    m.get("alphastream_bus_pairs_unowned", worker=other[0]) == 0 and
                    m.get("alphastream_bus_workers", worker=other[0]) == 2)

        ss.wait_until(lambda: settled(a.scrape(), ["w-a"]) and settled(b.scrape(), ["w-b"]) and
                      len(self.owned(a.scrape())) + len(self.owned(b.scrape())) == self.COUNT, 60,
                      lambda: "the workers to divide the pairs:\n" + a.log() + "\n" + b.log())
        ma, mb = a.scrape(), b.scrape()
        owned_a, owned_b = self.owned(ma), self.owned(mb)
        self.assertEqual(owned_a | owned_b, {"p%d" % i for i in range(self.COUNT)})
        self.assertFalse(owned_a & owned_b, "a pair on both workers")
        self.assertTrue(owned_a and owned_b, "one worker holds every pair")
        self.assertEqual(ma.value("alphastream_bus_pairs_owned", worker="w-a"), len(owned_a))
        self.assertEqual(mb.value("alphastream_bus_pairs_owned", worker="w-b"), len(owned_b))
        # w-a held every pair until w-b's heartbeat came, then handed w-b's share over.
        self.assertEqual(ma.value("alphastream_bus_lease_changes_total", worker="w-a", change="released"),
                         len(owned_b))

        backtest_dir = os.path.join(self.dir, "backtest")
        done = ss.cli_support.backtest(a_config, x_csv, y_csv, backtest_dir)
        self.assertEqual(done.returncode, ss.EXIT_OK, ss.describe(done))
        # w-b's pairs were gained after the stream had gone by: warmed from its journal.
        self.expect_backtest(self.caught_up(a, owned_a, backtest_dir), owned_a, backtest_dir, "w-a")
        self.expect_backtest(self.caught_up(b, owned_b, backtest_dir), owned_b, backtest_dir, "w-b")

        b.process.kill()  # SIGKILL: no release, the leases must expire
        b.process.wait()
        killed = time.monotonic()
        m = a.wait_for_metrics(lambda m: len(self.owned(m)) == self.COUNT, 30, "w-a to take every pair")
        took = time.monotonic() - killed
        # The leases live TTL_S after w-b's last round (a third of it before
        # the kill at most); w-a looks every third of it.
        self.assertLess(took, self.TTL_S * 2 + 2, "took %.1f s" % took)
        m = a.wait_for_metrics(lambda m: m.value("alphastream_bus_workers", worker="w-a") == 1, 30,
                               "w-b's heartbeat gone")
        self.assertEqual(m.value("alphastream_bus_pairs_owned", worker="w-a"), self.COUNT)
        self.assertEqual(m.value("alphastream_bus_pairs_unowned", worker="w-a"), 0)
        self.assertEqual(m.value("alphastream_bus_lease_changes_total", worker="w-a", change="gained"),
                         self.COUNT + len(owned_b))
        every = {"p%d" % i for i in range(self.COUNT)}
        self.expect_backtest(self.caught_up(a, every, backtest_dir), every, backtest_dir, "w-a after the takeover")
        self.assertIn("pair leases: %d gained" % len(owned_b), a.log())
        self.assertEqual(a.stop(timeout_s=20), ss.EXIT_OK, a.log())
        a.check_no_sanitizer_report()

    def test_sharing_pairs_needs_a_worker_and_a_sound_bucket(self):
        x_csv, y_csv = ss.cli_support.simulate(os.path.join(self.dir, "data"))
        csv_feed = "{source: csv, csv: {%s: %s, %s: %s}}" % (ss.X_SYMBOL, x_csv, ss.Y_SYMBOL, y_csv)
        config, _ = self.config("ingest-sharing.yaml", csv_feed, ", share_pairs: true")
        done = ss.run_cli(["check-config", "--skip-bind", config], cwd=self.dir)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("bus.share_pairs: only a worker (feed.source: nats) shares the pairs", done.stderr)
        config, _ = self.config("bad-id.yaml", "{source: nats}", ", share_pairs: true, worker_id: w.a")
        done = ss.run_cli(["check-config", "--skip-bind", config], cwd=self.dir)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("bus.worker_id: expected 1 to 64 letters, digits, '_' and '-', got \"w.a\"", done.stderr)
        config, _ = self.config("bad-bounds.yaml", "{source: nats}",
                                ", share_pairs: true, lease_ttl_s: 1, reorder_ms: 70000")
        done = ss.run_cli(["check-config", "--skip-bind", config], cwd=self.dir)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("bus.lease_ttl_s: expected at least 2", done.stderr)
        self.assertIn("bus.reorder_ms: expected whole milliseconds 0..60000 (0: no reordering), got \"70000\"",
                      done.stderr)
        # A bucket made with another TTL is refused, not changed.
        _, first = self.worker("w-a")
        self.services[-1].wait_for_log("pairs shared through ALPHASTREAM_LEASES", 30)
        self.services[-1].stop(timeout_s=20)
        config, _ = self.config("other-ttl.yaml", "{source: nats}", ", share_pairs: true, lease_ttl_s: 7")
        done = ss.run_cli(["run", "--config", config], cwd=self.dir)
        self.assertEqual(done.returncode, ss.EXIT_BAD_INPUT, ss.describe(done))
        self.assertIn("bus: lease bucket ALPHASTREAM_LEASES exists but its TTL is 3000 ms, the config's 7000 ms",
                      done.stderr)


class BusOnAThreeNodeCluster(OnNats):
    """A stream and a lease bucket with 3 replicas on a 3-node JetStream
    cluster; one node is killed with SIGKILL while an ingest publishes the
    simulator's live feed and a worker consumes it: both go on, the worker
    sees every trade the ingest accepted, none twice and no id missing, and
    its lag comes back to 0."""

    def start_nats(self):
        return ss.NatsCluster(self.dir)

    def start(self, name, feed, bus):
        port = ss.free_port()
        text = ss.service_config(port, feed=feed, pairs=PAIRS, symbols=[], engine=ENGINE,
                                 storage_path=os.path.join(self.dir, "journal-" + name))
        text += "bus: {servers: [%s], stream: TRADES_R3, replicas: 3%s}\n" % (", ".join(self.nats.urls()), bus)
        service = ss.Service(ss.write_file(os.path.join(self.dir, name + ".yaml"), text), self.dir, port)
        self.services.append(service)
        return service

    def test_killing_one_of_three_nodes_loses_no_trade(self):
        feed = "{source: simulator, simulator: {tls: false, trades_per_second: 200, seed: 5}}"
        ingest = self.start("ingest", feed, ", publish: true")
        ingest.wait_for_log("publishing every accepted trade to TRADES_R3", 60)
        # Holding as long as the ingest retries: no retried trade can come too late,
        # however slow the election (a sanitizer build runs ~10x slower).
        worker = self.start("worker", "{source: nats}",
                            ", share_pairs: true, lease_ttl_s: 3, worker_id: w-1, reorder_ms: 30000")
        received = lambda m: m.value("alphastream_bus_received_total", role="consume")
        worker.wait_for_metrics(lambda m: received(m) > 500, 60, "the worker to receive trades")

        # The stream's leader: JetStream must elect another while the ingest
        # publishes, answering "no responders" meanwhile.
        leader = ss.wait_until(lambda: self.nats.stream_leader("TRADES_R3"), 30, "the stream's leader")
        self.nats.kill(int(leader[len("node-"):]))
        killed_at = received(worker.scrape())
        worker.wait_for_metrics(lambda m: received(m) > killed_at + 1000, 60,
                                lambda: "trades to keep coming with a node down:\n" + self.nats.logs())
        before_stop = ingest.scrape()
        self.assertEqual(before_stop.value("alphastream_bus_failed_total", role="publish"), 0)
        self.assertGreater(before_stop.value("alphastream_bus_retries_total", role="publish"), 0,
                           "publishes during the election were retried")
        # Stopping the ingest waits for its acknowledgements and retries (up to 30 s).
        self.assertEqual(ingest.stop(timeout_s=60), ss.EXIT_OK, ingest.log())
        self.assertNotIn("unacknowledged when the bus closed", ingest.log())
        stopped = [ss.STOPPED_LINE.search(line) for line in ingest.log().splitlines()]
        stopped = [match for match in stopped if match]
        self.assertEqual(len(stopped), 1, ingest.log())
        accepted = int(stopped[0].group(1))
        self.assertNotIn("was not stored", ingest.log())

        # Every accepted trade reaches the worker once, with no hole in any symbol's ids.
        m = worker.wait_for_metrics(lambda m: received(m) >= accepted, 60,
                                    "the worker to receive all %d trades" % accepted)
        time.sleep(0.5)
        m = worker.scrape()
        self.assertEqual(received(m), accepted)
        self.assertEqual(m.total("alphastream_feed_messages_total"), accepted)
        self.assertEqual(m.total("alphastream_feed_duplicates_total"), 0)
        self.assertEqual(m.total("alphastream_feed_gaps_total"), 0)
        self.assertEqual(m.value("alphastream_bus_consumer_pending", role="consume"), 0)
        self.assertEqual(m.value("alphastream_bus_connected", role="consume"), 1)
        # The lease bucket lost a node too (its rounds may fail while it elects
        # a leader): the worker holds the pair again.
        worker.wait_for_metrics(lambda m: m.value("alphastream_bus_pairs_owned", worker="w-1") == 1, 30,
                                "the worker to hold the pair")
        self.assertEqual(worker.stop(timeout_s=20), ss.EXIT_OK, worker.log())
        worker.check_no_sanitizer_report()
        ingest.check_no_sanitizer_report()


if __name__ == "__main__":
    unittest.main()
