"""Helpers of the live-service end-to-end tests: start `alphastream run` on
loopback, scrape and parse its /metrics, ask its /healthz and /readyz, drive
the fake Binance server and stop everything whatever happens.

Set by tests/service/CMakeLists.txt (besides what tests/cli/cli_support.py
reads: ALPHASTREAM_BIN, ALPHASTREAM_PLUGIN_DIR, ALPHASTREAM_TEST_WORK_DIR):
  ALPHASTREAM_FAKE_SERVER  tests/feed/fake_binance_server.py
"""

import json
import math
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import cli_support  # noqa: E402  (tests/cli, found through sys.path)

BIN = cli_support.BIN
PLUGIN_DIR = cli_support.PLUGIN_DIR
FAKE_SERVER = os.environ.get("ALPHASTREAM_FAKE_SERVER", "")
PYTHON = "/usr/bin/python3"

EXIT_OK = cli_support.EXIT_OK
EXIT_BAD_INPUT = cli_support.EXIT_BAD_INPUT
EXIT_FAILURE = cli_support.EXIT_FAILURE
X_SYMBOL = cli_support.X_SYMBOL
Y_SYMBOL = cli_support.Y_SYMBOL
PAIR = cli_support.PAIR

fresh_dir = cli_support.fresh_dir
run_cli = cli_support.run
describe = cli_support.describe
write_file = cli_support.write_file
line_of = cli_support.line_of

# The summary line `alphastream run` logs when it has drained.
STOPPED_LINE = re.compile(r"stopped in [0-9.]+ s: (\d+) trades accepted, .* (\d+) trades recorded")


def free_port():
    """A loopback port nobody listened on a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout_s, what, interval_s=0.05):
    """Polls condition() until it returns a true value, which is returned;
    fails with what (a string or a function giving one) after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout_s, what() if callable(what) else what))
        time.sleep(interval_s)


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format -> {(name, frozenset of (label, value)): float}.
    Fails on a line that is neither a comment nor a sample."""
    samples = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if match is None:
            raise AssertionError("line %d of /metrics is not a sample: %r" % (number, line))
        name, labels, value = match.groups()
        pairs = _LABEL.findall(labels or "")
        key = (name, frozenset((k, v.replace('\\"', '"').replace("\\\\", "\\")) for k, v in pairs))
        samples[key] = float(value)  # float() takes "Nan", "+Inf" and "-Inf"
    return samples


class Metrics:
    """One scrape: look samples up by name and labels."""

    def __init__(self, text):
        self.text = text
        self.samples = parse_metrics(text)

    def get(self, name, **labels):
        """The sample's value, or None when there is no such series."""
        return self.samples.get((name, frozenset(labels.items())))

    def value(self, name, **labels):
        """The sample's value; fails when there is no such series."""
        found = self.get(name, **labels)
        if found is None:
            raise AssertionError("no series %s%r in /metrics:\n%s" % (name, labels, self.text))
        return found

    def series(self, name):
        """[(labels dict, value)] of every series of name."""
        return [(dict(labels), v) for (n, labels), v in self.samples.items() if n == name]

    def total(self, name, **labels):
        """Sum over the series of name whose labels include labels."""
        return sum(v for l, v in self.series(name) if all(l.get(k) == w for k, w in labels.items()))


def finite(value):
    return value is not None and math.isfinite(value)


def service_config(metrics_port, plugin_dir=None, feed=None, storage_path=None, pairs=None, symbols=None,
                   engine="{cores: 2, queue_capacity: 4096}", sampling="{mode: time, interval_ms: 1000}"):
    """A service config as YAML text. pairs and symbols are lists of YAML
    flow mappings (one line each); feed is the feed section's flow mapping."""
    if pairs is None:
        pairs = ["{name: %s, y: %s, x: %s, models: [{plugin: ols, params: {window: 60}}, {plugin: kalman}], "
                 "zscore: {window: 30, entry: 2.0, exit: 0.0}}" % (PAIR, Y_SYMBOL, X_SYMBOL)]
    if symbols is None:
        symbols = ["{symbol: %s, model: {plugin: microstructure}}" % X_SYMBOL]
    if feed is None:
        feed = "{source: simulator, simulator: {tls: true, trades_per_second: 100}}"
    lines = ["sampling: %s" % sampling, "pairs:"]
    lines += ["  - %s" % p for p in pairs]
    if symbols:
        lines.append("symbols:")
        lines += ["  - %s" % s for s in symbols]
    lines += ["plugins: {dir: %s}" % (plugin_dir or PLUGIN_DIR),
              "engine: %s" % engine,
              "feed: %s" % feed]
    if storage_path:
        lines.append("storage: {lmdb: {path: %s, map_size_mb: 64}}" % storage_path)
    lines.append('metrics: {listen: "127.0.0.1:%d"}' % metrics_port)
    return "\n".join(lines) + "\n"


class Service:
    """`alphastream run` in the background, its log (stderr) in a file."""

    def __init__(self, config_path, work_dir, metrics_port, extra_args=()):
        if not BIN:
            raise AssertionError("ALPHASTREAM_BIN is not set: run these tests through ctest")
        self.metrics_port = metrics_port
        self.log_path = os.path.join(work_dir, "service-%d.log" % metrics_port)
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen([BIN, "run", "--config", config_path] + list(extra_args), cwd=work_dir,
                                        stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def check_no_sanitizer_report(self):
        text = self.log()
        for marker in cli_support.SANITIZER_MARKERS:
            if marker in text:
                raise AssertionError("sanitizer report from alphastream run:\n" + text)

    def scrape(self):
        """Metrics of one scrape of /metrics, or None while nothing answers."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port, timeout=5) as reply:
                return Metrics(reply.read().decode())
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            if self.process.poll() is not None:
                raise AssertionError("alphastream run exited with %d:\n%s" % (self.process.returncode, self.log()))
            return None

    def get(self, path):
        """(status, body text) of GET path on the metrics listener; 503 and the
        other error statuses are answers too."""
        url = "http://127.0.0.1:%d%s" % (self.metrics_port, path)
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait_for_metrics(self, condition, timeout_s, what):
        """Scrapes until condition(metrics) holds; returns that scrape."""
        last = [None]

        def check():
            metrics = self.scrape()
            last[0] = metrics
            return metrics if metrics is not None and condition(metrics) else None

        return wait_until(check, timeout_s, lambda: "%s; last scrape:\n%s\nlog:\n%s" % (
            what() if callable(what) else what, last[0].text if last[0] else "(none)", self.log()))

    def wait_for_log(self, needle, timeout_s, start=0):
        """Waits until the log holds needle at or after offset start; returns
        the offset just past it."""
        def find():
            at = self.log().find(needle, start)
            return at + len(needle) if at >= 0 else None
        return wait_until(find, timeout_s, lambda: "%r in the log:\n%s" % (needle, self.log()))

    def signal(self, signum):
        self.process.send_signal(signum)

    def stop(self, timeout_s=10):
        """SIGTERM, then waits; returns the exit code (fails if it hangs)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise AssertionError("alphastream run did not stop within %d s of SIGTERM:\n%s" % (timeout_s, self.log()))

    def kill(self):
        """SIGKILL unless it has exited; always safe (tearDown)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


class FakeBinanceServer:
    """tests/feed/fake_binance_server.py: commands on its stdin, its reports
    read by a thread into a queue."""

    def __init__(self):
        if not FAKE_SERVER:
            raise AssertionError("ALPHASTREAM_FAKE_SERVER is not set: run these tests through ctest")
        self.process = subprocess.Popen([PYTHON, "-B", FAKE_SERVER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.seen = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = int(self.expect("port ", timeout_s=20).split()[1])

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def command(self, text):
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def expect(self, prefix, timeout_s=15):
        """The next report starting with prefix (earlier ones are kept in seen)."""
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("fake server never reported %r; it said:\n%s" % (prefix, "\n".join(self.seen)))
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


def agg_trade_frame(symbol, agg_id, time_ms, price="100.5", quantity="0.25"):
    """A combined-stream aggTrade frame as the fake server's stream sends one,
    for symbol and aggregate id agg_id (single-trade aggregate), stamped
    time_ms + agg_id. Live pipelines close intervals by the wall clock, so
    time_ms should be near it."""
    return ('{"stream":"%s@aggTrade","data":{"e":"aggTrade","E":%d,"s":"%s","a":%d,"p":"%s","q":"%s",'
            '"f":%d,"l":%d,"T":%d,"m":false}}' % (symbol.lower(), time_ms + agg_id, symbol, agg_id, price,
                                                   quantity, agg_id, agg_id, time_ms + agg_id))


def read_export(path):
    """An exported aggTrades CSV -> (header, [rows as lists of strings])."""
    with open(path) as f:
        lines = f.read().splitlines()
    return lines[0], [line.split(",") for line in lines[1:]]


tree_bytes = cli_support.tree_bytes


def terminate_process(process, timeout_s=10):
    """SIGTERM a helper server (Prometheus, Alertmanager, nats-server) unless
    it has exited, then SIGKILL if it has not ended within timeout_s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


class NatsServer:
    """One JetStream node on a free loopback port, its store in work_dir;
    extra_args for authorization or TLS (e.g. --user U --pass P)."""

    def __init__(self, work_dir, extra_args=()):
        self.port = free_port()
        self.store = os.path.join(work_dir, "nats-store")
        self.log_path = os.path.join(work_dir, "nats-server.log")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen([NATS_SERVER, "-js", "-sd", self.store, "-p", str(self.port), "-a",
                                         "127.0.0.1"] + list(extra_args), stdout=self._log, stderr=subprocess.STDOUT)
        wait_until(self.ready, 20, lambda: "nats-server to listen:\n" + open(self.log_path).read())

    def ready(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def url(self):
        return "nats://127.0.0.1:%d" % self.port

    def stop(self):
        terminate_process(self.process)
        self._log.close()


class NatsCluster:
    """Three JetStream nodes on loopback routed to each other as one cluster,
    each with its store in work_dir; ready once every node's /healthz says
    JetStream is up."""

    def __init__(self, work_dir, size=3):
        self.ports = [free_port() for _ in range(size)]
        cluster_ports = [free_port() for _ in range(size)]
        self.monitor_ports = [free_port() for _ in range(size)]
        routes = ",".join("nats://127.0.0.1:%d" % p for p in cluster_ports)
        self.processes, self._logs, self.log_paths = [], [], []
        for i in range(size):
            log_path = os.path.join(work_dir, "nats-%d.log" % i)
            log = open(log_path, "w")
            self.log_paths.append(log_path)
            self._logs.append(log)
            self.processes.append(subprocess.Popen(
                [NATS_SERVER, "-js", "-sd", os.path.join(work_dir, "nats-store-%d" % i), "-p", str(self.ports[i]),
                 "-a", "127.0.0.1", "-m", str(self.monitor_ports[i]), "-n", "node-%d" % i, "--cluster_name",
                 "alphastream-test", "--cluster", "nats://127.0.0.1:%d" % cluster_ports[i], "--routes", routes],
                stdout=log, stderr=subprocess.STDOUT))
        wait_until(lambda: all(self.healthy(i) for i in range(size)), 60,
                   lambda: "the cluster's JetStream:\n" + self.logs(), interval_s=0.25)

    def healthy(self, index):
        try:
            url = "http://127.0.0.1:%d/healthz" % self.monitor_ports[index]
            with urllib.request.urlopen(url, timeout=1) as reply:
                return reply.status == 200
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
            return False

    def urls(self):
        return ["nats://127.0.0.1:%d" % p for p in self.ports]

    def stream_leader(self, stream):
        """The name ("node-<index>") of the node leading stream's replicas,
        or None while no node says (from the monitoring endpoint's /jsz)."""
        for index, port in enumerate(self.monitor_ports):
            if self.processes[index].poll() is not None:
                continue
            try:
                url = "http://127.0.0.1:%d/jsz?accounts=true&streams=true" % port
                with urllib.request.urlopen(url, timeout=2) as reply:
                    info = json.loads(reply.read().decode())
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError, ValueError):
                continue
            for account in info.get("account_details") or []:
                for detail in account.get("stream_detail") or []:
                    if detail.get("name") == stream:
                        leader = (detail.get("cluster") or {}).get("leader")
                        if leader and leader.startswith("node-"):
                            return leader
        return None

    def logs(self):
        out = []
        for i, path in enumerate(self.log_paths):
            with open(path) as f:
                out.append("== node %d\n%s" % (i, f.read()[-3000:]))
        return "\n".join(out)

    def kill(self, index):
        """SIGKILL one node."""
        if self.processes[index].poll() is None:
            self.processes[index].kill()
            self.processes[index].wait()

    def stop(self):
        for process in self.processes:
            terminate_process(process)
        for log in self._logs:
            log.close()
