"""The shipped alerting, end to end: config/prometheus/alert_rules.yml in a
real Prometheus scraping a real `alphastream run`, firing through a real
Alertmanager on config/alertmanager/alertmanager.yml into a webhook that
records what it is sent. Everything listens on 127.0.0.1 on free ports.

    fake venue <- relay <- alphastream run -> /metrics <- Prometheus
                                                             | alerts
                                  webhook (this test) <- Alertmanager

The venue is tests/feed/fake_binance_server.py, reached through a TCP relay
the test can cut (a network partition that refuses reconnects) and heal.

Seconds instead of minutes, by two documented rewrites of test copies:
  - alert_rules.yml: every `for:` duration divided by RULES_TIME_DIVISOR,
    rounded up to whole seconds (30s -> 1s, 1m -> 2s, 5m -> 10s); the
    expressions, labels and annotations are the shipped ones.
  - alertmanager.yml: group_wait, group_interval and repeat_interval set
    to AM_TIMINGS; the receivers' base URL (http://127.0.0.1:9095/) points
    at the webhook, their paths (/alphastream/pager, ...) are kept.
Prometheus scrapes and evaluates every second.

Set by tests/ops/CMakeLists.txt: ALPHASTREAM_BIN, ALPHASTREAM_PLUGIN_DIR,
ALPHASTREAM_TEST_WORK_DIR, ALPHASTREAM_FAKE_SERVER, and the tools
ALPHASTREAM_PROMETHEUS, _PROMTOOL, _ALERTMANAGER, _AMTOOL (found on PATH
when unset).
"""

import http.server
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "service"))
import service_support as ss  # noqa: E402  (tests/service, found through sys.path)

ALERT_RULES = os.path.join(SOURCE_DIR, "config", "prometheus", "alert_rules.yml")
ALERTMANAGER_CONFIG = os.path.join(SOURCE_DIR, "config", "alertmanager", "alertmanager.yml")
SHIPPED_WEBHOOK_BASE = "http://127.0.0.1:9095/"

PROMETHEUS = os.environ.get("ALPHASTREAM_PROMETHEUS") or "prometheus"
PROMTOOL = os.environ.get("ALPHASTREAM_PROMTOOL") or "promtool"
ALERTMANAGER = os.environ.get("ALPHASTREAM_ALERTMANAGER") or "prometheus-alertmanager"
AMTOOL = os.environ.get("ALPHASTREAM_AMTOOL") or "amtool"

RULES_TIME_DIVISOR = 30
AM_TIMINGS = {"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"}

PAIR = "aaa-bbb"
Y_SYMBOL = "AAAUSDT"
X_SYMBOL = "BBBUSDT"
MODEL = "ols"
ENTRY = 2.5


def seconds_of(duration):
    """'90s', '5m', '1h' -> seconds."""
    match = re.fullmatch(r"(\d+)([smh])", duration)
    if match is None:
        raise AssertionError("unexpected duration %r in alert_rules.yml" % duration)
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def fast_rules(text):
    """alert_rules.yml with every `for:` divided by RULES_TIME_DIVISOR."""
    def scale(match):
        scaled = max(1, math.ceil(seconds_of(match.group(2)) / RULES_TIME_DIVISOR))
        return "%s%ds" % (match.group(1), scaled)

    out, count = re.subn(r"^(\s*for:\s*)(\S+)\s*$", scale, text, flags=re.M)
    if count == 0:
        raise AssertionError("no `for:` in %s: the rewrite no longer applies" % ALERT_RULES)
    return out


def fast_alertmanager_config(text, webhook_port):
    """alertmanager.yml with AM_TIMINGS and the receivers on the webhook."""
    for key, value in AM_TIMINGS.items():
        text, count = re.subn(r"^(\s*%s:\s*)\S+" % key, r"\g<1>" + value, text, flags=re.M)
        if count == 0:
            raise AssertionError("no %s in %s: the rewrite no longer applies" % (key, ALERTMANAGER_CONFIG))
    if SHIPPED_WEBHOOK_BASE not in text:
        raise AssertionError("no %s receiver URL in %s" % (SHIPPED_WEBHOOK_BASE, ALERTMANAGER_CONFIG))
    return text.replace(SHIPPED_WEBHOOK_BASE, "http://127.0.0.1:%d/" % webhook_port)


class Webhook:
    """An HTTP server recording every notification POSTed to it as
    (path, decoded JSON body)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.notifications = []
        webhook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with webhook.lock:
                    webhook.notifications.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def alerts(self):
        """[(path, receiver, alert)] of every alert of every notification."""
        with self.lock:
            return [(path, body["receiver"], alert) for path, body in self.notifications for alert in body["alerts"]]

    def wait_for_alert(self, alertname, status, timeout_s, **labels):
        """The first alert posted with that name, status and labels."""
        def find():
            for path, receiver, alert in self.alerts():
                if (alert["labels"].get("alertname") == alertname and alert["status"] == status and
                        all(alert["labels"].get(k) == v for k, v in labels.items())):
                    return path, receiver, alert
            return None

        return ss.wait_until(find, timeout_s, lambda: "%s %s %r at the webhook; it got:\n%s" % (
            alertname, status, labels, json.dumps(self.alerts(), indent=1)), interval_s=0.1)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class PartitionableRelay:
    """A TCP relay from a loopback port to the fake venue. partition() cuts
    every relayed connection and closes new ones at once, as a network
    outage would; heal() relays again."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.lock = threading.Lock()
        self.partitioned = False
        self.stopped = False
        self.sockets = set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # so the accept loop sees `stopped`
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self.lock:
                if self.partitioned or self.stopped:
                    client.close()
                    continue
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                except OSError:
                    client.close()
                    continue
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        # Each pump closes the socket it reads; the shutdowns end the other.
        for s in (source, sink):
            self._shut(s)
        source.close()

    @staticmethod
    def _shut(s):
        # shutdown() wakes the other pump blocked in recv(); close() alone would not.
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def partition(self):
        with self.lock:
            self.partitioned = True
            cut, self.sockets = self.sockets, set()
        for s in cut:
            self._shut(s)

    def heal(self):
        with self.lock:
            self.partitioned = False

    def close(self):
        self.stopped = True
        self.partition()
        self.thread.join(timeout=5)
        self.listener.close()


class Server:
    """A Prometheus or Alertmanager process on loopback, its output in a
    file of the work folder."""

    def __init__(self, name, argv, work_dir, port):
        self.name = name
        self.port = port
        self.log_path = os.path.join(work_dir, name + ".log")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(argv, cwd=work_dir, stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def get_json(self, path):
        """The decoded JSON at path, or None while nothing answers."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=5) as reply:
                return json.loads(reply.read().decode())
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            if self.process.poll() is not None:
                raise AssertionError("%s exited with %d:\n%s" % (self.name, self.process.returncode, self.log()))
            return None

    def wait_ready(self, timeout_s=20):
        ss.wait_until(lambda: self._ready(), timeout_s, lambda: "%s ready:\n%s" % (self.name, self.log()), 0.1)

    def _ready(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port, timeout=5) as reply:
                return reply.status == 200
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            if self.process.poll() is not None:
                raise AssertionError("%s exited with %d:\n%s" % (self.name, self.process.returncode, self.log()))
            return False

    def stop(self):
        ss.terminate_process(self.process)
        self._log.close()


def start_alertmanager(work_dir, webhook_port):
    """The real Alertmanager on a test copy of the shipped config; returns
    once it is ready. Gossip is off (empty cluster address)."""
    with open(ALERTMANAGER_CONFIG) as f:
        config = ss.write_file(os.path.join(work_dir, "alertmanager.yml"),
                               fast_alertmanager_config(f.read(), webhook_port))
    port = ss.free_port()
    server = Server("alertmanager", [
        ALERTMANAGER, "--config.file=" + config,
        "--storage.path=" + os.path.join(work_dir, "alertmanager-data"),
        "--web.listen-address=127.0.0.1:%d" % port, "--cluster.listen-address="], work_dir, port)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


class AlertsReachTheWebhook(unittest.TestCase):
    """A z-score excursion and a feed outage, each firing its alert through
    Prometheus and Alertmanager to the right receiver, and resolving."""

    def setUp(self):
        self.dir = ss.fresh_dir("AlertsReachTheWebhook")
        # addCleanup: each process is stopped, last started first, even when
        # setUp fails half way (tearDown would not run then).
        self.venue = ss.FakeBinanceServer()
        self.addCleanup(self.venue.kill)
        self.relay = PartitionableRelay(self.venue.port)
        self.addCleanup(self.relay.close)
        self.webhook = Webhook()
        self.addCleanup(self.webhook.close)

        self.metrics_port = ss.free_port()
        feed = ('{source: binance, url: "ws://127.0.0.1:%d/market/stream", reconnect: {initial_ms: 100, max_ms: 500}, '
                'stale_after_s: 30}' % self.relay.port)
        # Tick sampling: every trade makes a row, so the test sets the spread
        # trade by trade, and it holds while no trade comes.
        pair = ("{name: %s, y: %s, x: %s, model: {plugin: %s, params: {window: 30}}, "
                "zscore: {window: 20, entry: %s, exit: 0.0}}" % (PAIR, Y_SYMBOL, X_SYMBOL, MODEL, ENTRY))
        config = ss.write_file(os.path.join(self.dir, "service.yaml"), ss.service_config(
            self.metrics_port, feed=feed, pairs=[pair], symbols=[], sampling="{mode: tick}"))
        self.service = ss.Service(config, self.dir, self.metrics_port)
        self.addCleanup(self.service.kill)

        self.alertmanager = start_alertmanager(self.dir, self.webhook.port)
        self.addCleanup(self.alertmanager.stop)
        self.prometheus = self.start_prometheus()
        self.addCleanup(self.prometheus.stop)
        self.next_trade_id = {}  # symbol -> its next aggregate trade id

    def start_prometheus(self):
        with open(ALERT_RULES) as f:
            ss.write_file(os.path.join(self.dir, "alert_rules.yml"), fast_rules(f.read()))
        config = ss.write_file(os.path.join(self.dir, "prometheus.yml"), "\n".join([
            "global: {scrape_interval: 1s, evaluation_interval: 1s}",
            "rule_files: [alert_rules.yml]",
            "alerting:",
            "  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:%d']}]}]" % self.alertmanager.port,
            "scrape_configs:",
            "  - job_name: alphastream",
            "    static_configs: [{targets: ['127.0.0.1:%d']}]" % self.metrics_port,
            ""]))
        port = ss.free_port()
        server = Server("prometheus", [
            PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(self.dir, "tsdb"),
            "--web.listen-address=127.0.0.1:%d" % port, "--rules.alert.resend-delay=1s"], self.dir, port)
        try:
            server.wait_ready()
        except BaseException:
            server.stop()
            raise
        return server

    def send_trade(self, symbol, price):
        now_ms = int(time.time() * 1000)
        # Ids consecutive per symbol, as the venue's are: no gap is counted.
        trade_id = self.next_trade_id.get(symbol, 1)
        self.next_trade_id[symbol] = trade_id + 1
        self.venue.command('send {"stream":"%s@aggTrade","data":{"e":"aggTrade","E":%d,"s":"%s","a":%d,"p":"%.4f",'
                           '"q":"1","f":%d,"l":%d,"T":%d,"m":true}}' % (
                               symbol.lower(), now_ms, symbol, trade_id, price, trade_id, trade_id, now_ms))

    def send_cointegrated_trades(self, count, rng, x):
        """count trades of each leg, y = 2x + noise; returns the last x."""
        for _ in range(count):
            x += rng.gauss(0, 0.1)
            self.send_trade(X_SYMBOL, x)
            self.send_trade(Y_SYMBOL, 2 * x + rng.gauss(0, 0.05))
        return x

    def zscore(self, metrics):
        return metrics.get("alphastream_pair_zscore", pair=PAIR, model=MODEL)

    def expected_labels(self, alertname, severity, **extra):
        labels = {"alertname": alertname, "severity": severity, "job": "alphastream",
                  "instance": "127.0.0.1:%d" % self.metrics_port}
        labels.update(extra)
        return labels

    def test_zscore_excursion_and_feed_outage_fire_and_resolve_at_the_right_receivers(self):
        self.venue.expect("open 1 /market/stream?streams=", timeout_s=20)
        self.service.wait_for_metrics(lambda m: m.value("alphastream_feed_connected") == 1, 20, "feed connected")
        self.prometheus_sees_the_engine()

        # (1) 40 ordinary rows, then one leg jumps: |z| > entry.
        rng = random.Random(7)
        x = self.send_cointegrated_trades(40, rng, 100.0)
        calm = self.service.wait_for_metrics(
            lambda m: m.get("alphastream_pair_observations_total", pair=PAIR, model=MODEL) == 79, 20, "79 rows")
        self.assertLess(abs(self.zscore(calm)), ENTRY)
        self.assertEqual(calm.value("alphastream_pair_zscore_entry", pair=PAIR, model=MODEL), ENTRY)
        self.send_trade(Y_SYMBOL, 2 * x + 3.0)
        jumped = self.service.wait_for_metrics(
            lambda m: m.get("alphastream_pair_observations_total", pair=PAIR, model=MODEL) == 80, 20, "the jump row")
        z = self.zscore(jumped)
        self.assertGreater(z, ENTRY, "the y jump must push the spread above +entry")

        path, receiver, alert = self.webhook.wait_for_alert("PairZScoreEntry", "firing", 30)
        self.assertEqual((path, receiver), ("/alphastream/traders", "traders"))
        self.assertEqual(alert["labels"], self.expected_labels("PairZScoreEntry", "info", pair=PAIR, model=MODEL,
                                                               side="short_spread"))
        annotations = alert["annotations"]
        self.assertEqual(annotations["summary"], "%s (%s): z-score %.2f beyond entry, short_spread" % (PAIR, MODEL, z))
        self.assertEqual(annotations["description"], (
            "The spread of %s under model %s has a z-score of %.2f, beyond its entry threshold of ±%.2f for 1 minute. "
            "This alert resolves when the z-score is back inside the entry band.") % (PAIR, MODEL, z, ENTRY))
        self.assertTrue(annotations["runbook"].startswith(
            "Meaning: a trading opportunity: the spread y - (beta*x + alpha) of %s is far from its rolling mean, "
            "and the engine enters short_spread" % PAIR), annotations["runbook"])

        # The spread comes back: the trader gets the resolution.
        self.send_cointegrated_trades(3, rng, x)
        back = self.service.wait_for_metrics(
            lambda m: m.get("alphastream_pair_observations_total", pair=PAIR, model=MODEL) == 86, 20, "6 more rows")
        self.assertLess(abs(self.zscore(back)), ENTRY)
        path, receiver, resolved = self.webhook.wait_for_alert("PairZScoreEntry", "resolved", 30)
        self.assertEqual((path, receiver), ("/alphastream/traders", "traders"))
        self.assertEqual(resolved["labels"], alert["labels"])
        self.assertEqual(resolved["startsAt"], alert["startsAt"])

        # (2) The network to the venue goes away and reconnects are refused.
        self.relay.partition()
        self.service.wait_for_metrics(lambda m: m.value("alphastream_feed_connected") == 0, 20, "feed disconnected")
        path, receiver, alert = self.webhook.wait_for_alert("FeedDisconnected", "firing", 30)
        self.assertEqual((path, receiver), ("/alphastream/pager", "pager"))
        instance = "127.0.0.1:%d" % self.metrics_port
        self.assertEqual(alert["labels"], self.expected_labels("FeedDisconnected", "critical"))
        self.assertEqual(alert["annotations"]["summary"], "AlphaStream %s has lost its market data feed" % instance)
        self.assertEqual(alert["annotations"]["description"], (
            "Not every feed websocket connection of %s has been open for 30 seconds: the models see no trades and "
            "no signal is current.") % instance)
        self.assertIn("Meaning: the feed client is reconnecting", alert["annotations"]["runbook"])

        # The network comes back: the client reconnects by itself and the
        # pager hears that the outage is over.
        self.relay.heal()
        self.service.wait_for_metrics(lambda m: m.value("alphastream_feed_connected") == 1, 20, "feed reconnected")
        path, receiver, resolved = self.webhook.wait_for_alert("FeedDisconnected", "resolved", 30)
        self.assertEqual((path, receiver), ("/alphastream/pager", "pager"))
        self.assertEqual(resolved["labels"], alert["labels"])

        # Nothing else paged about the engine: its only critical alert is the
        # outage. (Not counted: AlphaStreamDown of the job, from absent(),
        # which may fire if Prometheus' first scrape comes after its 2 s for.)
        paged = {a["labels"]["alertname"] for p, r, a in self.webhook.alerts()
                 if r == "pager" and a["labels"].get("instance") == instance}
        self.assertEqual(paged, {"FeedDisconnected"})
        # No trade was sent during the outage, so the reconnect left no gap.
        names = {a["labels"]["alertname"] for p, r, a in self.webhook.alerts()}
        self.assertNotIn("FeedGapsDetected", names)
        self.assertEqual(self.service.stop(), ss.EXIT_OK, self.service.log())

    def prometheus_sees_the_engine(self):
        def up():
            reply = self.prometheus.get_json("/api/v1/query?query=up%7Bjob%3D%22alphastream%22%7D")
            results = reply["data"]["result"] if reply else []
            return len(results) == 1 and results[0]["value"][1] == "1"
        ss.wait_until(up, 20, lambda: "Prometheus scraping the engine:\n" + self.prometheus.log(), 0.2)


class AlertmanagerInhibition(unittest.TestCase):
    """The shipped inhibit rules in the real Alertmanager, with alerts posted
    to its API as Prometheus would: an engine that is down silences its other
    alerts, a disconnected feed silences its stale and gap alerts, and
    nothing is silenced on another instance or outside those rules."""

    def setUp(self):
        self.dir = ss.fresh_dir("AlertmanagerInhibition")
        self.webhook = Webhook()
        self.addCleanup(self.webhook.close)
        self.alertmanager = start_alertmanager(self.dir, self.webhook.port)
        self.addCleanup(self.alertmanager.stop)

    def post(self, alerts):
        body = json.dumps([{"labels": labels, "annotations": {"summary": "posted by the test"}} for labels in alerts])
        request = urllib.request.Request("http://127.0.0.1:%d/api/v2/alerts" % self.alertmanager.port,
                                         data=body.encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as reply:
            self.assertEqual(reply.status, 200)

    def test_down_engine_and_lost_feed_inhibit_their_consequences(self):
        down = {"alertname": "AlphaStreamDown", "severity": "critical", "job": "alphastream", "instance": "a:1"}
        entry_on_down = {"alertname": "PairZScoreEntry", "severity": "info", "job": "alphastream", "instance": "a:1",
                         "pair": "eth-btc", "model": "ols", "side": "long_spread"}
        disconnected = {"alertname": "FeedDisconnected", "severity": "critical", "job": "alphastream",
                        "instance": "b:1"}
        stale_on_disconnected = {"alertname": "FeedStale", "severity": "warning", "job": "alphastream",
                                 "instance": "b:1", "symbol": "ETHUSDT"}
        gaps_on_disconnected = {"alertname": "FeedGapsDetected", "severity": "warning", "job": "alphastream",
                                "instance": "b:1", "symbol": "ETHUSDT"}
        drops_on_disconnected = {"alertname": "QueueDropsSustained", "severity": "critical", "job": "alphastream",
                                 "instance": "b:1", "shard": "0"}
        stale_elsewhere = {"alertname": "FeedStale", "severity": "warning", "job": "alphastream", "instance": "c:1",
                           "symbol": "ETHUSDT"}
        self.post([down, entry_on_down, disconnected, stale_on_disconnected, gaps_on_disconnected,
                   drops_on_disconnected, stale_elsewhere])

        delivered = {}
        for labels, path in ((down, "/alphastream/pager"), (disconnected, "/alphastream/pager"),
                             (drops_on_disconnected, "/alphastream/pager"), (stale_elsewhere, "/alphastream/ops")):
            extra = {k: v for k, v in labels.items() if k != "alertname"}
            got_path, _, alert = self.webhook.wait_for_alert(labels["alertname"], "firing", 15, **extra)
            self.assertEqual(got_path, path, labels)
            delivered[labels["alertname"], labels["instance"]] = alert["fingerprint"]

        # Alertmanager's own view: suppressed, and by which alert.
        states = {}
        for alert in self.alertmanager.get_json("/api/v2/alerts"):
            labels = alert["labels"]
            states[labels["alertname"], labels["instance"]] = (alert["status"]["state"],
                                                               alert["status"]["inhibitedBy"])
        self.assertEqual(states[("PairZScoreEntry", "a:1")],
                         ("suppressed", [delivered[("AlphaStreamDown", "a:1")]]))
        self.assertEqual(states[("FeedStale", "b:1")], ("suppressed", [delivered[("FeedDisconnected", "b:1")]]))
        self.assertEqual(states[("FeedGapsDetected", "b:1")],
                         ("suppressed", [delivered[("FeedDisconnected", "b:1")]]))
        self.assertEqual(states[("QueueDropsSustained", "b:1")], ("active", []))
        self.assertEqual(states[("FeedStale", "c:1")], ("active", []))

        # Two more group intervals: the suppressed alerts are never sent.
        time.sleep(2.5)
        sent = sorted((a["labels"]["alertname"], a["labels"]["instance"]) for _, _, a in self.webhook.alerts())
        self.assertEqual(sent, [("AlphaStreamDown", "a:1"), ("FeedDisconnected", "b:1"), ("FeedStale", "c:1"),
                                ("QueueDropsSustained", "b:1")])


class ShippedConfigsAreValid(unittest.TestCase):
    """promtool and amtool accept the shipped files; the unit tests of the
    rules pass; the routing sends each kind of alert where the README says."""

    def run_tool(self, argv, cwd=None):
        """The tool's standard output; fails unless it exits with 0."""
        done = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, "%s:\n%s%s" % (" ".join(argv), done.stdout, done.stderr))
        return done.stdout

    def test_promtool_checks_and_unit_tests_pass(self):
        out = self.run_tool([PROMTOOL, "check", "rules", ALERT_RULES])
        self.assertIn("SUCCESS: 24 rules found", out)
        out = self.run_tool([PROMTOOL, "test", "rules", "alert_rules_test.yml"], cwd=os.path.dirname(ALERT_RULES))
        self.assertIn("SUCCESS", out)

    def test_every_alert_links_its_section_of_the_runbook_and_the_runbook_is_current(self):
        self.run_tool([sys.executable, os.path.join(SOURCE_DIR, "scripts", "runbook.py"), "--check"])
        with open(ALERT_RULES) as f:
            rules = yaml.safe_load(f)
        with open(os.path.join(os.path.dirname(ALERT_RULES), "RUNBOOK.md")) as f:
            headings = {line[3:].strip().lower() for line in f if line.startswith("## ")}
        for group in rules["groups"]:
            for rule in group["rules"]:
                url = rule["annotations"].get("runbook_url", "")
                self.assertTrue(url.endswith("#" + rule["alert"].lower()), rule["alert"])
                self.assertIn("$externalLabels.runbook_base", url, rule["alert"])
                self.assertIn(rule["alert"].lower(), headings, rule["alert"])

    def test_the_rewritten_test_copies_are_valid_too(self):
        work = ss.fresh_dir("ShippedConfigsAreValid")
        with open(ALERT_RULES) as f:
            fast = fast_rules(f.read())
        self.assertIn("for: 1s", fast)     # FeedDisconnected: 30s
        self.assertNotIn("for: 1m", fast)
        self.run_tool([PROMTOOL, "check", "rules", ss.write_file(os.path.join(work, "alert_rules.yml"), fast)])
        with open(ALERTMANAGER_CONFIG) as f:
            am = fast_alertmanager_config(f.read(), 12345)
        self.assertNotIn(SHIPPED_WEBHOOK_BASE, am)
        self.assertEqual(am.count("url: http://127.0.0.1:12345/alphastream/"), 3)
        self.run_tool([AMTOOL, "check-config", ss.write_file(os.path.join(work, "alertmanager.yml"), am)])

    def test_amtool_accepts_the_alertmanager_config(self):
        out = self.run_tool([AMTOOL, "check-config", ALERTMANAGER_CONFIG])
        self.assertIn("SUCCESS", out)
        self.assertIn("2 inhibit rules", out)

    def test_alerts_route_by_severity_and_pair(self):
        cases = [
            ("alertname=AlphaStreamDown severity=critical instance=a:1", "pager"),
            ("alertname=FeedDisconnected severity=critical instance=a:1", "pager"),
            ("alertname=QueueDropsSustained severity=critical instance=a:1 shard=0", "pager"),
            ("alertname=QueueDrops severity=warning instance=a:1 shard=0", "ops"),
            ("alertname=PairZScoreEntry severity=info pair=eth-btc model=ols side=short_spread", "traders"),
            ("alertname=StationarityLost severity=warning pair=eth-btc model=ols", "traders,ops"),
            ("alertname=PairZScoreStop severity=warning pair=eth-btc model=ols", "traders,ops"),
            ("alertname=FeedStale severity=warning symbol=ETHUSDT", "ops"),
            ("alertname=StorageErrors severity=warning", "ops"),
        ]
        for labels, receivers in cases:
            out = self.run_tool([AMTOOL, "config", "routes", "test", "--config.file=" + ALERTMANAGER_CONFIG]
                                + labels.split())
            self.assertEqual(out.splitlines()[0].strip(), receivers, labels)


if __name__ == "__main__":
    unittest.main()
