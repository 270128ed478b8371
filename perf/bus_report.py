#!/usr/bin/python3
"""The trade bus measured end to end, as ratios in one run: real
`alphastream run` processes and a real `nats-server -js` on loopback.

  throughput  the same generated trades (files) through one process
              (feed.source: csv, the pair's models) and through an ingest
              (csv, bus.publish) -> JetStream -> a worker (feed.source: nats,
              the same models): from the start of the process that reads the
              files until the shards have every trade. The ingest's publish
              rate (every trade acknowledged) too.
  latency     the simulator's live feed at --rate trades/s, tick to signal
              (receipt of a trade to the row it produced: tick sampling, a
              row per trade; the shards' histogram) in one process and on a
              worker behind the bus, where receipt is the ingest's (same
              host, same clock).
  pairs       one worker with 1, 100, 1,000 and 10,000 OLS pairs over a
              generated universe of --symbols symbols, the stream already
              holding --minutes of their trades: start-up (config, plugins,
              bus) and the time to model the whole stream, and the cost per
              pair and per pair observation.
  storage     the stream's bytes per stored trade (JetStream's account
              info), the figure a capacity plan multiplies.

Writes a Markdown report (--out) with the command that produced it. Not a
test: nothing is asserted but each run's own completion.

  perf/bus_report.py [--build build] [--work /tmp/alphastream-bus-perf]
                     [--repeat 3] [--rate 500] [--symbols 150] [--minutes 10]
                     [--out perf/BUS_REPORT.md]
"""

import argparse
import contextlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD_BYTES = 90  # storage/trade_record.h kTradeValueSize
PAIR_MODEL = "models: [{plugin: ols, params: {window: 60}}], zscore: {window: 30, entry: 2.0, exit: 0.0}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--work", default="/tmp/alphastream-bus-perf")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hours", type=float, default=2, help="of the throughput run's generated pair")
    parser.add_argument("--trade-rate", type=float, default=50, help="trades/s a leg in the throughput run's files")
    parser.add_argument("--rate", type=int, default=500, help="the simulator's trades/s in the latency run")
    parser.add_argument("--latency-s", type=float, default=20)
    parser.add_argument("--symbols", type=int, default=150)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--pairs", default="1,100,1000,10000")
    parser.add_argument("--phases", default="throughput,latency,pairs",
                        help="which to run (storage is read after pairs)")
    parser.add_argument("--out", default=os.path.join(ROOT, "perf", "BUS_REPORT.md"))
    args = parser.parse_args()

    os.environ["ALPHASTREAM_BIN"] = os.path.join(args.build, "alphastream")
    os.environ["ALPHASTREAM_PLUGIN_DIR"] = os.path.join(args.build, "plugins")
    os.environ["ALPHASTREAM_TEST_WORK_DIR"] = args.work
    sys.path.insert(0, os.path.join(ROOT, "tests", "service"))
    global ss
    import service_support as ss  # noqa: E402  (needs the environment above)

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    nats = ss.NatsServer(args.work)
    try:
        bench = BusBench(args, nats)
        phases = args.phases.split(",")
        rows = []
        for phase in ("throughput", "latency", "pairs"):
            if phase in phases:
                rows += getattr(bench, phase)()
        if "pairs" in phases:
            rows += bench.storage()
    finally:
        nats.stop()
    command = "python3 perf/bus_report.py " + " ".join(sys.argv[1:])
    text = ["# Trade bus: measured", "",
            "`%s` on %d cores, %s; nats-server %s (one node, file storage, loopback); medians of %d runs."
            % (command.strip(), os.cpu_count(), time.strftime("%Y-%m-%d"), nats_version(), args.repeat), "",
            "| figure | through the bus | reference | ratio |", "|---|---|---|---|"]
    text += ["| %s | %s | %s | %s |" % row for row in rows]
    with open(args.out, "w") as f:
        f.write("\n".join(text) + "\n")
    print("\n".join(text))


def nats_version():
    done = subprocess.run([ss.NATS_SERVER, "--version"], capture_output=True, text=True)
    return done.stdout.strip().split()[-1] if done.returncode == 0 else "?"


def peak_rss_mb(pid):
    """VmHWM of a running process, in MB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def histogram_quantile(metrics, name, q):
    """The upper bound of the bucket holding quantile q, over every shard's
    cumulative buckets (power-of-two bounds)."""
    buckets = {}
    for labels, value in metrics.series(name + "_bucket"):
        le = float(labels["le"])
        buckets[le] = buckets.get(le, 0) + value
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    for bound in bounds:
        if buckets[bound] >= q * total:
            return bound, total
    return bounds[-1], total


class BusBench:

    def __init__(self, args, nats):
        self.args = args
        self.nats = nats
        self.runs = 0
        self.streams = []

    def write(self, name, text):
        return ss.write_file(os.path.join(self.args.work, name), text)

    def config(self, name, feed, pairs, bus=None, cores=2, sampling="{mode: time, interval_ms: 1000}"):
        port = ss.free_port()
        text = ss.service_config(port, feed=feed, pairs=pairs, symbols=[], sampling=sampling,
                                 engine="{cores: %d, queue_capacity: 65536}" % cores)
        if bus is not None:
            text += "bus: {servers: [%s], %s}\n" % (self.nats.url(), bus)
        return self.write(name, text), port

    def start(self, config, port):
        return ss.Service(config, self.args.work, port, ["--stay-up"])

    @contextlib.contextmanager
    def running(self, config, port):
        """`alphastream run` for the with-block, stopped (and reaped) after it."""
        service = self.start(config, port)
        try:
            yield service
        finally:
            service.stop(timeout_s=120)
            service.kill()

    @contextlib.contextmanager
    def worker_behind_bus(self, name, pair, sampling, stream):
        """A worker on `stream`, connected; yields it and the ingest's bus
        settings (the ingest is the caller's to start)."""
        config, port = self.config(name, "{source: nats}", pair, stream, sampling=sampling)
        with self.running(config, port) as worker:
            self.wait(worker, lambda m: m.value("alphastream_bus_connected", role="consume") == 1, 60,
                      "the worker to connect")
            yield worker

    def fresh_stream(self):
        self.runs += 1
        name = "PERF_%d" % self.runs
        self.streams.append(name)
        return "stream: %s, subject_prefix: perf%d" % (name, self.runs)

    def wait(self, service, condition, timeout_s, what, interval_s=0.02):
        """Polls /metrics until condition(metrics); returns (seconds since
        this call, metrics)."""
        start = time.monotonic()
        while True:
            m = service.scrape()
            if m is not None and condition(m):
                return time.monotonic() - start, m
            if time.monotonic() - start > timeout_s:
                raise AssertionError("%s within %d s:\n%s" % (what, timeout_s, service.log()[-4000:]))
            time.sleep(interval_s)

    # --- throughput -------------------------------------------------------

    def throughput(self):
        print("throughput ...", file=sys.stderr)
        data = os.path.join(self.args.work, "pair-data")
        done = ss.run_cli(["simulate", "--out", data, "--hours", str(self.args.hours), "--x-rate",
                           str(self.args.trade_rate), "--y-rate", str(self.args.trade_rate), "--seed", "3"])
        if done.returncode != ss.EXIT_OK:
            raise AssertionError(ss.describe(done))
        files = {ss.X_SYMBOL: os.path.join(data, ss.X_SYMBOL + "-aggTrades-2024-01-01.csv"),
                 ss.Y_SYMBOL: os.path.join(data, ss.Y_SYMBOL + "-aggTrades-2024-01-01.csv")}
        total = 0
        for path in files.values():
            with open(path) as f:
                total += sum(1 for line in f if line.strip())
        csv = "{source: csv, csv: {%s}}" % ", ".join("%s: %s" % kv for kv in files.items())
        pair = ["{name: %s, y: %s, x: %s, %s}" % (ss.PAIR, ss.Y_SYMBOL, ss.X_SYMBOL, PAIR_MODEL)]
        modelled = lambda m: m.total("alphastream_shard_events_total") >= total

        local, bus, publish = [], [], []
        sampling = "{mode: time, interval_ms: 1000}"
        for _ in range(self.args.repeat):
            config, port = self.config("local.yaml", csv, pair)
            start = time.monotonic()
            with self.running(config, port) as service:
                self.wait(service, modelled, 300, "every trade modelled")
                local.append(time.monotonic() - start)

            stream = self.fresh_stream()
            with self.worker_behind_bus("worker.yaml", pair, sampling, stream) as worker:
                config, port = self.config("ingest.yaml", csv, pair, stream + ", publish: true")
                start = time.monotonic()
                with self.running(config, port) as ingest:
                    acked = None
                    while True:
                        m = worker.scrape()
                        if acked is None:
                            i = ingest.scrape()
                            if i is not None and i.value("alphastream_bus_acked_total", role="publish") >= total:
                                acked = time.monotonic() - start
                        if m is not None and modelled(m):
                            bus.append(time.monotonic() - start)
                            break
                        if time.monotonic() - start > 300:
                            raise AssertionError("the worker to model every trade:\n" + worker.log()[-4000:])
                        time.sleep(0.02)
                    if acked is None:
                        acked = self.wait(ingest, lambda i: i.value("alphastream_bus_acked_total",
                                                                    role="publish") >= total, 120,
                                          "every publish acknowledged")[0] + bus[-1]
                    publish.append(acked)
                    failed = ingest.scrape().value("alphastream_bus_failed_total", role="publish")
                    if failed:
                        raise AssertionError("%d publishes failed" % failed)
        self.trades = total
        t_local, t_bus, t_publish = (statistics.median(v) for v in (local, bus, publish))
        return [
            ("%d trades (two legs, one OLS pair), files to models" % total,
             "%.2f s, %.0f trades/s" % (t_bus, total / t_bus),
             "one process %.2f s, %.0f trades/s" % (t_local, total / t_local),
             "%.2fx the time" % (t_bus / t_local)),
            ("ingest publishing, every trade acknowledged", "%.0f trades/s" % (total / t_publish),
             "one process models %.0f trades/s" % (total / t_local),
             "the bus carries %.2fx what one process models" % (t_local / t_publish)),
        ]

    # --- latency ----------------------------------------------------------

    def latency(self):
        print("latency ...", file=sys.stderr)
        feed = "{source: simulator, simulator: {tls: false, trades_per_second: %d}}" % self.args.rate
        pair = ["{name: %s, y: %s, x: %s, %s}" % (ss.PAIR, ss.Y_SYMBOL, ss.X_SYMBOL, PAIR_MODEL)]
        name = "alphastream_tick_to_signal_seconds"
        local, bus = [], []
        tick = "{mode: tick}"
        for _ in range(self.args.repeat):
            config, port = self.config("local-live.yaml", feed, pair, sampling=tick)
            with self.running(config, port) as service:
                time.sleep(self.args.latency_s)
                m = service.scrape()
                local.append((histogram_quantile(m, name, 0.5), histogram_quantile(m, name, 0.99)))
            stream = self.fresh_stream()
            with self.worker_behind_bus("worker-live.yaml", pair, tick, stream) as worker:
                config, port = self.config("ingest-live.yaml", feed, pair, stream + ", publish: true", sampling=tick)
                with self.running(config, port):
                    time.sleep(self.args.latency_s)
                    m = worker.scrape()
                    bus.append((histogram_quantile(m, name, 0.5), histogram_quantile(m, name, 0.99)))
        med = lambda runs, i: statistics.median(r[i][0] for r in runs) * 1e6
        count = statistics.median(r[0][1] for r in bus)
        return [
            ("tick to signal p50, simulator at %d trades/s (histogram bucket bound)" % self.args.rate,
             "<= %.0f us" % med(bus, 0), "one process <= %.0f us" % med(local, 0),
             "%.0fx" % (med(bus, 0) / med(local, 0))),
            ("tick to signal p99 (%d rows a run)" % count, "<= %.0f us" % med(bus, 1),
             "one process <= %.0f us" % med(local, 1), "%.0fx" % (med(bus, 1) / med(local, 1))),
        ]

    # --- pairs per worker -------------------------------------------------

    def pairs(self):
        print("pairs per worker ...", file=sys.stderr)
        data = os.path.join(self.args.work, "universe")
        symbols = ["U%03dUSDT" % i for i in range(self.args.symbols)]
        for i in range(0, len(symbols) - 1, 2):
            done = ss.run_cli(["simulate", "--out", data, "--x", symbols[i], "--y", symbols[i + 1], "--hours",
                               str(self.args.minutes / 60), "--x-rate", "2", "--y-rate", "2", "--seed",
                               str(100 + i)])
            if done.returncode != ss.EXIT_OK:
                raise AssertionError(ss.describe(done))
        counts = {}
        for symbol in symbols:
            with open(os.path.join(data, symbol + "-aggTrades-2024-01-01.csv")) as f:
                counts[symbol] = sum(1 for line in f if line.strip())
        total = sum(counts.values())
        stream = self.fresh_stream()
        self.universe_stream = self.streams[-1]
        csv = "{source: csv, csv: {%s}}" % ", ".join(
            "%s: %s" % (s, os.path.join(data, s + "-aggTrades-2024-01-01.csv")) for s in symbols)
        generated = ["{name: g%d, y: %s, x: %s, %s}" % (i, symbols[i + 1], symbols[i], PAIR_MODEL)
                     for i in range(0, len(symbols) - 1, 2)]
        config, port = self.config("universe-ingest.yaml", csv, generated, stream + ", publish: true")
        with self.running(config, port) as ingest:
            self.wait(ingest, lambda m: m.value("alphastream_bus_acked_total", role="publish") >= total, 300,
                      "the universe published", interval_s=0.2)

        all_pairs = list(itertools.combinations(symbols, 2))
        rows, measured = [], {}
        for count in (int(n) for n in self.args.pairs.split(",")):
            if count > len(all_pairs):
                continue
            # Spread over the universe: every k-th combination.
            step = max(1, len(all_pairs) // count)
            chosen = all_pairs[::step][:count]
            legs = {s for pair in chosen for s in pair}
            routed = sum(counts[s] for s in legs)
            pairs = ["{name: p%d, y: %s, x: %s, %s}" % (i, y, x, PAIR_MODEL) for i, (x, y) in enumerate(chosen)]
            starts, totals, rss = [], [], []
            for _ in range(self.args.repeat):
                config, port = self.config("pairs-%d.yaml" % count, "{source: nats}", pairs, stream)
                begin = time.monotonic()
                with self.running(config, port) as worker:
                    # A scrape of 10,000 pairs' series is work for the worker:
                    # poll as rarely as the figure's size allows.
                    poll = 0.02 if count <= 100 else 0.25 if count <= 1000 else 1.0
                    self.wait(worker, lambda m: m.value("alphastream_bus_connected", role="consume") == 1, 300,
                              "the worker to start", interval_s=poll)
                    starts.append(time.monotonic() - begin)
                    self.wait(worker, lambda m: m.total("alphastream_shard_events_total") >= routed, 600,
                              "every trade of the legs modelled", interval_s=poll)
                    totals.append(time.monotonic() - begin)
                    rss.append(peak_rss_mb(worker.process.pid))
            measured[count] = (statistics.median(starts), statistics.median(totals), routed, statistics.median(rss))
        one = min(measured)
        base_start, base_total, _, base_rss = measured[one]
        for count, (start, total_s, routed, rss_mb) in sorted(measured.items()):
            # The worker reads the whole stream whatever it models: what a
            # pair adds is the difference to one pair.
            per_pair = (total_s - base_total) / (count - one) if count > one else None
            rows.append(("worker with %d pair%s over %d symbols (%d trades of their legs, %.0f min)"
                         % (count, "s" if count > 1 else "", len(symbols), routed, self.args.minutes),
                         "connected %.2f s, stream modelled %.2f s after start, %.0f MB" % (start, total_s, rss_mb),
                         "%d pair: %.2f s, %.2f s, %.0f MB" % (one, base_start, base_total, base_rss),
                         "-" if per_pair is None else "within the noise" if per_pair <= 0 else
                         "%.0f us and %.1f KB a pair, %.0f ns a pair observation"
                         % (per_pair * 1e6, (rss_mb - base_rss) * 1024 / (count - one),
                            per_pair / (self.args.minutes * 60) * 1e9)))
        self.universe_trades = total
        return rows

    # --- storage ----------------------------------------------------------

    def storage(self):
        """Bytes per stored trade from the first (universe) stream's state."""
        state = self.stream_state(self.universe_stream)
        per_trade = state["bytes"] / state["messages"]
        return [("JetStream storage per trade (file store, %d trades)" % state["messages"],
                 "%.0f bytes" % per_trade, "the record payload %d bytes" % RECORD_BYTES, "%.2fx" % (per_trade / RECORD_BYTES))]

    def stream_state(self, stream):
        """The stream's message and byte counts, asked over the NATS protocol
        ($JS.API.STREAM.INFO), as any client would."""
        import socket
        with socket.create_connection(("127.0.0.1", self.nats.port), timeout=5) as s:
            s.recv(4096)
            s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.perf 1\r\n'
                      b"PUB $JS.API.STREAM.INFO.%s _INBOX.perf 0\r\n\r\nPING\r\n" % stream.encode())
            answer = b""
            while True:
                answer += s.recv(65536)
                head = answer.find(b"MSG _INBOX.perf")
                if head < 0:
                    continue
                line_end = answer.find(b"\r\n", head)
                size = int(answer[head:line_end].split()[-1])
                body = answer[line_end + 2:line_end + 2 + size]
                if len(body) == size:
                    return json.loads(body)["state"]


if __name__ == "__main__":
    main()
